// Teaching commands of `cowlab`: quizzes generated from a seed, the cost model that puts
// a price on fork and faults, and the calibration that measures that price on this
// machine.
#pragma once
#include "shell/commands.h"

namespace cow::shell {

// cowlab quiz [--seed N] [--answers] [--reverse]                 (teaching.cpp)
int quiz_main(const Args& args);
// cowlab cost [--model FILE] [--classic] [SCRIPT]                  (teaching.cpp)
int cost_main(const Args& args);
// cowlab calibrate [--mib N] [--runs N]: Linux only                (calibrate.cpp)
int calibrate_main(const Args& args);

}  // namespace cow::shell
