// Fork mode `copy` (xv6 before copy-on-write) against COW, including xv6 cowtest's
// "simple" test: a process holding two thirds of RAM can fork only under COW.
// Expected values are derived by hand from docs/kernel-rules.md.
#include <string>

#include "engine/script/session.h"
#include "engine_helpers.h"

using namespace cowtest;

TEST_CASE("xv6 cowtest simple: two thirds of RAM forks under COW, not in copy mode", "[copy_mode]") {
  Lab lab;  // 65536 frames = 256 MiB
  const uint32_t two_thirds = 65536 / 3 * 2;  // 43690 pages
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", two_thirds);
  lab.write(p1, "A");

  SECTION("COW: the fork succeeds and copies no page") {
    ProcId c1 = lab.fork(p1, "C1");
    CHECK(lab.e.system().frames_used == two_thirds);
    EXPECT_USAGE(lab.u(c1), {.rss = two_thirds, .sd = two_thirds});
    CHECK(lab.e.counters().fork_failures == 0);
  }
  SECTION("copy: the fork fails with ENOMEM and changes nothing") {
    lab.mode(ForkMode::Copy);
    OpResult r = lab.try_fork(p1, "C1");
    CHECK(r.outcome == Outcome::ForkFailed);
    CHECK(r.created == kNone);
    CHECK(lab.e.find_process("C1") == kNone);
    CHECK(lab.e.processes().size() == 1);
    CHECK(lab.e.counters().fork_failures == 1);
    CHECK(lab.e.system().frames_used == two_thirds);
    EXPECT_USAGE(lab.u(p1), {.rss = two_thirds, .pss = two_thirds, .pd = two_thirds});
    uint64_t faults = lab.e.counters().faults;
    lab.write(p1, "A", pg(0, 99));  // not write-protected: no faults
    CHECK(lab.e.counters().faults == faults);
  }
  lab.finish();
}

TEST_CASE("copy mode with room: one third of RAM forks, copying every page", "[copy_mode]") {
  Lab lab(96);
  lab.mode(ForkMode::Copy);
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 32);
  lab.write(p1, "A");
  ProcId c1 = lab.fork(p1, "C1");
  CHECK(lab.frames() == 64);
  EXPECT_USAGE(lab.u(p1), {.rss = 32, .pss = 32, .sd = 0, .pd = 32});
  EXPECT_USAGE(lab.u(c1), {.rss = 32, .pss = 32, .sd = 0, .pd = 32, .anon = 32});
  CHECK(lab.sees(c1, "A", 7) == Lab::tag(p1));  // the data was copied
  // Nothing is write-protected: no write faults afterwards, no COW.
  uint64_t faults = lab.e.counters().faults;
  lab.write(p1, "A");
  lab.write(c1, "A");
  CHECK(lab.e.counters().faults == faults);
  CHECK(lab.e.counters().cow_copies == 0);
  // A second fork needs 32 more frames and exactly 32 are free.
  ProcId c2 = lab.fork(p1, "C2");
  CHECK(lab.e.system().frames_free == 0);
  CHECK(lab.try_fork(c2, "C3").outcome == Outcome::ForkFailed);
  CHECK(lab.e.counters().fork_failures == 1);
  lab.finish();
}

TEST_CASE("copy mode: zero-page PTEs stay zero-page PTEs", "[copy_mode]") {
  Lab lab;
  lab.mode(ForkMode::Copy);
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 16);
  lab.write(p1, "A", pg(0));
  lab.read(p1, "A", pg(1, 15));
  ProcId c1 = lab.fork(p1, "C1");
  CHECK(lab.frames() == 2);
  EXPECT_USAGE(lab.u(c1), {.rss = 1, .pss = 1, .pd = 1, .ptes = 16, .zero = 15});
  CHECK(lab.frame_of(c1, "A", 9) == Frames::kZeroPage);
  lab.finish();
}

TEST_CASE("copy mode: page-cache pages of a file-private mapping stay shared", "[copy_mode]") {
  Lab lab;
  lab.mode(ForkMode::Copy);
  FileId f = lab.file("f", 32);
  ProcId p1 = lab.spawn("P1");
  lab.map_file(p1, "F", f, Share::Private);
  lab.read(p1, "F");
  lab.write(p1, "F", pg(0));  // the VMA now has anonymous pages: fork copies its PTEs
  ProcId c1 = lab.fork(p1, "C1");
  // 31 page-cache pages shared read-only, page 0 duplicated: 31 + 2 frames mapped.
  CHECK(lab.frames() == 33);
  EXPECT_USAGE(lab.u(p1), {.rss = 32, .pss = 16.5, .sc = 31, .sd = 0, .pc = 0, .pd = 1, .anon = 1, .file = 31});
  EXPECT_USAGE(lab.u(c1), {.rss = 32, .pss = 16.5, .sc = 31, .sd = 0, .pc = 0, .pd = 1, .anon = 1, .file = 31});
  CHECK(lab.frame_of(c1, "F", 5) == lab.frame_of(p1, "F", 5));
  CHECK(lab.frame_of(c1, "F", 0) != lab.frame_of(p1, "F", 0));
  // Writing a shared page-cache page still copies it, as under COW.
  lab.write(c1, "F", pg(5));
  CHECK(lab.e.counters().cow_copies == 2);
  lab.finish();
}

