// shell/junit.h: the JUnit XML of `cowlab check --junit`, and the escaping that keeps it
// well-formed whatever a file name or an error message holds. (tests/cli.cmake runs the
// command itself and parses its reports.)
#include <catch2/catch.hpp>

#include "shell/junit.h"

using cow::shell::junit_xml;
using cow::shell::TestCase;
using cow::shell::xml_escape;

static const std::string kFFFD = "\xEF\xBF\xBD";

TEST_CASE("xml_escape: the five special characters become entities") {
  CHECK(xml_escape("a&b<c>\"d'e") == "a&amp;b&lt;c&gt;&quot;d&apos;e");
  CHECK(xml_escape("&amp;") == "&amp;amp;");
  CHECK(xml_escape("") == "");
}

TEST_CASE("xml_escape: UTF-8 text, tabs and newlines pass unchanged; carriage returns stay") {
  CHECK(xml_escape("3 \xC2\xB5s, \xE2\x9C\x93, \xF0\x9F\x98\x80") == "3 \xC2\xB5s, \xE2\x9C\x93, \xF0\x9F\x98\x80");
  CHECK(xml_escape("a\tb\nc") == "a\tb\nc");
  CHECK(xml_escape("a\r\nb") == "a&#13;\nb");  // a raw \r would be read back as \n
}

TEST_CASE("xml_escape: what XML 1.0 cannot hold becomes U+FFFD, one per byte") {
  CHECK(xml_escape(std::string("a\x01z")) == "a" + kFFFD + "z");    // control character
  CHECK(xml_escape(std::string("\x1b[0m")) == kFFFD + "[0m");      // escape sequence
  CHECK(xml_escape(std::string("a\0b", 3)) == "a" + kFFFD + "b");  // NUL
  CHECK(xml_escape("\xFF") == kFFFD);                              // never in UTF-8
  CHECK(xml_escape("\x80x") == kFFFD + "x");                       // lone continuation byte
  CHECK(xml_escape("\xE2\x9C") == kFFFD + kFFFD);                  // cut short at the end
  CHECK(xml_escape("\xE2\x9Cx") == kFFFD + kFFFD + "x");           // cut short before 'x'
  CHECK(xml_escape("\xC0\xAF") == kFFFD + kFFFD);                  // overlong '/'
  CHECK(xml_escape("\xE0\x80\xAF") == kFFFD + kFFFD + kFFFD);      // overlong '/'
  CHECK(xml_escape("\xED\xA0\x80") == kFFFD + kFFFD + kFFFD);      // UTF-16 surrogate D800
  CHECK(xml_escape("\xF4\x90\x80\x80") == kFFFD + kFFFD + kFFFD + kFFFD);  // above U+10FFFF
  CHECK(xml_escape("\xEF\xBF\xBE") == kFFFD + kFFFD + kFFFD);      // U+FFFE, not a character
  CHECK(xml_escape("\xF4\x8F\xBF\xBD") == "\xF4\x8F\xBF\xBD");     // U+10FFFD is fine
}

TEST_CASE("junit_xml: one testsuite, a testcase per script, a failure per failing one") {
  std::vector<TestCase> cases = {
      {.name = "ok.cow", .seconds = 0.0126},
      {.name = "bad <1>.cow",
       .seconds = 2,
       .passed = false,
       .failure_type = "expect",
       .failure_message = "1 of 3 expects failed",
       .failure_text = "bad <1>.cow:4:1: expect failed: C1 rss: expected 64, got 63\n"},
  };
  std::string xml = junit_xml("cowlab.check", cases, 2.5, "2025-01-31T12:00:00");
  CHECK(xml ==
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<testsuite name=\"cowlab.check\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\" time=\"2.500\" "
        "timestamp=\"2025-01-31T12:00:00\">\n"
        "  <testcase name=\"ok.cow\" classname=\"cowlab.check\" time=\"0.013\"/>\n"
        "  <testcase name=\"bad &lt;1&gt;.cow\" classname=\"cowlab.check\" time=\"2.000\">\n"
        "    <failure type=\"expect\" message=\"1 of 3 expects failed\">bad &lt;1&gt;.cow:4:1: expect failed: "
        "C1 rss: expected 64, got 63\n</failure>\n"
        "  </testcase>\n"
        "</testsuite>\n");
}

TEST_CASE("junit_xml: no scripts, no timestamp") {
  CHECK(junit_xml("s", {}, 0, "") ==
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<testsuite name=\"s\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\" time=\"0.000\">\n"
        "</testsuite>\n");
}
