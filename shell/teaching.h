// Teaching commands of `cowlab`: quizzes generated from a seed, the cost model that puts
// a price on fork and faults, and the calibration that measures that price on this
// machine. shell/commands.cpp expands COWLAB_TEACHING_COMMANDS inside its command table.
#pragma once
#include "commands.h"

namespace cow::shell {

// cowlab quiz [--seed N] [--answers] [--reverse]                 (teaching.cpp)
int quiz_main(const Args& args);
// cowlab cost [--model FILE] [--classic] [SCRIPT]                  (teaching.cpp)
int cost_main(const Args& args);
// cowlab calibrate [--mib N] [--runs N]: Linux only                (calibrate.cpp)
int calibrate_main(const Args& args);

}  // namespace cow::shell

#define COWLAB_TEACHING_COMMANDS {"quiz", quiz_main}, {"calibrate", calibrate_main}, {"cost", cost_main},
