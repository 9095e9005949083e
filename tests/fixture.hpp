// Reads the reference fixtures that the scripts in tests/fixtures/ write.
//
// Format: one record per line, `name v1 v2 ...`; values are decimal numbers printed
// with 17 significant digits (or nan, inf, -inf); `#` starts a comment line. A record
// may have no values (an empty array). Names are unique within a file.
#pragma once

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#ifndef COLLAPSEKIT_FIXTURE_DIR
#error "COLLAPSEKIT_FIXTURE_DIR must point at tests/fixtures"
#endif

namespace collapsekit_test {

class fixture {
public:
    explicit fixture(const std::string& file) : path_(std::string(COLLAPSEKIT_FIXTURE_DIR) + "/" + file) {
        std::ifstream in(path_);
        if (!in) throw std::runtime_error("cannot open fixture " + path_);
        std::string line;
        while (std::getline(in, line)) {
            if (line.empty() || line[0] == '#') continue;
            std::istringstream fields(line);
            std::string name, token;
            fields >> name;
            std::vector<double>& values = records_[name];
            while (fields >> token) values.push_back(std::strtod(token.c_str(), nullptr));
        }
    }

    const std::vector<double>& operator[](const std::string& name) const {
        auto it = records_.find(name);
        if (it == records_.end()) throw std::runtime_error("fixture " + path_ + " has no record " + name);
        return it->second;
    }
    double scalar(const std::string& name) const { return (*this)[name].at(0); }
    bool has(const std::string& name) const { return records_.count(name) != 0; }
    const std::map<std::string, std::vector<double>>& records() const { return records_; }

private:
    std::string path_;
    std::map<std::string, std::vector<double>> records_;
};

}  // namespace collapsekit_test
