// Reading smaps, pagemap and kpagecount (see probe.h).
#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#include "probe.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace cow::kernel {

namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kPresent = 1ull << 63;
constexpr uint64_t kPfnMask = (1ull << 55) - 1;
constexpr uint64_t kCompoundHead = 1ull << 15, kCompoundTail = 1ull << 16;
// KPF_ZERO_PAGE: the zero page or a frame of the huge zero folio (is_huge_zero_folio).
constexpr uint64_t kZeroPageFlag = 1ull << 24;

bool pread_full(int fd, void* buf, size_t n, off_t at) {
  char* p = static_cast<char*>(buf);
  while (n > 0) {
    ssize_t r = pread(fd, p, n, at);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r, n -= size_t(r), at += r;
  }
  return true;
}

// "Name:   123 kB" -> sets *value; false for other lines.
bool field(const char* line, const char* name, uint64_t* value) {
  size_t n = strlen(name);
  if (strncmp(line, name, n) != 0 || line[n] != ':') return false;
  *value = strtoull(line + n + 1, nullptr, 10);
  return true;
}

}  // namespace

Probe::~Probe() {
  if (kpagecount_ >= 0) close(kpagecount_);
  if (kpageflags_ >= 0) close(kpageflags_);
}

std::string Probe::init() {
  // Two fresh pages, each read once: the zero page maps both and counts in no Rss.
  void* p = mmap(nullptr, 2 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return std::string("mmap: ") + strerror(errno);
  madvise(p, 2 * kPage, MADV_NOHUGEPAGE);
  (void)*static_cast<volatile char*>(p);
  (void)*(static_cast<volatile char*>(p) + kPage);
  uint64_t at = reinterpret_cast<uint64_t>(p);
  std::vector<SmapsVma> vmas;
  if (read_smaps(getpid(), &vmas))
    for (const SmapsVma& v : vmas)
      if (v.start <= at && at < v.end) zero_page_reads_ = v.rss == 0;
  uint64_t entry[2] = {0, 0};
  int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  bool ok = fd >= 0 && pread_full(fd, entry, 16, off_t(at / kPage * 8));
  if (fd >= 0) close(fd);
  munmap(p, 2 * kPage);
  if (!ok) return "/proc/self/pagemap cannot be read";
  if (!(entry[0] & kPresent) || (entry[0] & kPfnMask) == 0)
    return "/proc/PID/pagemap hides frame numbers (they need CAP_SYS_ADMIN)";
  // Without zero-page reads there is no zero page to recognise: keep an impossible PFN.
  zero_pfn_ = zero_page_reads_ ? entry[0] & kPfnMask : ~0ull;
  kpagecount_ = open("/proc/kpagecount", O_RDONLY | O_CLOEXEC);
  if (kpagecount_ < 0) return std::string("/proc/kpagecount: ") + strerror(errno);
  kpageflags_ = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
  return "";
}

bool Probe::read_smaps(pid_t tid, std::vector<SmapsVma>* out) const {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/smaps", int(tid));
  FILE* f = fopen(path, "re");
  if (!f) return false;
  out->clear();
  char line[512];
  while (fgets(line, sizeof line, f)) {
    unsigned long long a, b;
    char dash;
    if (line[0] != ' ' && sscanf(line, "%llx%c%llx ", &a, &dash, &b) == 3 && dash == '-') {
      out->push_back({.start = a, .end = b});
      continue;
    }
    if (out->empty()) continue;
    SmapsVma& v = out->back();
    field(line, "Rss", &v.rss) || field(line, "Pss", &v.pss) || field(line, "Shared_Clean", &v.shared_clean) ||
        field(line, "Shared_Dirty", &v.shared_dirty) || field(line, "Private_Clean", &v.private_clean) ||
        field(line, "Private_Dirty", &v.private_dirty) || field(line, "Anonymous", &v.anon) ||
        field(line, "AnonHugePages", &v.anon_huge);
  }
  fclose(f);
  return true;
}

bool Probe::huge_zero(uint64_t pfn) const {
  uint64_t flags = 0;
  return kpageflags_ >= 0 && pread_full(kpageflags_, &flags, 8, off_t(pfn * 8)) &&
         (flags & kZeroPageFlag) && (flags & (kCompoundHead | kCompoundTail));
}

uint64_t Probe::mapcount(uint64_t pfn) {
  auto it = mapcounts_.find(pfn);
  if (it != mapcounts_.end()) return it->second;
  uint64_t count = 0;
  pread_full(kpagecount_, &count, 8, off_t(pfn * 8));
  if (kpageflags_ >= 0) {
    uint64_t flags = 0;
    if (pread_full(kpageflags_, &flags, 8, off_t(pfn * 8)) && (flags & (kCompoundHead | kCompoundTail)))
      ++large_folio_frames_;
  }
  mapcounts_[pfn] = count;
  return count;
}

KernelUsage Probe::region(pid_t tid, const std::vector<SmapsVma>& vmas, uint64_t base, uint64_t pages,
                          std::set<uint64_t>* frames) {
  KernelUsage u;
  uint64_t end = base + pages * kPage;
  int pagemap = -1;
  if (exact()) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/pagemap", int(tid));
    pagemap = open(path, O_RDONLY | O_CLOEXEC);
  }
  u.exact = pagemap >= 0;
  std::vector<uint64_t> entries;
  for (const SmapsVma& v : vmas) {
    if (v.end <= base || v.start >= end) continue;
    if (v.start < base || v.end > end) {
      char buf[160];
      snprintf(buf, sizeof buf, "kernel VMA %llx-%llx crosses the region's bounds (merged with a neighbour?)",
               (unsigned long long)v.start, (unsigned long long)v.end);
      u.problem = buf;
      continue;
    }
    u.pages += (v.end - v.start) / kPage;
    u.rss += v.rss / 4;
    u.pss_kb += v.pss;
    u.shared_clean += v.shared_clean / 4;
    u.shared_dirty += v.shared_dirty / 4;
    u.private_clean += v.private_clean / 4;
    u.private_dirty += v.private_dirty / 4;
    u.anon += v.anon / 4;
    u.anon_huge += v.anon_huge / 4;
    if (pagemap < 0) continue;
    entries.resize((v.end - v.start) / kPage);
    if (!pread_full(pagemap, entries.data(), entries.size() * 8, off_t(v.start / kPage * 8))) {
      u.exact = false;
      continue;
    }
    for (uint64_t e : entries) {
      if (!(e & kPresent)) continue;
      ++u.ptes;
      uint64_t pfn = e & kPfnMask;
      if (pfn == zero_pfn_ || huge_zero(pfn)) {
        ++u.zero_ptes;
        continue;
      }
      uint64_t count = mapcount(pfn);
      u.pss += 1.0 / double(count ? count : 1);
      if (frames) frames->insert(pfn);
    }
  }
  if (pagemap >= 0) close(pagemap);
  if (!u.exact) u.pss = double(u.pss_kb) / 4.0;
  return u;
}

}  // namespace cow::kernel
#endif  // __linux__
