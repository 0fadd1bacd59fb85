// cowscript syntax errors: an unknown verb, flag or advice word; a malformed size, range
// or name; `ram` after a `file` or the first process; metric names in the wrong scope;
// and the bad input and limits of docs/robustness.md.
// Every error names the token, points at its line:col (columns count characters) and,
// where a word is close, suggests it.
#include <catch2/catch.hpp>
#include <chrono>

#include "engine/script/parser.h"

using namespace cow;
using namespace cow::script;
using Catch::Matchers::Contains;

namespace {

// The error of a script that must not parse. A failed parse holds no statements.
Diagnostic error_of(std::string_view text, const Limits& limits = {}) {
  ParseResult r = parse(text, limits);
  INFO("script: " << std::string(text.substr(0, 200)));
  REQUIRE(r.error.has_value());
  CHECK(r.script.statements.empty());
  return *r.error;
}

bool parses(std::string_view text, const Limits& limits = {}) {
  return !parse(text, limits).error.has_value();
}

}  // namespace

TEST_CASE("unknown verb names the token and suggests the near miss", "[script_errors]") {
  Diagnostic d = error_of("spawn P1\nP1 frok C1");
  CHECK(d.pos.line == 2);
  CHECK(d.pos.col == 4);
  CHECK(d.message == "unknown verb 'frok' (did you mean 'fork'?)");

  d = error_of("P1 wirte heap");
  CHECK(d.pos.col == 4);
  CHECK(d.message == "unknown verb 'wirte' (did you mean 'write'?)");

  d = error_of("P1 dance");
  CHECK(d.pos.col == 4);
  CHECK_THAT(d.message, Contains("unknown verb 'dance'"));
  CHECK_THAT(d.message, !Contains("did you mean"));

  d = error_of("P1 spawn C1");  // spawn is a statement, not a verb
  CHECK(d.pos.col == 4);
  CHECK_THAT(d.message, Contains("'spawn'"));

  d = error_of("P1");
  CHECK(d.pos.col == 3);
  CHECK_THAT(d.message, Contains("expected a verb after 'P1'"));
}

TEST_CASE("misspelled keywords and a missing process", "[script_errors]") {
  Diagnostic d = error_of("spwan P1");
  CHECK(d.pos.col == 1);
  CHECK(d.message == "unknown statement 'spwan' (did you mean 'spawn'?)");

  CHECK_THAT(error_of("rma 64M").message, Contains("did you mean 'ram'?"));
  CHECK_THAT(error_of("mdoe fork=copy").message, Contains("did you mean 'mode'?"));
  CHECK_THAT(error_of("expcet P1 rss=1").message, Contains("did you mean 'expect'?"));

  d = error_of("fork C1");
  CHECK(d.pos.col == 1);
  CHECK_THAT(d.message, Contains("'fork' needs a process before it"));
  CHECK_THAT(error_of("write heap 0").message, Contains("'write' needs a process before it"));

  // Once a process has that name, the line is read as ACTOR VERB.
  d = error_of("spawn shw\nshw frok C1");
  CHECK(d.pos.line == 2);
  CHECK(d.pos.col == 5);
  CHECK(d.message == "unknown verb 'frok' (did you mean 'fork'?)");
}

TEST_CASE("keywords cannot name processes", "[script_errors]") {
  Diagnostic d = error_of("spawn show");
  CHECK(d.pos.col == 7);
  CHECK_THAT(d.message, Contains("'show' is a keyword"));

  d = error_of("P1 fork expect");
  CHECK(d.pos.col == 9);
  CHECK_THAT(d.message, Contains("'expect' is a keyword"));

  CHECK_THAT(error_of("expect ram rss=1").message, Contains("'ram' is a keyword"));
}

