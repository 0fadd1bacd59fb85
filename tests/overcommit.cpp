// Commit accounting (overcommit): what mmap, mprotect and fork charge to Committed_AS and
// when __vm_enough_memory refuses. Expected numbers are derived by hand from the kernel's
// rules (docs/kernel-rules.md, "Commit accounting"): mm/util.c __vm_enough_memory and
// vm_commit_limit, mm/mmap.c mmap_region and dup_mmap, mm/mprotect.c mprotect_fixup,
// mm/shmem.c shmem_acct_size. The machines here have 16384 frames (64 MiB): the admin
// reserve is min(16384 / 32, 2048) = 512 pages, the user reserve at most 512 pages.
#include <string>

#include "engine/mm/commit.h"
#include "engine/script/session.h"
#include "engine/teach/quiz.h"
#include "engine_helpers.h"

using namespace cowtest;

namespace {

constexpr uint32_t kRam = 16384;

struct CommitLab : Lab {
  explicit CommitLab(Overcommit mode, uint32_t ratio = 50) : Lab(kRam) {
    e.set_overcommit(mode);
    e.set_overcommit_ratio(ratio);
  }
  uint64_t committed() const { return e.committed_as(); }
  OpResult try_anon(ProcId p, std::string_view region, uint32_t pages, bool noreserve = false) {
    return checked(e.mmap(p, name(region), {.pages = pages, .noreserve = noreserve}));
  }
};

}  // namespace

TEST_CASE("__vm_enough_memory judges each mode from its numbers", "[overcommit]") {
  CommitInputs in{.ram_pages = kRam, .swap_pages = 1000, .committed = 5000};
  SECTION("heuristic: only one request larger than RAM + swap is refused") {
    CHECK(judge_commit(in, kRam + 1000).allowed);       // equal: not larger
    CHECK_FALSE(judge_commit(in, kRam + 1001).allowed);
    CHECK(judge_commit(in, kRam + 1001).limit == kRam + 1000);
  }
  SECTION("always: never refused") {
    in.mode = Overcommit::Always;
    CHECK(judge_commit(in, uint64_t(1) << 40).allowed);
  }
  SECTION("never: CommitLimit = swap + RAM x ratio / 100, less the reserves, strictly below") {
    in.mode = Overcommit::Never;
    in.ratio = 50;
    in.total_vm = 3200;  // user reserve min(3200 / 32, 512) = 100
    CHECK(commit_limit(kRam, 1000, 50) == 9192);
    CommitVerdict v = judge_commit(in, 1);
    CHECK(v.limit == 9192);
    CHECK(v.admin_reserve == 512);
    CHECK(v.user_reserve == 100);
    CHECK(v.allowed_max() == 8580);
    CHECK(judge_commit(in, 3579).allowed);           // 8579 < 8580
    CHECK_FALSE(judge_commit(in, 3580).allowed);     // 8580 is not below 8580
    CHECK(judge_commit(in, 3580).committed_after == 8580);
  }
  SECTION("reserves: 8 MiB and 128 MiB at most, 1/32 of RAM on small machines") {
    CHECK(admin_reserve_pages(kRam) == 512);
    CHECK(admin_reserve_pages(1u << 20) == 2048);    // 4 GiB: capped at 8 MiB
    CHECK(user_reserve_pages(1u << 24) == 32768);    // 64 GiB: capped at 128 MiB
  }
}

TEST_CASE("mmap charges private writable mappings, not read-only or shared file ones", "[overcommit]") {
  CommitLab lab(Overcommit::Heuristic);
  FileId f = lab.file("data", 32);
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "heap", 100);
  CHECK(lab.committed() == 100);
  lab.anon(p1, "ro", 50, Share::Private, Prot::ReadOnly);
  CHECK(lab.committed() == 100);                     // read-only private: no VM_ACCOUNT
  lab.map_file(p1, "fpriv", f, Share::Private);
  CHECK(lab.committed() == 132);                     // private writable file: charged
  lab.map_file(p1, "fshared", f, Share::Shared);
  CHECK(lab.committed() == 132);                     // shared file: the page cache, not charged
  lab.munmap(p1, "heap", pg(0, 39));
  CHECK(lab.committed() == 92);                      // munmap uncharges the pages it removes
  lab.exit(p1);
  CHECK(lab.committed() == 0);                       // exit_mmap uncharges the rest
  lab.finish();
}

