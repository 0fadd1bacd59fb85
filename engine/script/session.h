// A session: one script run step by step on one engine. This is the command API that
// the shell, the web page and the tests share.
//
// Steps are statements, numbered from 1; position() is how many have run. Moving back
// restores the nearest checkpoint (a copy of the engine) and replays forward. Checkpoints
// are spaced by cost: one is taken once the work done since the last one (faults, PTEs
// added or torn down, events) exceeds what copying the engine costs, within
// Limits::max_checkpoint_bytes; so a script of a few heavy statements (`w[1-100] write
// heap` is one statement) has a checkpoint after each of them, and a long script of
// light ones a few.
//
// Editing: reload() keeps the work done for the statements the new text shares with the
// current one, so a live editor re-runs only what follows the edit.
//
// A `mode` statement applies from its own line on; `ram` builds a new machine and keeps
// every mode set before it (Engine::modes()).
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/mm/engine.h"
#include "ast.h"

namespace cow::script {

// One check of an `expect`, judged: for one process of a name range, one metric.
struct ExpectOutcome {
  int line = 0;
  bool ok = false;
  std::string message;    // "C1 rss: expected 64, got 63" or "C1 rss=64"
  int col = 0;            // of the metric name
  MetricScope scope = MetricScope::System;
  std::string process;    // "" for a system metric
  std::string region;     // "" unless one region is checked
  std::string metric;     // "rss"
  std::string expected;   // as the metric table writes it (format_metric): "64", "42.6667", "running"
  std::string actual;     // the same, or "" when it could not be read (no such process)
};

// What an `expect` naming a process or region that does not exist does: stop the script
// there with an error (a script's own expects), or count as a failed check (graders).
enum class Missing : uint8_t { Stop, Fail };

// What one step did: the statement it ran (step number, source line) and the events it
// produced.
struct StepRecord {
  int step = 0;
  int line = 0;
  std::vector<Event> events;
};

// Which fork the script's forks are. EagerCopy is the script's eager-copy variant, the
// contrast that `cowlab cost` and the web page's cost tab put beside the script: every
// fork copies the parent's anonymous pages at once (as xv6 does before its COW lab),
// from the first statement on, whatever the script's `mode fork=` lines say. Nothing
// else changes: the same statements, steps and lines.
enum class ForkPolicy : uint8_t { AsScripted, EagerCopy };

class Session {
 public:
  explicit Session(Limits limits = {}, ForkPolicy forks = ForkPolicy::AsScripted);

  // Parses and resets. Returns false on a syntax error (error() says where); then the
  // session holds an empty script and an engine in its initial state.
  bool load(std::string_view text);
  // Loads `text` like load(), but keeps what the current script already computed for
  // the statements the two share: statement i is shared when it and every statement
  // before it stand on the same line with the same line text in both (so the lines and
  // columns of what is kept stay right; comments may change between them). Afterwards
  // position() is a resume point at or before the first changed statement: the state
  // the session had when that is at or before the change, else the latest of the
  // checkpoints at or before it, the state before the script's last statement (kept
  // after a reload, outside max_checkpoint_bytes) or the state before a run of
  // expect/show statements (they change nothing). history(), expects() and shows() are
  // cut to match. The state is then exactly that of load(text) followed by
  // run_to(position()); run_to() goes on from there. A syntax error behaves as in load(),
  // but the run is kept aside: the next reload() that parses resumes from it.
  bool reload(std::string_view text);
  // Statements executed since the session was made (each step() counts, replays too):
  // what a reload saved shows here.
  uint64_t statements_run() const { return statements_run_; }

  size_t step_count() const { return run_.script.statements.size(); }
  size_t position() const { return run_.position; }
  bool at_end() const { return run_.position == step_count(); }
  bool stopped() const { return run_.error.has_value(); }  // a syntax or runtime error

  // Runs the next statement. Returns false at the end or on a runtime error.
  bool step();
  // Moves to just after statement n (0 = before the first); stops early on an error.
  void run_to(size_t n);
  void run_all() { run_to(step_count()); }
  // The largest position <= step that run_to() reaches by restoring a checkpoint alone,
  // without replaying a statement (0 at worst). A driver that runs in slices moves back
  // there, then forward a slice at a time.
  size_t checkpoint_at_or_before(size_t step) const;

  // `cowlab validate` runs a script under the real machine's overcommit settings: they
  // hold from the first statement on, and the script's `mode overcommit=`,
  // `mode overcommit_ratio=` and `swap` lines change nothing. Call before load().
  void pin_overcommit(Overcommit mode, uint32_t ratio, uint64_t swap_pages) {
    pinned_commit_ = Modes{.overcommit = mode, .overcommit_ratio = ratio, .swap_pages = swap_pages};
  }

