// The timeline's axis ticks (web/panels/ticks.h): whole numbers at steps of 1, 2 or 5
// times a power of ten, covering the largest value.
#include <catch2/catch.hpp>

#include "web/panels/ticks.h"

using cow::web::nice_ticks;
using Ticks = std::vector<uint64_t>;

TEST_CASE("an empty script's axis is 0 and 1, not repeated rounded fractions", "[gui][ticks]") {
  // The old axis divided 1.05 into quarters and printed 0, 0, 1, 1, 1.
  CHECK(nice_ticks(0, 4) == Ticks{0, 1});
  CHECK(nice_ticks(1, 4) == Ticks{0, 1});
  CHECK(nice_ticks(0.5, 4) == Ticks{0, 1});
}

TEST_CASE("ticks are whole multiples of 1, 2 or 5 times a power of ten", "[gui][ticks]") {
  CHECK(nice_ticks(9, 4) == Ticks{0, 5, 10});  // not 0, 2, 5, 7, 9
  CHECK(nice_ticks(4, 4) == Ticks{0, 1, 2, 3, 4});
  CHECK(nice_ticks(7, 4) == Ticks{0, 2, 4, 6, 8});
  CHECK(nice_ticks(76, 4) == Ticks{0, 20, 40, 60, 80});
  CHECK(nice_ticks(100, 4) == Ticks{0, 50, 100});
  CHECK(nice_ticks(32768, 4) == Ticks{0, 10000, 20000, 30000, 40000});
  CHECK(nice_ticks(2.5, 4) == Ticks{0, 1, 2, 3});
}

TEST_CASE("the ticks cover the largest value within the number of intervals", "[gui][ticks]") {
  for (double max : {3.0, 11.0, 64.0, 999.0, 1234567.0}) {
    for (int n : {1, 3, 4, 6}) {
      Ticks t = nice_ticks(max, n);
      INFO("max " << max << ", " << n << " intervals");
      CHECK(t.front() == 0);
      CHECK(double(t.back()) >= max);
      CHECK(t.size() - 1 <= size_t(n));
    }
  }
}
