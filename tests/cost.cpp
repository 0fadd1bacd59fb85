// The cost model (engine/teach/cost.h): scripts run in the engine and priced step by step
// cost what the real kernel was measured to pay (docs/kernel-rules.md, "What it costs on
// the real kernel"), within the model's tolerance; its text form round-trips; the figures
// print in fixed formats.
#include <catch2/catch.hpp>

#include <string>

#include "engine/teach/cost.h"
#include "engine/script/session.h"

using namespace cow;

namespace {

// Measured on a real Linux 6.18 kernel, x86-64 (medians of repeated runs on one machine),
// with 4 KiB pages unless named THP (transparent huge pages). 120 MiB is 30720 pages.
namespace measured {
constexpr double kPages120M = 30720;
constexpr double fork_empty_us = 52;             // fork of an empty process
constexpr double fork_120m_us = 2982;            // fork of a process with 120 MiB written
constexpr double fork_1g_us = 19101;             // ... with 1 GiB written
constexpr double naive_copy_120m_us = 55035;     // copy 120 MiB into fresh memory
constexpr double memcpy_120m_us = 10948;         // ... into memory already faulted in
constexpr double child_writes_120m_us = 67865;   // the child writes all 120 MiB after fork
constexpr double fork_120m_extra_kib = 344;      // extra memory right after that fork,
constexpr double fork_120m_page_tables_kib = 284;  // of which page tables
constexpr double thp_fork_empty_us = 41;
constexpr double thp_fork_120m_us = 107;
constexpr double thp_fork_1g_us = 564;
constexpr double thp_naive_copy_120m_us = 9627;
// `cowlab calibrate` on the project's 2-core VM (medians of 201 runs): pthread_create of a
// thread that returns at once, and vfork until the parent resumes (the child _exits).
constexpr double thread_create_us = 21;
constexpr double vfork_us = 24;
}  // namespace measured

// The model is fitted at 120 MiB: it reproduces those figures to within 1 %. It is linear,
// while the kernel's cost per PTE falls with size, so at 1 GiB it overstates (cost.h).
constexpr double kFit = 0.01;

// Runs `text` (its forks as `forks` says) and returns the cost of its last statement.
StepCost last_step(const std::string& text, script::ForkPolicy forks = script::ForkPolicy::AsScripted,
                   const CostModel& m = CostModel{}) {
  script::Session s({}, forks);
  REQUIRE(s.load(text));
  s.run_to(s.step_count() - 1);
  Engine before = s.engine();
  s.step();
  REQUIRE_FALSE(s.stopped());
  return step_cost(m, before, s.engine(), s.history().back().events);
}

const std::string kWritten120M = "spawn P1\nP1 mmap heap 120M\nP1 write heap\n";

}  // namespace

TEST_CASE("forks priced in the engine cost what Linux 6.18 measured", "[cost]") {
  CHECK(last_step("spawn P1\nP1 fork C1\n").time_us == Approx(measured::fork_empty_us).epsilon(kFit));
  StepCost fork = last_step(kWritten120M + "P1 fork C1\n");
  CHECK(fork.ptes_copied == 30720);
  CHECK(fork.time_us == Approx(measured::fork_120m_us).epsilon(kFit));
  CHECK(double(fork.memory_bytes) / 1024 == Approx(measured::fork_120m_extra_kib).epsilon(kFit));
  // The naive copy is the eager-copy fork: the empty fork plus a copy of every page.
  StepCost copy = last_step(kWritten120M + "P1 fork C1\n", script::ForkPolicy::EagerCopy);
  CHECK(copy.frames_copied == 30720);
  CHECK(copy.time_us == Approx(measured::fork_empty_us + measured::naive_copy_120m_us).epsilon(kFit));
  CHECK(double(copy.memory_bytes) / 1024 ==
        Approx(measured::fork_120m_extra_kib + 120 * 1024).epsilon(kFit));
}