TEST_CASE("unknown, misplaced and conflicting mmap flags", "[script_errors]") {
  Diagnostic d = error_of("P1 mmap heap 16 shraed");
  CHECK(d.pos.col == 17);
  CHECK(d.message == "unknown flag 'shraed' (did you mean 'shared'?)");

  d = error_of("P1 mmap heap 16 bogus");
  CHECK_THAT(d.message, Contains("unknown flag 'bogus'"));
  CHECK_THAT(d.message, Contains("shared, private, readonly, readwrite"));

  d = error_of("P1 mmap heap 16 shared private");
  CHECK(d.pos.col == 24);
  CHECK_THAT(d.message, Contains("conflicting flags 'shared' and 'private'"));
  CHECK_THAT(error_of("P1 mmap heap 16 readonly readwrite").message, Contains("conflicting flags"));

  d = error_of("P1 mmap heap shared");
  CHECK(d.pos.col == 14);
  CHECK_THAT(d.message, Contains("needs a size or a file name"));

  d = error_of("P1 mmap heap");
  CHECK(d.pos.col == 13);
  CHECK_THAT(d.message, Contains("mmap needs a size or a file name"));

  d = error_of("P1 mmap");
  CHECK(d.pos.col == 8);
  CHECK_THAT(d.message, Contains("mmap needs a region name"));

  d = error_of("P1 mmap cfg data 16");
  CHECK(d.pos.col == 18);
  CHECK_THAT(d.message, Contains("a file mapping takes its size from the file"));

  d = error_of("P1 mmap heap 16 32");
  CHECK(d.pos.col == 17);
  CHECK_THAT(d.message, Contains("unexpected '32'"));
}

TEST_CASE("unknown and missing advice or protection words", "[script_errors]") {
  Diagnostic d = error_of("P1 madvise heap 0-7 dontfrok");
  CHECK(d.pos.col == 21);
  CHECK(d.message == "unknown advice 'dontfrok' (did you mean 'dontfork'?)");

  d = error_of("P1 madvise heap sleep");
  CHECK(d.pos.col == 17);
  CHECK_THAT(d.message, Contains("unknown advice 'sleep'"));
  CHECK_THAT(d.message, Contains("dontfork, dofork, wipeonfork, keeponfork, dontneed, hugepage or nohugepage"));

  d = error_of("P1 madvise heap");
  CHECK(d.pos.col == 16);
  CHECK_THAT(d.message, Contains("madvise needs an advice"));
  d = error_of("P1 madvise heap 0-7");
  CHECK(d.pos.col == 20);
  CHECK_THAT(d.message, Contains("madvise needs an advice"));

  d = error_of("P1 mprotect heap readonyl");
  CHECK(d.pos.col == 18);
  CHECK(d.message == "unknown protection 'readonyl' (did you mean 'readonly'?)");
  CHECK_THAT(error_of("P1 mprotect heap").message, Contains("mprotect needs a protection"));
  CHECK_THAT(error_of("P1 mprotect heap 0-3 readonly extra").message,
             Contains("unexpected 'extra'"));
}

TEST_CASE("malformed sizes", "[script_errors]") {
  Diagnostic d = error_of("ram 12X");
  CHECK(d.pos.col == 5);
  CHECK_THAT(d.message, Contains("malformed size '12X'"));

  d = error_of("ram 6K");
  CHECK(d.pos.col == 5);
  CHECK_THAT(d.message, Contains("'6K' is not a multiple of the 4K page size"));
  d = error_of("P1 mmap heap 2K");
  CHECK(d.pos.col == 14);
  CHECK_THAT(d.message, Contains("not a multiple"));
  CHECK_THAT(error_of("file data 6K").message, Contains("not a multiple"));

  CHECK_THAT(error_of("P1 mmap heap 4.5").message, Contains("malformed size '4.5'"));
  CHECK_THAT(error_of("P1 mmap heap 64MB").message, Contains("malformed size '64MB'"));
  CHECK_THAT(error_of("P1 mmap heap 0x10").message, Contains("malformed size"));

  CHECK_THAT(error_of("P1 mmap heap 0").message, Contains("at least one page"));
  CHECK_THAT(error_of("ram 0").message, Contains("at least one page"));
  CHECK_THAT(error_of("file data 0").message, Contains("at least one page"));

  d = error_of("ram");
  CHECK(d.pos.col == 4);
  CHECK_THAT(d.message, Contains("ram needs a size"));
  CHECK_THAT(error_of("file data").message, Contains("file needs a size"));
  CHECK_THAT(error_of("file data abc").message, Contains("malformed size 'abc'"));
}

