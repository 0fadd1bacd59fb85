// The subcommands of `cowlab`. Each takes the arguments after its name and returns the
// exit status.
#pragma once
#include <string>
#include <vector>

namespace cow::shell {

using Args = std::vector<std::string>;

struct Command {
  const char* name;
  int (*run)(const Args& args);
};

const std::vector<Command>& commands();
std::string closest_command(const std::string& word);

int run_main(const Args& args);    // run.cpp
int check_main(const Args& args);  // run.cpp
int repl_main(const Args& args);   // repl.cpp

// Reads a whole file ("-" = stdin). Returns false and prints a message on failure.
bool read_source(const std::string& path, std::string* text);

}  // namespace cow::shell
