// Axis ticks at whole, "nice" numbers: a step of 1, 2 or 5 times a power of ten, from 0
// up to the first multiple of the step at or above the largest value. Pure, so that the
// GUI tests can check it without drawing (tests/gui/ticks.cpp).
#pragma once
#include <cstdint>
#include <vector>

namespace cow::web {

// The tick values 0, step, 2 step, ..., top for values up to `max`, with at most
// `intervals` steps between 0 and top (intervals >= 1). max <= 1 gives {0, 1}.
std::vector<uint64_t> nice_ticks(double max, int intervals);

}  // namespace cow::web
