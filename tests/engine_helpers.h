// Test helpers for the engine suites: a Lab owns one Engine and runs every operation
// through a wrapper that REQUIREs check_invariants() == "" afterwards (every cached count
// recomputed the slow way), and finish() exits every task and checks that the free-frame
// count is back where it started, page cache of files excepted (as xv6's countfree).
//
// Expected numbers in the tests are derived by hand from docs/kernel-rules.md; the worked
// examples there were measured on a real Linux 6.18 kernel.
#pragma once
#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include "engine/mm/engine.h"

namespace cowtest {

using namespace cow;

inline Pages pg(uint32_t page) { return {{page, page}}; }
inline Pages pg(uint32_t first, uint32_t last) { return {{first, last}}; }
inline const Pages kAll{};  // every page the task still maps in the region

// Exact-enough comparison for Pss, a sum of 1/mapcount.
inline Approx pss(double v) { return Approx(v).margin(1e-9); }

// smaps fields to check; -1 leaves a field unchecked.
struct Want {
  int64_t rss = -1;
  double pss = -1;
  int64_t sc = -1, sd = -1, pc = -1, pd = -1;
  int64_t anon = -1, file = -1, shmem = -1;
  int64_t ptes = -1, zero = -1;
};

inline void expect_usage(const Usage& u, const Want& w) {
  if (w.rss >= 0) CHECK(u.rss == uint64_t(w.rss));
  if (w.pss >= 0) CHECK(u.pss == pss(w.pss));
  if (w.sc >= 0) CHECK(u.shared_clean == uint64_t(w.sc));
  if (w.sd >= 0) CHECK(u.shared_dirty == uint64_t(w.sd));
  if (w.pc >= 0) CHECK(u.private_clean == uint64_t(w.pc));
  if (w.pd >= 0) CHECK(u.private_dirty == uint64_t(w.pd));
  if (w.anon >= 0) CHECK(u.anon == uint64_t(w.anon));
  if (w.file >= 0) CHECK(u.file == uint64_t(w.file));
  if (w.shmem >= 0) CHECK(u.shmem == uint64_t(w.shmem));
  if (w.ptes >= 0) CHECK(u.ptes == uint64_t(w.ptes));
  if (w.zero >= 0) CHECK(u.zero_ptes == uint64_t(w.zero));
}

// EXPECT_USAGE(usage, {.rss = 64, .sd = 64}): checks the given smaps fields and names
// the calling line when one differs.
#define EXPECT_USAGE(u, ...)                         \
  do {                                               \
    INFO("usage checked at line " << __LINE__);      \
    ::cowtest::expect_usage((u), __VA_ARGS__);       \
  } while (0)

class Lab {
 public:
  explicit Lab(uint32_t frames = 65536) : e(Config{.frames = frames}) {
    free_at_start = e.system().frames_free;
    invariants();
  }

  Engine e;
  uint64_t free_at_start = 0;
  uint64_t file_pages = 0;  // page cache created by file(): it stays after every exit

  void invariants() const { REQUIRE(e.check_invariants() == ""); }
  // Every operation goes through here: invariants hold after it, whatever its outcome.
  OpResult checked(OpResult r) {
    INFO("error: " << r.error);
    invariants();
    return r;
  }
  OpResult done(OpResult r) {
    INFO("error: " << r.error);
    REQUIRE(r.outcome == Outcome::Done);
    invariants();
    return r;
  }

  // ---- set-up and tasks ----------------------------------------------------------
  NameId name(std::string_view region) { return e.intern(region); }
  FileId file(std::string_view n, uint32_t pages) {
    done(e.create_file(n, pages));
    file_pages += pages;
    return e.find_file(n);
  }
  void mode(ForkMode m) { e.set_fork_mode(m); }
  ProcId spawn(std::string_view n) { return done(e.spawn(n)).created; }
  ProcId fork(ProcId p, std::string_view n) { return done(e.fork(p, n)).created; }
  OpResult try_fork(ProcId p, std::string_view n) { return checked(e.fork(p, n)); }
  ProcId vfork(ProcId p, std::string_view n) { return done(e.vfork(p, n)).created; }
  ProcId thread(ProcId p, std::string_view n) { return done(e.thread(p, n)).created; }
  void exec(ProcId p) { done(e.exec(p)); }
  void exit(ProcId p) { done(e.exit(p)); }

