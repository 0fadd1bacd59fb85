// cowlab-json-dump: runs each script named on the command line as `cowlab run --json`
// does (Session: load, every statement, state_json) and prints one line per script:
//   <path> TAB <exit-like status: ok|expect|error> TAB <state JSON>
// Built natively and with Emscripten (run under node), so that scripts/test-determinism.sh
// can compare thousands of fuzz-corpus scripts in one process per platform.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "engine/script/session.h"

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    if (!in) {
      std::printf("%s\tunreadable\t\n", argv[i]);
      continue;
    }
    std::stringstream text;
    text << in.rdbuf();
    cow::script::Session s;
    s.load(text.str());
    s.run_all();
    const char* status = s.stopped() ? "error" : s.expects_failed() ? "expect" : "ok";
    std::printf("%s\t%s\t%s\n", argv[i], status, cow::script::state_json(s).c_str());
  }
  return 0;
}
