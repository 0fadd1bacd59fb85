// Engine memory per present PTE: the bytes every engine structure holds (vector
// capacities, not sizes), divided by the present PTEs of all live address spaces.
// Natively also the heap growth glibc reports (mallinfo2) while the state is built.
#include <set>

#include "bench.h"
#include "machine.h"

#if defined(__GLIBC__) && !defined(__EMSCRIPTEN__)
#include <malloc.h>
#define COWLAB_HAVE_MALLINFO2 1
#endif

namespace bench {
namespace {

template <typename T>
size_t bytes(const std::vector<T>& v) { return v.capacity() * sizeof(T); }

// A PTE array's blocks, each counted once however many page tables share it.
size_t pte_bytes(const cow::PteArray& a, std::set<const cow::Pte*>& seen) {
  size_t b = a.block_count() * sizeof(cow::PteArray::Block);
  for (uint32_t t = 0; t < a.block_count(); ++t)
    if (a.block(t) && seen.insert(a.block(t)).second) b += a.block_size(t) * sizeof(cow::Pte);
  return b;
}

size_t engine_bytes(const cow::Engine& e) {
  std::set<const cow::Pte*> seen;
  size_t b = sizeof(cow::Engine) + e.frames().memory_bytes();
  b += bytes(e.address_spaces()) + bytes(e.processes()) + bytes(e.files()) + bytes(e.shmem_objects());
  for (const cow::AddressSpace& as : e.address_spaces()) {
    b += bytes(as.mappings) + bytes(as.vmas);
    for (const cow::Mapping& m : as.mappings) b += pte_bytes(m.pt.ptes, seen) + bytes(m.pt.tables);
  }
  for (const cow::File& f : e.files()) b += bytes(f.pages);
  for (const cow::ShmemObject& s : e.shmem_objects()) b += bytes(s.pages);
  return b;
}

uint64_t present_ptes(const cow::Engine& e) {
  uint64_t n = 0;
  for (const cow::AddressSpace& as : e.address_spaces()) n += as.alive ? as.present : 0;
  return n;
}

size_t heap_in_use() {
#ifdef COWLAB_HAVE_MALLINFO2
  return mallinfo2().uordblks + mallinfo2().hblkhd;
#else
  return 0;
#endif
}

Result measure(const std::string& name, const std::string& what, uint64_t pages, bool fork, bool target) {
  size_t heap0 = heap_in_use();
  Machine m = written_process(pages, pages);
  if (fork) m.e.fork(m.p, "C");
  size_t heap1 = heap_in_use();
  uint64_t ptes = present_ptes(m.e);
  double per = double(engine_bytes(m.e)) / double(ptes);
  Result r{.name = name};
  r.text("state", what);
  r.num("present_ptes", double(ptes));
  r.num("engine_bytes", double(engine_bytes(m.e)));
  r.num("bytes_per_pte", per);
  if (heap1 > heap0) r.num("malloc_bytes_per_pte", double(heap1 - heap0) / double(ptes));
  r.measured = fmt(per, 2) + " B/PTE";
  r.reference = what;
  if (target) {
    r.target = "<= 16 B/PTE";
    r.met = per <= 16.0;
  }
  return r;
}

}  // namespace

void engine_memory(const Options& o, std::vector<Result>& out) {
  const uint64_t pages = o.quick ? 4096 : 262144;
  out.push_back(measure("memory_private", "1 process, " + fmt_size(pages) + " written", pages, false, true));
  out.push_back(measure("memory_forked", "after fork: 2 PTEs per frame", pages, true, true));
}

}  // namespace bench