TEST_CASE("sizes above the RAM and region limits", "[script_errors]") {
  CHECK(parses("ram 64G"));  // exactly max_ram_pages
  Diagnostic d = error_of("ram 128G");
  CHECK(d.pos.col == 5);
  CHECK_THAT(d.message, Contains("max_ram_pages"));
  CHECK_THAT(d.message, Contains("16777216"));
  CHECK_THAT(error_of("ram 18446744073709551615").message, Contains("max_ram_pages"));

  CHECK_THAT(error_of("P1 mmap heap 65G").message, Contains("max_region_pages"));
  CHECK_THAT(error_of("file big 100G").message, Contains("max_region_pages"));

  Limits small;
  small.max_ram_pages = 16;
  small.max_region_pages = 8;
  CHECK(parses("ram 64K", small));
  CHECK_THAT(error_of("ram 17", small).message, Contains("max_ram_pages"));
  CHECK(parses("P1 mmap heap 8", small));
  CHECK_THAT(error_of("P1 mmap heap 9", small).message, Contains("max_region_pages"));
}

TEST_CASE("malformed page lists and reversed ranges", "[script_errors]") {
  Diagnostic d = error_of("P1 write heap 9-7");
  CHECK(d.pos.col == 15);
  CHECK(d.message == "reversed page range '9-7' (did you mean '7-9'?)");

  d = error_of("P1 write heap 3,9-7");
  CHECK(d.pos.col == 17);  // the offending item inside the list
  CHECK_THAT(d.message, Contains("reversed page range '9-7'"));

  d = error_of("P1 write heap 3,,5");
  CHECK(d.pos.col == 15);
  CHECK_THAT(d.message, Contains("malformed page list '3,,5'"));
  for (const char* bad :
       {"P1 write heap 3-", "P1 write heap 3,", "P1 write heap 1-2-3", "P1 read heap 0x10",
        "P1 munmap heap 4k", "P1 madvise heap 1,a dontfork"}) {
    INFO(bad);
    CHECK_THAT(error_of(bad).message, Contains("malformed page list"));
  }

  d = error_of("P1 write heap all");
  CHECK(d.pos.col == 15);
  CHECK_THAT(d.message, Contains("expected a page list"));
  CHECK_THAT(error_of("P1 write heap -3").message, Contains("expected a page list"));

  CHECK_THAT(error_of("P1 write heap 4294967296").message, Contains("too large"));
}

TEST_CASE("malformed names", "[script_errors]") {
  Diagnostic d = error_of("spawn 1P");
  CHECK(d.pos.col == 7);
  CHECK_THAT(d.message, Contains("malformed process name '1P'"));

  d = error_of("P1 mmap 9lives 4");
  CHECK(d.pos.col == 9);
  CHECK_THAT(d.message, Contains("malformed region name '9lives'"));

  CHECK_THAT(error_of("spawn P$1").message, Contains("malformed process name 'P$1'"));
  CHECK_THAT(error_of("file d@ta 1").message, Contains("malformed file name 'd@ta'"));
  CHECK_THAT(error_of("P1 mmap heap[1-2] 4").message, Contains("stands for processes"));
  CHECK_THAT(error_of("file a[1-2] 3").message, Contains("stands for processes"));
  CHECK_THAT(error_of("1P write heap").message, Contains("malformed process name '1P'"));
}

TEST_CASE("name length limit", "[script_errors]") {
  CHECK(parses("spawn " + std::string(64, 'a')));
  Diagnostic d = error_of("spawn " + std::string(65, 'a'));
  CHECK(d.pos.col == 7);
  CHECK_THAT(d.message, Contains("max_name_bytes"));
  CHECK_THAT(d.message, Contains("64"));
  CHECK(d.message.size() < 200);  // the name is shortened in the message

  CHECK_THAT(error_of("P1 mmap " + std::string(100, 'r') + " 4").message,
             Contains("max_name_bytes"));
  // A range's longest expansion counts: 62 + "10" = 64 bytes is fine, 63 + "10" is not.
  CHECK(parses("P1 fork " + std::string(62, 'w') + "[1-10]"));
  CHECK_THAT(error_of("P1 fork " + std::string(63, 'w') + "[1-10]").message,
             Contains("max_name_bytes"));
}

