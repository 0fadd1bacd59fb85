// cowscript words: the syntax inside one token. Names, process name ranges `w[1-4]`,
// sizes (`64` pages, `256K` bytes), page lists `3,5,7-9`, expect values, and the
// closest-word search behind every "did you mean". The parser (parser.cpp) decides which
// of these a token must be; each function here reads one whole token or says why not.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ast.h"
#include "lexer.h"

namespace cow::script {

// A value parsed from one token, or the error that points into it.
template <class T>
struct Parsed {
  T value{};
  std::optional<Diagnostic> error;
  bool ok() const { return !error.has_value(); }
};

// A plain name `[A-Za-z_][A-Za-z0-9_.-]*` of at most limits.max_name_bytes. `what` names
// the role in messages ("region", "file", ...).
Parsed<std::string> parse_name(const Token& t, std::string_view what, const Limits& limits);

// A process name or a name range `base[lo-hi]` (lo <= hi, no leading zeros, at most
// limits.max_processes names).
Parsed<NameRef> parse_name_ref(const Token& t, const Limits& limits);

// A size in pages: a bare number is pages; K, M or G (either case) mean bytes, which
// must be a multiple of the page size. Zero is allowed here; callers set their bounds.
Parsed<uint64_t> parse_size(const Token& t);

// An inclusive page list such as `0-15` or `3,5,7-9`. Never empty.
Parsed<Pages> parse_pages(const Token& t);

// The value of one `metric=value` of an expect, stored into `check` (value, state,
// value_text, value_pos). Decimals are accepted for pss only.
std::optional<Diagnostic> parse_check_value(const Token& t, Check* check);

// True when the token starts with a digit: a size or page list rather than a name.
inline bool starts_with_digit(const Token& t) {
  return !t.text.empty() && t.text[0] >= '0' && t.text[0] <= '9';
}

// " (did you mean 'x'?)" for the closest candidate, or "" when none is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace cow::script
