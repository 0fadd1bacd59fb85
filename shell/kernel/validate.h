// The bridge to the real kernel (docs/fidelity.md): `cowlab validate` runs a script's processes
// for real on Linux and compares /proc's numbers with the engine's; `cowlab export-c`
// writes the same experiment as a standalone C99 program for students.
//
// validate exit status: 0 the kernel agrees, 1 it differs, 2 script error, 3 this platform
// (or this script: `mode fork=copy`, the OOM killer) cannot be validated.
#pragma once
#include "shell/args.h"

// `cowlab validate [--json] [--smaps-lines] FILE`.
extern const cow::shell::Spec kValidateSpec;
int run_validate(const cow::shell::Parsed& args);

// `cowlab export-c FILE`. The program goes to stdout.
extern const cow::shell::Spec kExportCSpec;
int run_export_c(const cow::shell::Parsed& args);
