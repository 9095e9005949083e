# Compiler bugs that would make collapsekit's results wrong, and the flags that avoid them.
# Included by CMakeLists.txt for the build tree and by collapsekitConfig.cmake for an
# installed package, so a consumer's own targets get the same protection as ours.
#
# GCC 12 on x86-64, once AVX-512 is enabled or tuned for (-march=x86-64-v4, -march=native
# on an AVX-512 host, -mtune=icelake-server), folds the copy of a 32- or 64-byte constant
# (a std::vector's initializer list, a memcpy from a constant array) into one 256- or
# 512-bit integer constant, then takes {2, 2, 0, 0} for "2 repeated" because it looks only
# at the 64-bit words the constant stores explicitly (the zero words at the top are
# implicit) and writes {2, 2, 2, 2}. The check is ix86_convert_const_wide_int_to_broadcast in
# GCC's i386-expand.cc, new in GCC 12; later GCC sources also require the constant to hold
# all its words before they broadcast it.
# -mmove-max=128 -mstore-max=128 keep such copies at 16 bytes, whose constants are always
# complete; explicit SIMD code (our kernels) is unaffected. tests/test_toolchain.cpp holds
# the cases. Set COLLAPSEKIT_GCC12_WORKAROUND=OFF to leave the flags out.

# Sets ${out} to the compile options, as generator expressions that are empty for any
# compiler but GCC 12, or to nothing off x86.
function(collapsekit_gcc12_workaround_options out)
  set(_opts "")
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64|x64|i[3-6]86)$")
    set(_gcc12 "$<AND:$<COMPILE_LANG_AND_ID:CXX,GNU>,$<VERSION_GREATER_EQUAL:$<CXX_COMPILER_VERSION>,12>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>")
    set(_opts "$<${_gcc12}:-mmove-max=128>" "$<${_gcc12}:-mstore-max=128>")
  endif()
  set(${out} "${_opts}" PARENT_SCOPE)
endfunction()
