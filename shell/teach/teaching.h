// Teaching commands of `cowlab`: quizzes generated from a seed, the cost model that puts
// a price on fork and faults, and the calibration that measures that price on this
// machine.
#pragma once
#include "shell/commands.h"

namespace cow::shell {

// cowlab quiz [--seed N] [--answers] [--reverse]                 (teaching.cpp)
extern const Spec kQuizSpec;
int quiz_main(const Parsed& args);
// cowlab cost [--model FILE] [--classic] [--constants] [SCRIPT]    (teaching.cpp)
extern const Spec kCostSpec;
int cost_main(const Parsed& args);
// cowlab calibrate [--mib N] [--runs N]: Linux only                (calibrate.cpp)
extern const Spec kCalibrateSpec;
int calibrate_main(const Parsed& args);

}  // namespace cow::shell
