// libFuzzer target: the cowscript lexer and parser on arbitrary bytes.
// Oracle: no crash, no sanitizer report, and a consistent result: either an error
// with a position inside the text, or statements numbered 1..n on increasing lines.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "engine/script/parser.h"

using namespace cow::script;

static void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz_parser: %s\n", what);
  std::abort();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ParseResult r = parse(text);
  if (r.error) {
    require(r.script.statements.empty(), "a script with an error kept statements");
    require(r.error->pos.line >= 1 && r.error->pos.col >= 1, "error position before 1:1");
    require(!r.error->message.empty(), "empty error message");
    return 0;
  }
  int line = 0;
  for (size_t i = 0; i < r.script.statements.size(); ++i) {
    const Statement& s = r.script.statements[i];
    require(s.step == int(i) + 1, "statements misnumbered");
    require(s.pos.line > line && s.pos.col >= 1, "statement lines not increasing");
    line = s.pos.line;
    require(!s.actor.is_range || s.actor.lo <= s.actor.hi, "empty name range");
    for (const cow::PageSpan& p : s.pages) require(p.first <= p.last, "reversed page span");
  }
  return 0;
}
