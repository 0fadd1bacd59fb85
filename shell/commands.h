// The subcommands of `cowlab`. Each declares its command line (a Spec, see args.h) next to
// its code; main() parses the words after the subcommand's name with it and passes the
// result to the subcommand, which returns the exit status.
#pragma once
#include <string>
#include <vector>

#include "args.h"

namespace cow::shell {

struct Command {
  const Spec* spec;
  int (*run)(const Parsed& args);
};

const std::vector<Command>& commands();
std::string closest_command(const std::string& word);

extern const Spec kRunSpec, kCheckSpec, kReplSpec, kUrlSpec, kRenderSpec;
int run_main(const Parsed& args);    // run.cpp
int check_main(const Parsed& args);  // run.cpp
int repl_main(const Parsed& args);   // repl.cpp
int url_main(const Parsed& args);    // url.cpp
int render_main(const Parsed& args); // render.cpp

// Reads a whole file ("-" = stdin). Returns false and prints a message on failure.
bool read_source(const std::string& path, std::string* text);

}  // namespace cow::shell
