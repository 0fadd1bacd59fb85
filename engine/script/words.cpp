#include "words.h"

#include <algorithm>
#include <cstdlib>

#include "parser.h"

namespace cow::script {
namespace {

enum class Number : uint8_t { Ok, Malformed, TooLarge };

// Reads a whole run of decimal digits (non-empty) into *out.
Number read_uint(std::string_view digits, uint64_t* out) {
  if (digits.empty()) return Number::Malformed;
  uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return Number::Malformed;
    const uint64_t d = uint64_t(c - '0');
    if (v > (UINT64_MAX - d) / 10) return Number::TooLarge;
    v = v * 10 + d;
  }
  *out = v;
  return Number::Ok;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

Diagnostic error_at(const Token& t, size_t byte_offset, std::string message) {
  // Tokens are ASCII, so a byte offset inside one is a column offset.
  return Diagnostic{Pos{t.pos.line, t.pos.col + int(byte_offset)}, std::move(message)};
}

// A size in pages from text such as "64" or "256K"; `noun` names it in messages.
Parsed<uint64_t> size_from(const Token& t, std::string_view noun) {
  Parsed<uint64_t> r;
  std::string_view s = t.text;
  size_t n = 0;
  while (n < s.size() && is_digit(s[n])) ++n;
  uint64_t unit = 0;  // 0: pages
  if (n + 1 == s.size()) {
    switch (s[n]) {
      case 'K':
      case 'k':
        unit = uint64_t(1) << 10;
        break;
      case 'M':
      case 'm':
        unit = uint64_t(1) << 20;
        break;
      case 'G':
      case 'g':
        unit = uint64_t(1) << 30;
        break;
      default:
        break;
    }
  }
  uint64_t v = 0;
  const Number st = read_uint(s.substr(0, n), &v);
  if (st == Number::Malformed || (n != s.size() && unit == 0)) {
    r.error = error_at(t, 0,
                       "malformed " + std::string(noun) + " " + quote(s) +
                           " (write pages, or bytes with K, M or G: 64, 256K, 1M)");
  } else if (st == Number::TooLarge || (unit && v > UINT64_MAX / unit)) {
    r.error = error_at(t, 0, std::string(noun) + " " + quote(s) + " is too large");
  } else if (unit && (v * unit) % kPageSize != 0) {
    r.error = error_at(
        t, 0, std::string(noun) + " " + quote(s) + " is not a multiple of the 4K page size");
  } else {
    r.value = unit ? v * unit / kPageSize : v;
  }
  return r;
}

// Reads one page-list item "N" or "N-M" starting at byte `off` of the token.
std::optional<Diagnostic> page_item(const Token& t, size_t off, std::string_view item,
                                    PageSpan* span) {
  const size_t dash = item.find('-');
  std::string_view a = item.substr(0, dash);
  std::string_view b = dash == std::string_view::npos ? a : item.substr(dash + 1);
  uint64_t first = 0, last = 0;
  const Number sa = read_uint(a, &first), sb = read_uint(b, &last);
  if (sa == Number::Malformed || sb == Number::Malformed) {
    return error_at(t, 0,
                    "malformed page list " + quote(t.text) + " (write pages like 0-15 or 3,5,7-9)");
  }
  if (sa == Number::TooLarge || sb == Number::TooLarge || first > UINT32_MAX || last > UINT32_MAX) {
    return error_at(t, off, "page number in " + quote(item) + " is too large");
  }
  if (first > last) {
    return error_at(t, off,
                    "reversed page range " + quote(item) + " (did you mean '" + std::string(b) +
                        "-" + std::string(a) + "'?)");
  }
  *span = PageSpan{uint32_t(first), uint32_t(last)};
  return std::nullopt;
}

bool valid_name(std::string_view s) {
  if (s.empty()) return false;
  const auto alpha = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
  };
  if (!alpha(s[0])) return false;
  return std::all_of(s.begin() + 1, s.end(),
                     [&](char c) { return alpha(c) || is_digit(c) || c == '.' || c == '-'; });
}

std::string name_too_long(std::string_view what, std::string_view s, const Limits& limits) {
  return std::string(what) + " name " + quote(s) + " is " + std::to_string(s.size()) +
         " bytes long, more than the limit of " + std::to_string(limits.max_name_bytes) +
         " (max_name_bytes)";
}

const char* kNameRule =
    " (a name starts with a letter or '_', then letters, digits, '_', '.' or '-')";

// Parses the `[lo-hi]` part of a name range; `open` is the index of '['.
std::optional<Diagnostic> range_part(const Token& t, size_t open, const Limits& limits,
                                     NameRef* ref) {
  std::string_view s = t.text;
  const std::string malformed =
      "malformed name range " + quote(s) + " (write base[lo-hi], e.g. w[1-4])";
  if (s.back() != ']') return error_at(t, 0, malformed);
  std::string_view inner = s.substr(open + 1, s.size() - open - 2);
  const size_t dash = inner.find('-');
  if (dash == std::string_view::npos) return error_at(t, 0, malformed);
  std::string_view a = inner.substr(0, dash), b = inner.substr(dash + 1);
  uint64_t lo = 0, hi = 0;
  const Number sa = read_uint(a, &lo), sb = read_uint(b, &hi);
  if (sa == Number::Malformed || sb == Number::Malformed) return error_at(t, 0, malformed);
  if ((a.size() > 1 && a[0] == '0') || (b.size() > 1 && b[0] == '0')) {
    return error_at(t, 0, "name range " + quote(s) + " has a leading zero");
  }
  if (sa == Number::TooLarge || sb == Number::TooLarge || lo > UINT32_MAX || hi > UINT32_MAX) {
    return error_at(t, 0, "name range " + quote(s) + " has a number that is too large");
  }
  if (lo > hi) {
    return error_at(t, 0,
                    "reversed name range " + quote(s) + " (did you mean '" +
                        std::string(s.substr(0, open)) + "[" + std::string(b) + "-" +
                        std::string(a) + "]'?)");
  }
  const uint64_t count = hi - lo + 1;
  if (count > limits.max_processes) {
    return error_at(t, 0,
                    "name range " + quote(s) + " names " + std::to_string(count) +
                        " processes, more than the limit of " +
                        std::to_string(limits.max_processes) + " (max_processes)");
  }
  if (open + b.size() > limits.max_name_bytes) {
    return error_at(
        t, 0, name_too_long("process", std::string(s.substr(0, open)) + std::string(b), limits));
  }
  ref->is_range = true;
  ref->lo = uint32_t(lo);
  ref->hi = uint32_t(hi);
  return std::nullopt;
}

// Optimal string alignment distance (edits and adjacent swaps), ignoring ASCII case.
size_t distance(std::string_view a, std::string_view b) {
  const auto low = [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; };
  const size_t n = a.size(), m = b.size();
  std::vector<size_t> d((n + 1) * (m + 1));
  const auto at = [&](size_t i, size_t j) -> size_t& { return d[i * (m + 1) + j]; };
  for (size_t i = 0; i <= n; ++i) at(i, 0) = i;
  for (size_t j = 0; j <= m; ++j) at(0, j) = j;
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      const size_t cost = low(a[i - 1]) == low(b[j - 1]) ? 0 : 1;
      at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
      if (i > 1 && j > 1 && low(a[i - 1]) == low(b[j - 2]) && low(a[i - 2]) == low(b[j - 1])) {
        at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
      }
    }
  }
  return at(n, m);
}

}  // namespace

