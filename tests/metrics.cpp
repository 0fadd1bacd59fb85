// The metric table (engine/script/metrics.h): each metric reads the number its name
// says, prints in its format, compares as `expect` does, and a name that is no metric of
// its scope is an error, at run time and at compile time.
#include <catch2/catch.hpp>

#include <string>

#include "engine/script/metrics.h"
#include "engine/script/session.h"

using namespace cow;
using namespace cow::script;

namespace {

constexpr MetricScope kP = MetricScope::Process, kR = MetricScope::Region, kS = MetricScope::System;

// P1 writes 8 pages and forks C1; C1 writes pages 0-1 (2 COW copies). Then pages 2-7 are
// shared by both (mapcount 2, dirty), pages 0-1 are private to each: Rss 8, Pss 6/2 + 2 = 5,
// Uss 2 each; 10 frames in use.
Session forked() {
  Session s;
  REQUIRE(s.load("spawn P1\nP1 mmap heap 8\nP1 write heap\nP1 fork C1\nC1 write heap 0-1\n"));
  s.run_all();
  REQUIRE_FALSE(s.stopped());
  return s;
}

double of_process(const Session& s, const char* process, const char* name) {
  const Metric* m = find_metric(name, kP);
  REQUIRE(m);
  return metric_value(*m, s.engine().usage(s.engine().find_process(process)));
}

double of_system(const Session& s, const char* name) {
  const Metric* m = find_metric(name, kS);
  REQUIRE(m);
  return metric_value(*m, s.engine().system(), s.engine().counters());
}

}  // namespace

TEST_CASE("metrics read the numbers their names say", "[metrics]") {
  Session s = forked();
  for (const char* p : {"P1", "C1"}) {
    INFO(p);
    CHECK(of_process(s, p, "rss") == 8);
    CHECK(of_process(s, p, "pss") == Approx(5));
    CHECK(of_process(s, p, "uss") == 2);
    CHECK(of_process(s, p, "shared") == 6);
    CHECK(of_process(s, p, "private") == 2);
    CHECK(of_process(s, p, "shared_dirty") == 6);
    CHECK(of_process(s, p, "private_dirty") == 2);
    CHECK(of_process(s, p, "shared_clean") == 0);
    CHECK(of_process(s, p, "anon") == 8);
    CHECK(of_process(s, p, "file") == 0);
    CHECK(of_process(s, p, "ptes") == 8);
  }
  CHECK(of_system(s, "frames_used") == 10);
  CHECK(of_system(s, "frames_shared") == 6);
  CHECK(of_system(s, "frames_private") == 4);
  CHECK(of_system(s, "anon") == 10);
  CHECK(of_system(s, "frames_total") == 65536);
  CHECK(of_system(s, "cow_copies") == 2);
  CHECK(of_system(s, "zero_fills") == 8);
  CHECK(of_system(s, "ptes_copied") == 8);
  CHECK(of_system(s, "faults") == 10);
  const Metric& pages = metric("pages", kR);
  CHECK(metric_value(pages, s.engine().region_usage(0, s.engine().find_name("heap"))) == 8);
}

TEST_CASE("metric formats: counts whole, Pss with four decimals", "[metrics]") {
  CHECK(format_metric(metric("rss", kP), 64) == "64");
  CHECK(format_metric(metric("cow_copies", kS), 0) == "0");
  CHECK(format_metric(metric("pss", kP), 5) == "5.0000");
  CHECK(format_metric(metric("pss", kR), 8.0 / 3) == "2.6667");
  CHECK(metric("state", kP).format == MetricFormat::State);
}

TEST_CASE("metrics compare as expect does: Pss within 0.01 page, the rest exactly", "[metrics]") {
  const Metric &pss = metric("pss", kP), &rss = metric("rss", kP);
  CHECK(metric_matches(pss, 8.0 / 3, 2.6667));
  CHECK(metric_matches(pss, 8.0 / 3, 2.66));
  CHECK_FALSE(metric_matches(pss, 8.0 / 3, 2.65));
  CHECK(metric_matches(rss, 40, 40));
  CHECK_FALSE(metric_matches(rss, 40, 40.4));
  CHECK_FALSE(metric_matches(rss, 40, 41));
}

TEST_CASE("a name that is no metric of its scope is an error", "[metrics]") {
  CHECK(find_metric("rsss", kP) == nullptr);
  CHECK(find_metric("pages", kP) == nullptr);      // a region's size only
  CHECK(find_metric("vm_pte", kR) == nullptr);     // a process's page tables only
  CHECK(find_metric("frames_used", kP) == nullptr);
  CHECK(find_metric("rss", kS) == nullptr);
  // shmem and anon are metrics of a process and of the machine, read differently.
  REQUIRE(find_metric("shmem", kP));
  REQUIRE(find_metric("shmem", kS));
  CHECK(find_metric("shmem", kP)->source == MetricSource::Usage);
  CHECK(find_metric("shmem", kS)->source == MetricSource::Machine);
  // At compile time (the quiz's and the report's lists): metric("rsss", kP) does not build.
  static_assert(metric_index("rsss", MetricScope::Process) == std::size(kMetrics));
  static_assert(metric_index("pss", MetricScope::Process) < std::size(kMetrics));
  CHECK(&metric("pss", MetricScope::Process) == find_metric("pss", MetricScope::Process));
  // And in a script, before it runs.
  Session s;
  CHECK_FALSE(s.load("spawn P1\nexpect P1 rsss=0\n"));
  CHECK(s.error()->message == "unknown metric 'rsss' (did you mean 'rss'?)");
}

TEST_CASE("the names of each scope, in table order", "[metrics]") {
  CHECK(metric_names(kP).size() == 20);   // 16 numbers, the state, minflt, pid and ppid
  CHECK(metric_names(kR).size() == 16);   // no vm_pte, no state; pages
  CHECK(metric_names(kS).size() == 29);   // 9 frame counts, 2 commit numbers, 18 counters
  CHECK(metric_names(kR).front() == "pages");
  CHECK(metric_names(kS).back() == "mprotect_failures");
}
