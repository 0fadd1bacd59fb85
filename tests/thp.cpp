// Transparent huge pages (docs/kernel-rules.md, "Transparent huge pages"): a first write
// in an untouched 2 MiB extent maps one THP by a PMD, a first read the huge zero page;
// fork copies the PMD; a write to a shared THP splits only the writer's PMD and copies
// 4 KiB; fallbacks to 4 KiB pages; splits by munmap, mprotect and madvise of part of a
// PMD; smaps AnonHugePages, THPeligible and VmFlags hg/nh; the script words.
//
// The numbers of the first two tests were measured on Linux 6.18 (x86-64,
// transparent_hugepage/enabled = madvise, 512-page regions with MADV_HUGEPAGE, smaps and
// pagemap read at each point). Every other expected value is derived by hand from the
// rules, never pasted from the engine's output.
#include "engine_helpers.h"

#include <catch2/catch.hpp>

#include <algorithm>

#include "engine/mm/explain.h"
#include "engine/mm/pagemap.h"
#include "engine/mm/smaps.h"
#include "engine/script/parser.h"
#include "engine/script/session.h"

using namespace cowtest;

namespace {

// A private anonymous region of `pages` with MADV_HUGEPAGE from the start (mmap ... thp).
void thp_region(Lab& lab, ProcId p, std::string_view region, uint32_t pages) {
  lab.done(lab.e.mmap(p, lab.name(region), {.pages = pages, .backing = Backing::Anon, .hugepage = true}));
}

uint64_t huge(const Lab& lab, ProcId p) { return lab.u(p).anon_huge; }
uint64_t used(const Lab& lab) { return lab.e.system().frames_used; }

}  // namespace

TEST_CASE("measured: a THP written, forked, written by both, then rewritten alone", "[thp]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  thp_region(lab, p1, "A", 512);

  lab.write(p1, "A");
  // Linux 6.18: frames 512; P1 Rss 512, Pss 512, PD 512, AnonHugePages 512. One fault.
  CHECK(lab.frames() == 512);
  EXPECT_USAGE(lab.u(p1), {.rss = 512, .pss = 512, .sd = 0, .pd = 512, .anon = 512, .ptes = 512, .zero = 0});
  CHECK(huge(lab, p1) == 512);
  CHECK(lab.e.counters().faults == 1);
  CHECK(lab.e.counters().thp_faults == 1);
  CHECK(lab.vm_pte(p1) == 3);  // PUD + PMD table + the PTE table deposited with the huge PMD

  ProcId c1 = lab.fork(p1, "C1");
  // Linux 6.18: frames 512; both Rss 512, Pss 256, SD 512, AnonHugePages 512.
  CHECK(lab.frames() == 512);
  EXPECT_USAGE(lab.u(p1), {.rss = 512, .pss = 256, .sd = 512, .pd = 0});
  EXPECT_USAGE(lab.u(c1), {.rss = 512, .pss = 256, .sd = 512, .pd = 0});
  CHECK(huge(lab, p1) == 512);
  CHECK(huge(lab, c1) == 512);
  CHECK(lab.e.counters().pmds_copied == 1);
  CHECK(lab.e.counters().ptes_copied == 0);  // one PMD entry, no per-PTE copying
  CHECK(lab.vm_pte(c1) == 3);                // the child's PMD gets a deposited table too

  lab.write(c1, "A", pg(0));
  // Linux 6.18: frames 513; both Pss 256.5, SD 511, PD 1; AnonHugePages P1 512, C1 0.
  CHECK(lab.frames() == 513);
  EXPECT_USAGE(lab.u(p1), {.rss = 512, .pss = 256.5, .sd = 511, .pd = 1});
  EXPECT_USAGE(lab.u(c1), {.rss = 512, .pss = 256.5, .sd = 511, .pd = 1});
  CHECK(huge(lab, p1) == 512);
  CHECK(huge(lab, c1) == 0);
  CHECK(lab.e.counters().thp_splits == 1);
  CHECK(lab.e.counters().cow_copies == 1);

  lab.write(p1, "A", pg(1));
  // Linux 6.18: frames 514; both Pss 257, SD 510, PD 2, AnonHugePages 0.
  CHECK(lab.frames() == 514);
  EXPECT_USAGE(lab.u(p1), {.rss = 512, .pss = 257, .sd = 510, .pd = 2});
  EXPECT_USAGE(lab.u(c1), {.rss = 512, .pss = 257, .sd = 510, .pd = 2});
  CHECK(huge(lab, p1) == 0);
  CHECK(huge(lab, c1) == 0);

  lab.exit(c1);
  lab.write(p1, "A");
  // Linux 6.18: frames 512; P1 Pss 512, PD 512, AnonHugePages 0 (it stays PTE-mapped).
  CHECK(lab.frames() == 512);
  EXPECT_USAGE(lab.u(p1), {.rss = 512, .pss = 512, .sd = 0, .pd = 512});
  CHECK(huge(lab, p1) == 0);
  CHECK(lab.e.counters().cow_copies == 2);
  CHECK(lab.e.counters().cow_reuses == 511);  // pages 0 and 2-511; page 1 is P1's own copy
  // The THP stays whole while any page of it is mapped: page 1 (C1 held it) is unmapped
  // but still allocated (no deferred split), so 513 frames are in use for 512 mapped.
  CHECK(used(lab) == 513);
  lab.finish();
}

