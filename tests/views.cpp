// Real-tool views (engine/mm/smaps.h): /proc/PID/smaps, smaps_rollup, status and smem text
// for the worked examples of docs/kernel-rules.md, with the kB values derived by
// hand (1 page = 4 kB; Pss truncated to whole kB as the kernel does).
#include <catch2/catch.hpp>

#include <string>

#include "engine/script/session.h"
#include "engine/mm/smaps.h"

using namespace cow;

namespace {

script::Session run(const std::string& text) {
  script::Session s;
  REQUIRE(s.load(text));
  s.run_all();
  REQUIRE_FALSE(s.stopped());
  REQUIRE_FALSE(s.expects_failed());
  return s;
}

ProcId pid_of(const script::Session& s, const char* name) {
  ProcId p = s.engine().find_process(name);
  REQUIRE(p != kNone);
  return p;
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("smaps of the basic COW fork, after the child writes 16 pages", "[views]") {
  script::Session s = run("spawn P1\nP1 mmap heap 64\nP1 write heap\nP1 fork C1\nC1 write heap 0-15\n");
  std::string t = smaps_text(s.engine(), pid_of(s, "C1"));
  // R64 P40 SD48 PD16 (docs/kernel-rules.md, worked example 2): 256, 160, 192 and 64 kB.
  const char* expected =
      "10000000000-10000040000 rw-p 00000000 00:00 0 \n"
      "Size:                256 kB\n"
      "KernelPageSize:        4 kB\n"
      "MMUPageSize:           4 kB\n"
      "Rss:                 256 kB\n"
      "Pss:                 160 kB\n"
      "Pss_Dirty:           160 kB\n"
      "Shared_Clean:          0 kB\n"
      "Shared_Dirty:        192 kB\n"
      "Private_Clean:         0 kB\n"
      "Private_Dirty:        64 kB\n"
      "Referenced:          256 kB\n"
      "Anonymous:           256 kB\n"
      "KSM:                   0 kB\n"
      "LazyFree:              0 kB\n"
      "AnonHugePages:         0 kB\n"
      "ShmemPmdMapped:        0 kB\n"
      "FilePmdMapped:         0 kB\n"
      "Shared_Hugetlb:        0 kB\n"
      "Private_Hugetlb:       0 kB\n"
      "Swap:                  0 kB\n"
      "SwapPss:               0 kB\n"
      "Locked:                0 kB\n"
      "THPeligible:           0\n"
      "VmFlags: rd wr mr mw me ac sd \n";
  CHECK(t == expected);
}

TEST_CASE("smaps of a file-private mapping after COW and fault-around", "[views]") {
  script::Session s = run(
      "file data 32\nspawn P1\nP1 mmap cfg data\nP1 read cfg\nP1 fork C1\nC1 write cfg 0-3\nC1 read cfg 20\n");
  // C1: R20 P12 SC16 PD4 An4 -> 80, 48, 64, 16, 16 kB; Pss_Dirty is the 4 private copies.
  std::string c1 = smaps_text(s.engine(), pid_of(s, "C1"));
  CHECK(c1.rfind("10000000000-10000020000 rw-p 00000000 08:01 131073", 0) == 0);
  CHECK(c1.find("/cowlab/data\n") == 73);  // the name starts at column 73, as seq_pad puts it
  CHECK(has_line(c1, "Rss:                  80 kB"));
  CHECK(has_line(c1, "Pss:                  48 kB"));
  CHECK(has_line(c1, "Pss_Dirty:            16 kB"));
  CHECK(has_line(c1, "Shared_Clean:         64 kB"));
  CHECK(has_line(c1, "Private_Dirty:        16 kB"));
  CHECK(has_line(c1, "Anonymous:            16 kB"));
  // P1: R32 P24 SC16 PC16 -> 128, 96, 64, 64 kB; no anonymous pages.
  std::string p1 = smaps_text(s.engine(), pid_of(s, "P1"));
  CHECK(has_line(p1, "Rss:                 128 kB"));
  CHECK(has_line(p1, "Pss:                  96 kB"));
  CHECK(has_line(p1, "Shared_Clean:         64 kB"));
  CHECK(has_line(p1, "Private_Clean:        64 kB"));
  CHECK(has_line(p1, "Anonymous:             0 kB"));
  // smaps_rollup splits Pss: 16 kB anonymous, 32 kB file for C1.
  std::string r = smaps_rollup_text(s.engine(), pid_of(s, "C1"));
  CHECK(r.find("[rollup]\n") == 73);
  CHECK(has_line(r, "Pss_Anon:             16 kB"));
  CHECK(has_line(r, "Pss_File:             32 kB"));
  CHECK(has_line(r, "Pss_Shmem:             0 kB"));
}

TEST_CASE("Pss is truncated to whole kB as the kernel does", "[views]") {
  // 64 pages mapped by three processes: 64 * 4 / 3 = 85.33 kB -> 85 kB (21.25 pages).
  script::Session s = run("spawn P1\nP1 mmap heap 64\nP1 write heap\nP1 fork C1\nP1 fork C2\n");
  for (const char* name : {"P1", "C1", "C2"}) {
    std::vector<SmapsEntry> e = smaps_entries(s.engine(), pid_of(s, name));
    REQUIRE(e.size() == 1);
    CHECK(e[0].rss == 64);
    CHECK(e[0].shared_dirty == 64);
    CHECK(pss_kb(e[0].pss) == 85);
    CHECK(has_line(smaps_text(s.engine(), pid_of(s, name)), "Pss:                  85 kB"));
  }
}

TEST_CASE("a MAP_SHARED page mapped once is Private_Dirty in smaps", "[views]") {
  script::Session s = run("spawn P1\nP1 mmap buf 32 shared\nP1 write buf\nP1 fork C1\n");
  std::string t = smaps_text(s.engine(), pid_of(s, "P1"));
  CHECK(t.rfind("10000000000-10000020000 rw-s 00000000 00:01 2048", 0) == 0);
  CHECK(t.find("/dev/zero (deleted)\n") == 73);
  CHECK(has_line(t, "Rss:                 128 kB"));
  CHECK(has_line(t, "Private_Dirty:       128 kB"));
  CHECK(has_line(t, "Shared_Dirty:          0 kB"));
  CHECK(has_line(t, "Anonymous:             0 kB"));
  CHECK(has_line(t, "VmFlags: rd wr sh mr mw me ms sd "));
  // The child inherited the VMA with no PTEs: Rss 0.
  CHECK(has_line(smaps_text(s.engine(), pid_of(s, "C1")), "Rss:                   0 kB"));
}

TEST_CASE("dontfork and wipeonfork show in VmFlags, split VMAs are separate entries", "[views]") {
  script::Session s = run("spawn P1\nP1 mmap heap 16\nP1 write heap\nP1 madvise heap 0-7 dontfork\n"
                          "P1 mmap cache 8\nP1 madvise cache wipeonfork\n");
  std::vector<SmapsEntry> e = smaps_entries(s.engine(), pid_of(s, "P1"));
  REQUIRE(e.size() == 3);
  CHECK(e[0].start == (uint64_t(1024) << 30));
  CHECK(e[1].start == (uint64_t(1024) << 30) + 8 * 4096);
  std::string t = smaps_text(s.engine(), pid_of(s, "P1"));
  CHECK(t.find("VmFlags: rd wr mr mw me dc ac sd \n") != std::string::npos);
  CHECK(t.find("VmFlags: rd wr mr mw me ac wf sd \n") != std::string::npos);
}

TEST_CASE("status lines and the smem table", "[views]") {
  script::Session s = run("spawn P1\nP1 mmap heap 1M\nP1 write heap\nP1 fork C1\nC1 write heap 0-3\nP1 thread T1\n");
  std::string t = status_text(s.engine());
  // 256 pages = 1024 kB; one PTE table + one PMD + one PUD = 12 kB of page tables.
  CHECK(t.find("== /proc/1/status (P1) ==\nName:\tP1\nPid:\t1\nPPid:\t0\n") != std::string::npos);
  CHECK(has_line(t, "VmRSS:\t    1024 kB"));
  CHECK(has_line(t, "RssAnon:\t    1024 kB"));
  CHECK(has_line(t, "RssFile:\t       0 kB"));
  CHECK(has_line(t, "RssShmem:\t       0 kB"));
  CHECK(has_line(t, "VmPTE:\t      12 kB"));
  CHECK(has_line(t, "Threads:\t2"));
  CHECK(t.find("(T1)") == std::string::npos);  // threads have no /proc/PID of their own here
  // smem: C1 USS 4 pages = 16 kB, PSS 4 + 252/2 = 130 pages = 520 kB, RSS 1024 kB.
  std::string m = smem_text(s.engine());
  CHECK(has_line(m, "  PID Command                         Swap      USS      PSS      RSS"));
  CHECK(has_line(m, "    2 C1                                 0       16      520     1024"));
  CHECK(has_line(m, "    1 P1                                 0       16      520     1024"));
  CHECK(has_line(m, "    2                                    0       32     1040     2048"));
}
