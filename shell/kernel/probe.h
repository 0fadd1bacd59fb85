// Reading what the kernel did, for the script's regions only (libc, stacks and the rest
// of a real process are left out): /proc/TID/smaps for Rss, Pss and Shared/Private
// Clean/Dirty, and where permitted (root) /proc/TID/pagemap with /proc/kpagecount for
// exact mapcounts, present and zero-page PTEs, and the distinct frames. Linux only.
#pragma once
#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#include <sys/types.h>

#include <cstdint>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace cow::kernel {

// One VMA of /proc/TID/smaps; sizes in kB as printed.
struct SmapsVma {
  uint64_t start = 0, end = 0;
  uint64_t rss = 0, pss = 0, shared_clean = 0, shared_dirty = 0, private_clean = 0, private_dirty = 0;
  uint64_t anon = 0, anon_huge = 0;  // kB (AnonHugePages)
};

// One region as the kernel sees it, in pages (pss_kb as smaps prints it).
struct KernelUsage {
  uint64_t pages = 0, rss = 0;
  double pss = 0;          // exact (sum of 1/mapcount) when `exact`, else pss_kb / 4
  uint64_t pss_kb = 0;     // smaps, truncated to whole kB
  uint64_t shared_clean = 0, shared_dirty = 0, private_clean = 0, private_dirty = 0, anon = 0;
  uint64_t ptes = 0, zero_ptes = 0;
  uint64_t anon_huge = 0;  // smaps AnonHugePages, in pages
  bool exact = false;      // pagemap + kpagecount were read
  std::string problem;     // set when the region cannot be measured as asked
};

class Probe {
 public:
  Probe() = default;
  Probe(const Probe&) = delete;
  Probe& operator=(const Probe&) = delete;
  ~Probe();

  // Finds the zero page's frame (from a read fault on a fresh anonymous page) and opens
  // /proc/kpagecount. Returns "" when exact numbers are available, else why not.
  std::string init();
  bool exact() const { return kpagecount_ >= 0; }
  // True when a read fault on never-written private anonymous memory maps the shared
  // zero page (Linux's rule; some virtualised kernels allocate a real page instead).
  bool zero_page_reads() const { return zero_page_reads_; }

  // Parses /proc/TID/smaps. False when the task is gone.
  bool read_smaps(pid_t tid, std::vector<SmapsVma>* out) const;
  // The region [base, base + pages * 4 KiB) of task `tid`, whose VMAs are `vmas`. Adds
  // the frames it maps (zero page excluded) to `frames`.
  KernelUsage region(pid_t tid, const std::vector<SmapsVma>& vmas, uint64_t base, uint64_t pages,
                     std::set<uint64_t>* frames);
  // Forgets cached mapcounts (call at each measurement point).
  void new_point() { mapcounts_.clear(); }
  // Frames seen so far that belong to a large folio (kpageflags COMPOUND_HEAD/TAIL).
  uint64_t large_folio_frames() const { return large_folio_frames_; }
  // Whether frame `pfn` belongs to the huge zero folio (kpageflags ZERO_PAGE + COMPOUND).
  bool huge_zero(uint64_t pfn) const;

 private:
  uint64_t mapcount(uint64_t pfn);

  uint64_t zero_pfn_ = 0;
  bool zero_page_reads_ = true;
  int kpagecount_ = -1;
  int kpageflags_ = -1;
  std::unordered_map<uint64_t, uint64_t> mapcounts_;
  uint64_t large_folio_frames_ = 0;
};

}  // namespace cow::kernel
#endif  // __linux__
