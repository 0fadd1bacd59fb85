# The determinism tests (ctest; registered in fuzz/CMakeLists.txt), over every example and
# every script of fuzz/corpus/, with cowlab-json-dump (one line per script: path, status,
# state JSON):
#   repeat          two processes print the same bytes, and a third, given the scripts in
#                   the opposite order, the same line for each script (no state leaks from
#                   one Session into the next);
#   native-vs-wasm  the WebAssembly build, under node, prints the same bytes as the native.
# cmake -DNAME=repeat|native-vs-wasm -DSOURCE_DIR=<source> -DWORK_DIR=<dir> -DDUMP=<dump>
#       [-DEMULATOR=<runs DUMP, '|' between its words>]
#       [-DWASM_DUMP=<cowlab-json-dump.js> -DNODE=<node>] -P determinism.cmake
file(GLOB scripts ${SOURCE_DIR}/examples/*.cow ${SOURCE_DIR}/fuzz/corpus/*)
list(SORT scripts)
list(LENGTH scripts count)
if(count EQUAL 0)
  message(FATAL_ERROR "no scripts in ${SOURCE_DIR}/examples/ or ${SOURCE_DIR}/fuzz/corpus/")
endif()
file(MAKE_DIRECTORY ${WORK_DIR})

# run_dump(OUT FILE SCRIPTS...): runs the dump (${RUNNER}) on SCRIPTS into FILE, checks that
# it printed one line per script, in order, and sets OUT to those lines (a CMake list, so
# the characters lists treat specially are written <semicolon>, <open> and <close>).
function(run_dump out file)
  execute_process(COMMAND ${RUNNER} ${ARGN} OUTPUT_FILE ${file} RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${RUNNER} ended with status ${status}")
  endif()
  file(READ ${file} text)
  string(REPLACE ";" "<semicolon>" text "${text}")
  string(REPLACE "[" "<open>" text "${text}")
  string(REPLACE "]" "<close>" text "${text}")
  string(REGEX REPLACE "\n$" "" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  list(LENGTH lines n)
  list(LENGTH ARGN expected)
  if(NOT n EQUAL expected)
    message(FATAL_ERROR "${file}: ${n} lines for ${expected} scripts")
  endif()
  set(scripts ${ARGN})
  foreach(i RANGE 1 ${n})
    math(EXPR i "${i} - 1")
    list(GET lines ${i} line)
    list(GET scripts ${i} script)
    if(NOT line MATCHES "^([^\t]*)\t(ok|expect|error)\t[{]" OR NOT CMAKE_MATCH_1 STREQUAL script)
      string(SUBSTRING "${line}" 0 200 shown)
      message(FATAL_ERROR "${file}: not the state of ${script}: ${shown}")
    endif()
  endforeach()
  set(${out} "${lines}" PARENT_SCOPE)
endfunction()

# same_bytes(A B WHAT): fails unless files A and B are identical.
function(same_bytes a b what)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${a} ${b} RESULT_VARIABLE differ)
  if(differ)
    message(FATAL_ERROR "${what}: ${a} and ${b} differ")
  endif()
endfunction()

string(REPLACE "|" ";" EMULATOR "${EMULATOR}")
set(RUNNER ${EMULATOR} ${DUMP})
run_dump(first ${WORK_DIR}/first.tsv ${scripts})
if(NAME STREQUAL "repeat")
  run_dump(second ${WORK_DIR}/second.tsv ${scripts})
  same_bytes(${WORK_DIR}/first.tsv ${WORK_DIR}/second.tsv "two runs")
  set(reversed ${scripts})
  list(REVERSE reversed)
  run_dump(backwards ${WORK_DIR}/reversed.tsv ${reversed})
  list(REVERSE backwards)
  if(NOT backwards STREQUAL first)
    message(FATAL_ERROR "the scripts in the opposite order give other states (${WORK_DIR}/reversed.tsv)")
  endif()
  message(STATUS "${count} scripts: the same state JSON in three runs, forwards and backwards")
elseif(NAME STREQUAL "native-vs-wasm")
  if(NOT EXISTS "${WASM_DUMP}")
    message(FATAL_ERROR "no WebAssembly cowlab-json-dump at ${WASM_DUMP}: build the target "
                        "cowlab-json-dump in that Emscripten build first")
  endif()
  set(RUNNER ${NODE} ${WASM_DUMP})
  run_dump(wasm ${WORK_DIR}/wasm.tsv ${scripts})
  same_bytes(${WORK_DIR}/first.tsv ${WORK_DIR}/wasm.tsv "native and WebAssembly")
  message(STATUS "${count} scripts: the same state JSON natively and as WebAssembly")
else()
  message(FATAL_ERROR "NAME must be repeat or native-vs-wasm, not '${NAME}'")
endif()
