// The command line of each `cowlab` subcommand, declared once: its options (name, whether
// it takes a value, help text), its operands and a one-line summary. The same declaration
// parses the arguments, prints the subcommand's --help, and feeds `cowlab --help` (and so
// the man page), so the three cannot drift apart.
//
// Conventions (as GNU getopt_long and most tools): options and operands may mix;
// `--opt VALUE` and `--opt=VALUE`; `--` ends the options; a lone `-` is an operand
// (stdin); `-h`/`--help` prints the usage and exits 0; anything wrong exits 2 with a
// message naming the subcommand.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cow::shell {

using Args = std::vector<std::string>;

enum class Takes { Nothing, Value };

struct Option {
  std::string_view name;             // "--smaps"
  Takes takes = Takes::Nothing;
  std::string_view value = {};       // what the value is, in help: "NAME"
  std::string_view help = {};        // one sentence, lower case, no final full stop
  std::string_view short_name = {};  // "-s", or empty
};

// What a subcommand takes besides options.
struct Operands {
  std::string_view usage;  // in the usage line: "FILE|-", "FILE..."
  std::string_view what;   // in messages: "script"
  int min = 0;
  int max = 0;             // kAny: no limit
};
inline constexpr int kAny = -1;
inline constexpr Operands kNoOperands{};
inline constexpr Operands kOneScript{"FILE|-", "script", 1, 1};
inline constexpr Operands kScripts{"FILE...", "script", 1, kAny};
inline constexpr Operands kOptionalScript{"[FILE|-]", "script", 0, 1};

// Declared as constants next to each subcommand (constant-initialised: no start-up order).
struct Spec {
  std::string_view name;      // "run"
  std::string_view summary;   // one line, lower case: "run a script; print the state ..."
  std::span<const Option> options;
  Operands operands = kNoOperands;
  std::string_view details;   // more text for --help (lines end in '\n'), or empty
};

// The outcome of parsing one subcommand's arguments.
class Parsed {
 public:
  explicit Parsed(const Spec& spec) : spec_(&spec) {}

  // Whether `option` (its long name, as declared) was given.
  bool has(std::string_view option) const;
  // The value of `option` (the last one when repeated), or `fallback` when absent.
  std::string value(std::string_view option, std::string_view fallback = {}) const;
  // The value of `option` as a whole number from `min` to `max`; `fallback` when absent.
  // Prints an error naming the subcommand and returns nothing when it is not one.
  std::optional<uint64_t> number(std::string_view option, uint64_t fallback, uint64_t min, uint64_t max) const;
  const std::vector<std::string>& operands() const { return operands_; }
  // The first operand, or "" when there is none.
  std::string operand() const { return operands_.empty() ? "" : operands_.front(); }

 private:
  friend std::optional<int> parse_args(const Spec&, const Args&, Parsed*);
  const Option& declared(std::string_view option) const;

  const Spec* spec_;
  std::vector<std::pair<std::string, std::string>> given_;  // long name, value
  std::vector<std::string> operands_;
};

// Parses `args` (the words after the subcommand's name) into `out`. Returns an exit
// status when the command must stop here: 0 after printing --help to stdout, 2 after
// printing an error and the usage line to stderr. Returns nothing to go on.
std::optional<int> parse_args(const Spec& spec, const Args& args, Parsed* out);

// "cowlab run [--json] [--trace] [--smaps NAME] [--status] FILE|-"
std::string usage_line(const Spec& spec);
// Help text lines are at most this wide.
inline constexpr size_t kWidth = 80;
// `left` then `text` wrapped to kWidth, every line of it starting at `column`; `left`
// stands on a line of its own when it reaches into that column.
std::string help_row(std::string left, std::string_view text, size_t column);
// The option table: "      --smaps=NAME      print process NAME's ...\n", wrapped at 80
// columns with the descriptions aligned (the layout help2man reads as options).
std::string option_lines(std::span<const Option> options);
// What `cowlab CMD --help` prints.
std::string command_help(const Spec& spec);

}  // namespace cow::shell