TEST_CASE("malformed name ranges", "[script_errors]") {
  for (const char* bad : {"P1 fork w[1-]", "P1 fork w[]", "P1 fork w[3]", "P1 fork w[1-4",
                          "P1 fork w[1-4]x", "P1 fork w[a-b]", "P1 fork w[-4]"}) {
    INFO(bad);
    Diagnostic d = error_of(bad);
    CHECK(d.pos.col == 9);
    CHECK_THAT(d.message, Contains("malformed name range"));
  }
  CHECK_THAT(error_of("P1 fork [1-4]").message, Contains("malformed process name"));

  Diagnostic d = error_of("P1 fork w[01-04]");
  CHECK(d.pos.col == 9);
  CHECK_THAT(d.message, Contains("leading zero"));
  CHECK_THAT(error_of("P1 fork w[1-04]").message, Contains("leading zero"));

  d = error_of("P1 fork w[4-1]");
  CHECK(d.pos.col == 9);
  CHECK(d.message == "reversed name range 'w[4-1]' (did you mean 'w[1-4]'?)");

  CHECK_THAT(error_of("w[3-2] exit").message, Contains("reversed name range"));
  CHECK_THAT(error_of("P1 fork w[1-99999999999999999999999]").message, Contains("too large"));
}

TEST_CASE("a name range beyond max_processes is an immediate error", "[script_errors]") {
  const auto start = std::chrono::steady_clock::now();
  Diagnostic d = error_of("spawn P1\nP1 fork w[1-1000000]\n");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed < std::chrono::seconds(1));
  CHECK(d.pos.line == 2);
  CHECK(d.pos.col == 9);
  CHECK_THAT(d.message, Contains("1000000"));
  CHECK_THAT(d.message, Contains("4096"));
  CHECK_THAT(d.message, Contains("max_processes"));

  // 2^32 names: count() would wrap in 32 bits; the limit check must not.
  CHECK_THAT(error_of("P1 fork w[0-4294967295]").message, Contains("max_processes"));
  CHECK_THAT(error_of("w[1-5000] exit").message, Contains("max_processes"));
  CHECK_THAT(error_of("spawn w[1-5000]").message, Contains("max_processes"));
  CHECK_THAT(error_of("expect w[1-9999] rss=1").message, Contains("max_processes"));

  Limits three;
  three.max_processes = 3;
  CHECK(parses("P1 fork w[1-3]", three));
  CHECK_THAT(error_of("P1 fork w[1-4]", three).message, Contains("max_processes"));
}

TEST_CASE("ram comes before any file and the first spawn, once", "[script_errors]") {
  Diagnostic d = error_of("file data 4\nram 64M");
  CHECK(d.pos.line == 2);
  CHECK(d.pos.col == 1);
  CHECK_THAT(d.message, Contains("ram must come before"));
  CHECK_THAT(d.message, Contains("line 1"));

  d = error_of("# set-up\nspawn P1\n\nram 64M");
  CHECK(d.pos.line == 4);
  CHECK_THAT(d.message, Contains("line 2"));

  d = error_of("ram 64M\nram 32M");
  CHECK(d.pos.line == 2);
  CHECK_THAT(d.message, Contains("already set on line 1"));

  // mode may appear anywhere; files may follow processes.
  CHECK(parses("mode fork=copy\nram 64M\nfile d 1\nspawn P1\nfile e 2\nmode fork=cow"));
}

TEST_CASE("mode errors", "[script_errors]") {
  Diagnostic d = error_of("mode");
  CHECK(d.pos.col == 5);
  CHECK_THAT(d.message, Contains("mode needs a setting"));

  d = error_of("mode fork=cpy");
  CHECK(d.pos.col == 11);
  CHECK(d.message == "unknown fork mode 'cpy' (did you mean 'copy'?)");

  d = error_of("mode frk=copy");
  CHECK(d.pos.col == 6);
  CHECK_THAT(d.message, Contains("unknown mode setting 'frk'"));
  CHECK_THAT(d.message, Contains("did you mean 'fork'?"));

  d = error_of("mode fork copy");
  CHECK(d.pos.col == 11);
  CHECK_THAT(d.message, Contains("expected '=' after 'fork'"));

  d = error_of("mode fork=");
  CHECK(d.pos.col == 11);
  CHECK_THAT(d.message, Contains("expected copy or cow"));

  CHECK_THAT(error_of("mode fork=copy now").message, Contains("unexpected 'now'"));
}

