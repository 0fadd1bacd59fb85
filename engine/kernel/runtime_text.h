// The fixed part of every program `cowlab export-c` writes: the text of runtime.c, with
// protocol.h's text where runtime.c includes it. engine/kernel/CMakeLists.txt generates the
// definition at build time, so both stay real C files: a C compiler checks them in the
// export_c ctest tests, and `cowlab validate` (shell/kernel) includes protocol.h itself.
#pragma once

namespace cow::kernel {

extern const char* const kRuntimeText;

}  // namespace cow::kernel