TEST_CASE("the child's page tables fit in what Linux 6.18 measured", "[cost]") {
  // The model charges the engine's own page-table pages (8 bytes a PTE, whole 4 KiB
  // tables) and puts the rest of the measured 344 KiB on the process; the kernel's 284 KiB
  // of page tables also map the test program's own code, stack and libraries.
  script::Session s;
  REQUIRE(s.load(kWritten120M + "P1 fork C1\n"));
  s.run_all();
  double child_kib = double(s.engine().vm_pte(s.engine().processes()[1].mm)) * 4;
  CHECK(child_kib == 248);  // 60 PTE tables, a PMD and a PUD table
  CHECK(child_kib <= measured::fork_120m_page_tables_kib);
}

TEST_CASE("faults priced in the engine cost what Linux 6.18 measured", "[cost]") {
  // Every COW fault of the child copies one page.
  StepCost cow = last_step(kWritten120M + "P1 fork C1\nC1 write heap\n");
  CHECK(cow.cow_copies == 30720);
  CHECK(cow.time_us == Approx(measured::child_writes_120m_us).epsilon(kFit));
  CHECK(cow.memory_bytes == 120 * 1024 * 1024);
  // A first write to fresh memory zero-fills: the naive copy without its memcpy.
  StepCost zero = last_step("spawn P1\nP1 mmap heap 120M\nP1 write heap\n");
  CHECK(zero.zero_fills == 30720);
  CHECK(zero.time_us == Approx(measured::naive_copy_120m_us - measured::memcpy_120m_us).epsilon(kFit));
  // Once the child has exited, the parent's faults reuse its pages: a COW fault without
  // its copy.
  StepCost reuse = last_step(kWritten120M + "P1 fork C1\nC1 exit\nP1 write heap\n");
  CHECK(reuse.reuses == 30720);
  CHECK(reuse.time_us == Approx(measured::child_writes_120m_us - measured::naive_copy_120m_us).epsilon(kFit));
  CHECK(reuse.memory_bytes == 0);
}

TEST_CASE("the classic table reproduces Linux 6.18's measurements", "[cost]") {
  CostModel m;
  ClassicRow k4 = classic_4k(m, 120), thp = classic_thp(m, 120);
  CHECK(k4.cow_us == Approx(measured::fork_120m_us).epsilon(kFit));
  CHECK(k4.copy_us == Approx(measured::fork_empty_us + measured::naive_copy_120m_us).epsilon(kFit));
  CHECK(k4.cow_kib == Approx(measured::fork_120m_extra_kib).epsilon(kFit));
  CHECK(classic_4k(m, 0).cow_us == Approx(measured::fork_empty_us).epsilon(kFit));
  CHECK(thp.cow_us == Approx(measured::thp_fork_120m_us).epsilon(kFit));
  CHECK(thp.copy_us == Approx(measured::thp_fork_empty_us + measured::thp_naive_copy_120m_us).epsilon(kFit));
  CHECK(classic_thp(m, 0).cow_us == Approx(measured::thp_fork_empty_us).epsilon(kFit));
  CHECK(thp.cow_kib == Approx(measured::fork_120m_extra_kib).epsilon(kFit));  // THP measured the same
  // At 1 GiB the linear model overstates: by less than 40 % (4 KiB pages: 95 ns per PTE
  // fitted, 73 ns measured) and 10 % (THP).
  CHECK(classic_4k(m, 1024).cow_us > measured::fork_1g_us);
  CHECK(classic_4k(m, 1024).cow_us < measured::fork_1g_us * 1.4);
  CHECK(classic_thp(m, 1024).cow_us > measured::thp_fork_1g_us);
  CHECK(classic_thp(m, 1024).cow_us < measured::thp_fork_1g_us * 1.1);
}

