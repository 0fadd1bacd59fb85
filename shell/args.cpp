#include "args.h"

#include <cassert>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "engine/script/words.h"

namespace cow::shell {

namespace {

constexpr size_t kHelpColumn = 24;  // where option descriptions start

// `text` broken into lines of at most `width` columns (a longer word stands alone).
std::vector<std::string> wrap(std::string_view text, size_t width) {
  std::vector<std::string> lines(1);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(start, end - start);
    if (!lines.back().empty() && lines.back().size() + 1 + word.size() > width) lines.emplace_back();
    if (!lines.back().empty()) lines.back() += ' ';
    lines.back() += word;
    start = end + 1;
  }
  return lines;
}

const Option* find_long(const Spec& spec, std::string_view name) {
  for (const Option& o : spec.options)
    if (o.name == name) return &o;
  return nullptr;
}

const Option* find_short(const Spec& spec, std::string_view name) {
  for (const Option& o : spec.options)
    if (!o.short_name.empty() && o.short_name == name) return &o;
  return nullptr;
}

int usage_error(const Spec& spec, const std::string& message) {
  std::fprintf(stderr, "cowlab %s: %s\nusage: %s\nRun 'cowlab %s --help' for more.\n", std::string(spec.name).c_str(),
               message.c_str(), usage_line(spec).c_str(), std::string(spec.name).c_str());
  return 2;
}

std::string unknown_option(const Spec& spec, const std::string& word) {
  std::vector<std::string> names = {"--help"};
  for (const Option& o : spec.options) names.emplace_back(o.name);
  std::string name = word.substr(0, word.find('='));
  return "unknown option '" + name + "'" + script::did_you_mean(name, names);
}

bool help_asked(const Args& args) {
  for (const std::string& a : args) {
    if (a == "--") return false;
    if (a == "--help" || a == "-h") return true;
  }
  return false;
}

// Reads the option at args[*i] (and its value, which may be the next word) into `given`.
// Returns an error message, or "" when it went well.
std::string take_option(const Spec& spec, const Args& args, size_t* i,
                        std::vector<std::pair<std::string, std::string>>* given) {
  const std::string& a = args[*i];
  size_t eq = a.find('=');
  bool is_long = a.starts_with("--");
  const Option* o = is_long ? find_long(spec, std::string_view(a).substr(0, eq)) : find_short(spec, a);
  if (!o) return unknown_option(spec, a);
  std::string shown = is_long ? std::string(o->name) : a;
  bool inline_value = is_long && eq != std::string::npos;
  if (o->takes == Takes::Nothing) {
    if (inline_value) return "option '" + shown + "' takes no value";
    given->emplace_back(o->name, "");
    return "";
  }
  // Without `=`, the next word is the value, unless it is missing or looks like an option.
  bool next_is_option = *i + 1 < args.size() && args[*i + 1].size() > 1 && args[*i + 1][0] == '-';
  bool next_is_value = *i + 1 < args.size() && !next_is_option;
  std::string value = inline_value ? a.substr(eq + 1) : next_is_value ? args[++*i] : "";
  if (value.empty()) {
    std::string hint = !inline_value && next_is_option
                           ? "; write " + std::string(o->name) + "=" + std::string(o->value) + " for one starting with '-'"
                           : "";
    return "option '" + shown + "' needs a value (" + std::string(o->value) + ")" + hint;
  }
  given->emplace_back(o->name, value);
  return "";
}

}  // namespace

std::optional<int> parse_args(const Spec& spec, const Args& args, Parsed* out) {
  if (help_asked(args)) {
    std::fputs(command_help(spec).c_str(), stdout);
    return 0;
  }
  bool options_end = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (!options_end && a == "--") {
      options_end = true;
    } else if (!options_end && a.size() > 1 && a[0] == '-') {
      if (std::string err = take_option(spec, args, &i, &out->given_); !err.empty())
        return usage_error(spec, err);
    } else {
      out->operands_.push_back(a);
    }
  }
  int n = int(out->operands_.size());
  const Operands& want = spec.operands;
  std::string what(want.what);
  if (n < want.min) return usage_error(spec, "no " + what + " given");
  if (want.max != kAny && n > want.max) {
    const std::string& extra = out->operands_[size_t(want.max)];
    return usage_error(spec, want.max == 0 ? "unexpected argument '" + extra + "'"
                                           : "give one " + what + " (also got '" + extra + "')");
  }
  return std::nullopt;
}

const Option& Parsed::declared(std::string_view option) const {
  const Option* o = find_long(*spec_, option);
  assert(o && "an option the subcommand did not declare");
  return *o;
}

bool Parsed::has(std::string_view option) const {
  declared(option);
  for (const auto& [name, value] : given_)
    if (name == option) return true;
  return false;
}

std::string Parsed::value(std::string_view option, std::string_view fallback) const {
  declared(option);
  for (auto it = given_.rbegin(); it != given_.rend(); ++it)
    if (it->first == option) return it->second;
  return std::string(fallback);
}

std::optional<uint64_t> Parsed::number(std::string_view option, uint64_t fallback, uint64_t min, uint64_t max) const {
  if (!has(option)) return fallback;
  std::string text = value(option);
  bool digits = !text.empty() && text.size() <= 20 && text.find_first_not_of("0123456789") == std::string::npos;
  char* end = nullptr;
  errno = 0;
  uint64_t v = digits ? std::strtoull(text.c_str(), &end, 10) : 0;
  if (digits && errno == 0 && v >= min && v <= max) return v;
  std::fprintf(stderr, "cowlab %s: %s needs a whole number from %llu to %llu, not '%s'\n",
               std::string(spec_->name).c_str(), std::string(option).c_str(), (unsigned long long)min,
               (unsigned long long)max, text.c_str());
  return std::nullopt;
}

std::string usage_line(const Spec& spec) {
  std::string s = "cowlab ";
  s += spec.name;
  for (const Option& o : spec.options) {
    (s += " [") += o.name;
    if (o.takes == Takes::Value) (s += ' ') += o.value;
    s += ']';
  }
  if (!spec.operands.usage.empty()) (s += ' ') += spec.operands.usage;
  return s;
}

std::string help_row(std::string left, std::string_view text, size_t column) {
  std::string out;
  if (left.size() + 2 > column) {
    out += left + "\n";
    left.clear();
  }
  for (const std::string& line : wrap(text, kWidth - column)) {
    left.resize(column, ' ');
    out += left + line + "\n";
    left.clear();
  }
  return out;
}

std::string option_lines(std::span<const Option> options) {
  std::string out;
  for (const Option& o : options) {
    std::string left = o.short_name.empty() ? "    " : "  ";
    (left += o.short_name) += o.short_name.empty() ? "  " : ", ";
    left += o.name;
    if (o.takes == Takes::Value) (left += '=') += o.value;
    out += help_row(left, o.help, kHelpColumn);
  }
  return out;
}

std::string command_help(const Spec& spec) {
  static constexpr Option kHelp[] = {{.name = "--help", .help = "print this help and exit", .short_name = "-h"}};
  std::string out = "Usage: " + usage_line(spec) + "\n";
  std::string summary(spec.summary);
  if (!summary.empty()) summary[0] = char(std::toupper(static_cast<unsigned char>(summary[0])));
  out += summary + ".\n\n";
  if (!spec.details.empty()) out += std::string(spec.details) + "\n";
  out += "Options:\n" + option_lines(spec.options) + option_lines(kHelp);
  return out;
}

}  // namespace cow::shell
