# Tests of the `cowlab` command line, run by ctest (registered in shell/CMakeLists.txt):
#   cmake -DCOWLAB=path/to/cowlab -DSOURCE_DIR=repo -DWORK_DIR=scratch -DCASE=name -P tests/cli.cmake
# Each CASE runs the built command and checks its exit status and output. Needs only
# CMake (3.19 or later: the JSON cases parse with string(JSON)); when python3 is present
# the JUnit reports are also parsed as XML, and grading_example runs the grader of
# docs/teaching.md (sh and python3).
cmake_minimum_required(VERSION 3.14)
foreach(var COWLAB SOURCE_DIR WORK_DIR CASE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "cli.cmake: -D${var}=... is missing")
  endif()
endforeach()
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
set(example ${SOURCE_DIR}/examples/01-basic-cow-fork.cow)

# Runs cowlab with the given arguments in WORK_DIR; sets rc, out and err.
function(cowlab)
  execute_process(COMMAND ${COWLAB} ${ARGN} WORKING_DIRECTORY ${WORK_DIR}
    RESULT_VARIABLE r OUTPUT_VARIABLE o ERROR_VARIABLE e)
  set(rc "${r}" PARENT_SCOPE)
  set(out "${o}" PARENT_SCOPE)
  set(err "${e}" PARENT_SCOPE)
  set(command "cowlab ${ARGN}" PARENT_SCOPE)
endfunction()

function(fail why)
  message(FATAL_ERROR "${command}: ${why}\n--- exit status: ${rc}\n--- stdout:\n${out}\n--- stderr:\n${err}")
endfunction()

function(expect_status want)
  if(NOT rc STREQUAL "${want}")
    fail("exit status ${rc}, expected ${want}")
  endif()
endfunction()

# expect_text(VAR TEXT...): each TEXT occurs literally in the variable VAR (out or err).
function(expect_text var)
  foreach(text IN LISTS ARGN)
    string(FIND "${${var}}" "${text}" at)
    if(at EQUAL -1)
      fail("${var} lacks \"${text}\"")
    endif()
  endforeach()
endfunction()

function(expect_no_text var text)
  string(FIND "${${var}}" "${text}" at)
  if(NOT at EQUAL -1)
    fail("${var} has \"${text}\", which it should not")
  endif()
endfunction()

# expect_count(TEXT REGEX N): REGEX matches N times in TEXT.
function(expect_count text regex n)
  string(REGEX MATCHALL "${regex}" found "${text}")
  list(LENGTH found got)
  if(NOT got EQUAL n)
    message(FATAL_ERROR "${command}: ${got} matches of ${regex} in the report, expected ${n}:\n${text}")
  endif()
endfunction()

# Parses a JUnit report as XML (when python3 is here) and checks its counts.
function(expect_well_formed_junit path tests failures)
  find_program(python python3)
  if(NOT python)
    return()
  endif()
  execute_process(COMMAND ${python} -c [[
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuite", root.tag
cases = root.findall("testcase")
assert len(cases) == int(root.get("tests")) == int(sys.argv[2]), (len(cases), root.get("tests"))
failed = [c for c in cases if c.find("failure") is not None]
assert len(failed) == int(root.get("failures")) == int(sys.argv[3]), (len(failed), root.get("failures"))
for c in cases:
    float(c.get("time")); assert c.get("classname") == "cowlab.check"
print("\n".join(c.get("name") for c in cases))
]] ${path} ${tests} ${failures} RESULT_VARIABLE r OUTPUT_VARIABLE names ERROR_VARIABLE e)
  if(NOT r EQUAL 0)
    message(FATAL_ERROR "${path} is not the JUnit XML expected (python3 says: ${e})")
  endif()
  set(parsed_names "${names}" PARENT_SCOPE)
endfunction()

# json_get(VAR JSON PATH...): VAR = the value at PATH (member names, array indices) in
# JSON, parsed by CMake (3.19 or later); fails when JSON does not parse or PATH is not there.
function(json_get var json)
  string(JSON value ERROR_VARIABLE why GET "${json}" ${ARGN})
  if(why)
    fail("JSON at '${ARGN}': ${why}")
  endif()
  set(${var} "${value}" PARENT_SCOPE)
endfunction()

# expect_json_type(JSON PATH... TYPE): the value at PATH is of TYPE (NULL, NUMBER, ...).
function(expect_json_type json)
  set(path ${ARGN})
  list(POP_BACK path want)
  string(JSON got ERROR_VARIABLE why TYPE "${json}" ${path})
  if(why OR NOT got STREQUAL want)
    fail("JSON at '${path}' is of type '${got}' ${why}, expected ${want}")
  endif()
endfunction()

# expect_json(JSON PATH... VALUE): the value at PATH is VALUE (as CMake writes it: true
# is ON, false OFF; compare Pss values in the text, CMake rewrites their decimals).
function(expect_json json)
  set(path ${ARGN})
  list(POP_BACK path want)
  json_get(got "${json}" ${path})
  if(NOT got STREQUAL want)
    fail("JSON at '${path}' is '${got}', expected '${want}'")
  endif()
endfunction()

