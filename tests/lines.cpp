// Line ends (engine/script/lines.h): LF, CRLF and a lone CR end a line alike, for the
// lexer, the web page and the shell; `cowlab cost` of a CR-only script prices each
// statement on its own line.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "engine/script/lines.h"
#include "engine/script/parser.h"
#include "engine/teach/cost.h"

using namespace cow::script;
using Lines = std::vector<std::string_view>;

TEST_CASE("split_lines: LF, CRLF and lone CR end a line alike", "[lines]") {
  const Lines three = {"a", "b", "c"};
  CHECK(split_lines("a\nb\nc") == three);
  CHECK(split_lines("a\nb\nc\n") == three);  // a final line end starts no line
  CHECK(split_lines("a\r\nb\r\nc\r\n") == three);
  CHECK(split_lines("a\rb\rc\r") == three);
  CHECK(split_lines("a\r\nb\rc\n") == three);
  CHECK(split_lines("\xEF\xBB\xBF" "a\nb\nc") == three);  // the byte-order mark is no text
  CHECK(split_lines("a\n\nc") == Lines{"a", "", "c"});
  CHECK(split_lines("a\r\rc") == Lines{"a", "", "c"});    // two CRs: an empty line between
  CHECK(split_lines("a\n\r\nc") == Lines{"a", "", "c"});
  CHECK(split_lines("\n") == Lines{""});
  CHECK(split_lines("").empty());
  CHECK(split_lines("a \t\xc3\xbc") == Lines{"a \t\xc3\xbc"});  // blanks and UTF-8 stay
}

TEST_CASE("line_at and with_lf_line_ends", "[lines]") {
  const std::string cr = "spawn P1\rP1 mmap heap 8\r\rP1 write heap\r";
  CHECK(line_at(cr, 1) == "spawn P1");
  CHECK(line_at(cr, 2) == "P1 mmap heap 8");
  CHECK(line_at(cr, 3) == "");
  CHECK(line_at(cr, 4) == "P1 write heap");
  CHECK(line_at(cr, 5) == "");
  CHECK(line_at(cr, 0) == "");
  CHECK(with_lf_line_ends(cr) == "spawn P1\nP1 mmap heap 8\n\nP1 write heap\n");
  CHECK(with_lf_line_ends("\xEF\xBB\xBF" "a\r\nb") == "a\nb");
  CHECK(with_lf_line_ends("a\n") == "a\n");
  CHECK(with_lf_line_ends("") == "");
}

TEST_CASE("a script parses alike with any line ends", "[lines]") {
  const std::string lf = "spawn P1\nP1 mmap heap 8   # eight pages\n\nP1 write heap\nP1 fork C1\n";
  for (const char* end : {"\r\n", "\r"}) {
    std::string other;
    for (char c : lf) other += c == '\n' ? std::string(end) : std::string(1, c);
    ParseResult a = parse(lf), b = parse(other);
    REQUIRE_FALSE(b.error);
    REQUIRE(b.script.statements.size() == 4);
    for (size_t i = 0; i < 4; ++i) {
      const Statement &x = a.script.statements[i], &y = b.script.statements[i];
      CHECK(y.pos.line == x.pos.line);
      CHECK(y.pos.col == x.pos.col);
      CHECK(statement_source(line_at(other, y.pos.line), y) == statement_source(line_at(lf, x.pos.line), x));
    }
  }
  // An error names the same line and column.
  CHECK(parse("spawn P1\rP1 mmap heap 8\rP1 wrte heap\r").error->pos.line == 3);
}

TEST_CASE("statement_source: the statement without blanks and comment", "[lines]") {
  ParseResult r = parse("  P1 mmap heap 8\t# eight pages\n");
  REQUIRE_FALSE(r.error);
  CHECK(statement_source("  P1 mmap heap 8\t# eight pages", r.script.statements[0]) == "P1 mmap heap 8");
  CHECK(statement_source("", r.script.statements[0]) == "");  // not its line: nothing
}

TEST_CASE("cowlab cost of a CR-only script prices each statement on its own line", "[lines]") {
  // Regression: `cowlab cost` found statement texts by "\n" alone, so a script with CR
  // line ends printed as one long statement.
  const std::string cr = "spawn P1\rP1 mmap heap 8\rP1 write heap\rP1 fork C1\r";
  for (ForkPolicy forks : {ForkPolicy::AsScripted, ForkPolicy::EagerCopy}) {
    cow::PricedScript run = cow::price_script(cr, cow::CostModel{}, forks);
    REQUIRE_FALSE(run.error);
    REQUIRE(run.steps.size() == 4);
    const char* want[] = {"spawn P1", "P1 mmap heap 8", "P1 write heap", "P1 fork C1"};
    for (size_t i = 0; i < 4; ++i) {
      CHECK(run.steps[i].line == int(i + 1));
      CHECK(run.steps[i].statement == want[i]);
    }
    // The fork is the step that copies: 8 PTEs, and under eager copy 8 frames too.
    CHECK(run.steps[3].cost.tasks == 1);
    CHECK(run.steps[3].cost.ptes_copied == 8);
    CHECK(run.steps[3].cost.frames_copied == (forks == ForkPolicy::EagerCopy ? 8u : 0u));
  }
}
