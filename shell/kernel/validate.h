// The bridge to the real kernel (docs/fidelity.md): `cowlab validate` runs a script's processes
// for real on Linux and compares /proc's numbers with the engine's; `cowlab export-c`
// writes the same experiment as a standalone C99 program for students.
//
// validate exit status: 0 the kernel agrees, 1 it differs, 2 script error, 3 this platform
// (or this script: `mode fork=copy`, the OOM killer) cannot be validated.
#pragma once
#include <string>
#include <vector>

// `cowlab validate [--json] FILE`; args are the words after "validate".
int run_validate(const std::vector<std::string>& args);

// `cowlab export-c FILE`; args are the words after "export-c". The program goes to stdout.
int run_export_c(const std::vector<std::string>& args);