TEST_CASE("measured: a read maps the huge zero page, a write then allocates a whole THP", "[thp]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  thp_region(lab, p1, "A", 512);
  lab.read(p1, "A");
  // Linux 6.18: frames 0; Rss 0, 512 present PTEs of the zero page (pagemap).
  CHECK(lab.frames() == 0);
  EXPECT_USAGE(lab.u(p1), {.rss = 0, .pss = 0, .ptes = 512, .zero = 512});
  CHECK(lab.e.counters().huge_zero_maps == 1);
  CHECK(lab.e.counters().faults == 1);

  lab.write(p1, "A", pg(0));
  // Linux 6.18: frames 512; Rss 512, PD 512, AnonHugePages 512.
  CHECK(lab.frames() == 512);
  EXPECT_USAGE(lab.u(p1), {.rss = 512, .pss = 512, .pd = 512, .zero = 0});
  CHECK(huge(lab, p1) == 512);
  CHECK(lab.e.counters().thp_faults == 1);
  CHECK(lab.e.counters().faults == 2);
  lab.finish();
}

TEST_CASE("the huge zero page is forked as is; the child's write gets its own THP", "[thp]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  thp_region(lab, p1, "A", 512);
  lab.read(p1, "A");
  ProcId c1 = lab.fork(p1, "C1");  // the read gave the VMA an anon_vma: the PMD is copied
  EXPECT_USAGE(lab.u(c1), {.rss = 0, .ptes = 512, .zero = 512});
  CHECK(lab.e.counters().pmds_copied == 1);

  lab.write(c1, "A", pg(7));
  EXPECT_USAGE(lab.u(c1), {.rss = 512, .pss = 512, .pd = 512, .zero = 0});
  EXPECT_USAGE(lab.u(p1), {.rss = 0, .zero = 512});
  CHECK(huge(lab, c1) == 512);
  CHECK(lab.e.counters().thp_faults == 1);
  CHECK(lab.sees(c1, "A", 7) == Lab::tag(c1));
  CHECK(lab.sees(c1, "A", 8) == 0);
  lab.finish();
}

TEST_CASE("an exclusive THP is reused whole: one fault, the PMD stays", "[thp]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  thp_region(lab, p1, "A", 512);
  lab.write(p1, "A");
  ProcId c1 = lab.fork(p1, "C1");
  lab.exit(c1);
  uint64_t faults = lab.e.counters().faults;
  lab.write(p1, "A");
  CHECK(lab.e.counters().faults == faults + 1);  // do_huge_pmd_wp_page reuses the PMD
  CHECK(lab.e.counters().cow_reuses == 1);
  CHECK(lab.e.counters().thp_splits == 0);
  CHECK(huge(lab, p1) == 512);
  EXPECT_USAGE(lab.u(p1), {.rss = 512, .pss = 512, .pd = 512});
  lab.finish();
}

// Not measured: from __wp_can_reuse_large_anon_folio (reuse only when the whole folio is
// this mm's). The page P1 writes is mapped by P1 alone, but the THP it belongs to is
// still mapped by C1 too, so Linux copies it.
TEST_CASE("a page of a THP another mm maps is copied, even when its own mapcount is 1", "[thp]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  thp_region(lab, p1, "A", 512);
  lab.write(p1, "A");
  ProcId c1 = lab.fork(p1, "C1");
  lab.write(c1, "A", pg(0));  // C1 copies page 0: the THP's page 0 is now P1's alone
  lab.write(p1, "A", pg(0));
  CHECK(lab.e.counters().cow_copies == 2);
  CHECK(lab.frames() == 513);  // 511 shared THP pages + 2 copies; THP page 0 unmapped
  CHECK(used(lab) == 514);     // ... but still allocated with its folio
  lab.finish();
}