TEST_CASE("shmem is charged once per object, whatever its protection, until the object dies", "[overcommit]") {
  CommitLab lab(Overcommit::Heuristic);
  ProcId p1 = lab.spawn("P1");
  lab.shmem(p1, "S", 100);
  lab.anon(p1, "Sro", 40, Share::Shared, Prot::ReadOnly);
  CHECK(lab.committed() == 140);                     // shmem_acct_size at creation
  ProcId c1 = lab.fork(p1, "C1");
  CHECK(lab.committed() == 140);                     // the child maps the same objects
  lab.write(c1, "S");                                // faults do not change the charge
  CHECK(lab.committed() == 140);
  lab.munmap(p1, "S");
  CHECK(lab.committed() == 140);                     // C1 still maps S: the object lives
  lab.exit(c1);
  CHECK(lab.committed() == 40);                      // S died: uncharged; Sro lives in P1
  lab.finish();
  CHECK(lab.committed() == 0);
}

TEST_CASE("mprotect to writable charges the range it covers; back to read-only keeps it once written",
          "[overcommit]") {
  CommitLab lab(Overcommit::Heuristic);
  FileId f = lab.file("data", 32);
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 100, Share::Private, Prot::ReadOnly);
  lab.mprotect(p1, "A", Prot::ReadWrite, pg(10, 19));
  CHECK(lab.committed() == 10);                      // mprotect_fixup: only pages 10-19
  lab.write(p1, "A", pg(12));                        // anon_vma_prepare: the VMA has an anon_vma now
  lab.mprotect(p1, "A", Prot::ReadOnly, pg(10, 19));
  CHECK(lab.committed() == 10);                      // VM_ACCOUNT stays until munmap
  lab.mprotect(p1, "A", Prot::ReadWrite);
  CHECK(lab.committed() == 100);                     // 10-19 already accountable: +90
  lab.munmap(p1, "A", pg(0, 49));
  CHECK(lab.committed() == 50);
  lab.map_file(p1, "F", f, Share::Private, Prot::ReadOnly);
  lab.mprotect(p1, "F", Prot::ReadWrite);
  CHECK(lab.committed() == 82);                      // a private file mapping made writable
  lab.map_file(p1, "G", f, Share::Shared, Prot::ReadOnly);
  lab.mprotect(p1, "G", Prot::ReadWrite);
  CHECK(lab.committed() == 82);                      // VM_SHARED: never charged
  lab.finish();
}

TEST_CASE("mprotect to read-only gives back the charge of an anonymous VMA never written", "[overcommit]") {
  // mprotect_fixup: an anonymous VMA without anon_vma loses VM_ACCOUNT when it stops being
  // writable (vm_unacct_memory). Measured on Linux 6.18 by `cowlab validate`
  // (tests/validate/commit_charges.cow): mprotect readonly of 8 never-written pages, -8.
  CommitLab lab(Overcommit::Heuristic);
  FileId f = lab.file("data", 16);
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 100);
  lab.mprotect(p1, "A", Prot::ReadOnly, pg(0, 9));
  CHECK(lab.committed() == 90);                      // 0-9 never written: uncharged
  lab.mprotect(p1, "A", Prot::ReadWrite, pg(0, 9));
  CHECK(lab.committed() == 100);                     // and charged again when writable
  lab.read(p1, "A", pg(20));                         // the zero page: still no anon_vma
  lab.mprotect(p1, "A", Prot::ReadOnly, pg(20, 29));
  CHECK(lab.committed() == 90);
  lab.map_file(p1, "F", f, Share::Private);          // private writable file: not anonymous
  CHECK(lab.committed() == 106);
  lab.mprotect(p1, "F", Prot::ReadOnly);
  CHECK(lab.committed() == 106);                     // vma_is_anonymous() is false: kept
  lab.finish();
}

TEST_CASE("noreserve: no charge outside mode never, and mprotect does not charge it either", "[overcommit]") {
  SECTION("heuristic: a MAP_NORESERVE mapping larger than RAM is not judged at all") {
    CommitLab lab(Overcommit::Heuristic);
    ProcId p1 = lab.spawn("P1");
    CHECK(lab.try_anon(p1, "big", 3 * kRam, true).outcome == Outcome::Done);
    CHECK(lab.committed() == 0);
    lab.mprotect(p1, "big", Prot::ReadOnly);
    lab.mprotect(p1, "big", Prot::ReadWrite);        // VM_NORESERVE: mprotect_fixup skips it
    CHECK(lab.committed() == 0);
    lab.fork(p1, "C1");                              // not VM_ACCOUNT: dup_mmap skips it
    CHECK(lab.committed() == 0);
    lab.finish();
  }
  SECTION("never: MAP_NORESERVE is ignored and the mapping is charged") {
    CommitLab lab(Overcommit::Never);
    ProcId p1 = lab.spawn("P1");
    CHECK(lab.try_anon(p1, "n", 100, true).outcome == Outcome::Done);
    CHECK(lab.committed() == 100);
    lab.finish();
  }
  SECTION("shared: rejected, the engine models it for private mappings") {
    CommitLab lab(Overcommit::Heuristic);
    ProcId p1 = lab.spawn("P1");
    OpResult r = lab.checked(lab.e.mmap(p1, lab.name("S"), {.pages = 4, .share = Share::Shared, .noreserve = true}));
    CHECK(r.rejected());
    lab.finish();
  }
}

