// The statement grammar of cowscript (see parser.h). The lexer (lexer.h) has already
// split each line into tokens; words.h reads the syntax inside one token. Here each
// statement form is one function of LineParser, and parse() adds the rules that span
// lines: step numbers, and `ram` before any `file` and the first `spawn`.
#include "parser.h"

#include <algorithm>
#include <unordered_set>

#include "lexer.h"
#include "metrics.h"
#include "words.h"

namespace cow::script {
namespace {

// Word lists; the order of kVerbs, kAdvice and kProtect follows their enums.
const std::vector<std::string> kGlobal = {"ram", "file", "mode", "spawn", "show", "expect", "swap"};
const std::vector<std::string> kVerbs = {"mmap",   "munmap", "write", "read",    "fork",    "vfork",
                                         "thread", "exec",   "exit",  "madvise", "mprotect"};
const std::vector<std::string> kFlags = {"shared", "private", "readonly", "readwrite", "thp", "noreserve"};
const std::vector<std::string> kAdvice = {"dontfork", "dofork",   "wipeonfork", "keeponfork",
                                          "dontneed", "hugepage", "nohugepage"};
const std::vector<std::string> kProtect = {"readonly", "readwrite"};
const std::vector<std::string> kForkModes = {"cow", "copy"};
const std::vector<std::string> kThpModes = {"never", "madvise", "always"};  // ThpMode order
const std::vector<std::string> kOvercommitModes = {"heuristic", "always", "never"};  // Overcommit order
const std::vector<std::string> kModeSettings = {"fork", "thp", "overcommit", "overcommit_ratio"};  // ModeSetting order
constexpr uint64_t kMaxOvercommitRatio = 10000;  // percent; Linux takes any int

int index_of(const std::vector<std::string>& words, std::string_view w) {
  for (size_t i = 0; i < words.size(); ++i) {
    if (words[i] == w) return int(i);
  }
  return -1;
}

const char* usage(Verb v) {
  switch (v) {
    case Verb::Ram:
      return "ram SIZE";
    case Verb::File:
      return "file NAME SIZE";
    case Verb::Mode:
      return "mode fork=copy|cow, mode thp=never|madvise|always, mode overcommit=heuristic|always|never, "
             "mode overcommit_ratio=PERCENT";
    case Verb::Swap:
      return "swap SIZE";
    case Verb::Spawn:
      return "spawn NAME";
    case Verb::Show:
      return "show";
    case Verb::Expect:
      return "expect [PROCESS [REGION]] METRIC=VALUE ...";
    case Verb::Mmap:
      return "P mmap REGION SIZE|FILE [shared|private] [readonly|readwrite] [thp] [noreserve]";
    case Verb::Munmap:
      return "P munmap REGION [PAGES]";
    case Verb::Write:
      return "P write REGION [PAGES]";
    case Verb::Read:
      return "P read REGION [PAGES]";
    case Verb::Fork:
      return "P fork NAME";
    case Verb::Vfork:
      return "P vfork NAME";
    case Verb::Thread:
      return "P thread NAME";
    case Verb::Exec:
      return "P exec";
    case Verb::Exit:
      return "P exit";
    case Verb::Madvise:
      return "P madvise REGION [PAGES] ADVICE";
    case Verb::Mprotect:
      return "P mprotect REGION [PAGES] readonly|readwrite";
  }
  return "";
}

// Parses one line's tokens into one Statement. Functions return false after setting
// `error`; the first error wins.
class LineParser {
 public:
  LineParser(const std::vector<Token>& tokens, const Limits& limits, Statement* st)
      : toks_(tokens), limits_(limits), st_(*st) {}

  bool parse();
  std::optional<Diagnostic> error;