TEST_CASE("a fork's page tables: whole tables, and 96 KiB per process", "[cost]") {
  // 1024 PTEs fill 2 PTE tables, under 1 PMD and 1 PUD table: 16 KiB.
  StepCost c = last_step("spawn P1\nP1 mmap heap 1024\nP1 write heap\nP1 fork C1\n");
  CHECK(c.tasks == 1);
  CHECK(c.ptes_copied == 1024);
  CHECK(c.frames_copied == 0);
  CHECK(c.memory_bytes == (16 + 96) * 1024);
  StepCost e = last_step("mode fork=copy\nspawn P1\nP1 mmap heap 1024\nP1 write heap\nP1 fork C1\n");
  CHECK(e.frames_copied == 1024);
  CHECK(e.memory_bytes == (1024 * 4 + 16 + 96) * 1024);
  // Reads map the zero page (no frame), but need the first PTE table and those above it.
  StepCost read = last_step("spawn P1\nP1 mmap heap 64\nP1 read heap 0-9\n");
  CHECK(read.minor_faults == 10);
  CHECK(read.memory_bytes == 4096 * 3);
  StepCost exit = last_step("spawn P1\nP1 mmap heap 64\nP1 write heap\nP1 fork C1\nC1 write heap 0-9\nC1 exit\n");
  CHECK(exit.time_us == 0);
  CHECK(exit.memory_bytes == -int64_t((10 + 3) * 4096 + 96 * 1024));
}

TEST_CASE("a thread and a vfork are priced by their own constants, not as an empty fork", "[cost]") {
  // Constants far apart, so that any fork or PTE term would show: a fork of this process
  // would cost 1000 + 30720 PTEs * 0.5 us = 16360 us.
  CostModel m;
  m.fork_base_us = 1000;
  m.pte_copy_ns = 500;
  m.thread_us = 12.5;
  m.vfork_us = 7.25;
  StepCost thread = last_step(kWritten120M + "P1 thread T1\n", script::ForkPolicy::AsScripted, m);
  CHECK(thread.tasks == 1);
  CHECK(thread.ptes_copied == 0);
  CHECK(thread.time_us == 12.5);
  StepCost vfork = last_step(kWritten120M + "P1 vfork V1\n", script::ForkPolicy::AsScripted, m);
  CHECK(vfork.ptes_copied == 0);
  CHECK(vfork.time_us == 7.25);
  StepCost fork = last_step(kWritten120M + "P1 fork C1\n", script::ForkPolicy::AsScripted, m);
  CHECK(fork.time_us == Approx(16360));
  // Two threads in a row, one statement each: the second costs what the first did.
  CHECK(last_step(kWritten120M + "P1 thread T1\nP1 thread T2\n", script::ForkPolicy::AsScripted, m).time_us == 12.5);
  // The default constants: what calibrate measured.
  CHECK(last_step(kWritten120M + "P1 thread T1\n").time_us == Approx(measured::thread_create_us).epsilon(kFit));
  CHECK(last_step(kWritten120M + "P1 vfork V1\n").time_us == Approx(measured::vfork_us).epsilon(kFit));
}

TEST_CASE("a constants file without thread_us and vfork_us still loads", "[cost]") {
  // What `cowlab calibrate` printed before it measured threads and vforks.
  const char* old_file =
      "# cowlab cost model: name = value (read by `cowlab cost --model FILE`)\n"
      "fork_base_us      = 61.5       # fork of an empty process (us)\n"
      "pte_copy_ns       = 88         # fork: per PTE copied (ns)\n"
      "copy_page_us      = 1.9        # naive copy into fresh memory, per 4 KiB page (us)\n"
      "memcpy_page_us    = 0.4        # memcpy into memory already faulted, per page (us)\n"
      "cow_fault_us      = 2.5        # one COW fault, copy included (us)\n"
      "pte_bytes         = 8          # bytes per PTE\n"
      "process_base_kib  = 96         # a new process beyond its region page tables (KiB)\n"
      "thp_fork_base_us  = 41         # huge pages: fork of an empty process (us)\n"
      "thp_pmd_copy_us   = 1.1        # huge pages: fork, per 2 MiB PMD copied (us)\n"
      "thp_copy_page_us  = 0.3134     # huge pages: naive copy, per 4 KiB (us)\n";
  CostModel m;
  std::string error;
  REQUIRE(parse_cost_model(old_file, &m, &error));
  CHECK(m.fork_base_us == 61.5);
  CHECK(m.thread_us == measured::thread_create_us);  // the default, not 0 and not the fork base
  CHECK(m.vfork_us == measured::vfork_us);
  CHECK(last_step(kWritten120M + "P1 thread T1\n", script::ForkPolicy::AsScripted, m).time_us ==
        measured::thread_create_us);
}

