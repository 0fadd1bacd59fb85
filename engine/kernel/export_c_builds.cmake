# One export_c ctest test (registered in CMakeLists.txt next to this file): the program
# `cowlab export-c SCRIPT` writes must build, linked, with `CC -std=c99 -Wall -Wextra -Werror`.
#   cmake -DCOWLAB=<cowlab> -DSCRIPT=<file.cow> -DCC=<C compiler> -DOUT=<path without .c> -P export_c_builds.cmake
get_filename_component(dir ${OUT} DIRECTORY)
file(MAKE_DIRECTORY ${dir})
file(REMOVE ${OUT}.c ${OUT})
execute_process(COMMAND ${COWLAB} export-c ${SCRIPT} OUTPUT_FILE ${OUT}.c ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cowlab export-c ${SCRIPT} failed (${rc}):\n${err}")
endif()
set(flags -std=c99 -O2 -Wall -Wextra -Werror)
string(JOIN " " flags_text ${flags})
execute_process(COMMAND ${CC} ${flags} ${OUT}.c -o ${OUT} -lpthread ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the program for ${SCRIPT} (${OUT}.c) does not build with ${CC} ${flags_text}:\n${err}")
endif()
message(STATUS "${OUT}.c builds with ${CC} ${flags_text}")