TEST_CASE("metric names: unknown, or in the wrong scope", "[script_errors]") {
  Diagnostic d = error_of("expect P1 rsss=3");
  CHECK(d.pos.col == 11);
  CHECK(d.message == "unknown metric 'rsss' (did you mean 'rss'?)");

  d = error_of("expect frames_fre=3");
  CHECK(d.pos.col == 8);
  CHECK(d.message == "unknown metric 'frames_fre' (did you mean 'frames_free'?)");

  CHECK_THAT(error_of("expect P1 heap pagse=3").message, Contains("did you mean 'pages'?"));
  d = error_of("expect P1 bogus=3");
  CHECK_THAT(d.message, Contains("unknown metric 'bogus'"));
  CHECK_THAT(d.message, !Contains("did you mean"));

  d = error_of("expect P1 heap vm_pte=3");
  CHECK(d.pos.col == 16);
  CHECK(d.message == "metric 'vm_pte' is a process metric, not a region metric");
  CHECK(error_of("expect P1 heap state=running").message ==
        "metric 'state' is a process metric, not a region metric");

  d = error_of("expect P1 frames_free=3");
  CHECK(d.pos.col == 11);
  CHECK(d.message == "metric 'frames_free' is a system metric, not a process metric");
  CHECK(error_of("expect P1 heap cow_copies=3").message ==
        "metric 'cow_copies' is a system metric, not a region metric");

  d = error_of("expect rss=3");
  CHECK(d.pos.col == 8);
  CHECK(d.message == "metric 'rss' is a process metric, not a system metric");
  CHECK(error_of("expect P1 pages=3").message ==
        "metric 'pages' is a region metric, not a process metric");
}

TEST_CASE("expect values and shape", "[script_errors]") {
  Diagnostic d = error_of("expect P1 rss 64");
  CHECK(d.pos.col == 11);
  CHECK_THAT(d.message, Contains("expected '=' after 'rss'"));

  d = error_of("expect P1 rss=");
  CHECK(d.pos.col == 15);
  CHECK_THAT(d.message, Contains("missing value after 'rss='"));

  d = error_of("expect P1 rss=1.5");
  CHECK(d.pos.col == 15);
  CHECK_THAT(d.message, Contains("'rss' takes a whole number"));
  CHECK_THAT(error_of("expect cow_copies=2.0").message, Contains("whole number"));
  CHECK_THAT(error_of("expect P1 pss=1.2.3").message, Contains("malformed number '1.2.3'"));
  CHECK_THAT(error_of("expect P1 pss=1.").message, Contains("malformed number"));
  CHECK_THAT(error_of("expect P1 rss=abc").message, Contains("expected a number for 'rss'"));
  CHECK_THAT(error_of("expect P1 rss=-1").message, Contains("expected a number for 'rss'"));
  CHECK_THAT(error_of("expect P1 rss=6K").message, Contains("not a multiple"));

  d = error_of("expect P1 state=kiled");
  CHECK(d.pos.col == 17);
  CHECK_THAT(d.message, Contains("unknown state 'kiled'"));
  CHECK_THAT(d.message, Contains("did you mean 'killed'?"));
  CHECK_THAT(error_of("expect P1 state=3").message, Contains("unknown state '3'"));

  d = error_of("expect");
  CHECK(d.pos.col == 7);
  CHECK_THAT(d.message, Contains("expect needs at least one metric=value"));
  CHECK_THAT(error_of("expect P1").message, Contains("at least one metric=value"));
  CHECK_THAT(error_of("expect P1 heap").message, Contains("at least one metric=value"));

  d = error_of("expect P1 heap extra rss=1");
  CHECK(d.pos.col == 16);
  CHECK_THAT(d.message, Contains("unexpected 'extra'"));

  d = error_of("expect =3");
  CHECK(d.pos.col == 8);
  CHECK_THAT(d.message, Contains("expected a metric name before '='"));

  d = error_of("expect P1 rss=1 pss");
  CHECK(d.pos.col == 17);
  CHECK_THAT(d.message, Contains("expected '=' after 'pss'"));
  CHECK_THAT(error_of("expect P1 rss=1 junk").message,
             Contains("expected metric=value, got 'junk'"));
  CHECK_THAT(error_of("expect P1 rss==1").message, Contains("unexpected '='"));
}