TEST_CASE("fallback to 4 KiB pages: extents not wholly inside the VMA, nohugepage, mode never", "[thp]") {
  SECTION("a 700-page region: one THP, then 188 pages of 4 KiB") {
    Lab lab;
    ProcId p1 = lab.spawn("P1");
    thp_region(lab, p1, "A", 700);
    lab.write(p1, "A");
    CHECK(huge(lab, p1) == 512);
    CHECK(lab.e.counters().thp_faults == 1);
    CHECK(lab.e.counters().zero_fills == 188);
    CHECK(lab.e.counters().faults == 189);
    lab.finish();
  }
  SECTION("the VMA starts inside the extent (dontfork on pages 0-9 split it)") {
    Lab lab;
    ProcId p1 = lab.spawn("P1");
    thp_region(lab, p1, "A", 1024);
    lab.madvise(p1, "A", Advice::DontFork, pg(0, 9));
    lab.write(p1, "A", pg(10, 511));
    CHECK(huge(lab, p1) == 0);
    CHECK(lab.e.counters().faults == 502);
    lab.write(p1, "A", pg(512, 1023));  // the second extent lies wholly in the VMA
    CHECK(huge(lab, p1) == 512);
    lab.finish();
  }
  SECTION("mode always, but MADV_NOHUGEPAGE") {
    Lab lab;
    lab.e.set_thp_mode(ThpMode::Always);
    ProcId p1 = lab.spawn("P1");
    lab.anon(p1, "A", 512);
    lab.anon(p1, "B", 512);
    lab.madvise(p1, "B", Advice::NoHugePage);
    lab.write(p1, "A");
    lab.write(p1, "B");
    CHECK(lab.r(p1, "A").anon_huge == 512);  // always: no madvise needed
    CHECK(lab.r(p1, "B").anon_huge == 0);
    CHECK(lab.e.counters().faults == 1 + 512);
    lab.finish();
  }
  SECTION("mode madvise without MADV_HUGEPAGE, and mode never with it") {
    Lab lab;
    ProcId p1 = lab.spawn("P1");
    lab.anon(p1, "A", 512);
    lab.write(p1, "A");
    CHECK(huge(lab, p1) == 0);
    lab.e.set_thp_mode(ThpMode::Never);
    thp_region(lab, p1, "B", 512);
    lab.write(p1, "B");
    CHECK(huge(lab, p1) == 0);
    CHECK(lab.e.counters().thp_faults == 0);
    lab.finish();
  }
  SECTION("no free 2 MiB block: 4 KiB pages (no OOM kill)") {
    Lab lab(600);
    ProcId p1 = lab.spawn("P1");
    thp_region(lab, p1, "A", 512);
    thp_region(lab, p1, "B", 512);
    lab.write(p1, "A");  // frames 0-511
    lab.write(p1, "B", pg(0, 9));
    CHECK(lab.r(p1, "B").anon_huge == 0);
    CHECK(lab.e.counters().zero_fills == 10);
    CHECK(lab.e.counters().oom_kills == 0);
    lab.finish();
  }
  SECTION("a region of only 4 KiB pages already faulted keeps its PTE table") {
    Lab lab;
    ProcId p1 = lab.spawn("P1");
    lab.anon(p1, "A", 512);
    lab.write(p1, "A", pg(3));
    lab.madvise(p1, "A", Advice::HugePage);  // the PMD now points to a PTE table
    lab.write(p1, "A", pg(4));
    CHECK(huge(lab, p1) == 0);
    CHECK(lab.e.counters().zero_fills == 2);
    lab.finish();
  }
}

