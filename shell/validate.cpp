// `cowlab validate`: placeholder while the real-kernel bridge is written.
#include "validate.h"

#include <cstdio>

int run_validate(const std::vector<std::string>&) {
  std::fprintf(stderr, "cowlab: validate is not ready yet\n");
  return 3;
}

int run_export_c(const std::vector<std::string>&) {
  std::fprintf(stderr, "cowlab: export-c is not ready yet\n");
  return 3;
}