  const std::optional<Diagnostic>& error() const { return run_.error; }
  const Engine& engine() const { return run_.engine; }
  const Script& script() const { return run_.script; }
  const std::vector<ExpectOutcome>& expects() const { return run_.expects; }
  // Records of the statements run so far, in order (index = step - 1).
  const std::vector<StepRecord>& history() const { return run_.history; }
  // The last event of the statements run so far that set region[page] of address space
  // `mm`: a fault, or fork's decision for the VMA holding it when `mm` is the child's;
  // null when none was recorded (events beyond the detail limit are only counted).
  const Event* last_page_event(MmId mm, NameId region, uint32_t page) const;
  // Lines of the `show` statements run so far.
  const std::vector<int>& shows() const { return run_.shows; }
  bool expects_failed() const;
  // The outcomes of `expect` statement `s` (parsed from any text) against the state now,
  // without recording them or stopping: a process, region or metric that is not there
  // is a failed outcome whose message says so. `cowlab check --expects` grades this way.
  std::vector<ExpectOutcome> evaluate(const Statement& s) const;

 private:
  // Running forward only appends to expects and shows, so a checkpoint keeps their
  // lengths, not copies (copies made checkpoints quadratic in the number of expects).
  struct Checkpoint {
    size_t position;
    Engine engine;
    size_t expects;
    size_t shows;
    uint64_t executed;
    uint64_t bytes;  // what the engine copy adds to the one before (Engine::copy_bytes)
  };
  // One run of a script: its statements and all that was computed for them. A reload
  // that meets a syntax error keeps the last good run aside whole (held_), in one move.
  struct Run {
    Run() {}  // user-provided: clang cannot default-construct it inside Session otherwise
    Script script;
    std::vector<std::string> lines;  // reload(): the line text of each statement
    Engine engine;
    std::optional<Diagnostic> error;
    size_t position = 0;
    uint64_t executed = 0;  // actor expansions executed (limit)
    std::vector<ExpectOutcome> expects;
    std::vector<StepRecord> history;
    std::vector<int> shows;
    std::vector<Checkpoint> checkpoints;
    uint64_t checkpoint_bytes = 0;
    std::optional<Checkpoint> tail;  // reload(): the state before the last statement
  };
  void reset();
  size_t shared_statements(const Script& next, const std::vector<std::string>& lines) const;
  void resume_at_or_before(size_t shared);
  void restore(const Checkpoint& c);
  void cut_after(size_t position);  // history, expects and shows of later statements go
  void drop_checkpoints_after(size_t position);
  const Checkpoint& latest_at_or_before(size_t position) const;
  uint64_t work_now() const;
  bool execute(const Statement& s);
  bool run_process_statement(const Statement& s, const std::string& actor);
  bool check_expect(const Statement& s);
  std::optional<Diagnostic> judge_expect(const Statement& s, Missing missing, std::vector<ExpectOutcome>* out) const;
  bool fail(Pos pos, std::string message);
  bool check_page_tables(Pos pos);  // max_page_table_entries
  int refused_mmap_line(ProcId p, NameId region) const;
  void add_checkpoint();            // within max_checkpoint_bytes
  Checkpoint snapshot(uint64_t bytes) const;

  Limits limits_;
  ForkPolicy forks_;
  std::optional<Modes> pinned_commit_;  // pin_overcommit: its overcommit fields only
  Run run_;
  std::optional<Diagnostic> parse_error_;
  uint64_t work_since_checkpoint_ = 0;
  bool editing_ = false;            // reload() was used: keep run_.tail
  std::optional<Run> held_;
  uint64_t statements_run_ = 0;
};

// What `cowlab run --json` adds on request (members only: schema version 1 stays valid).
struct JsonOptions {
  bool pagemap = false;  // --pagemap: "page_tables" per process, "pagemap" per region
  bool events = false;   // --events: the top-level "events" array
};

// The state as `cowlab run --json` prints it (schema version 1), without a final newline.
std::string state_json(const Session& s, const JsonOptions& options = {});
// The same, with the accounting of s.engine() computed already (it must be of that state).
std::string state_json(const Session& s, const UsageTable& usage, const JsonOptions& options = {});

enum class Explain : uint8_t { No, Yes };
// One page of process `process`'s region, as its --pagemap entry in the JSON (the same
// members and values), plus "explain" (explain_page: the page's state, what a write
// would do, and its last event) when asked: what the web page's inspector shows. An
// object with "error" when the process, region or page is not there.
std::string page_json(const Session& s, std::string_view process, std::string_view region, uint32_t page,
                      Explain explain);

}  // namespace cow::script