TEST_CASE("a refused mmap is ENOMEM: counted, nothing mapped, nothing charged", "[overcommit]") {
  SECTION("heuristic: one request larger than RAM + swap; swap raises the bound") {
    CommitLab lab(Overcommit::Heuristic);
    ProcId p1 = lab.spawn("P1");
    OpResult r = lab.try_anon(p1, "big", kRam + 1);
    CHECK(r.outcome == Outcome::Refused);
    CHECK_FALSE(r.rejected());                       // carried out as the kernel would
    CHECK(lab.e.counters().mmap_failures == 1);
    CHECK(lab.committed() == 0);
    CHECK(lab.e.address_spaces()[lab.e.processes()[p1].mm].vmas.empty());
    REQUIRE(lab.e.commit_refusals().size() == 1);
    CHECK(lab.e.commit_refusals()[0].verdict.limit == kRam);
    lab.e.set_swap_pages(1);
    CHECK(lab.try_anon(p1, "big", kRam + 1).outcome == Outcome::Done);
    lab.anon(p1, "more", kRam);                      // the sum may exceed RAM: each request is judged alone
    CHECK(lab.committed() == 2 * kRam + 1);
    lab.finish();
  }
  SECTION("never: the user reserve is 1/32 of the requesting mm's total_vm") {
    CommitLab lab(Overcommit::Never);                // CommitLimit 8192; admin reserve 512
    ProcId p1 = lab.spawn("P1");
    lab.anon(p1, "A", 4000);                         // total_vm 0: 4000 < 7680
    CHECK(lab.try_anon(p1, "B", 3600).outcome == Outcome::Refused);  // 7600 >= 7680 - 125
    CHECK(lab.committed() == 4000);
    CHECK(lab.e.commit_refusals()[0].verdict.user_reserve == 125);
    CHECK(lab.try_anon(p1, "B", 3500).outcome == Outcome::Done);     // 7500 < 7555
    CHECK(lab.committed() == 7500);
    CHECK(lab.e.counters().mmap_failures == 1);
    lab.finish();
  }
  SECTION("always: nothing is refused") {
    CommitLab lab(Overcommit::Always);
    ProcId p1 = lab.spawn("P1");
    CHECK(lab.try_anon(p1, "huge", 8 * kRam).outcome == Outcome::Done);
    CHECK(lab.committed() == 8 * kRam);
    lab.finish();
  }
}

TEST_CASE("a refused mprotect leaves the VMA read-only and counts a failure", "[overcommit]") {
  CommitLab lab(Overcommit::Never, 100);             // allowed: 16384 - 512 - user reserve
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 12000);
  lab.anon(p1, "R", 4000, Share::Private, Prot::ReadOnly);
  // total_vm 16000: user reserve 500; 12000 + 4000 = 16000 is not below 16384 - 512 - 500.
  OpResult r = lab.checked(lab.e.mprotect(p1, lab.name("R"), kAll, Prot::ReadWrite));
  CHECK(r.outcome == Outcome::Refused);
  CHECK(lab.e.counters().mprotect_failures == 1);
  CHECK(lab.committed() == 12000);
  CHECK(lab.try_write(p1, "R", pg(0)).outcome == Outcome::ActorKilled);  // still read-only
  lab.finish();
}

TEST_CASE("fork charges the child each accountable VMA, dontfork excepted", "[overcommit]") {
  CommitLab lab(Overcommit::Heuristic);
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 100);
  lab.anon(p1, "B", 50);
  lab.anon(p1, "R", 70, Share::Private, Prot::ReadOnly);
  lab.madvise(p1, "B", Advice::DontFork);
  lab.write(p1, "A");
  ProcId c1 = lab.fork(p1, "C1");
  CHECK(lab.committed() == 250);                     // 150 + A again; not B, not R
  CHECK(lab.e.address_spaces()[lab.e.processes()[c1].mm].committed == 100);
  lab.write(c1, "A");                                // 100 COW copies: no change
  lab.write(p1, "A");
  CHECK(lab.e.counters().cow_copies == 100);
  CHECK(lab.committed() == 250);
  lab.exec(c1);                                      // exec drops the old mm's charge
  CHECK(lab.committed() == 150);
  lab.finish();
}