 private:
  // ---- token access -------------------------------------------------------------
  bool more() const { return at_ < toks_.size(); }
  const Token& peek() const { return toks_[at_]; }
  const Token& take() { return toks_[at_++]; }
  bool next_is_digit() const {
    return more() && peek().kind == TokenKind::Word && starts_with_digit(peek());
  }
  bool fail(Pos pos, std::string message);
  bool fail_missing(std::string message);  // points just past the last token
  bool word(std::string message_if_missing, const Token** out);
  bool end();

  // ---- pieces -------------------------------------------------------------------
  bool process_name(const Token& t, NameRef* out);
  bool region();
  bool optional_pages();
  bool size_in(uint64_t min, uint64_t max, const char* limit, const char* what);
  bool keyword_in(const std::vector<std::string>& words, const char* kind, int* index);

  // ---- statement forms ----------------------------------------------------------
  bool global(int keyword);
  bool process_statement();
  bool ram();
  bool file();
  bool mode();
  bool overcommit_ratio();
  bool expect();
  bool check(MetricScope scope);
  bool mmap();
  bool mmap_flags();
  bool new_task();

  const std::vector<Token>& toks_;
  const Limits& limits_;
  Statement& st_;
  size_t at_ = 0;
};

bool LineParser::fail(Pos pos, std::string message) {
  error = Diagnostic{pos, std::move(message)};
  return false;
}

bool LineParser::fail_missing(std::string message) {
  return fail(Pos{st_.pos.line, toks_.back().end_col}, std::move(message));
}

// Takes the next token, which must be a word.
bool LineParser::word(std::string message_if_missing, const Token** out) {
  if (!more()) return fail_missing(std::move(message_if_missing));
  if (peek().kind == TokenKind::Equals) return fail(peek().pos, "unexpected '='");
  *out = &take();
  return true;
}

bool LineParser::end() {
  if (!more()) return true;
  return fail(peek().pos, "unexpected " + quote(peek().text) + " (usage: " + usage(st_.verb) + ")");
}

bool LineParser::parse() {
  const Token& first = toks_[0];
  if (first.kind == TokenKind::Equals) return fail(first.pos, "unexpected '='");
  const int g = index_of(kGlobal, first.text);
  if (g >= 0) {
    ++at_;
    return global(g);
  }
  return process_statement();
}

bool LineParser::global(int keyword) {
  st_.verb = Verb(keyword);
  const Token* t = nullptr;
  switch (st_.verb) {
    case Verb::Ram:
      return ram();
    case Verb::File:
      return file();
    case Verb::Mode:
      return mode();
    case Verb::Swap:
      if (!more()) return fail_missing("swap needs a size, e.g. 'swap 1G'");
      return size_in(0, limits_.max_ram_pages, "max_ram_pages", "swap") && end();
    case Verb::Spawn:
      return word("spawn needs a process name, e.g. 'spawn P1'", &t) &&
             process_name(*t, &st_.target) && end();
    case Verb::Show:
      return end();
    case Verb::Expect:
      return expect();
    default:
      return false;
  }
}

bool LineParser::process_statement() {
  if (!process_name(take(), &st_.actor)) return false;
  st_.has_actor = true;
  const Token* v = nullptr;
  if (!word("expected a verb after " + quote(st_.actor.text) + " (mmap, write, fork, ...)", &v)) {
    return false;
  }
  const int verb = index_of(kVerbs, v->text);
  if (verb < 0) {
    if (index_of(kGlobal, v->text) >= 0) {
      return fail(v->pos,
                  quote(v->text) + " starts a statement of its own, at the start of a line");
    }
    return fail(v->pos, "unknown verb " + quote(v->text) + did_you_mean(v->text, kVerbs));
  }
  st_.verb = Verb(int(Verb::Mmap) + verb);
  switch (st_.verb) {
    case Verb::Mmap:
      return mmap();
    case Verb::Munmap:
    case Verb::Write:
    case Verb::Read:
      return region() && optional_pages() && end();
    case Verb::Madvise: {
      int advice = 0;
      if (!region() || !optional_pages() || !keyword_in(kAdvice, "advice", &advice)) return false;
      st_.advice = Advice(advice);
      return end();
    }
    case Verb::Mprotect: {
      int prot = 0;
      if (!region() || !optional_pages() || !keyword_in(kProtect, "protection", &prot))
        return false;
      st_.protect = Prot(prot);
      return end();
    }
    case Verb::Fork:
    case Verb::Vfork:
    case Verb::Thread:
      return new_task();
    default:
      return end();  // exec, exit
  }
}

// A process name or name range; the global keywords are reserved.
bool LineParser::process_name(const Token& t, NameRef* out) {
  Parsed<NameRef> r = parse_name_ref(t, limits_);
  if (!r.ok()) {
    error = r.error;
    return false;
  }
  if (!r.value.is_range && index_of(kGlobal, r.value.base) >= 0) {
    return fail(t.pos, quote(t.text) + " is a keyword and cannot name a process");
  }
  *out = std::move(r.value);
  return true;
}

bool LineParser::region() {
  const Token* t = nullptr;
  const std::string verb = kVerbs[int(st_.verb) - int(Verb::Mmap)];
  if (!word(verb + " needs a region name (usage: " + usage(st_.verb) + ")", &t)) return false;
  Parsed<std::string> r = parse_name(*t, "region", limits_);
  if (!r.ok()) {
    error = r.error;
    return false;
  }
  st_.region = std::move(r.value);
  st_.region_pos = t->pos;
  return true;
}

bool LineParser::optional_pages() {
  if (!more() || peek().kind != TokenKind::Word) return true;
  const Token& t = peek();
  if (!starts_with_digit(t)) {
    // madvise and mprotect go on with a word; the others end here.
    if (st_.verb == Verb::Madvise || st_.verb == Verb::Mprotect) return true;
    return fail(t.pos, "expected a page list such as 0-15 or 3,5,7-9, got " + quote(t.text));
  }
  Parsed<Pages> r = parse_pages(take());
  if (!r.ok()) {
    error = r.error;
    return false;
  }
  st_.pages = std::move(r.value);
  st_.pages_pos = t.pos;
  return true;
}

// Reads the next token as a size into st_.count, within [min, max].
bool LineParser::size_in(uint64_t min, uint64_t max, const char* limit, const char* what) {
  const Token& t = take();
  Parsed<uint64_t> r = parse_size(t);
  if (!r.ok()) {
    error = r.error;
    return false;
  }
  if (r.value < min) return fail(t.pos, std::string(what) + " needs at least one page");
  if (r.value > max) {
    return fail(t.pos, std::string(what) + " size " + quote(t.text) + " is " +
                           std::to_string(r.value) + " pages, more than the limit of " +
                           std::to_string(max) + " (" + limit + ")");
  }
  st_.count = r.value;
  st_.count_pos = t.pos;
  return true;
}

// Reads a required word from `words` (advice, protection) and sets *index.
bool LineParser::keyword_in(const std::vector<std::string>& words, const char* kind, int* index) {
  std::string list;
  for (size_t i = 0; i < words.size(); ++i) {
    list += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") + words[i];
  }
  const std::string verb = kVerbs[int(st_.verb) - int(Verb::Mmap)];
  const Token* t = nullptr;
  if (!word(verb + " needs " + (kind[0] == 'a' ? "an " : "a ") + kind + ": " + list, &t))
    return false;
  *index = index_of(words, t->text);
  if (*index >= 0) return true;
  const std::string hint = did_you_mean(t->text, words);
  return fail(t->pos, "unknown " + std::string(kind) + " " + quote(t->text) +
                          (hint.empty() ? " (one of " + list + ")" : hint));
}

bool LineParser::ram() {
  if (!more()) return fail_missing("ram needs a size, e.g. 'ram 64M'");
  if (peek().kind == TokenKind::Equals) return fail(peek().pos, "unexpected '='");
  return size_in(1, limits_.max_ram_pages, "max_ram_pages", "ram") && end();
}

bool LineParser::file() {
  const Token* t = nullptr;
  if (!word("file needs a name and a size, e.g. 'file data 32'", &t)) return false;
  Parsed<std::string> name = parse_name(*t, "file", limits_);
  if (!name.ok()) {
    error = name.error;
    return false;
  }
  st_.file = std::move(name.value);
  st_.file_pos = t->pos;
  if (!more()) return fail_missing("file needs a size after its name, e.g. 'file data 32'");
  if (peek().kind == TokenKind::Equals) return fail(peek().pos, "unexpected '='");
  return size_in(1, limits_.max_region_pages, "max_region_pages", "file") && end();
}

// `mode fork=copy|cow` or `mode thp=never|madvise|always`.
bool LineParser::mode() {
  const std::string use = std::string(" (usage: ") + usage(Verb::Mode) + ")";
  const Token* t = nullptr;
  if (!word("mode needs a setting: 'mode fork=copy', 'mode thp=always', 'mode overcommit=never' or "
            "'mode overcommit_ratio=80'", &t))
    return false;
  const int setting = index_of(kModeSettings, t->text);
  if (setting < 0)
    return fail(t->pos, "unknown mode setting " + quote(t->text) + did_you_mean(t->text, kModeSettings) + use);
  st_.setting = ModeSetting(setting);
  const std::string name(t->text);
  if (!more() || peek().kind != TokenKind::Equals)
    return fail(more() ? peek().pos : Pos{st_.pos.line, t->end_col}, "expected '=' after " + quote(name) + use);
  ++at_;
  if (st_.setting == ModeSetting::OvercommitRatio) return overcommit_ratio();
  const std::vector<std::string>& values = st_.setting == ModeSetting::Fork ? kForkModes
                                           : st_.setting == ModeSetting::Thp ? kThpModes
                                                                            : kOvercommitModes;
  const std::string list = st_.setting == ModeSetting::Fork ? "copy or cow"
                           : st_.setting == ModeSetting::Thp ? "never, madvise or always"
                                                            : "heuristic, always or never";
  if (!word("expected " + list + " after '" + name + "='", &t)) return false;
  const int m = index_of(values, t->text);
  if (m < 0) {
    const std::string hint = did_you_mean(t->text, values);
    return fail(t->pos, "unknown " + name + " mode " + quote(t->text) + (hint.empty() ? use : hint));
  }
  if (st_.setting == ModeSetting::Fork)
    st_.mode = ForkMode(m);
  else if (st_.setting == ModeSetting::Thp)
    st_.thp = ThpMode(m);
  else
    st_.overcommit = Overcommit(m);
  return end();
}

// The value of `mode overcommit_ratio=`: a whole percentage (vm.overcommit_ratio).
bool LineParser::overcommit_ratio() {
  const Token* t = nullptr;
  if (!word("expected a percentage after 'overcommit_ratio=', e.g. 'mode overcommit_ratio=80'", &t)) return false;
  uint64_t v = 0;
  bool digits = !t->text.empty() && t->text.size() <= 6;
  for (char ch : t->text) digits = digits && ch >= '0' && ch <= '9', v = v * 10 + uint64_t(ch - '0');
  if (!digits || v > kMaxOvercommitRatio)
    return fail(t->pos, "overcommit_ratio needs a whole percentage from 0 to " + std::to_string(kMaxOvercommitRatio) +
                            ", not " + quote(t->text));
  st_.count = v;
  st_.count_pos = t->pos;
  return end();
}

bool LineParser::new_task() {
  const std::string verb = kVerbs[int(st_.verb) - int(Verb::Mmap)];
  const Token* t = nullptr;
  if (!word(verb + " needs a name for the new process, e.g. 'P1 " + verb + " C1'", &t))
    return false;
  return process_name(*t, &st_.target) && end();
}

bool LineParser::mmap() {
  if (!region()) return false;
  const Token* t = nullptr;
  if (!word("mmap needs a size or a file name after " + quote(st_.region), &t)) return false;
  if (starts_with_digit(*t)) {
    --at_;
    if (!size_in(1, limits_.max_region_pages, "max_region_pages", "region")) return false;
    st_.backing = Backing::Anon;
  } else if (index_of(kFlags, t->text) >= 0) {
    return fail(t->pos, "mmap needs a size or a file name before the flag " + quote(t->text));
  } else {
    Parsed<std::string> name = parse_name(*t, "file", limits_);
    if (!name.ok()) {
      error = name.error;
      return false;
    }
    st_.backing = Backing::File;
    st_.file = std::move(name.value);
    st_.file_pos = t->pos;
  }
  return mmap_flags();
}

// Flags after the size or file, in any order; a repeated flag is fine, a contradiction
// (`shared private`) is not.
bool LineParser::mmap_flags() {
  const Token* share = nullptr;
  const Token* prot = nullptr;
  while (more()) {
    const Token& t = take();
    if (t.kind == TokenKind::Equals) return fail(t.pos, "unexpected '='");
    const int f = index_of(kFlags, t.text);
    if (f < 0 && starts_with_digit(t)) {
      return fail(
          t.pos, "unexpected " + quote(t.text) +
                     (st_.backing == Backing::File ? ": a file mapping takes its size from the file"
                                                   : " after the size"));
    }
    if (f < 0) {
      const std::string hint = did_you_mean(t.text, kFlags);
      return fail(t.pos,
                  "unknown flag " + quote(t.text) +
                      (hint.empty() ? " (flags: shared, private, readonly, readwrite, thp, noreserve)" : hint));
    }
    if (kFlags[f] == "thp") {
      st_.hugepage = true;
      st_.hugepage_pos = t.pos;
      continue;
    }
    if (kFlags[f] == "noreserve") {
      st_.noreserve = true;
      st_.noreserve_pos = t.pos;
      continue;
    }
    const Token*& seen = f < 2 ? share : prot;
    if (seen && seen->text != t.text) {
      return fail(t.pos, "conflicting flags " + quote(seen->text) + " and " + quote(t.text));
    }
    seen = &t;
    if (f < 2)
      st_.share = f == 0 ? Share::Shared : Share::Private;
    else
      st_.prot = f == 2 ? Prot::ReadOnly : Prot::ReadWrite;
  }
  // Huge pages are modelled for private anonymous memory (docs/kernel-rules.md).
  if (st_.hugepage && (st_.backing == Backing::File || st_.share == Share::Shared))
    return fail(st_.hugepage_pos, std::string("'thp' needs a private anonymous mapping (this one is ") +
                                      (st_.backing == Backing::File ? "a file mapping" : "shared") +
                                      "): the engine models transparent huge pages for anonymous memory only");
  // MAP_NORESERVE is modelled for private mappings (docs/kernel-rules.md, "Commit
  // accounting and overcommit").
  if (st_.noreserve && st_.share == Share::Shared)
    return fail(st_.noreserve_pos, "'noreserve' needs a private mapping: the engine charges a shared "
                                   "anonymous object whole at creation and a shared file not at all");
  return true;
}

// Any metric name of any scope, for "expected '='" hints.
bool is_any_metric(std::string_view w) {
  return is_process_metric(w) || is_region_metric(w) || is_system_metric(w);
}

bool LineParser::expect() {
  // Leading words not followed by '=' are the process and the region.
  std::vector<const Token*> names;
  while (more() && peek().kind == TokenKind::Word &&
         !(at_ + 1 < toks_.size() && toks_[at_ + 1].kind == TokenKind::Equals)) {
    names.push_back(&take());
  }
  if (!more() || names.size() > 2) {
    // `expect P1 rss 64`: the '=' is what is missing.
    for (size_t i = 0; i < names.size(); ++i) {
      const bool value_next = i + 1 == names.size() || starts_with_digit(*names[i + 1]);
      if (is_any_metric(names[i]->text) && value_next) {
        return fail(names[i]->pos, "expected '=' after " + quote(names[i]->text) + " (write " +
                                       std::string(names[i]->text) + "=VALUE)");
      }
    }
  }
  if (names.size() > 2) {
    return fail(names[2]->pos,
                "unexpected " + quote(names[2]->text) +
                    ": expect takes at most a process and a region before its checks");
  }
  if (!more())
    return fail_missing("expect needs at least one metric=value, e.g. 'expect P1 rss=64'");
  st_.scope = MetricScope(names.size() == 0 ? 2 : names.size() == 1 ? 0 : 1);
  if (!names.empty()) {
    if (!process_name(*names[0], &st_.actor)) return false;
    st_.has_actor = true;
  }
  if (names.size() == 2) {
    Parsed<std::string> r = parse_name(*names[1], "region", limits_);
    if (!r.ok()) {
      error = r.error;
      return false;
    }
    st_.region = std::move(r.value);
    st_.region_pos = names[1]->pos;
  }
  while (more()) {
    if (!check(st_.scope)) return false;
  }
  return true;
}

// One `metric=value`.
bool LineParser::check(MetricScope scope) {
  const Token& m = take();
  if (m.kind == TokenKind::Equals) return fail(m.pos, "expected a metric name before '='");
  if (!more() || peek().kind != TokenKind::Equals) {
    if (is_any_metric(m.text)) return fail(m.pos, "expected '=' after " + quote(m.text));
    return fail(m.pos, "expected metric=value, got " + quote(m.text));
  }
  const Token& eq = take();
  if (!more())
    return fail(Pos{eq.pos.line, eq.end_col},
                "missing value after " + quote(std::string(m.text) + "="));
  const Token& v = take();
  if (v.kind == TokenKind::Equals) return fail(v.pos, "unexpected '='");
  const std::string name(m.text);
  if (index_of(metric_names(scope), name) < 0) {
    for (MetricScope other : {MetricScope::Process, MetricScope::Region, MetricScope::System}) {
      if (other != scope && index_of(metric_names(other), name) >= 0) {
        return fail(m.pos, "metric " + quote(name) + " is a " + scope_name(other) +
                               " metric, not a " + scope_name(scope) + " metric");
      }
    }
    std::string hint = did_you_mean(name, metric_names(scope));
    if (hint.empty()) {
      std::vector<std::string> all;
      for (MetricScope s : {MetricScope::Process, MetricScope::Region, MetricScope::System}) {
        all.insert(all.end(), metric_names(s).begin(), metric_names(s).end());
      }
      hint = did_you_mean(name, all);
    }
    return fail(m.pos, "unknown metric " + quote(name) + hint);
  }
  Check c;
  c.metric = name;
  c.pos = m.pos;
  if (auto e = parse_check_value(v, &c)) {
    error = e;
    return false;
  }
  st_.checks.push_back(std::move(c));
  return true;
}

// The process names that spawn, fork, vfork and thread statements create, so far.
class CreatedNames {
 public:
  void add(const NameRef& n) {
    if (n.is_range)
      ranges_.push_back(n);
    else
      plain_.insert(n.base);
  }
  bool contains(std::string_view name) const {
    if (plain_.count(std::string(name))) return true;
    for (const NameRef& r : ranges_) {
      std::string_view digits = name.substr(std::min(name.size(), r.base.size()));
      if (name.substr(0, r.base.size()) != r.base || digits.empty() || digits.size() > 10) continue;
      uint64_t v = 0;
      bool ok = digits.size() == 1 || digits[0] != '0';
      for (char c : digits) {
        ok = ok && c >= '0' && c <= '9';
        v = v * 10 + uint64_t(c - '0');
      }
      if (ok && v >= r.lo && v <= r.hi) return true;
    }
    return false;
  }