  // ---- memory --------------------------------------------------------------------
  void anon(ProcId p, std::string_view region, uint32_t pages, Share share = Share::Private,
            Prot prot = Prot::ReadWrite) {
    done(e.mmap(p, name(region), {.pages = pages, .backing = Backing::Anon, .share = share, .prot = prot}));
  }
  void shmem(ProcId p, std::string_view region, uint32_t pages) { anon(p, region, pages, Share::Shared); }
  void map_file(ProcId p, std::string_view region, FileId f, Share share,
                Prot prot = Prot::ReadWrite) {
    done(e.mmap(p, name(region), {.backing = Backing::File, .share = share, .prot = prot, .file = f}));
  }
  void munmap(ProcId p, std::string_view region, const Pages& pages = kAll) {
    done(e.munmap(p, name(region), pages));
  }
  void write(ProcId p, std::string_view region, const Pages& pages = kAll) {
    done(e.access(p, name(region), pages, Access::Write));
  }
  void read(ProcId p, std::string_view region, const Pages& pages = kAll) {
    done(e.access(p, name(region), pages, Access::Read));
  }
  OpResult try_write(ProcId p, std::string_view region, const Pages& pages = kAll) {
    return checked(e.access(p, name(region), pages, Access::Write));
  }
  OpResult try_read(ProcId p, std::string_view region, const Pages& pages = kAll) {
    return checked(e.access(p, name(region), pages, Access::Read));
  }
  void madvise(ProcId p, std::string_view region, Advice a, const Pages& pages = kAll) {
    done(e.madvise(p, name(region), pages, a));
  }
  void mprotect(ProcId p, std::string_view region, Prot prot, const Pages& pages = kAll) {
    done(e.mprotect(p, name(region), pages, prot));
  }

  // ---- looking -------------------------------------------------------------------
  Usage u(ProcId p) const { return e.usage(p); }
  Usage r(ProcId p, std::string_view region) const { return e.region_usage(p, e.find_name(region)); }
  // Distinct frames mapped by live processes (the "frames" column of the worked examples).
  uint64_t frames() const { return e.system().frames_mapped; }
  ProcState state(ProcId p) const { return e.processes()[p].state; }
  uint32_t vm_pte(ProcId p) const { return e.vm_pte(e.processes()[p].mm); }

  // The PTE of region[page] in p's address space (0 when there is none).
  Pte pte_of(ProcId p, std::string_view region, uint32_t page) const {
    const AddressSpace& as = e.address_spaces()[e.processes()[p].mm];
    uint32_t m = as.find_mapping(e.find_name(region));
    return m == kNone ? 0 : as.mappings[m].pt.get(page);
  }
  bool present(ProcId p, std::string_view region, uint32_t page) const {
    return pte::present(pte_of(p, region, page));
  }
  // The frame region[page] maps, kNone when not present (Frames::kZeroPage for the zero page).
  FrameId frame_of(ProcId p, std::string_view region, uint32_t page) const {
    Pte x = pte_of(p, region, page);
    return pte::present(x) ? pte::frame(x) : kNone;
  }
  // Reads region[page] and returns whose write it sees: the writer's tag (ProcId + 1),
  // or 0 for zeros and unmodified file data.
  uint32_t sees(ProcId p, std::string_view region, uint32_t page) {
    read(p, region, pg(page));
    FrameId f = frame_of(p, region, page);
    REQUIRE(f != kNone);
    return f == Frames::kZeroPage ? 0 : e.frames()[f].tag;
  }
  static uint32_t tag(ProcId p) { return p + 1; }  // what a write by p stores

  // Exits every live task (children first, so vfork parents resume), checking the
  // invariants after each exit; then every frame but the files' page cache is free again.
  void finish() {
    for (bool any = true; any;) {
      any = false;
      for (ProcId p = ProcId(e.processes().size()); p-- > 0;) {
        if (e.processes()[p].state != ProcState::Running) continue;
        exit(p);
        any = true;
        break;
      }
    }
    for (const Process& t : e.processes()) REQUIRE_FALSE(t.live());
    SystemUsage s = e.system();
    CHECK(s.frames_mapped == 0);
    CHECK(s.page_cache == file_pages);
    CHECK(s.frames_free == free_at_start - file_pages);
  }
};

// Two Usages are equal field by field, Pss exactly.
inline void check_equal(const Usage& a, const Usage& b) {
  CHECK(a.pages == b.pages);
  CHECK(a.rss == b.rss);
  CHECK(a.uss == b.uss);
  CHECK(a.pss == b.pss);  // exactly: both sum the same counts per mapcount
  CHECK(a.shared_clean == b.shared_clean);
  CHECK(a.shared_dirty == b.shared_dirty);
  CHECK(a.private_clean == b.private_clean);
  CHECK(a.private_dirty == b.private_dirty);
  CHECK(a.anon == b.anon);
  CHECK(a.file == b.file);
  CHECK(a.shmem == b.shmem);
  CHECK(a.ptes == b.ptes);
  CHECK(a.zero_ptes == b.zero_ptes);
  CHECK(a.anon_huge == b.anon_huge);
  CHECK(a.vm_pte == b.vm_pte);
}

}  // namespace cowtest