# json_keys(JSON VAR): appends to list VAR every member name in JSON, at every depth.
function(json_keys json var)
  set(keys ${${var}})
  string(JSON type TYPE "${json}")
  string(JSON n LENGTH "${json}")
  if(n GREATER 0)
    math(EXPR last "${n} - 1")
    foreach(i RANGE ${last})
      set(at ${i})
      if(type STREQUAL "OBJECT")
        string(JSON at MEMBER "${json}" ${i})
        list(APPEND keys ${at})
      endif()
      string(JSON t TYPE "${json}" ${at})
      if(t STREQUAL "OBJECT" OR t STREQUAL "ARRAY")
        string(JSON v GET "${json}" ${at})
        json_keys("${v}" keys)
      endif()
    endforeach()
  endif()
  list(REMOVE_DUPLICATES keys)
  set(${var} ${keys} PARENT_SCOPE)
endfunction()

set(passing [[
spawn P1
P1 mmap heap 8
P1 write heap
expect P1 rss=8 private_dirty=8
]])
# Line 5 fails: after the fork the 8 pages are shared by two, so rss stays 8 but pss is 4.
set(failing [[
spawn P1
P1 mmap heap 8
P1 write heap
P1 fork C1
expect C1 rss=8 pss=8
expect C1 rss=8 pss=4
]])

if(CASE STREQUAL "check_help")
  cowlab(check --help)
  expect_status(0)
  expect_text(out "Usage: cowlab check [--junit REPORT.xml] [--json] [--expects FILE] [--min-expects N] FILE..."
    "--junit=REPORT.xml" "--json" "--expects=FILE" "--min-expects=N" "Exit status: 0 all passed" "-h, --help")
  cowlab(check ${example} -h)  # anywhere before `--`
  expect_status(0)
  expect_text(out "Usage: cowlab check")
  cowlab(help check)
  expect_status(0)
  expect_text(out "Usage: cowlab check")

elseif(CASE STREQUAL "top_help")
  cowlab(--help)
  expect_status(0)
  # Every command, and options of several of them, from the same declarations.
  expect_text(out "Usage: cowlab COMMAND" "\nCommands:\n" "\nOptions:\n" "-V, --version"
    "cowlab run [--json] [--trace] [--smaps NAME] [--status] [--meminfo] [--explain] [--pagemap[=PROCESS[:REGION]]] [--events] FILE|-:"
    "--smaps=NAME" "--pagemap[=PROCESS[:REGION]]"
    "cowlab check [--junit REPORT.xml] [--json] [--expects FILE] [--min-expects N] FILE...:" "cowlab repl:" "--smaps-lines" "cowlab export-c FILE|-:"
    "-s, --seed=N" "-c, --answers" "--reverse" "--model=FILE" "--classic" "--constants" "--mib=N" "--runs=N")
  cowlab(--version)
  expect_status(0)
  if(NOT out MATCHES "^cowlab [0-9]+\\.[0-9]+\\.[0-9]+\n$")
    fail("not 'cowlab X.Y.Z'")
  endif()
  cowlab()
  expect_status(2)
  expect_text(err "Usage: cowlab COMMAND")

elseif(CASE STREQUAL "help_glossary")
  cowlab(help glossary)
  expect_status(0)
  # The glossary the web page's Help shows, with its formulas.
  expect_text(out "Pss (proportional set size)\n  Each present page counts 1/mapcount"
    "Shared (smaps Shared_Clean + Shared_Dirty)\n  Pages whose frame has mapcount >= 2" "USS (unique set size)"
    "Clean and Dirty" "the zero page" "fault-around")
  cowlab(help nosuch)
  expect_status(2)
  expect_text(err "unknown command 'nosuch'")

elseif(CASE STREQUAL "run_dashdash")
  configure_file(${example} ${WORK_DIR}/-x.cow COPYONLY)
  cowlab(run -- -x.cow)
  expect_status(0)
  expect_text(out "== end (")
  cowlab(run -x.cow)  # without `--` it is an option
  expect_status(2)
  expect_text(err "unknown option '-x.cow'")
  cowlab(check -- -x.cow --help)  # after `--`, even --help is a file name
  expect_status(2)
  expect_text(out "ok    -x.cow")
  expect_text(err "cowlab: cannot open '--help'")

elseif(CASE STREQUAL "run_option_equals")
  cowlab(run --smaps=P1 ${example})
  expect_status(0)
  # P1's heap at the end: pages 0-15 private (the child copied them), 48 shared with C1,
  # so Rss 64 pages = 256 kB, Pss 16 * 4 + 48 * 4 / 2 = 160 kB.
  expect_text(out "Rss:                 256 kB" "Pss:                 160 kB" "Shared_Dirty:        192 kB")
  set(equals_form "${out}")
  cowlab(run --smaps P1 ${example})
  expect_status(0)
  if(NOT out STREQUAL equals_form)
    fail("--smaps P1 and --smaps=P1 print different things")
  endif()
  cowlab(run ${example} --smaps=Q9)
  expect_status(2)

elseif(CASE STREQUAL "unknown_option")
  cowlab(run --jsn ${example})
  expect_status(2)
  expect_text(err "cowlab run: unknown option '--jsn' (did you mean '--json'?)" "usage: cowlab run [--json]")
  cowlab(check --junti=x.xml ${example})
  expect_status(2)
  expect_text(err "unknown option '--junti' (did you mean '--junit'?)")
  cowlab(run --frobnicate ${example})
  expect_status(2)
  expect_text(err "unknown option '--frobnicate'")
  expect_no_text(err "did you mean")
  cowlab(chek ${example})
  expect_status(2)
  expect_text(err "unknown command 'chek' (did you mean 'check'?)")