 private:
  std::unordered_set<std::string> plain_;
  std::vector<NameRef> ranges_;
};

// A line read as `ACTOR VERB ...` failed. When its first word names no process yet and
// is a verb or close to a keyword, the mistake is most likely there: say so instead.
void improve_message(const Token& first, const CreatedNames& created, Diagnostic* d) {
  if (first.kind != TokenKind::Word || index_of(kGlobal, first.text) >= 0 ||
      created.contains(first.text)) {
    return;
  }
  if (index_of(kVerbs, first.text) >= 0) {
    *d = Diagnostic{first.pos, quote(first.text) + " needs a process before it, e.g. 'P1 " +
                                   std::string(first.text) + " ...'"};
  } else if (!suggest(first.text, kGlobal).empty()) {
    *d = Diagnostic{first.pos,
                    "unknown statement " + quote(first.text) + did_you_mean(first.text, kGlobal)};
  }
}

// Rules across lines: `ram` once, before any `file` and the first `spawn`.
struct Order {
  int ram_line = 0, file_line = 0, spawn_line = 0;

  std::optional<Diagnostic> check(const Statement& s) {
    if (s.verb == Verb::Ram) {
      if (ram_line)
        return Diagnostic{s.pos, "ram is already set on line " + std::to_string(ram_line)};
      const int later = file_line ? file_line : spawn_line;
      if (later) {
        return Diagnostic{s.pos, "ram must come before any file and the first spawn (line " +
                                     std::to_string(later) + ")"};
      }
      ram_line = s.pos.line;
    }
    if (s.verb == Verb::File && !file_line) file_line = s.pos.line;
    if (s.verb == Verb::Spawn && !spawn_line) spawn_line = s.pos.line;
    return std::nullopt;
  }
};

bool creates_task(Verb v) {
  return v == Verb::Spawn || v == Verb::Fork || v == Verb::Vfork || v == Verb::Thread;
}

}  // namespace

ParseResult parse(std::string_view text, const Limits& limits) {
  ParseResult result;
  if (text.size() > limits.max_script_bytes) {
    result.error =
        Diagnostic{Pos{1, 1}, "script is " + std::to_string(text.size()) +
                                  " bytes long, more than the limit of " +
                                  std::to_string(limits.max_script_bytes) + " (max_script_bytes)"};
    return result;
  }
  std::vector<Statement>& out = result.script.statements;
  LineSplitter lines(text);
  RawLine raw;
  std::vector<Token> tokens;
  CreatedNames created;
  Order order;
  while (!result.error && lines.next(&raw)) {
    result.error = lex_line(raw, limits, &tokens);
    if (result.error || tokens.empty()) continue;
    Statement st;
    st.pos = tokens.front().pos;
    st.step = int(out.size()) + 1;
    st.line_end_col = tokens.back().end_col;
    LineParser p(tokens, limits, &st);
    if (!p.parse()) {
      result.error = p.error;
      if (!st.has_actor || st.verb == Verb::Expect) continue;
      improve_message(tokens.front(), created, &*result.error);
      continue;
    }
    result.error = order.check(st);
    if (creates_task(st.verb)) created.add(st.target);
    out.push_back(std::move(st));
  }
  if (result.error) out.clear();  // a script with a syntax error never runs
  return result;
}

std::string_view statement_source(std::string_view line, const Statement& s) {
  // Up to the end of its last token a statement is ASCII (lex_line): columns are bytes.
  const size_t from = size_t(std::max(s.pos.col, 1) - 1), to = size_t(std::max(s.line_end_col, 1) - 1);
  if (from >= line.size() || to <= from) return {};
  return line.substr(from, to - from);
}

}  // namespace cow::script
