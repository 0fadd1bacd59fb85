// Bad accesses: a write to a read-only mapping, or any access to memory the process no
// longer maps, kills its whole thread group with SIGSEGV. It is an event, never a crash
// of the engine, and the statement's remaining pages are skipped.
#include "engine_helpers.h"

using namespace cowtest;

static bool has_event(const std::vector<Event>& events, EventKind kind, ProcId proc) {
  for (const Event& e : events)
    if (e.kind == kind && e.proc == proc) return true;
  return false;
}

TEST_CASE("a write to a read-only mapping kills the process", "[segfaults]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  ProcId p2 = lab.spawn("P2");
  lab.anon(p1, "A", 4, Share::Private, Prot::ReadOnly);
  lab.anon(p1, "B", 4);
  lab.write(p1, "B");
  lab.read(p1, "A");  // reading is allowed: zero page
  EXPECT_USAGE(lab.u(p1), {.rss = 4, .ptes = 8, .zero = 4});
  lab.e.take_events();
  CHECK(lab.try_write(p1, "A", pg(2)).outcome == Outcome::ActorKilled);
  CHECK(has_event(lab.e.take_events(), EventKind::Segfault, p1));
  CHECK(lab.state(p1) == ProcState::Killed);
  CHECK(lab.state(p2) == ProcState::Running);
  CHECK(lab.e.counters().segfaults == 1);
  CHECK(lab.e.system().frames_used == 0);  // its memory went with it
  lab.finish();
}

TEST_CASE("mprotect readonly on part of a region: the rest stays writable", "[segfaults]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 4);
  lab.write(p1, "A");
  lab.mprotect(p1, "A", Prot::ReadOnly, pg(0, 1));
  lab.write(p1, "A", pg(2, 3));
  CHECK(lab.sees(p1, "A", 0) == Lab::pid(p1));  // read-only pages are still readable
  // The statement stops at page 1, which is read-only.
  CHECK(lab.try_write(p1, "A", pg(1, 2)).outcome == Outcome::ActorKilled);
  CHECK(lab.state(p1) == ProcState::Killed);
  lab.finish();
}

TEST_CASE("mprotect readwrite makes a read-only region writable again", "[segfaults]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 4);
  lab.write(p1, "A");
  lab.mprotect(p1, "A", Prot::ReadOnly);
  lab.mprotect(p1, "A", Prot::ReadWrite);
  lab.write(p1, "A");  // no copies: this address space is the only mapper
  // (Linux upgrades exclusive anonymous PTEs to writable inside mprotect; the engine
  // leaves them write-protected and reuses on the next write: the same frames either way.)
  CHECK(lab.e.counters().cow_copies == 0);
  CHECK(lab.frame_of(p1, "A", 2) == 2);
  CHECK(lab.frames() == 4);
  lab.finish();
}

TEST_CASE("the rest of a killed statement is skipped", "[segfaults]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 8);
  lab.mprotect(p1, "A", Prot::ReadOnly, pg(2));
  CHECK(lab.try_write(p1, "A", pg(0, 7)).outcome == Outcome::ActorKilled);
  CHECK(lab.e.counters().zero_fills == 2);  // pages 0 and 1, then SIGSEGV at page 2
  CHECK(lab.e.counters().faults == 2);
  lab.finish();
}

TEST_CASE("a write through a read-only shared file mapping kills", "[segfaults]") {
  Lab lab;
  FileId f = lab.file("f", 4);
  ProcId p1 = lab.spawn("P1");
  lab.map_file(p1, "F", f, Share::Shared, Prot::ReadOnly);
  lab.read(p1, "F");
  CHECK(lab.try_write(p1, "F", pg(0)).outcome == Outcome::ActorKilled);
  CHECK_FALSE(lab.e.frames()[lab.e.files()[f].pages[0]].dirty);
  lab.finish();
}

TEST_CASE("an access to an unmapped region kills the whole thread group, not the engine", "[segfaults]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 8);
  lab.write(p1, "A");
  ProcId c1 = lab.fork(p1, "C1");
  ProcId t1 = lab.thread(p1, "T1");
  lab.munmap(p1, "A");
  lab.e.take_events();
  CHECK(lab.try_read(t1, "A", pg(0)).outcome == Outcome::ActorKilled);
  CHECK(has_event(lab.e.take_events(), EventKind::Segfault, t1));
  CHECK(lab.state(t1) == ProcState::Killed);
  CHECK(lab.state(p1) == ProcState::Killed);
  CHECK(lab.state(c1) == ProcState::Running);
  EXPECT_USAGE(lab.u(c1), {.rss = 8, .pss = 8, .pd = 8});
  // The dead cannot act any more; that is an error, not another kill.
  CHECK(lab.checked(lab.e.access(p1, lab.name("A"), kAll, Access::Read)).outcome == Outcome::Error);
  CHECK(lab.e.counters().segfaults == 1);
  lab.finish();
}

TEST_CASE("an access to an unmapped part of a region kills", "[segfaults]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 8);
  lab.munmap(p1, "A", pg(4, 7));
  lab.write(p1, "A", pg(0, 3));
  CHECK(lab.try_write(p1, "A", pg(3, 4)).outcome == Outcome::ActorKilled);
  CHECK(lab.e.counters().segfaults == 1);
  lab.finish();
}

TEST_CASE("a region only another process maps is not mapped here", "[segfaults]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  ProcId p2 = lab.spawn("P2");
  lab.anon(p1, "A", 8);
  CHECK(lab.try_write(p2, "A", pg(0)).outcome == Outcome::ActorKilled);
  CHECK(lab.state(p1) == ProcState::Running);
  lab.finish();
}

TEST_CASE("a SIGSEGV in a vfork child resumes the parent", "[segfaults]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 4, Share::Private, Prot::ReadOnly);
  ProcId v1 = lab.vfork(p1, "V1");
  CHECK(lab.try_write(v1, "A", pg(0)).outcome == Outcome::ActorKilled);
  CHECK(lab.state(v1) == ProcState::Killed);
  CHECK(lab.state(p1) == ProcState::Running);
  CHECK(lab.r(p1, "A").pages == 4);  // the shared address space lives on
  lab.finish();
}
