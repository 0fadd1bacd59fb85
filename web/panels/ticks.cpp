#include "ticks.h"

#include <cmath>

namespace cow::web {

std::vector<uint64_t> nice_ticks(double max, int intervals) {
  if (intervals < 1) intervals = 1;
  uint64_t top = max > 1 ? uint64_t(std::ceil(max)) : 1;
  uint64_t step = 1;
  for (uint64_t scale = 1;; scale *= 10) {
    bool found = false;
    for (uint64_t k : {1, 2, 5}) {
      step = k * scale;
      if ((top + step - 1) / step <= uint64_t(intervals)) {
        found = true;
        break;
      }
    }
    if (found || scale > UINT64_MAX / 100) break;
  }
  std::vector<uint64_t> ticks;
  uint64_t n = (top + step - 1) / step;
  for (uint64_t i = 0; i <= n; ++i) ticks.push_back(i * step);
  return ticks;
}

}  // namespace cow::web
