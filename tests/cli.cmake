# Tests of the `cowlab` command line, run by ctest (registered in shell/CMakeLists.txt):
#   cmake -DCOWLAB=path/to/cowlab -DSOURCE_DIR=repo -DWORK_DIR=scratch -DCASE=name -P tests/cli.cmake
# Each CASE runs the built command and checks its exit status and output. Needs only
# CMake; when python3 is present the JUnit reports are also parsed as XML.
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
  expect_text(out "Usage: cowlab check [--junit REPORT.xml] FILE..." "--junit=REPORT.xml" "-h, --help")
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
    "cowlab run [--json] [--trace] [--smaps NAME] [--status] [--explain] [--pagemap[=PROCESS[:REGION]]] [--events] FILE|-:"
    "--smaps=NAME" "--pagemap[=PROCESS[:REGION]]"
    "cowlab check [--junit REPORT.xml] FILE...:" "cowlab repl:" "--smaps-lines" "cowlab export-c FILE|-:"
    "-s, --seed=N" "-c, --answers" "--reverse" "--model=FILE" "--classic" "--constants" "--mib=N" "--runs=N")
  cowlab(--version)
  expect_status(0)
  if(NOT out MATCHES "^cowlab [0-9]+\\.[0-9]+\\.[0-9]+\n$")
    fail("not 'cowlab X.Y.Z'")
  endif()
  cowlab()
  expect_status(2)
  expect_text(err "Usage: cowlab COMMAND")

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
  expect_text(xml "message=\"1 of 4 expects failed\"" "fail.cow:5:1: expect failed: C1 pss: expected 8, got 4")
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
  expect_text(out "Usage: cowlab url [--step N] [--embed] [--readonly] [--theme light|dark] [--base URL] [--plain] FILE|-")
  cowlab(--help)
  expect_text(out "cowlab url [--step N]")

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

else()
  message(FATAL_ERROR "cli.cmake: unknown CASE '${CASE}'")
endif()
