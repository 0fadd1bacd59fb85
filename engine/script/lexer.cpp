#include "lexer.h"

#include <cstdio>
#include <string>

namespace cow::script {
namespace {

// Decodes one UTF-8 sequence at s[i]. Returns its length (1-4) and sets *cp, or 0 when
// the bytes are not valid UTF-8 (stray continuation, overlong form, surrogate, > U+10FFFF,
// or a sequence cut short).
size_t decode_utf8(std::string_view s, size_t i, uint32_t* cp) {
  const auto b = [&](size_t k) { return uint8_t(s[i + k]); };
  const uint8_t c = b(0);
  size_t len;
  uint32_t min;
  if (c < 0x80) {
    *cp = c;
    return 1;
  } else if ((c & 0xE0) == 0xC0) {
    len = 2, min = 0x80, *cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, min = 0x800, *cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, *cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    *cp = (*cp << 6) | (b(k) & 0x3F);
  }
  if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) return 0;
  return len;
}

bool is_blank(uint8_t c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f'; }
bool is_word_char(uint8_t c) { return c > 0x20 && c < 0x7F && c != '=' && c != '#'; }

Diagnostic at(const RawLine& line, int col, std::string message) {
  return Diagnostic{Pos{line.number, col}, std::move(message)};
}

std::string hex_byte(uint8_t c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", c);
  return buf;
}

std::string code_point(uint32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", unsigned(cp));
  return buf;
}

// Checks one character that is not printable ASCII. Returns its length in bytes, or
// sets *error. Inside a comment any valid UTF-8 (and any control character but NUL) is
// fine; elsewhere only blanks are.
size_t check_special(const RawLine& line, size_t i, int col, bool in_comment,
                     std::optional<Diagnostic>* error) {
  std::string_view s = line.text;
  const uint8_t c = uint8_t(s[i]);
  if (c == 0) {
    *error = at(line, col, "NUL byte in the script");
    return 0;
  }
  uint32_t cp = 0;
  const size_t len = decode_utf8(s, i, &cp);
  if (len == 0) {
    *error = at(line, col, "invalid UTF-8 (byte " + hex_byte(c) + ")");
    return 0;
  }
  if (in_comment || is_blank(c)) return len;
  if (cp < 0x20 || cp == 0x7F) {
    *error = at(line, col, "unexpected control character " + code_point(cp));
  } else {
    *error = at(line, col,
                "unexpected character '" + std::string(s.substr(i, len)) + "' (" + code_point(cp) +
                    "): names, numbers and keywords are ASCII");
  }
  return 0;
}

}  // namespace

std::optional<Diagnostic> lex_line(const RawLine& line, const Limits& limits,
                                   std::vector<Token>* tokens) {
  tokens->clear();
  std::string_view s = line.text;
  if (s.size() > limits.max_line_bytes) {
    return at(line, 1,
              "line is " + std::to_string(s.size()) + " bytes long, more than the limit of " +
                  std::to_string(limits.max_line_bytes) + " (max_line_bytes)");
  }
  std::optional<Diagnostic> error;
  bool in_comment = false;
  int col = 1;
  size_t i = 0;
  while (i < s.size()) {
    const uint8_t c = uint8_t(s[i]);
    if (!in_comment && c == '#') {
      in_comment = true;
    } else if (!in_comment && (c == '=' || is_word_char(c))) {
      Token t;
      t.kind = c == '=' ? TokenKind::Equals : TokenKind::Word;
      t.pos = Pos{line.number, col};
      size_t end = i + 1;
      if (c != '=') {
        while (end < s.size() && is_word_char(uint8_t(s[end]))) ++end;
      }
      t.text = s.substr(i, end - i);
      col += int(end - i);
      t.end_col = col;
      tokens->push_back(t);
      i = end;
      continue;
    } else if (c < 0x20 || c >= 0x7F) {
      const size_t len = check_special(line, i, col, in_comment, &error);
      if (error) return error;
      i += len;
      ++col;
      continue;
    }
    ++i;
    ++col;
  }
  return std::nullopt;
}

std::string quote(std::string_view text) {
  constexpr size_t kMax = 40;
  if (text.size() <= kMax) return "'" + std::string(text) + "'";
  return "'" + std::string(text.substr(0, kMax)) + "...'";
}

}  // namespace cow::script
