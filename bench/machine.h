// A simulated machine for the benchmarks: one engine and a process "P" whose private
// anonymous region "heap" has every page written (each page its own frame).
#pragma once
#include <cstdint>
#include <string>

#include "engine/mm/engine.h"

namespace bench {

struct Machine {
  cow::Engine e;
  cow::ProcId p = cow::kNone;
  cow::NameId heap = cow::kNone;
};

// RAM is `ram_pages` frames (at least `pages`).
inline Machine written_process(uint64_t pages, uint64_t ram_pages) {
  Machine m{cow::Engine(cow::Config{.frames = uint32_t(ram_pages < pages ? pages : ram_pages)})};
  m.p = m.e.spawn("P").created;
  m.heap = m.e.intern("heap");
  m.e.mmap(m.p, m.heap, cow::MmapSpec{.pages = uint32_t(pages)});
  m.e.access(m.p, m.heap, {}, cow::Access::Write);
  m.e.take_events();
  return m;
}

// "1GiB" from a page count, for benchmark names.
inline std::string size_tag(uint64_t pages) {
  uint64_t kib = pages * 4;
  if (kib % (1024 * 1024) == 0) return std::to_string(kib / 1024 / 1024) + "GiB";
  if (kib % 1024 == 0) return std::to_string(kib / 1024) + "MiB";
  return std::to_string(kib) + "KiB";
}

}  // namespace bench
