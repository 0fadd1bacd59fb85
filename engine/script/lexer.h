// cowscript lexer: splits each line of a script (lines.h: LF, CRLF and lone CR line ends)
// into tokens, after checking every byte. It owns the byte-level rules so the parser only
// sees clean ASCII words: the size limits, UTF-8 validity, NUL and control characters,
// tabs and spaces as whitespace, and `#` comments (which may hold any valid UTF-8).
//
// Tokens are words (runs of printable ASCII other than `=` and `#`) and `=`, so
// `rss=64` and `rss = 64` lex alike. Columns count characters (UTF-8 code points) from
// 1; a tab is one column.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "ast.h"
#include "lines.h"

namespace cow::script {

enum class TokenKind : uint8_t { Word, Equals };

struct Token {
  TokenKind kind = TokenKind::Word;
  std::string_view text;  // a view into the script text
  Pos pos;
  int end_col = 0;  // column just past the token
};

// Checks one raw line and splits it into tokens; a blank or comment-only line gives no
// tokens. Returns the first problem found (invalid byte, over-long line), if any.
std::optional<Diagnostic> lex_line(const RawLine& line, const Limits& limits,
                                   std::vector<Token>* tokens);

// A token for messages: quoted, and shortened when very long.
std::string quote(std::string_view text);

}  // namespace cow::script
