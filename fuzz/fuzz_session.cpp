// libFuzzer target: parser plus engine. Each input is a whole cowscript, run one
// statement at a time with check_invariants() after every statement. Further oracles:
//   - stepping back (a checkpoint restore plus replay) reproduces the same state JSON
//     (checked for one input in four, chosen by its length, to keep the rate up);
//   - once every task exits, only the page cache holds frames (nothing leaks).
// The harness caps RAM, region sizes, tasks and executed statements through Limits,
// and gives scripts without a `ram` line a small RAM, so each input stays fast.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "engine/script/parser.h"
#include "engine/script/session.h"

using namespace cow;
using namespace cow::script;

static void require(bool ok, const std::string& what, std::string_view text) {
  if (ok) return;
  std::fprintf(stderr, "fuzz_session: %s\n--- script ---\n%.*s\n--------------\n", what.c_str(),
               int(text.size()), text.data());
  std::abort();
}

static Limits fuzz_limits() {
  Limits l;
  l.max_script_bytes = 8192;
  l.max_ram_pages = 2048;        // 8 MiB
  l.max_region_pages = 4096;     // regions may be larger than RAM (OOM paths)
  l.max_processes = 64;
  l.max_steps_executed = 512;
  return l;
}

// Without a `ram` line the session would simulate 256 MiB; give it 1 MiB instead.
static std::string with_small_ram(std::string_view text, const Limits& limits) {
  ParseResult r = parse(text, limits);
  if (r.error) return std::string(text);
  for (const Statement& s : r.script.statements)
    if (s.verb == Verb::Ram) return std::string(text);
  std::string small = "ram 256\n" + std::string(text);
  return parse(small, limits).error ? std::string(text) : small;
}

// Ends every task (vfork parents resume when their child exits) on a copy of the engine
// and checks that only page-cache frames remain.
static void check_teardown(const Engine& final_state, std::string_view text) {
  Engine e = final_state;
  for (bool progress = true; progress;) {
    progress = false;
    for (ProcId p = 0; p < e.processes().size(); ++p) {
      if (e.processes()[p].state != ProcState::Running) continue;
      require(!e.exit(p).rejected(), "exit of a running task failed", text);
      progress = true;
      require(e.check_invariants().empty(), "after teardown exit: " + e.check_invariants(), text);
    }
  }
  uint64_t cache = 0;
  for (const File& f : e.files()) cache += f.pages.size();
  require(e.frames().used() == cache, "frames leaked after every task exited: " +
              std::to_string(e.frames().used()) + " used, page cache " + std::to_string(cache), text);
}

// Steps back to the middle (checkpoint restore plus replay) and forward again: the
// states must equal a fresh run's and the first run's.
static void check_replay(Session& s, const std::string& text, const Limits& limits) {
  const std::string end_json = state_json(s);
  const size_t end = s.position();
  const size_t mid = end / 2;
  s.run_to(mid);
  const std::string mid_json = state_json(s);
  Session fresh(limits);
  fresh.load(text);
  fresh.run_to(mid);
  require(state_json(fresh) == mid_json, "step back to " + std::to_string(mid) + " differs from a fresh run", text);
  s.run_to(end);
  require(state_json(s) == end_json, "replay to the end differs from the first run", text);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  const Limits limits = fuzz_limits();
  std::string text = with_small_ram(raw, limits);
  Session s(limits);
  if (!s.load(text)) return 0;
  while (!s.at_end() && !s.stopped()) {
    s.step();
    std::string broken = s.engine().check_invariants();
    require(broken.empty(), "invariant broken after step " + std::to_string(s.position()) + ": " + broken, text);
  }
  if (size % 4 == 0) check_replay(s, text, limits);
  check_teardown(s.engine(), text);
  return 0;
}

