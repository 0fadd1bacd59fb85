// cowscript parser: text -> Script (ast.h), or the first syntax error with its line,
// column and a "did you mean" suggestion. The lexer (lexer.h) splits the text into
// tokens first, and words.h reads what is inside a token (names, sizes, page lists).
// Nothing runs here.
#pragma once
#include <string_view>

#include "ast.h"

namespace cow::script {

struct ParseResult {
  Script script;
  std::optional<Diagnostic> error;  // set: the script must not run
};

ParseResult parse(std::string_view text, const Limits& limits = {});

// The closest of `candidates` to `word` by edit distance, or "" when none is close.
std::string suggest(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace cow::script