TEST_CASE("copy mode: shared mappings behave as under COW", "[copy_mode]") {
  Lab lab;
  lab.mode(ForkMode::Copy);
  ProcId p1 = lab.spawn("P1");
  lab.shmem(p1, "S", 8);
  lab.write(p1, "S");
  ProcId c1 = lab.fork(p1, "C1");
  CHECK(lab.frames() == 8);
  EXPECT_USAGE(lab.u(c1), {.rss = 0});
  lab.write(c1, "S");
  CHECK(lab.frames() == 8);
  EXPECT_USAGE(lab.u(c1), {.rss = 8, .pss = 4, .sd = 8, .shmem = 8});
  lab.finish();
}

// ---- through scripts: `mode` and `ram`, and the eager-copy variant ---------------------

namespace {

using cow::script::ForkPolicy;
using cow::script::Session;

// Runs `text` to the end; REQUIREs that it ran without an error.
void run_ok(Session& s, const std::string& text) {
  INFO(text);
  REQUIRE(s.load(text));
  s.run_all();
  REQUIRE_FALSE(s.stopped());
  CHECK(s.engine().check_invariants() == "");
}

// Frames the fork statements of the run copied at once (FramesCopied events).
uint64_t frames_copied(const Session& s) {
  uint64_t n = 0;
  for (const cow::script::StepRecord& r : s.history())
    for (const Event& e : r.events) n += e.kind == EventKind::FramesCopied ? e.count : 0;
  return n;
}

}  // namespace

TEST_CASE("ram keeps the fork mode set before it", "[copy_mode]") {
  // Regression: `ram` built a new machine in COW mode, so `mode fork=copy` written before
  // it was lost, and the eager-copy fork below shared its 8 pages instead of copying them.
  Session s;
  run_ok(s, "mode fork=copy\nram 64\nspawn P\nP mmap h 8\nP write h\nP fork C\n");
  // An eager-copy fork allocates the child's 8 anonymous pages at the fork: 8 + 8 frames
  // of the 64, each process alone on its own (Pss = Uss = Rss = 8), and no COW later.
  SystemUsage y = s.engine().system();
  CHECK(y.frames_total == 64);
  CHECK(y.frames_used == 16);
  CHECK(y.frames_free == 48);
  CHECK(y.frames_shared == 0);
  CHECK(frames_copied(s) == 8);
  CHECK(s.engine().counters().ptes_copied == 8);
  CHECK(s.engine().counters().cow_copies == 0);
  for (const char* name : {"P", "C"}) {
    Usage u = s.engine().usage(s.engine().find_process(name));
    CHECK(u.rss == 8);
    CHECK(u.uss == 8);
    CHECK(u.pss == Approx(8));
  }
}

TEST_CASE("a mode line applies from its own line on, ram or not", "[copy_mode]") {
  // COW first (8 frames shared by P and C1), then eager copy: C2 gets 8 frames of its own.
  Session s;
  run_ok(s, "ram 64\nspawn P\nP mmap h 8\nP write h\nP fork C1\nmode fork=copy\nP fork C2\n");
  CHECK(s.engine().system().frames_used == 16);
  CHECK(s.engine().usage(s.engine().find_process("C1")).uss == 0);
  CHECK(s.engine().usage(s.engine().find_process("C2")).uss == 8);
  // And back: copy mode before ram, COW after it.
  run_ok(s, "mode fork=copy\nram 64\nmode fork=cow\nspawn P\nP mmap h 8\nP write h\nP fork C\n");
  CHECK(s.engine().system().frames_used == 8);
  CHECK(frames_copied(s) == 0);
}

TEST_CASE("the eager-copy variant: every fork copies, the steps stay the same", "[copy_mode]") {
  // xv6 cowtest's arithmetic: 64 of 96 frames written; a COW fork needs none, an eager
  // copy needs 64 more and finds 32 free, so it fails (ENOMEM) and changes nothing.
  const std::string text =
      "ram 96\nspawn P1\nP1 mmap big 64\nP1 write big\nmode fork=cow\nP1 fork C1\nshow\n";
  Session cow, eager({}, ForkPolicy::EagerCopy);
  run_ok(cow, text);
  run_ok(eager, text);
  CHECK(eager.step_count() == cow.step_count());
  for (size_t i = 0; i < cow.step_count(); ++i)
    CHECK(eager.history()[i].line == cow.history()[i].line);
  CHECK(cow.engine().counters().fork_failures == 0);
  CHECK(cow.engine().system().frames_used == 64);
  CHECK(eager.engine().counters().fork_failures == 1);  // `mode fork=cow` did not switch it back
  CHECK(eager.engine().system().frames_used == 64);
  CHECK(eager.engine().find_process("C1") == kNone);

  // With room (32 pages written): the child's 32 pages are allocated at the fork.
  const std::string small = "ram 96\nspawn P1\nP1 mmap heap 32\nP1 write heap\nP1 fork C1\nC1 write heap\n";
  Session roomy({}, ForkPolicy::EagerCopy);
  run_ok(roomy, small);
  CHECK(roomy.engine().system().frames_used == 64);
  CHECK(frames_copied(roomy) == 32);
  CHECK(roomy.engine().counters().cow_copies == 0);  // nothing was write-protected
  run_ok(cow, small);
  CHECK(cow.engine().counters().cow_copies == 32);   // as written: the child's writes copy
}