TEST_CASE("the model's text form round-trips and reports errors with their line", "[cost]") {
  CostModel m;
  m.fork_base_us = 41.5;
  m.pte_copy_ns = 73.25;
  m.thread_us = 9.5;
  m.vfork_us = 11.75;
  CostModel back;
  std::string error;
  REQUIRE(parse_cost_model(format_cost_model(m), &back, &error));
  CHECK(back.fork_base_us == Approx(41.5));
  CHECK(back.pte_copy_ns == Approx(73.25));
  CHECK(back.cow_fault_us == Approx(m.cow_fault_us));
  CHECK(back.thread_us == Approx(9.5));
  CHECK(back.vfork_us == Approx(11.75));

  CHECK_FALSE(parse_cost_model("# comment\nfork_base_us = 1\nfork_bse_us = 2\n", &back, &error));
  CHECK(error == "line 3: unknown constant 'fork_bse_us'");
  CHECK_FALSE(parse_cost_model("# comment\rfork_base_us = 1\rfork_bse_us = 2\r", &back, &error));
  CHECK(error == "line 3: unknown constant 'fork_bse_us'");  // CR line ends count alike
  CHECK_FALSE(parse_cost_model("cow_fault_us = fast\n", &back, &error));
  CHECK(error == "line 1: 'fast' is not a number >= 0");
  CHECK_FALSE(parse_cost_model("cow_fault_us 2\n", &back, &error));
  CHECK(error == "line 1: expected 'name = value'");
}

TEST_CASE("figures print in fixed formats", "[cost]") {
  CHECK(format_time_us(2982.4) == "2.98 ms");
  CHECK(format_time_us(107) == "107.0 \u00b5s");
  CHECK(format_time_us(1.5e6) == "1.500 s");
  CHECK(format_bytes(344 * 1024, false) == "344 KiB");
  CHECK(format_bytes(-4096, true) == "-4 KiB");
  CHECK(format_bytes(120.3 * 1048576, true) == "+120.3 MiB");
  CHECK(format_bytes(0, true) == "0");
}

// Round constants, so that each THP price can be worked out by hand below.
CostModel hand_model() {
  CostModel m;
  m.fork_base_us = 10;
  m.pte_copy_ns = 1000;   // 1 us per PTE: a split (512 PTEs written) costs 512 us
  m.copy_page_us = 3;
  m.memcpy_page_us = 1;   // so a zero-filled page costs 2 us
  m.cow_fault_us = 5;     // so a fault that copies nothing costs 2 us
  m.thp_pmd_copy_us = 3;
  return m;
}

TEST_CASE("a THP fork is priced per huge PMD, not per PTE", "[cost]") {
  CostModel m = hand_model();
  const std::string five_extents = "spawn P1\nP1 mmap heap 10M thp\nP1 write heap\n";
  StepCost fork = last_step(five_extents + "P1 fork C1\n", script::ForkPolicy::AsScripted, m);
  CHECK(fork.pmds_copied == 5);
  CHECK(fork.ptes_copied == 0);
  CHECK(fork.time_us == Approx(25));  // the empty fork (10) and five PMDs at 3 us
  m.thp_pmd_copy_us = 7;
  CHECK(last_step(five_extents + "P1 fork C1\n", script::ForkPolicy::AsScripted, m).time_us == Approx(45));
}