TEST_CASE("threads and vfork charge nothing: they share the mm", "[overcommit]") {
  CommitLab lab(Overcommit::Never);
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 5000);
  ProcId t1 = lab.thread(p1, "T1");
  CHECK(lab.committed() == 5000);
  lab.exit(t1);
  ProcId v1 = lab.vfork(p1, "V1");
  CHECK(lab.committed() == 5000);
  lab.exec(v1);                                      // a fresh mm, nothing mapped
  CHECK(lab.committed() == 5000);
  lab.finish();
}

TEST_CASE("a refused fork undoes every charge it made and counts in fork_failures", "[overcommit]") {
  SECTION("never: the second VMA does not fit, the first one's charge is taken back") {
    CommitLab lab(Overcommit::Never, 100);           // CommitLimit 16384
    ProcId p1 = lab.spawn("P1");
    lab.anon(p1, "A", 3000);
    lab.anon(p1, "B", 3000);
    lab.fork(p1, "C1");                              // 9000, 12000 < 16384 - 512 - 187
    CHECK(lab.committed() == 12000);
    OpResult r = lab.try_fork(p1, "C2");             // A: 15000 fits; B: 18000 does not
    CHECK(r.outcome == Outcome::ForkFailed);
    CHECK(lab.e.find_process("C2") == kNone);
    CHECK(lab.committed() == 12000);
    CHECK(lab.e.counters().fork_failures == 1);
    REQUIRE(lab.e.commit_refusals().size() == 1);
    const CommitRefusal& x = lab.e.commit_refusals()[0];
    CHECK(x.op == CommitOp::Fork);
    CHECK(x.fork_total == 6000);
    CHECK(x.verdict.committed_after == 18000);
    CHECK(x.verdict.allowed_max() == 16384 - 512 - 187);
    lab.finish();
  }
  SECTION("heuristic: judged per VMA, so a fork bigger than RAM in total succeeds") {
    CommitLab lab(Overcommit::Heuristic);
    ProcId p1 = lab.spawn("P1");
    lab.anon(p1, "A", 10000);
    lab.anon(p1, "B", 10000);
    lab.fork(p1, "C1");
    CHECK(lab.committed() == 40000);
    CHECK(lab.e.counters().fork_failures == 0);
    lab.finish();
  }
}

TEST_CASE("The Redis case: strict overcommit refuses the fork COW would make cheap", "[overcommit]") {
  // 60 % of RAM mapped and written; ratio 80 lets the parent's own mmap fit.
  const uint32_t heap = kRam * 6 / 10;  // 9830 pages
  for (Overcommit mode : {Overcommit::Never, Overcommit::Heuristic}) {
    CommitLab lab(mode, 80);
    ProcId p1 = lab.spawn("redis");
    lab.anon(p1, "heap", heap);
    lab.write(p1, "heap");
    CHECK(lab.e.commit_limit() == kRam * 80 / 100);  // 13107
    OpResult r = lab.try_fork(p1, "bgsave");
    if (mode == Overcommit::Never) {
      CHECK(r.outcome == Outcome::ForkFailed);      // 19660 >= 13107 - 512 - 307
      CHECK(lab.committed() == heap);
    } else {
      CHECK(r.outcome == Outcome::Done);            // 9830 <= RAM + swap
      CHECK(lab.committed() == 2 * heap);            // above CommitLimit: only shown
      CHECK(lab.e.system().frames_used == heap);    // and no page copied
    }
    lab.finish();
  }
}

