// The scripts of examples/, compiled into cowlab-gui and cowlab.wasm so the Examples menu
// needs no file system or network. web/embed_files.cmake generates the definitions.
#pragma once
#include <cstddef>

namespace cow::web {

struct EmbeddedFile {
  const char* name;            // file name, e.g. "01-basic-cow-fork.cow"
  const unsigned char* data;   // the bytes, unchanged (not NUL-terminated)
  size_t size;
};

// Sorted by name; a {nullptr, nullptr, 0} entry follows the last one.
extern const EmbeddedFile kEmbeddedExamples[];
extern const size_t kEmbeddedExampleCount;

}  // namespace cow::web
