// libFuzzer target: ck::entropy_accumulator::deserialize on any bytes. A clear std::invalid_argument or
// a entropy_accumulator that holds its invariants, serialises back to the same bytes and survives
// what a user does next (tests/fuzz/deserialize_check.hpp). Run under
// -malloc_limit_mb / -rss_limit_mb so that an allocation sized by a forged field is a
// finding rather than a slow success.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "deserialize_check.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::vector<std::uint8_t> bytes(data, data + size);
    const std::string problem = collapsekit_fuzz::check_bytes<collapsekit::entropy_accumulator>(bytes);
    if (!problem.empty()) collapsekit_fuzz::finding(problem);
    return 0;
}