TEST_CASE("statements with a word too many or too few", "[script_errors]") {
  Diagnostic d = error_of("P1 exit now");
  CHECK(d.pos.col == 9);
  CHECK_THAT(d.message, Contains("unexpected 'now'"));
  CHECK_THAT(error_of("P1 exec 3").message, Contains("unexpected '3'"));
  CHECK_THAT(error_of("show me").message, Contains("unexpected 'me'"));
  CHECK_THAT(error_of("spawn P1 P2").message, Contains("unexpected 'P2'"));

  d = error_of("spawn");
  CHECK(d.pos.col == 6);
  CHECK_THAT(d.message, Contains("spawn needs a process name"));

  d = error_of("P1 fork");
  CHECK(d.pos.col == 8);
  CHECK_THAT(d.message, Contains("fork needs a name for the new process"));
  CHECK_THAT(error_of("P1 thread").message, Contains("thread needs a name"));
  CHECK_THAT(error_of("P1 vfork").message, Contains("vfork needs a name"));
  CHECK_THAT(error_of("P1 fork C1 C2").message, Contains("unexpected 'C2'"));

  d = error_of("P1 write");
  CHECK(d.pos.col == 9);
  CHECK_THAT(d.message, Contains("write needs a region name"));
  CHECK_THAT(error_of("P1 read").message, Contains("read needs a region name"));
  CHECK_THAT(error_of("P1 munmap").message, Contains("munmap needs a region name"));

  d = error_of("P1 write heap 1 2");
  CHECK(d.pos.col == 17);
  CHECK_THAT(d.message, Contains("unexpected '2'"));

  d = error_of("P1 write heap=3");
  CHECK(d.pos.col == 14);
  CHECK_THAT(d.message, Contains("unexpected '='"));
  CHECK(error_of("= 3").pos.col == 1);
}

TEST_CASE("invalid UTF-8 is an error at its character", "[script_errors]") {
  Diagnostic d = error_of("spawn P1\nP1 mmap h\xff 4");
  CHECK(d.pos.line == 2);
  CHECK(d.pos.col == 10);
  CHECK_THAT(d.message, Contains("invalid UTF-8"));
  CHECK_THAT(d.message, Contains("0xff"));

  // Columns count characters: the two-byte 'é' is one column.
  d = error_of("# \xC3\xA9\xff");
  CHECK(d.pos.col == 4);
  CHECK_THAT(d.message, Contains("invalid UTF-8"));

  CHECK(error_of("spawn P1 # \xE2\x82").pos.col == 12);                   // a sequence cut short
  CHECK_THAT(error_of("# \xC0\x80").message, Contains("invalid UTF-8"));  // overlong NUL
  CHECK_THAT(error_of("# \xED\xA0\x80").message, Contains("invalid UTF-8"));      // a surrogate
  CHECK_THAT(error_of("# \xF4\x90\x80\x80").message, Contains("invalid UTF-8"));  // > U+10FFFF
  CHECK_THAT(error_of("# \x80").message, Contains("invalid UTF-8"));  // a stray continuation
}

TEST_CASE("NUL bytes and control characters", "[script_errors]") {
  Diagnostic d = error_of(std::string_view("spawn P1\0", 9));
  CHECK(d.pos.col == 9);
  CHECK_THAT(d.message, Contains("NUL"));
  d = error_of(std::string_view("# a\0b", 5));  // even in a comment
  CHECK(d.pos.col == 4);
  CHECK_THAT(d.message, Contains("NUL"));

  d = error_of("spawn P1\x01");
  CHECK(d.pos.col == 9);
  CHECK_THAT(d.message, Contains("control character U+0001"));
  CHECK_THAT(error_of("spawn P1\x7f").message, Contains("control character U+007F"));
  CHECK_THAT(error_of("spawn P1\x1b[31m").message, Contains("control character U+001B"));
}