TEST_CASE("refusals under mode never name the kernel function that refused, with its numbers", "[overcommit]") {
  // Mode 2 cannot be tried on a real machine without changing its sysctls, so these are
  // derived by hand: __vm_enough_memory (mm/util.c) judges; mmap_region, mprotect_fixup
  // and dup_mmap ask. CommitLimit 16384 x 50 / 100 = 8192; admin reserve 512.
  CommitLab lab(Overcommit::Never);
  ProcId p1 = lab.spawn("P1");
  lab.anon(p1, "A", 4000);
  lab.anon(p1, "R", 4000, Share::Private, Prot::ReadOnly);
  CHECK(lab.try_anon(p1, "B", 4000).outcome == Outcome::Refused);          // 8000 >= 8192 - 512 - 250
  CHECK(lab.checked(lab.e.mprotect(p1, lab.name("R"), kAll, Prot::ReadWrite)).outcome == Outcome::Refused);
  CHECK(lab.try_fork(p1, "C1").outcome == Outcome::ForkFailed);          // A again: 8000
  REQUIRE(lab.e.commit_refusals().size() == 3);
  const char* asked_by[] = {"mmap_region", "mprotect_fixup", "dup_mmap"};
  for (size_t i = 0; i < 3; ++i) {
    const CommitRefusal& r = lab.e.commit_refusals()[i];
    std::string why = explain_refusal(r, "P1", i == 1 ? "R" : i == 0 ? "B" : "A");
    INFO(why);
    CHECK(why.find("ENOMEM") != std::string::npos);
    CHECK(why.find(asked_by[i]) != std::string::npos);
    CHECK(why.find("__vm_enough_memory") != std::string::npos);
    CHECK(why.find("CommitLimit (8192 pages)") != std::string::npos);
    CHECK(why.find("admin reserve (512)") != std::string::npos);
    CHECK(why.find("Committed_AS would have been 8000 (4000 + 4000)") != std::string::npos);
    CHECK(r.verdict.committed_after == 8000);
    CHECK(r.verdict.user_reserve == 250);            // total_vm / 32: A and R, 8000 pages mapped
  }
  CHECK(lab.committed() == 4000);
  lab.finish();
}

// ---- the language ------------------------------------------------------------------

namespace {
cow::script::Session run(const std::string& text) {
  cow::script::Session s;
  REQUIRE(s.load(text));
  s.run_all();
  return s;
}
}  // namespace

TEST_CASE("overcommit settings survive ram, in any order, and expect checks the charge", "[overcommit][script]") {
  cow::script::Session s = run(
      "mode overcommit=never\nswap 4M\nram 64M\nmode overcommit_ratio=80\nspawn P1\nP1 mmap heap 1000\n"
      "expect committed_as=1000 commit_limit=14131\n");
  INFO((s.error() ? s.error()->message : ""));
  CHECK_FALSE(s.stopped());
  CHECK(s.engine().modes().overcommit == Overcommit::Never);
  CHECK(s.engine().modes().swap_pages == 1024);
  REQUIRE(s.expects().size() == 2);
  CHECK(s.expects()[1].ok);                          // 16384 x 80 / 100 + 1024
}

TEST_CASE("a statement on the region of a refused mmap stops with an error naming its line", "[overcommit][script]") {
  cow::script::Session s = run(
      "ram 64M\nspawn P1\nP1 mmap big 80M\nexpect mmap_failures=1 committed_as=0\nP1 write big\n");
  REQUIRE(s.stopped());
  CHECK(s.error()->pos.line == 5);
  CHECK(s.error()->message.find("mmap on line 3 failed with ENOMEM") != std::string::npos);
  REQUIRE(s.expects().size() == 2);
  CHECK(s.expects()[0].ok);
  CHECK(s.expects()[1].ok);
}

TEST_CASE("overcommit syntax errors say what is allowed", "[overcommit][script]") {
  auto error_of = [](const std::string& text) {
    cow::script::Session s;
    s.load(text);
    return s.error() ? s.error()->message : std::string();
  };
  CHECK(error_of("mode overcommit=sometimes\n").find("unknown overcommit mode 'sometimes'") != std::string::npos);
  CHECK(error_of("mode overcommit_ratio=8x\n").find("whole percentage") != std::string::npos);
  CHECK(error_of("mode overcommit_ratio=100001\n").find("whole percentage") != std::string::npos);
  CHECK(error_of("swap\n").find("swap needs a size") != std::string::npos);
  CHECK(error_of("spawn P\nP mmap S 4 shared noreserve\n").find("'noreserve' needs a private mapping") !=
        std::string::npos);
}

TEST_CASE("the commit quiz runs to its end for every seed and asks Committed_AS", "[overcommit][quiz]") {
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    INFO("seed " << seed);
    cow::script::Quiz q = cow::script::make_quiz(seed, cow::script::QuizTopic::Commit);
    cow::script::Session s;
    REQUIRE(s.load(q.answer_script));
    s.run_all();
    INFO((s.error() ? s.error()->message : ""));
    REQUIRE_FALSE(s.stopped());
    CHECK_FALSE(s.expects_failed());
    REQUIRE(q.questions.size() >= 5);
    CHECK(q.questions.front().metric->name == "committed_as");
    CHECK(q.script.find("mode overcommit=") != std::string::npos);
  }
}
