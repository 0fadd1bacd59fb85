// `cowlab export-c FILE`: placeholder.
#include <cstdio>

#include "validate.h"

int run_export_c(const std::vector<std::string>&) {
  std::fprintf(stderr, "cowlab: export-c is not ready yet\n");
  return 3;
}
