# Fails if any C++ file under lib/ differs from what clang-format (the
# repository's .clang-format) would make of it. Fix with:
#   clang-format -i $(git ls-files 'lib/*.cpp' 'lib/*.hpp')
file(GLOB_RECURSE files ${ROOT}/lib/*.hpp ${ROOT}/lib/*.cpp)
execute_process(COMMAND ${CLANG_FORMAT} --dry-run --Werror ${files}
  RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "lib/ is not clang-formatted:\n${err}")
endif()
message(STATUS "lib/ follows .clang-format")
