// Timing real fork() calls on this machine, for `cowlab calibrate` and cowlab-bench: a
// region of private anonymous memory, one timed fork whose child may write every page of
// it (each write a copy-on-write fault), thread creation and vfork for comparison, and
// the median of repeated runs. The fork part is
// Linux only (not WebAssembly); median() is everywhere. A small library of its own
// (cowlab_fork_timing), so that the engine stays free of real system calls.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace cow::kernel {

// The median of `v` (the mean of the two middle values when there are an even number); 0
// when empty.
double median(std::vector<double> v);

#if defined(__linux__) && !defined(__EMSCRIPTEN__)

// Milliseconds on the monotonic clock.
double monotonic_ms();

enum class PageSize : uint8_t {
  Base,  // 4 KiB pages (MADV_NOHUGEPAGE), as the engine models
  Huge,  // transparent huge pages where the kernel gives them (MADV_HUGEPAGE)
};

// A private anonymous mapping of `bytes`, 2 MiB aligned, unwritten until write_every_page().
// base is null when mmap failed. Unmapped on destruction.
class Region {
 public:
  Region(size_t bytes, PageSize size);
  ~Region();
  Region(const Region&) = delete;
  Region& operator=(const Region&) = delete;

  // Writes one byte in every page, so that every page is present and private to us.
  void write_every_page();

  char* base = nullptr;
  size_t bytes = 0;

 private:
  void* raw_ = nullptr;
  size_t raw_bytes_ = 0;
};

enum class ChildWork : uint8_t {
  ExitAtOnce,      // the child only reports its VmPTE
  WriteEveryPage,  // then writes one byte in every page of the region, timed
};

// Times in the unit of the clock fork_once() was given.
struct ForkSample {
  bool ok = false;              // fork and the child's report succeeded
  double fork_time = 0;         // the parent's fork() call (0 when fork failed)
  double child_write_time = 0;  // ChildWork::WriteEveryPage: the child's writes
  long child_vmpte_kb = -1;     // VmPTE of the child right after fork (its page tables)
};

// Forks once with `region` (or none) mapped; the child does `work`, reports through a pipe
// and exits; the parent reaps it. Both sides read the clock `now`.
ForkSample fork_once(Region* region, ChildWork work, double (*now)() = monotonic_ms);

// The parent's pthread_create() of a thread that returns at once (default attributes: an
// 8 MiB stack, which the C library caches once a joined thread gave it back), timed on
// `now`; the thread is joined after the clock stops. -1 when creation failed.
double thread_create_once(double (*now)() = monotonic_ms);

// The parent's vfork() call until it resumes: the child shares the parent's memory and
// calls _exit() at once, so this is vfork plus the child's exit. Reaped after the clock
// stops. -1 when vfork failed.
double vfork_once(double (*now)() = monotonic_ms);

// One number of a /proc file line "Name:   123 kB" (`name` with its colon), or -1.
long proc_kb(const char* path, const char* name);

#endif

}  // namespace cow::kernel
