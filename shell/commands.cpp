#include "commands.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "engine/script/parser.h"

#if __has_include("validate.h")
#include "validate.h"
#define COWLAB_HAS_VALIDATE 1
#endif
#if __has_include("teaching.h")
#include "teaching.h"
#define COWLAB_HAS_TEACHING 1
#endif

namespace cow::shell {

const std::vector<Command>& commands() {
  static const std::vector<Command> all = {
      {"run", run_main},
      {"check", check_main},
      {"repl", repl_main},
#ifdef COWLAB_HAS_VALIDATE
      {"validate", [](const Args& a) { return run_validate(a); }},
      {"export-c", [](const Args& a) { return run_export_c(a); }},
#endif
#ifdef COWLAB_HAS_TEACHING
      COWLAB_TEACHING_COMMANDS
#endif
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