TEST_CASE("munmap, mprotect and dontneed of part of a PMD split it; of all of it, not", "[thp]") {
  SECTION("munmap of one page") {
    Lab lab;
    ProcId p1 = lab.spawn("P1");
    thp_region(lab, p1, "A", 512);
    lab.write(p1, "A");
    lab.munmap(p1, "A", pg(5));
    CHECK(lab.e.counters().thp_splits == 1);
    CHECK(huge(lab, p1) == 0);
    EXPECT_USAGE(lab.u(p1), {.rss = 511, .pd = 511});
    CHECK(used(lab) == 512);  // the THP stays whole while 511 of its pages are mapped
    lab.munmap(p1, "A");
    CHECK(used(lab) == 0);
    lab.finish();
  }
  SECTION("mprotect of part, then of all") {
    Lab lab;
    ProcId p1 = lab.spawn("P1");
    thp_region(lab, p1, "A", 1024);
    lab.write(p1, "A");
    lab.mprotect(p1, "A", Prot::ReadOnly, pg(512, 1023));  // a whole extent: the PMD stays
    CHECK(huge(lab, p1) == 1024);
    lab.mprotect(p1, "A", Prot::ReadOnly, pg(0, 9));
    CHECK(lab.e.counters().thp_splits == 1);
    CHECK(huge(lab, p1) == 512);
    lab.mprotect(p1, "A", Prot::ReadWrite);
    uint64_t faults = lab.e.counters().faults;
    lab.write(p1, "A");  // anon-exclusive pages become writable at once
    CHECK(lab.e.counters().faults == faults);
    lab.finish();
  }
  SECTION("dontneed of a whole extent zaps the PMD; the next write gets a new THP") {
    Lab lab;
    ProcId p1 = lab.spawn("P1");
    thp_region(lab, p1, "A", 512);
    lab.write(p1, "A");
    lab.madvise(p1, "A", Advice::DontNeed);
    CHECK(used(lab) == 0);
    CHECK(lab.vm_pte(p1) == 2);  // the deposited table went with the PMD; PUD and PMD stay
    lab.write(p1, "A", pg(9));
    CHECK(lab.e.counters().thp_faults == 2);
    CHECK(huge(lab, p1) == 512);
    lab.madvise(p1, "A", Advice::DontNeed, pg(0, 255));
    CHECK(lab.e.counters().thp_splits == 1);
    EXPECT_USAGE(lab.u(p1), {.rss = 256});
    lab.finish();
  }
}

TEST_CASE("eager-copy fork gives the child 4 KiB copies of a THP", "[thp]") {
  Lab lab;
  lab.mode(ForkMode::Copy);
  ProcId p1 = lab.spawn("P1");
  thp_region(lab, p1, "A", 512);
  lab.write(p1, "A");
  ProcId c1 = lab.fork(p1, "C1");
  CHECK(used(lab) == 1024);
  CHECK(huge(lab, p1) == 512);
  CHECK(huge(lab, c1) == 0);
  EXPECT_USAGE(lab.u(c1), {.rss = 512, .pd = 512});
  lab.finish();
}

TEST_CASE("pagemap: pages under a PMD report their own frame and huge", "[thp]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  thp_region(lab, p1, "A", 512);
  lab.write(p1, "A");
  std::optional<PageEntry> pe = page_entry(lab.e, p1, lab.name("A"), 5);
  REQUIRE(pe);
  CHECK(pe->huge);
  CHECK(pe->frame == lab.frame_of(p1, "A", 0) + 5);
  CHECK(pe->mapcount == 1);
  lab.finish();
}

TEST_CASE("smaps: AnonHugePages, THPeligible and VmFlags hg / nh", "[thp]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  thp_region(lab, p1, "A", 512);
  lab.anon(p1, "B", 512);
  lab.madvise(p1, "B", Advice::NoHugePage);
  thp_region(lab, p1, "C", 100);  // too small for any 2 MiB extent
  lab.write(p1, "A");
  std::string t = smaps_text(lab.e, p1);
  auto entry = [&](int i) {  // the i-th VMA's text
    size_t at = 0;
    for (int k = 0; k <= i; ++k) at = t.find("\nSize:", at + 1);
    return t.substr(at, t.find("VmFlags", at) - at + 40);
  };
  CHECK_THAT(entry(0), Catch::Matchers::Contains("AnonHugePages:      2048 kB\n"));
  CHECK_THAT(entry(0), Catch::Matchers::Contains("THPeligible:           1\n"));
  CHECK_THAT(entry(0), Catch::Matchers::Contains("VmFlags: rd wr mr mw me ac sd hg \n"));
  CHECK_THAT(entry(1), Catch::Matchers::Contains("AnonHugePages:         0 kB\n"));
  CHECK_THAT(entry(1), Catch::Matchers::Contains("THPeligible:           0\n"));
  CHECK_THAT(entry(1), Catch::Matchers::Contains("VmFlags: rd wr mr mw me ac sd nh \n"));
  CHECK_THAT(entry(2), Catch::Matchers::Contains("THPeligible:           0\n"));
  CHECK_THAT(smaps_rollup_text(lab.e, p1), Catch::Matchers::Contains("AnonHugePages:      2048 kB\n"));
  lab.finish();
}

