// The worker side of `cowlab validate`: the command loop each script task runs inside a
// real Linux task, speaking engine/kernel/protocol.h. A task started by the driver (or
// re-started by exec) is this very program, exec'ed with kWorkerEnv set: it becomes the
// worker before main() runs. Linux only.
#pragma once
#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#include <cstdint>

namespace cow::kernel {

// Environment variable that turns an exec'ed cowlab into worker `task:fd_base`.
constexpr const char* kWorkerEnv = "COWLAB_VALIDATE_WORKER";

// Runs task `task` of a validate run: sends REPLY_READY, then serves commands until exit.
[[noreturn]] void worker_main(uint32_t task, int fd_base);

}  // namespace cow::kernel
#endif  // __linux__
