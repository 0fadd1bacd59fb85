#include "commands.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "engine/script/parser.h"

#include "shell/kernel/validate.h"
#include "shell/teach/teaching.h"

namespace cow::shell {

const std::vector<Command>& commands() {
  static const std::vector<Command> all = {
      {"run", run_main},
      {"check", check_main},
      {"repl", repl_main},
      {"validate", [](const Args& a) { return run_validate(a); }},
      {"export-c", [](const Args& a) { return run_export_c(a); }},
      {"quiz", quiz_main},
      {"cost", cost_main},
      {"calibrate", calibrate_main},
  };
  return all;
}

std::string closest_command(const std::string& word) {
  std::vector<std::string> names;
  for (const Command& c : commands()) names.push_back(c.name);
  return script::suggest(word, names);
}

bool read_source(const std::string& path, std::string* text) {
  std::ostringstream buf;
  if (path == "-") {
    buf << std::cin.rdbuf();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "cowlab: cannot open '%s'\n", path.c_str());
      return false;
    }
    buf << in.rdbuf();
  }
  *text = buf.str();
  return true;
}

}  // namespace cow::shell