TEST_CASE("non-ASCII characters outside comments", "[script_errors]") {
  Diagnostic d = error_of("spawn P\xC3\xA9");
  CHECK(d.pos.col == 8);
  CHECK_THAT(d.message, Contains("unexpected character '\xC3\xA9' (U+00E9)"));

  d = error_of("spawn\xC2\xA0P1");  // a no-break space is not a blank
  CHECK(d.pos.col == 6);
  CHECK_THAT(d.message, Contains("U+00A0"));

  CHECK_THAT(error_of("P1 write heap 1\xEF\xBC\x8C"
                      "2")
                 .message,
             Contains("U+FF0C"));
}

TEST_CASE("CRLF line ends keep error positions right", "[script_errors]") {
  Diagnostic d = error_of("spawn P1\r\nP1 frok C1\r\n");
  CHECK(d.pos.line == 2);
  CHECK(d.pos.col == 4);
  CHECK(d.message == "unknown verb 'frok' (did you mean 'fork'?)");

  d = error_of("P1 exit\r\nP1 exit now\r\n");
  CHECK(d.pos.line == 2);
  CHECK(d.pos.col == 9);
  CHECK_THAT(d.message, !Contains("\r"));

  CHECK(error_of("show\r\rshow x").pos.line == 3);  // a lone CR ends a line too
}

TEST_CASE("script size and line length limits", "[script_errors]") {
  CHECK(parses("show" + std::string(4092, ' ')));  // exactly max_line_bytes
  Diagnostic d = error_of("show\n" + std::string(5000, ' ') + "show");
  CHECK(d.pos.line == 2);
  CHECK(d.pos.col == 1);
  CHECK_THAT(d.message, Contains("max_line_bytes"));
  CHECK_THAT(d.message, Contains("4096"));
  // A comment line counts too: the limit is on bytes read, not on tokens.
  CHECK_THAT(error_of("#" + std::string(4096, 'x')).message, Contains("max_line_bytes"));

  Limits tiny;
  tiny.max_script_bytes = 100;
  CHECK(parses(std::string(100, '\n'), tiny));
  d = error_of(std::string(101, '\n'), tiny);
  CHECK(d.pos.line == 1);
  CHECK(d.pos.col == 1);
  CHECK_THAT(d.message, Contains("max_script_bytes"));
  CHECK_THAT(d.message, Contains("100"));

  CHECK_THAT(error_of(std::string((1u << 20) + 1, '\n')).message, Contains("max_script_bytes"));
}

TEST_CASE("numbers beyond 64 bits are errors, not wrap-arounds", "[script_errors]") {
  const std::string big = "18446744073709551616";  // 2^64
  CHECK_THAT(error_of("ram " + big).message, Contains("too large"));
  CHECK_THAT(error_of("ram 18446744073709551615G").message, Contains("too large"));
  CHECK_THAT(error_of("P1 mmap heap " + big).message, Contains("too large"));
  CHECK_THAT(error_of("P1 write heap " + big).message, Contains("too large"));
  CHECK_THAT(error_of("P1 write heap 0-" + big).message, Contains("too large"));
  CHECK_THAT(error_of("P1 fork w[1-" + big + "]").message, Contains("too large"));
  CHECK_THAT(error_of("expect P1 rss=" + big).message, Contains("too large"));
  CHECK_THAT(error_of("expect P1 pss=" + big + ".5").message, Contains("too large"));
  CHECK_THAT(error_of("expect faults=" + std::string(400, '9')).message, Contains("too large"));
}

TEST_CASE("the first error wins and the script does not run", "[script_errors]") {
  Diagnostic d = error_of("spawn P1\nP1 frok C1\nP1 wirte heap\n\xff");
  CHECK(d.pos.line == 2);
  CHECK(d.pos.col == 4);

  d = error_of("spawn P1\n\xff\nP1 frok C1");
  CHECK(d.pos.line == 2);
  CHECK_THAT(d.message, Contains("invalid UTF-8"));
}