elseif(CASE STREQUAL "missing_value")
  cowlab(run ${example} --smaps)
  expect_status(2)
  expect_text(err "option '--smaps' needs a value (NAME)")
  cowlab(check --junit)
  expect_status(2)
  expect_text(err "option '--junit' needs a value (REPORT.xml)")
  cowlab(run --json=yes ${example})
  expect_status(2)
  expect_text(err "option '--json' takes no value")
  cowlab(quiz --seed twelve)
  expect_status(2)
  expect_text(err "--seed needs a whole number")
  cowlab(run)
  expect_status(2)
  expect_text(err "cowlab run: no script given")
  cowlab(run ${example} ${example})
  expect_status(2)
  expect_text(err "cowlab run: give one script")

elseif(CASE STREQUAL "junit_pass")
  file(WRITE ${WORK_DIR}/pass.cow "${passing}")
  cowlab(check --junit out.xml pass.cow ${example})
  expect_status(0)
  file(READ ${WORK_DIR}/out.xml xml)
  expect_count("${xml}" "<testsuite " 1)
  expect_count("${xml}" "<testcase " 2)
  expect_count("${xml}" "<failure" 0)
  expect_count("${xml}" "tests=\"2\" failures=\"0\"" 1)
  expect_count("${xml}" "<testcase name=\"pass.cow\" classname=\"cowlab.check\" time=\"[0-9]+\\.[0-9][0-9][0-9]\"/>" 1)
  expect_well_formed_junit(${WORK_DIR}/out.xml 2 0)

elseif(CASE STREQUAL "junit_fail")
  file(WRITE ${WORK_DIR}/pass.cow "${passing}")
  file(WRITE ${WORK_DIR}/fail.cow "${failing}")
  cowlab(check --junit=out.xml pass.cow fail.cow)
  expect_status(1)  # the status of check, report or not
  expect_text(out "FAIL  fail.cow: 1 of 4 expects failed")
  file(READ ${WORK_DIR}/out.xml xml)
  expect_count("${xml}" "<testcase " 2)
  expect_count("${xml}" "<failure " 1)
  expect_count("${xml}" "tests=\"2\" failures=\"1\"" 1)
  expect_text(xml "message=\"1 of 4 expects failed\"" "fail.cow:5:17: expect failed: C1 pss: expected 8, got 4")
  expect_well_formed_junit(${WORK_DIR}/out.xml 2 1)
  # A script error is a failure too, with file:line:col; check then exits 2.
  file(WRITE ${WORK_DIR}/error.cow "spawn P1\nP1 mmap heap 8\nP1 wrte heap\n")
  cowlab(check --junit out.xml pass.cow fail.cow error.cow missing.cow)
  expect_status(2)
  file(READ ${WORK_DIR}/out.xml xml)
  expect_count("${xml}" "<testcase " 4)
  expect_count("${xml}" "<failure " 3)
  expect_text(xml "error.cow:3:4: error:" "missing.cow: cannot open the file")
  expect_well_formed_junit(${WORK_DIR}/out.xml 4 3)
  cowlab(check --junit no-such-dir/out.xml pass.cow)
  expect_status(2)
  expect_text(err "cannot write the JUnit report 'no-such-dir/out.xml'")

elseif(CASE STREQUAL "junit_escaping")
  # A file name and an error message full of XML's special characters, and a byte that
  # is not UTF-8 (0xff) in the quoted source line.
  string(ASCII 255 ff)
  file(WRITE "${WORK_DIR}/a&b<c>.cow" "spawn P1\nP1 mmap \"heap'<&>\" 8 ${ff}\n")
  cowlab(check --junit out.xml "a&b<c>.cow")
  expect_status(2)
  file(READ ${WORK_DIR}/out.xml xml)
  expect_text(xml "name=\"a&amp;b&lt;c&gt;.cow\"" "&quot;heap&apos;&lt;&amp;&gt;&quot;")
  expect_no_text(xml "a&b")
  expect_no_text(xml "${ff}")
  expect_count("${xml}" "<failure " 1)
  expect_well_formed_junit(${WORK_DIR}/out.xml 1 1)
  if(DEFINED parsed_names AND NOT parsed_names STREQUAL "a&b<c>.cow\n")
    message(FATAL_ERROR "the parsed testcase name is '${parsed_names}', not 'a&b<c>.cow'")
  endif()

elseif(CASE STREQUAL "run_explain")
  cowlab(run --explain ${example})
  expect_status(0)
  # Statement 11 (line 28) of the example: the child writes pages 0-15 of the 64 it shares
  # with P1 (frames 0-63): 16 copies into frames 64-79, one sentence for the run.
  # (A backslash at the end of a line continues a quoted argument.)
  expect_text(out "[11] line 28: C1 write heap 0-15\n    C1 write heap[0-15]: handle_pte_fault → do_wp_page → \
wp_page_copy: anonymous, mapcount 2: copied each to a new frame; PTE frames 0-15 read-only dirty → frames \
64-79 writable dirty; mapcount 2 → 1\n"
    "[6] line 19: P1 fork C1\n    P1 forked C1\n    P1 fork C1 heap[0-63]: has an anon_vma (anonymous pages were \
faulted into it): copied 64 PTEs, write-protected 64 in parent and child; child page tables +1 PUD +1 PMD +1 PTE\n")
  expect_no_text(out "[4] line 14:")  # an expect makes no events: no lines