TEST_CASE("script: thp, hugepage, nohugepage and mode thp=, with their errors", "[thp][script_errors]") {
  using namespace cow::script;
  ParseResult ok = parse("spawn P\nmode thp=always\nP mmap A 2M thp\nP madvise A 0-9 nohugepage\n");
  REQUIRE_FALSE(ok.error);
  CHECK(ok.script.statements[1].setting == ModeSetting::Thp);
  CHECK(ok.script.statements[1].thp == ThpMode::Always);
  CHECK(ok.script.statements[2].hugepage);
  CHECK(ok.script.statements[3].advice == Advice::NoHugePage);

  ParseResult bad = parse("spawn P\nP mmap S 512 shared thp\n");
  REQUIRE(bad.error);
  CHECK(bad.error->pos.line == 2);
  CHECK(bad.error->pos.col == 21);
  CHECK_THAT(bad.error->message, Catch::Matchers::Contains("private anonymous"));

  bad = parse("mode thp=sometimes\n");
  REQUIRE(bad.error);
  CHECK(bad.error->pos.col == 10);
  CHECK_THAT(bad.error->message, Catch::Matchers::Contains("unknown thp mode 'sometimes'"));

  bad = parse("mode thb=never\n");
  REQUIRE(bad.error);
  CHECK_THAT(bad.error->message, Catch::Matchers::Contains("did you mean 'thp'?"));

  bad = parse("spawn P\nP madvise A hugepages\n");
  REQUIRE(bad.error);
  CHECK_THAT(bad.error->message, Catch::Matchers::Contains("did you mean 'hugepage'?"));
}

TEST_CASE("script: ram keeps the thp mode as it keeps the fork mode", "[thp]") {
  script::Session s;
  REQUIRE(s.load("mode thp=never\nram 64M\nspawn P\nP mmap A 2M thp\nP write A\n"
                 "expect P anon_huge_pages=0\nexpect thp_faults=0 faults=512\n"));
  s.run_all();
  CHECK_FALSE(s.stopped());
  CHECK_FALSE(s.expects_failed());
  CHECK(s.engine().modes().thp == ThpMode::Never);
}

TEST_CASE("explain: fault paths and page sentences name the huge-page handlers", "[thp]") {
  Lab lab;
  ProcId p1 = lab.spawn("P1");
  thp_region(lab, p1, "A", 512);
  lab.e.take_events();
  lab.write(p1, "A");
  std::vector<Event> evs = lab.e.take_events();
  auto fault = std::find_if(evs.begin(), evs.end(), [](const Event& ev) { return ev.is_fault(); });
  REQUIRE(fault != evs.end());
  CHECK(fault->pages == 512);
  CHECK(fault->path == HandlerPath{Handler::CreateHugePmd, Handler::DoHugePmdAnonymousPage});
  CHECK_THAT(explain(lab.e, *fault), Catch::Matchers::Contains("allocated a 2 MiB THP, mapped by one PMD"));

  ProcId c1 = lab.fork(p1, "C1");
  std::optional<PageEntry> pe = page_entry(lab.e, c1, lab.name("A"), 3);
  REQUIRE(pe);
  CHECK_THAT(explain_page(lab.e, c1, lab.name("A"), *pe, nullptr),
             Catch::Matchers::Contains("a write splits the PMD into 512 PTEs (__split_huge_pmd)"));

  lab.e.take_events();
  lab.write(c1, "A", pg(3));
  evs = lab.e.take_events();
  fault = std::find_if(evs.begin(), evs.end(), [](const Event& ev) { return ev.is_fault(); });
  REQUIRE(fault != evs.end());
  CHECK(path_text(fault->path) ==
        "wp_huge_pmd \xe2\x86\x92 do_huge_pmd_wp_page \xe2\x86\x92 __split_huge_pmd \xe2\x86\x92 handle_pte_fault "
        "\xe2\x86\x92 do_wp_page \xe2\x86\x92 wp_page_copy");
  CHECK(fault->reason == FaultReason::FolioShared);
  lab.finish();
}