TEST_CASE("a THP fault zeroes 512 pages; a split writes 512 PTEs before the 4 KiB copy", "[cost]") {
  const CostModel m = hand_model();
  const std::string one_thp = "spawn P1\nP1 mmap buf 2M thp\n";
  StepCost fault = last_step(one_thp + "P1 write buf\n", script::ForkPolicy::AsScripted, m);
  CHECK(fault.thp_faults == 1);
  CHECK(fault.zero_fills == 0);
  CHECK(fault.minor_faults == 0);
  CHECK(fault.time_us == Approx(2 + 512 * 2));  // one fault, 512 pages zeroed
  StepCost split = last_step(one_thp + "P1 write buf\nP1 fork C1\nC1 write buf 0\n", script::ForkPolicy::AsScripted, m);
  CHECK(split.thp_splits == 1);
  CHECK(split.cow_copies == 1);
  CHECK(split.time_us == Approx(512 + 5));  // 512 PTEs at 1 us, then one COW fault
}

TEST_CASE("the classic table's engine THP column is the THP script priced by the model", "[cost]") {
  CostModel m = hand_model();
  std::optional<PricedStep> fork = engine_classic_fork(m, 120, HeapPages::Huge, script::ForkPolicy::AsScripted);
  REQUIRE(fork);
  CHECK(fork->cost.pmds_copied == 60);
  CHECK(fork->cost.time_us == Approx(10 + 60 * 3));
  m.thp_pmd_copy_us = 0.5;
  fork = engine_classic_fork(m, 120, HeapPages::Huge, script::ForkPolicy::AsScripted);
  REQUIRE(fork);
  CHECK(fork->cost.time_us == Approx(10 + 60 * 0.5));
  // The 4 KiB run of the same script copies PTEs and no PMD.
  std::optional<PricedStep> small = engine_classic_fork(m, 120, HeapPages::Small, script::ForkPolicy::AsScripted);
  REQUIRE(small);
  CHECK(small->cost.pmds_copied == 0);
  CHECK(small->cost.time_us == Approx(10 + measured::kPages120M * 1));
}

TEST_CASE("an eager-copy fork pays the naive copy with THPs for pages of THPs", "[cost]") {
  // Measured on Linux 6.18 (docs/kernel-rules.md): copying 120 MiB into fresh THP-backed
  // memory takes 9.6 ms, into 4 KiB pages 55 ms; an eager fork of THP memory is the former.
  CostModel m = hand_model();
  m.thp_copy_page_us = 0.25;
  StepCost huge = last_step("spawn P1\nP1 mmap heap 4M thp\nP1 mmap small 8\nP1 write heap\nP1 write small\n"
                            "P1 fork C1\n", script::ForkPolicy::EagerCopy, m);
  CHECK(huge.frames_copied == 1024 + 8);
  CHECK(huge.thp_frames_copied == 1024);
  CHECK(huge.time_us == Approx(10 + 1024 * 0.25 + 8 * 3));
  // The same memory in 4 KiB pages: every page at copy_page_us.
  StepCost small = last_step("spawn P1\nP1 mmap heap 4M\nP1 write heap\nP1 fork C1\n", script::ForkPolicy::EagerCopy, m);
  CHECK(small.thp_frames_copied == 0);
  CHECK(small.time_us == Approx(10 + 1024 * 3));
}

TEST_CASE("a constants file without the huge-page constants still loads", "[cost]") {
  CostModel m;
  std::string error;
  REQUIRE(parse_cost_model("fork_base_us = 60\npte_copy_ns = 90\n", &m, &error));
  CHECK(m.fork_base_us == 60);
  CHECK(m.thp_pmd_copy_us == Approx((measured::thp_fork_120m_us - measured::thp_fork_empty_us) / 60));
}