std::vector<std::string> NameRef::expand() const {
  if (!is_range) return {text};
  std::vector<std::string> names;
  names.reserve(count());
  for (uint64_t i = lo; i <= hi; ++i) names.push_back(base + std::to_string(i));
  return names;
}

std::string suggest(std::string_view word, const std::vector<std::string>& candidates) {
  // Long words are never close to our short keywords; skip the quadratic work.
  if (word.empty() || word.size() > 64) return "";
  const size_t allowed = word.size() <= 3 ? 1 : word.size() <= 6 ? 2 : 3;
  std::string best;
  size_t best_d = allowed + 1;
  for (const std::string& c : candidates) {
    const size_t d = distance(word, c);
    if (d < best_d && d < std::max(word.size(), c.size())) {
      best = c;
      best_d = d;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string s = suggest(word, candidates);
  return s.empty() ? "" : " (did you mean '" + s + "'?)";
}

Parsed<std::string> parse_name(const Token& t, std::string_view what, const Limits& limits) {
  Parsed<std::string> r;
  std::string_view s = t.text;
  if (s.find('[') != std::string_view::npos && valid_name(s.substr(0, s.find('[')))) {
    r.error = error_at(
        t, 0,
        "a name range such as " + quote(s) + " stands for processes, not a " + std::string(what));
  } else if (!valid_name(s)) {
    r.error = error_at(t, 0, "malformed " + std::string(what) + " name " + quote(s) + kNameRule);
  } else if (s.size() > limits.max_name_bytes) {
    r.error = error_at(t, 0, name_too_long(what, s, limits));
  } else {
    r.value = std::string(s);
  }
  return r;
}

Parsed<NameRef> parse_name_ref(const Token& t, const Limits& limits) {
  Parsed<NameRef> r;
  std::string_view s = t.text;
  const size_t open = s.find('[');
  if (open == std::string_view::npos) {
    Parsed<std::string> name = parse_name(t, "process", limits);
    if (!name.ok()) {
      r.error = name.error;
      return r;
    }
    r.value.base = name.value;
  } else {
    if (!valid_name(s.substr(0, open))) {
      r.error = error_at(t, 0, "malformed process name " + quote(s) + kNameRule);
      return r;
    }
    r.error = range_part(t, open, limits, &r.value);
    if (!r.ok()) return r;
    r.value.base = std::string(s.substr(0, open));
  }
  r.value.text = std::string(s);
  r.value.pos = t.pos;
  return r;
}

Parsed<uint64_t> parse_size(const Token& t) { return size_from(t, "size"); }

Parsed<Pages> parse_pages(const Token& t) {
  Parsed<Pages> r;
  std::string_view s = t.text;
  size_t off = 0;
  while (true) {
    const size_t comma = std::min(s.find(',', off), s.size());
    PageSpan span;
    r.error = page_item(t, off, s.substr(off, comma - off), &span);
    if (!r.ok()) return r;
    r.value.push_back(span);
    if (comma == s.size()) break;
    off = comma + 1;
  }
  return r;
}

std::optional<Diagnostic> parse_check_value(const Token& t, Check* check) {
  static const std::vector<std::string> kStates = {"running", "suspended", "exited", "killed"};
  std::string_view s = t.text;
  check->value_text = std::string(s);
  check->value_pos = t.pos;
  if (check->metric == "state") {
    for (size_t i = 0; i < kStates.size(); ++i) {
      if (s == kStates[i]) {
        check->state = ProcState(i);
        return std::nullopt;
      }
    }
    return error_at(t, 0,
                    "unknown state " + quote(s) + did_you_mean(s, kStates) +
                        ": a state is running, suspended, exited or killed");
  }
  if (s.empty() || !is_digit(s[0])) {
    return error_at(t, 0, "expected a number for '" + check->metric + "', got " + quote(s));
  }
  const size_t dot = s.find('.');
  if (dot == std::string_view::npos) {
    Parsed<uint64_t> v = size_from(t, "value");
    if (!v.ok()) return v.error;
    check->value = double(v.value);
    return std::nullopt;
  }
  uint64_t ignored = 0;
  const Number whole = read_uint(s.substr(0, dot), &ignored);
  if (whole == Number::Malformed || read_uint(s.substr(dot + 1), &ignored) == Number::Malformed) {
    return error_at(t, 0, "malformed number " + quote(s));
  }
  if (whole == Number::TooLarge) return error_at(t, 0, "value " + quote(s) + " is too large");
  if (check->metric != "pss") {
    return error_at(t, 0,
                    "'" + check->metric + "' takes a whole number, not " + quote(s) +
                        " (only pss has decimals)");
  }
  // strtod is correctly rounded on glibc and musl alike, so native and WASM agree.
  check->value = std::strtod(std::string(s).c_str(), nullptr);
  return std::nullopt;
}

}  // namespace cow::script