elseif(CASE STREQUAL "run_meminfo")
  # /proc/meminfo's layout (meminfo_proc_show: the name padded to 16 columns, the number
  # right-aligned in 8, then " kB"). The numbers, by hand, for the end of the example:
  # 16384 frames, 9830 anonymous ones used; CommitLimit 16384 x 80 / 100 = 13107 pages;
  # after the OOM kill only redis's 9830 pages are charged.
  cowlab(run --meminfo ${SOURCE_DIR}/examples/23-redis-overcommit.cow)
  expect_status(0)
  expect_text(out "== /proc/meminfo ==\nMemTotal:          65536 kB\nMemFree:           26216 kB\n\
Cached:                0 kB\nSwapTotal:             0 kB\nAnonPages:         39320 kB\nShmem:                 0 kB\n\
CommitLimit:       52428 kB\nCommitted_AS:      39320 kB\n")
  expect_text(out "commit: Committed_AS 9830 pages, CommitLimit 13107; refused: fork 1, mmap 0, mprotect 0 (overcommit=heuristic)")

elseif(CASE STREQUAL "run_pagemap")
  cowlab(run --pagemap=C1:heap ${example})
  expect_status(0)
  # At the end, C1's page 0 is its own copy (frame 64), writable and dirty; page 63 is
  # still frame 63, shared with P1 and write-protected: COW. Address 1 TiB + 63 pages.
  expect_text(out "== end (16 steps) ==\n" "== pagemap of C1 (pid 2): page tables 1 PUD, 1 PMD, 1 PTE (VmPTE 12 kB) ==\n\
-- heap (anon private)\n\
  page  address         P    frame  W D COW  kind  mapcount  pgd pud pmd pte\n\
     0  0x10000000000   y       64  W D -    anon         1    2   0   0   0\n"
    "    63  0x1000003f000   y       63  - D COW  anon         2    2   0   0  63\n")
  expect_no_text(out "pagemap of P1")
  cowlab(run --pagemap ${example})  # no `=`: the next word is the script, every process
  expect_status(0)
  expect_text(out "== pagemap of P1 (pid 1)" "== pagemap of C1 (pid 2)")
  cowlab(run --pagemap=C9 ${example})
  expect_status(2)
  expect_text(err "cowlab: --pagemap: unknown process 'C9' (did you mean 'C1'?)")
  cowlab(run --pagemap=C1:hep ${example})
  expect_status(2)
  expect_text(err "cowlab: --pagemap: unknown region 'hep' (did you mean 'heap'?)")
  cowlab(run --pagemap= ${example})
  expect_status(2)
  expect_text(err "option '--pagemap=' needs a value after '='")

elseif(CASE STREQUAL "run_json_additions")
  cowlab(run --events ${example})
  expect_status(2)
  expect_text(err "--events adds an \"events\" array to the JSON: give --json too")
  cowlab(run --json --pagemap --events ${example})
  expect_status(0)
  # (One text per call: CMake lists do not split inside an unbalanced '['.)
  expect_text(out "\"page_tables\":{\"pud\":1,\"pmd\":1,\"pte\":1}")
  expect_text(out "\"pagemap\":[{\"page\":0,")
  expect_text(out "\"events\":[{\"step\":1,\"line\":8,\"kind\":\"spawn\",\"process\":\"P1\"")
  cowlab(run --json ${example})
  expect_status(0)
  expect_no_text(out "\"pagemap\"")
  expect_no_text(out "\"events\"")

