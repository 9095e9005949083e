# Installs the collapsekit build tree into a scratch prefix, then configures, builds and
# runs tests/consumer against it (CK_MODE=find_package) or against the source tree
# (CK_MODE=add_subdirectory). Run with cmake -P; paths come in as -D variables.
file(REMOVE_RECURSE ${CK_WORK})
set(_args -S ${CK_SOURCE}/tests/consumer -B ${CK_WORK}/build -DCK_MODE=${CK_MODE}
          -DCMAKE_CXX_COMPILER=${CK_CXX})
if(CK_MODE STREQUAL "find_package")
  execute_process(COMMAND ${CMAKE_COMMAND} --install ${CK_BUILD} --prefix ${CK_WORK}/prefix
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "install failed (${rc})")
  endif()
  list(APPEND _args -DCMAKE_PREFIX_PATH=${CK_WORK}/prefix)
else()
  list(APPEND _args -DCK_SOURCE=${CK_SOURCE})
endif()
foreach(step IN ITEMS configure build run)
  if(step STREQUAL "configure")
    set(cmd ${CMAKE_COMMAND} ${_args})
  elseif(step STREQUAL "build")
    set(cmd ${CMAKE_COMMAND} --build ${CK_WORK}/build)
  else()
    set(cmd ${CK_WORK}/build/consumer)
  endif()
  execute_process(COMMAND ${cmd} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "consumer ${step} failed (${rc})")
  endif()
endforeach()
