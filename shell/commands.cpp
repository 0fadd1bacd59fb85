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
      {&kRunSpec, run_main},
      {&kCheckSpec, check_main},
      {&kReplSpec, repl_main},
      {&kUrlSpec, url_main},
      {&kRenderSpec, render_main},
      {&kValidateSpec, run_validate},
      {&kExportCSpec, run_export_c},
      {&kQuizSpec, quiz_main},
      {&kCostSpec, cost_main},
      {&kCalibrateSpec, calibrate_main},
  };
  return all;
}

std::string closest_command(const std::string& word) {
  std::vector<std::string> names;
  for (const Command& c : commands()) names.emplace_back(c.spec->name);
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