elseif(CASE STREQUAL "url_link")
  file(WRITE ${WORK_DIR}/one.cow "spawn P1\n")
  # base64url of "spawn P1\n" is c3Bhd24gUDEK; options before and after FILE.
  cowlab(url --plain --step 1 one.cow --theme dark --readonly --embed --base https://x.example/c/)
  expect_status(0)
  if(NOT out STREQUAL "https://x.example/c/#script=c3Bhd24gUDEK&step=1&embed=1&readonly=1&theme=dark\n")
    fail("not the plain link with the keys in order")
  endif()
  # The compressed form by default, at scripts/serve.sh's address. (M4Bwhg7gdgBACgRgFBA
  # is what lz-string 1.5's compressToEncodedURIComponent gives for the same text.)
  cowlab(url one.cow)
  expect_status(0)
  if(NOT out STREQUAL "http://127.0.0.1:8000/#z=M4Bwhg7gdgBACgRgFBA\n")
    fail("not the default z= link")
  endif()
  cowlab(url --help)
  expect_status(0)
  expect_text(out "Usage: cowlab url [--step N] [--show N] [--embed] [--readonly] [--theme light|dark] [--base URL] [--plain] FILE|-")
  cowlab(--help)
  expect_text(out "cowlab url [--step N]")

elseif(CASE STREQUAL "url_show")
  # &show=N names a bookmark, not a step: the same link after the expects are removed.
  file(WRITE ${WORK_DIR}/full.cow "spawn P1\nexpect P1 rss=0\nshow\nP1 mmap heap 4\nexpect P1 rss=0\nshow\n")
  file(WRITE ${WORK_DIR}/handout.cow "spawn P1\nshow\nP1 mmap heap 4\nshow\n")
  cowlab(url --plain --show 2 --base https://x.example/ handout.cow)
  expect_status(0)
  # base64url of the hand-out's text, then &show=2 (after step's place, before embed).
  if(NOT out STREQUAL "https://x.example/#script=c3Bhd24gUDEKc2hvdwpQMSBtbWFwIGhlYXAgNApzaG93Cg&show=2\n")
    fail("not the &show=2 link: ${out}")
  endif()
  cowlab(url --show 3 full.cow)
  expect_status(2)
  expect_text(err "cowlab url: --show 3: the script has fewer `show` statements")
  cowlab(url --show 0 full.cow)
  expect_status(2)
  expect_text(err "--show needs a whole number from 1 to 2147483647, not '0'")
  cowlab(url --show 1 --step 1 full.cow)
  expect_status(2)
  expect_text(err "cowlab url: give --step or --show, not both")

elseif(CASE STREQUAL "quiz_seed_range")
  # Every seed from 0 to 2^64 - 1 is a quiz (the web page's &quiz= takes the same ones).
  cowlab(quiz --seed 4000000000)
  expect_status(0)
  expect_text(out "seed 4000000000")
  cowlab(quiz --seed 18446744073709551615)
  expect_status(0)
  expect_text(out "seed 18446744073709551615")
  cowlab(quiz --seed 18446744073709551616)
  expect_status(2)
  expect_text(err "cowlab quiz: --seed needs a whole number from 0 to 18446744073709551615, not '18446744073709551616'")
  cowlab(quiz --seed -1)
  expect_status(2)

elseif(CASE STREQUAL "url_errors")
  file(WRITE ${WORK_DIR}/one.cow "spawn P1\n")
  cowlab(url missing.cow)
  expect_status(2)
  expect_text(err "cowlab: cannot open 'missing.cow'")
  cowlab(url --step three one.cow)
  expect_status(2)
  expect_text(err "cowlab url: --step needs a whole number from 0 to 2147483647, not 'three'")
  cowlab(url --step -1 one.cow)
  expect_status(2)
  cowlab(url --step 2 one.cow)
  expect_status(2)
  expect_text(err "cowlab url: --step 2 is past the end: the script has 1 statements")
  cowlab(url --theme blue one.cow)
  expect_status(2)
  expect_text(err "cowlab url: --theme is light or dark, not 'blue'")
  file(WRITE ${WORK_DIR}/bad.cow "spawn P1\nP1 wrte heap\n")
  cowlab(url bad.cow)
  expect_status(2)
  expect_text(err "bad.cow:2:4: error:")
  expect_no_text(out "http")
  cowlab(url)
  expect_status(2)
  expect_text(err "cowlab url: no script given")

elseif(CASE STREQUAL "check_json")
  file(WRITE ${WORK_DIR}/pass.cow "${passing}")
  file(WRITE ${WORK_DIR}/fail.cow "${failing}")
  file(WRITE ${WORK_DIR}/error.cow "spawn P1\nP1 mmap heap 8\nP1 wrte heap\n")
  cowlab(check --json pass.cow fail.cow error.cow missing.cow)
  expect_status(2)
  expect_no_text(out "passed, ")  # no text summary: stdout is the JSON array alone
  string(JSON n ERROR_VARIABLE why LENGTH "${out}")  # parses the whole document
  if(NOT n EQUAL 4)
    fail("${n} objects, expected one per script (4)")
  endif()
  expect_json("${out}" 0 file pass.cow)
  expect_json("${out}" 0 status passed)
  expect_json_type("${out}" 0 error NULL)
  expect_json("${out}" 0 expect_lines 1)
  expect_json("${out}" 0 expects 1 metric private_dirty)
  expect_json("${out}" 0 expects 1 graded ON)
  # fail.cow line 6: after the fork C1's 8 pages are shared by two, so pss is 4, not 8.
  expect_json("${out}" 1 status failed)
  expect_json("${out}" 1 message "1 of 4 expects failed")
  expect_json("${out}" 1 graded 4)
  expect_json("${out}" 1 passed 3)
  expect_json("${out}" 1 expects 1 line 5)
  expect_json("${out}" 1 expects 1 col 17)
  expect_json("${out}" 1 expects 1 scope process)
  expect_json("${out}" 1 expects 1 process C1)
  expect_json_type("${out}" 1 expects 1 region NULL)
  expect_json("${out}" 1 expects 1 metric pss)
  expect_text(out "\"metric\":\"pss\",\"expected\":8.0000,\"actual\":4.0000,\"pass\":false")
  expect_json("${out}" 1 expects 1 pass OFF)
  expect_json("${out}" 1 expects 1 source script)
  expect_json("${out}" 2 status error)
  expect_json("${out}" 2 error line 3)
  expect_json("${out}" 2 error col 4)
  expect_json("${out}" 3 status error)
  expect_json("${out}" 3 message "missing.cow: cannot open the file")
  # Quotes, backslashes and control characters in names stay valid JSON.
  file(WRITE "${WORK_DIR}/q\"b\\.cow" "spawn P1\nexpect P1 rss=1\n")
  cowlab(check --json "q\"b\\.cow")
  expect_status(1)
  expect_json("${out}" 0 file "q\"b\\.cow")
  expect_json("${out}" 0 expects 0 actual 0)

elseif(CASE STREQUAL "check_expects")
  # A submission ending in a comment without a line end, and an instructor's file that
  # names a process the submission never made (C9) and a region it never mapped (stack).
  file(WRITE ${WORK_DIR}/sub.cow "spawn P1\nP1 mmap heap 8\nP1 write heap\nP1 fork C1\nexpect C1 rss=7\n# done")
  file(WRITE ${WORK_DIR}/want.cow "# the instructor's\nexpect C1 rss=8 pss=4\n\nexpect C9 rss=8\nexpect C1 stack rss=1\nexpect cow_copies=0\n")
  cowlab(check --expects want.cow sub.cow)
  expect_status(1)
  expect_text(out "FAIL  sub.cow: 2 of 5 expects failed\n"
    "      want.cow:4: C9 rss: unknown process 'C9' (did you mean 'C1'?)\n"
    "      want.cow:5: C1 stack rss: unknown region 'stack' (no process has mapped it)\n")
  expect_no_text(out "rss: expected 7")  # the script's own expect is not graded
  cowlab(check --json --expects want.cow sub.cow)
  expect_status(1)
  expect_json("${out}" 0 graded 5)
  expect_json("${out}" 0 passed 3)
  expect_json("${out}" 0 expects 0 source script)
  expect_json("${out}" 0 expects 0 graded OFF)
  expect_json("${out}" 0 expects 0 pass OFF)
  expect_json("${out}" 0 expects 1 source expects)
  expect_json("${out}" 0 expects 1 line 2)
  expect_json("${out}" 0 expects 1 pass ON)
  expect_json("${out}" 0 expects 3 process C9)
  expect_json_type("${out}" 0 expects 3 actual NULL)
  expect_json("${out}" 0 expects 5 metric cow_copies)
  expect_json("${out}" 0 expects 5 scope system)
  expect_json("${out}" 0 expects 5 pass ON)
  file(WRITE ${WORK_DIR}/good.cow "spawn P1\nP1 mmap heap 8\nP1 write heap\nP1 fork C1\nexpect C1 rss=7\n")
  file(WRITE ${WORK_DIR}/ok.cow "expect C1 rss=8 pss=4\n")
  cowlab(check --expects ok.cow good.cow)
  expect_status(0)
  expect_text(out "ok    good.cow (2 expects from ok.cow)")
  # A script that stops on an error is graded on the state where it stopped.
  file(WRITE ${WORK_DIR}/stops.cow "spawn P1\nP1 mmap heap 8\nP1 write heap\nP1 fork C1\nC1 write stack\n")
  cowlab(check --json --expects ok.cow stops.cow)
  expect_status(2)
  expect_json("${out}" 0 status error)
  expect_json("${out}" 0 error line 5)
  expect_json("${out}" 0 passed 2)
  # The expects file holds expect lines, comments and blank lines only.
  file(WRITE ${WORK_DIR}/bad.cow "expect C1 rss=8\n  P1 write heap\n")
  cowlab(check --expects bad.cow good.cow)
  expect_status(2)
  expect_text(err "bad.cow:2:3: error: an expects file (--expects) holds only `expect` lines, comments and blank lines; this is 'P1 write heap'")
  expect_no_text(out "good.cow")
  file(WRITE ${WORK_DIR}/bad.cow "expect C1 rss=\n")
  cowlab(check --expects bad.cow good.cow)
  expect_status(2)
  expect_text(err "bad.cow:1:")
  cowlab(check --expects nowhere.cow good.cow)
  expect_status(2)
  expect_text(err "cannot open 'nowhere.cow'")

elseif(CASE STREQUAL "check_min_expects")
  file(WRITE ${WORK_DIR}/empty.cow "")
  file(WRITE ${WORK_DIR}/pass.cow "${passing}")
  cowlab(check empty.cow)
  expect_status(0)  # without --min-expects an empty script passes: it claims nothing
  cowlab(check --min-expects 1 empty.cow pass.cow)
  expect_status(1)
  expect_text(out "FAIL  empty.cow: the script has 0 `expect` lines of its own; --min-expects asks for at least 1\n"
    "ok    pass.cow (2 expects)\n1 passed, 1 failed\n")
  cowlab(check --min-expects=2 pass.cow)
  expect_status(1)
  expect_text(out "the script has 1 `expect` line of its own; --min-expects asks for at least 2")
  cowlab(check --json --min-expects 2 pass.cow)
  expect_json("${out}" 0 status failed)
  cowlab(check --min-expects lots pass.cow)
  expect_status(2)
  expect_text(err "--min-expects needs a whole number")

elseif(CASE STREQUAL "quiz_json")
  cowlab(quiz --help)
  expect_status(0)
  expect_text(out "Usage: cowlab quiz [--seed N] [--answers] [--reverse] [--commit] [--from FILE] [--json]"
    "--from=FILE" "--json" "not a secret one" "Exit status: 0")
  # Seed 42 as docs/teaching.md works it out: Q7 is C1's pss, 18.6667 pages.
  cowlab(quiz --json --seed 42)
  expect_status(0)
  expect_json("${out}" kind forward)
  expect_json("${out}" seed 42)
  expect_json("${out}" questions 6 number 7)
  expect_json("${out}" questions 6 process C1)
  expect_json("${out}" questions 6 metric pss)
  expect_no_text(out "\"answer")
  cowlab(quiz --json --seed 42 --answers)
  expect_json_type("${out}" questions 6 answer NUMBER)
  expect_text(out "\"metric\":\"pss\",\"answer\":18.6667}")
  expect_json("${out}" questions 0 answer 0)
  expect_json("${out}" questions 1 scope system)
  json_get(key "${out}" answer_script)
  expect_text(key "expect C1 pss=18.6667")
  cowlab(quiz --json --seed 7 --reverse)
  expect_json("${out}" kind reverse)
  expect_json("${out}" candidates 0 "P1 write heap 8-11")
  expect_no_text(out "\"ran\"")
  cowlab(quiz --json --seed 7 --reverse --answers)
  expect_json("${out}" answer "B, C, D")
  expect_json("${out}" ran 0 OFF)
  expect_json("${out}" ran 1 ON)

elseif(CASE STREQUAL "quiz_from")
  file(WRITE ${WORK_DIR}/fork.cow "spawn P1  # a comment\nP1 mmap heap 8\nP1 write heap\nP1 fork C1\nshow\n\
expect C1 rss=8 pss=4\nexpect cow_copies=0\nC1 write heap 0-1\nshow\nexpect C1 uss=2\n")
  cowlab(quiz --from fork.cow)
  expect_status(0)
  expect_text(out "spawn P1\nP1 mmap heap 8\nP1 write heap\nP1 fork C1\nshow\n# Q1 (line 6): C1 rss = ?\n\
# Q2 (line 6): C1 pss = ?\n# Q3 (line 7): cow_copies = ?\nC1 write heap 0-1\nshow\n# Q4 (line 10): C1 uss = ?\n")
  expect_no_text(out "expect")
  expect_no_text(out "a comment")
  cowlab(quiz --from fork.cow --answers)
  expect_text(out "# The answers, from running fork.cow.\n")
  expect_text(out "# Q2 (line 6): C1 pss = 4.0000\n# Q3 (line 7): cow_copies = 0\n" "# Q4 (line 10): C1 uss = 2\n")
  cowlab(quiz --from=fork.cow --json --answers)
  expect_json("${out}" kind from)
  expect_json("${out}" questions 1 metric pss)
  expect_text(out "\"metric\":\"pss\",\"answer\":4.0000}")
  expect_json("${out}" questions 2 scope system)
  expect_json_type("${out}" questions 2 process NULL)
  cowlab(quiz --from fork.cow --json)
  expect_no_text(out "\"answer\"")
  # The answers come from running the script, which must run to its end.
  file(WRITE ${WORK_DIR}/bad.cow "spawn P1\nP1 write heap\n")
  cowlab(quiz --from bad.cow)
  expect_status(2)
  expect_text(err "bad.cow:2:10: error: unknown region 'heap'")
  cowlab(quiz --from fork.cow --seed 3)
  expect_status(2)
  expect_text(err "give no --seed or --reverse with it")

elseif(CASE STREQUAL "grading_example")
  # The grader of docs/teaching.md is examples/grading/grade.sh, word for word.
  set(dir ${SOURCE_DIR}/examples/grading)
  file(READ ${SOURCE_DIR}/docs/teaching.md doc)
  file(READ ${dir}/grade.sh grader)
  string(FIND "${doc}" "```sh\n${grader}```\n" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "docs/teaching.md does not hold examples/grading/grade.sh as it is")
  endif()
  set(ENV{COWLAB} "${COWLAB}")
  execute_process(COMMAND sh ${dir}/grade.sh expects.cow good.cow partial.cow empty.cow
    WORKING_DIRECTORY ${dir} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(command "grade.sh expects.cow good.cow partial.cow empty.cow")
  expect_status(0)
  # good.cow does all 8 checks; partial.cow names its child `child`, so the 4 about C1
  # fail; empty.cow has no expect of its own.
  expect_text(out "good.cow     8/8  passed\n" "partial.cow  4/8  4 of 8 expects failed\n"
    "             line 5: C1 rss: unknown process 'C1'" "empty.cow    0/8  the script has 0 `expect` lines")
  cowlab(check ${dir}/good.cow ${dir}/partial.cow)
  expect_status(0)  # the submissions' own expects hold

elseif(CASE STREQUAL "json_documented")
  # Every member name `cowlab run --json` prints, with --pagemap and --events (at every
  # depth), and those of check --json and quiz --json, is in docs/json.md as "name".
  file(READ ${SOURCE_DIR}/docs/json.md doc)
  file(WRITE ${WORK_DIR}/all.cow "file data 4\nspawn P1\nP1 mmap heap 4\nP1 mmap cfg data\nP1 read cfg 0\n\
P1 write heap\nP1 fork C1\nC1 thread T1\nC1 write heap 0\nC1 read heap 1\nC1 exit\nexpect P1 rss=5\nP1 write nowhere\n")
  set(keys "")
  cowlab(run --json --pagemap --events all.cow)
  json_keys("${out}" keys)
  cowlab(check --json ${example})
  json_keys("${out}" keys)
  cowlab(check --json all.cow)
  json_keys("${out}" keys)
  cowlab(quiz --json --answers)
  json_keys("${out}" keys)
  cowlab(quiz --json --answers --reverse)
  json_keys("${out}" keys)
  cowlab(quiz --json --answers --from ${example})
  json_keys("${out}" keys)
  foreach(needed version processes regions pagemap events error fault_around sees child)
    if(NOT needed IN_LIST keys)
      message(FATAL_ERROR "the documents printed lack \"${needed}\": the script no longer covers them")
    endif()
  endforeach()
  foreach(key IN LISTS keys)
    string(FIND "${doc}" "\"${key}\"" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "docs/json.md does not document \"${key}\"")
    endif()
  endforeach()

elseif(CASE STREQUAL "render_svg")
  # `cowlab render`: a well-formed SVG with the legend, at the step --show or --step names.
  cowlab(render ${example} --show 2 --svg show2.svg)
  expect_status(0)
  expect_text(out "show2.svg: " " bytes (" "1280x720, step 12 of ")  # the 2nd show is statement 12
  file(READ ${WORK_DIR}/show2.svg svg)
  expect_text(svg "viewBox=\"0 0 1280 720\"" ">not present<" ">zero page<" ">anonymous, mapcount 1<"
    ">anonymous, mapcount 2, 3-4 ... 65+<" ">COW write-protected<" ">free<" ">Page map<" ">Physical memory<" ">P1<" ">C1<"
    ">heap<" ":  show<")
  file(READ ${SOURCE_DIR}/docs/figure-fork.svg doc_figure)
  if(NOT svg STREQUAL doc_figure)
    fail("docs/figure-fork.svg is not what this command draws: make it again with it")
  endif()
  cowlab(render ${example} --step 12 --svg step12.svg)
  expect_status(0)
  file(READ ${WORK_DIR}/step12.svg same)
  if(NOT svg STREQUAL same)
    fail("--show 2 and --step 12 drew different figures")
  endif()
  cowlab(render ${example} --step 11 --svg step11.svg)
  file(READ ${WORK_DIR}/step11.svg other)
  if(svg STREQUAL other)
    fail("steps 11 and 12 drew the same figure")
  endif()
  cowlab(render ${example} --view physical --theme dark --size 1024x768 --svg phys.svg)
  expect_status(0)
  file(READ ${WORK_DIR}/phys.svg phys)
  expect_text(phys "viewBox=\"0 0 1024 768\"" ">Physical memory<" ">free<")
  expect_no_text(phys ">Page map<")
  cowlab(render ${example} --view pagemap --svg -)  # to stdout
  expect_status(0)
  expect_text(out "<svg " ">Page map<" "</svg>")
  expect_no_text(out ">Physical memory<")
  find_program(python python3)
  if(python)
    foreach(f show2.svg phys.svg)
      execute_process(COMMAND ${python} -c [[
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "{http://www.w3.org/2000/svg}svg", root.tag
texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
assert "free" in texts and "anonymous, mapcount 1" in texts, texts
]] ${WORK_DIR}/${f} RESULT_VARIABLE r ERROR_VARIABLE e)
      if(NOT r EQUAL 0)
        fail("${f} is not a well-formed SVG with the legend: ${e}")
      endif()
    endforeach()
  endif()

elseif(CASE STREQUAL "render_errors")
  # Every bad request exits 2 with a message and leaves no file, not even a partial one.
  cowlab(render ${example} --step 3 --svg kept.svg)
  expect_status(0)
  file(READ ${WORK_DIR}/kept.svg kept)
  foreach(bad "--view;pages;unknown view;--view is pagemap, physical or step, not 'pages'"
              "--step;999;past the end;--step 999 is past the end: the script has"
              "--show;9;no such show;--show 9: the script has 2 `show` statements"
              "--show;0;show 0;--show needs a whole number from 1"
              "--theme;blue;unknown theme;--theme is light or dark, not 'blue'"
              "--size;10x10;tiny size;--size is WIDTHxHEIGHT")
    list(GET bad 0 option)
    list(GET bad 1 value)
    list(GET bad 3 message)
    cowlab(render ${example} ${option} ${value} --svg kept.svg)
    expect_status(2)
    expect_text(err "${message}")
    file(READ ${WORK_DIR}/kept.svg now)
    if(NOT now STREQUAL kept)
      fail("a failed render changed the figure it was to write")
    endif()
  endforeach()
  cowlab(render ${example} --step 1 --show 1 --svg both.svg)
  expect_status(2)
  expect_text(err "give --step or --show, not both")
  cowlab(render ${example})
  expect_status(2)
  expect_text(err "--svg OUT is required")
  cowlab(render ${example} --svg no/such/dir/fig.svg)
  expect_status(2)
  expect_text(err "cannot write 'no/such/dir/fig.svg'")
  file(MAKE_DIRECTORY ${WORK_DIR}/taken)
  cowlab(render ${example} --svg taken)  # a directory: the rename fails, the temporary goes
  expect_status(2)
  expect_text(err "cannot write 'taken'")
  file(WRITE ${WORK_DIR}/bad.cow "spawn P1\nP1 mmap heap 4\nP1 wirte heap\n")
  cowlab(render bad.cow --svg bad.svg)
  expect_status(2)
  expect_text(err "bad.cow:3:")
  file(GLOB left ${WORK_DIR}/*.tmp ${WORK_DIR}/both.svg ${WORK_DIR}/bad.svg ${WORK_DIR}/taken/*)
  if(left)
    fail("files left behind: ${left}")
  endif()

else()
  message(FATAL_ERROR "cli.cmake: unknown CASE '${CASE}'")
endif()
