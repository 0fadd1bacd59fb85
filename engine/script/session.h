// A session: one script run step by step on one engine. This is the command API that
// the shell, the web page and the tests share.
//
// Steps are statements, numbered from 1; position() is how many have run. Moving back
// restores the nearest checkpoint (a copy of the engine) and replays forward.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/mm/engine.h"
#include "ast.h"

namespace cow::script {

struct ExpectOutcome {
  int line = 0;
  bool ok = false;
  std::string message;    // "C1 rss: expected 64, got 63" or "C1 rss=64"
};

// What one step did: the statement it ran (step number, source line) and the events it
// produced.
struct StepRecord {
  int step = 0;
  int line = 0;
  std::vector<Event> events;
};

class Session {
 public:
  explicit Session(Limits limits = {});

  // Parses and resets. Returns false on a syntax error (error() says where); then the
  // session holds an empty script and an engine in its initial state.
  bool load(std::string_view text);

  size_t step_count() const { return script_.statements.size(); }
  size_t position() const { return position_; }
  bool at_end() const { return position_ == step_count(); }
  bool stopped() const { return error_.has_value(); }  // a syntax or runtime error

  // Runs the next statement. Returns false at the end or on a runtime error.
  bool step();
  // Moves to just after statement n (0 = before the first); stops early on an error.
  void run_to(size_t n);
  void run_all() { run_to(step_count()); }

  const std::optional<Diagnostic>& error() const { return error_; }
  const Engine& engine() const { return engine_; }
  const Script& script() const { return script_; }
  const std::vector<ExpectOutcome>& expects() const { return expects_; }
  // Records of the statements run so far, in order (index = step - 1).
  const std::vector<StepRecord>& history() const { return history_; }
  // Lines of the `show` statements run so far.
  const std::vector<int>& shows() const { return shows_; }
  bool expects_failed() const;

 private:
  // Running forward only appends to expects_ and shows_, so a checkpoint keeps their
  // lengths, not copies (copies made checkpoints quadratic in the number of expects).
  struct Checkpoint {
    size_t position;
    Engine engine;
    size_t expects;
    size_t shows;
    uint64_t executed;
    uint64_t bytes;  // what the engine copy holds, roughly (page tables and frame table)
  };
  void reset();
  bool execute(const Statement& s);
  bool run_process_statement(const Statement& s, const std::string& actor);
  bool check_expect(const Statement& s);
  bool fail(Pos pos, std::string message);
  bool check_page_tables(Pos pos);  // max_page_table_entries
  void add_checkpoint();            // within max_checkpoint_bytes

  Limits limits_;
  Script script_;
  Engine engine_;
  std::optional<Diagnostic> error_;
  std::optional<Diagnostic> parse_error_;
  size_t position_ = 0;
  uint64_t executed_ = 0;  // actor expansions executed (limit)
  std::vector<ExpectOutcome> expects_;
  std::vector<StepRecord> history_;
  std::vector<int> shows_;
  std::vector<Checkpoint> checkpoints_;
  uint64_t checkpoint_bytes_ = 0;
  uint64_t ram_pages_ = 65536;
};

// The state as `cowlab run --json` prints it (schema version 1), without a final newline.
std::string state_json(const Session& s);

}  // namespace cow::script
