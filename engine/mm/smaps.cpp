// Per-VMA smaps entries (Linux: show_smap and smaps_account in fs/proc/task_mmu.c).
#include "smaps.h"

#include <algorithm>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <utility>

#include "thp.h"

namespace cow {

// Adds one present PTE the way smaps_account + smaps_page_accumulate do: "shared" means
// mapcount >= 2, "dirty" means the PTE or the frame is dirty, Pss is an integer division.
static void account_pte(const Frames& frames, Pte e, SmapsEntry& s) {
  PageClass c = classify(frames, e);
  if (!c.frame) return;  // vm_normal_page() is NULL for the zero page
  const Frame& fr = *c.frame;
  ++s.rss;
  ++s.referenced;
  if (fr.kind == FrameKind::Anon) ++s.anonymous;
  uint64_t pss = kPageSize << kPssShift;
  if (c.shared) pss /= fr.mapcount;
  s.pss += pss;
  if (fr.kind == FrameKind::Anon) s.pss_anon += pss;
  else if (fr.kind == FrameKind::Shmem) s.pss_shmem += pss;
  else s.pss_file += pss;
  if (c.dirty) {
    s.pss_dirty += pss;
    ++(c.shared ? s.shared_dirty : s.private_dirty);
  } else {
    ++(c.shared ? s.shared_clean : s.private_clean);
  }
}

std::vector<SmapsEntry> smaps_entries(const Engine& e, ProcId p) {
  std::vector<SmapsEntry> out;
  if (p >= e.processes().size() || !e.processes()[p].live()) return out;
  const AddressSpace& as = e.address_spaces()[e.processes()[p].mm];
  for (uint32_t i = 0; i < as.vmas.size(); ++i) {
    const Vma& v = as.vmas[i];
    const Mapping& m = as.mappings[v.mapping];
    SmapsEntry s;
    s.mapping = v.mapping;
    s.vma = i;
    s.start = m.address(v.first);
    s.end = m.address(v.end);
    bool has_object = m.backing == Backing::File || m.share == Share::Shared;
    s.pgoff = has_object ? uint64_t(v.first) * kPageSize : 0;
    s.size = v.end - v.first;
    m.pt.ptes.for_each_present(v.first, v.end, [&](uint32_t, Pte x) { account_pte(e.frames(), x, s); });
    s.anon_huge = anon_huge_pages(m.pt, v);
    out.push_back(s);
  }
  std::sort(out.begin(), out.end(), [](const SmapsEntry& a, const SmapsEntry& b) { return a.start < b.start; });
  return out;
}

// The fields smaps_rollup adds up: every size and Pss sum of an entry.
constexpr uint64_t SmapsEntry::*kSummed[] = {
    &SmapsEntry::size,          &SmapsEntry::rss,           &SmapsEntry::referenced,   &SmapsEntry::anonymous,
    &SmapsEntry::shared_clean,  &SmapsEntry::shared_dirty,  &SmapsEntry::private_clean,
    &SmapsEntry::private_dirty, &SmapsEntry::pss,           &SmapsEntry::pss_dirty,    &SmapsEntry::pss_anon,
    &SmapsEntry::pss_file,      &SmapsEntry::pss_shmem,     &SmapsEntry::anon_huge};

SmapsEntry smaps_rollup(const std::vector<SmapsEntry>& entries) {
  SmapsEntry r;
  if (entries.empty()) return r;
  r.start = entries.front().start;
  r.end = entries.back().end;
  for (const SmapsEntry& s : entries)
    for (uint64_t SmapsEntry::*field : kSummed) r.*field += s.*field;
  return r;
}

}  // namespace cow

// ---- the /proc texts (fs/proc/task_mmu.c: show_map_vma, show_smap, __show_smap, task_mem)

namespace cow {

namespace {

void appendf(std::string& s, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void appendf(std::string& s, const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n > 0) s.append(buf, std::min<size_t>(size_t(n), sizeof buf - 1));
}

// seq_put_decimal_ull_width(m, label, kB, 8) followed by " kB\n".
void kb_line(std::string& s, const char* label, uint64_t kb, int width = 8) {
  appendf(s, "%s%*" PRIu64 " kB\n", label, width, kb);
}

uint64_t kb(uint64_t pages) { return pages * (kPageSize / 1024); }

// Made-up but stable device and inode numbers: files live on 08:01, shmem on 00:01.
constexpr uint64_t kFileInodeBase = 131073, kShmemInodeBase = 2048;

// show_vma_header_prefix: "start-end perms pgoff major:minor inode ", then the name
// padded to column 73 (seq_setwidth(25 + 6 * sizeof(void *) - 1), then seq_pad(' ')).
void header(std::string& s, uint64_t start, uint64_t end, const char* perms, uint64_t pgoff,
            const char* dev, uint64_t ino, const std::string& name) {
  size_t line_start = s.size();
  appendf(s, "%08" PRIx64 "-%08" PRIx64 " %s %08" PRIx64 " %s %" PRIu64 " ", start, end, perms, pgoff, dev, ino);
  if (!name.empty()) {
    size_t used = s.size() - line_start;
    if (used < 72) s.append(72 - used, ' ');
    s += ' ';
    s += name;
  }
  s += '\n';
}

// One "Label:  N kB" line of __show_smap: a size in pages, or a Pss sum (pss_kb).
struct SmapLine {
  const char* label;
  uint64_t SmapsEntry::*field;
  bool pss;
  bool rollup_only;  // Pss_Anon, Pss_File and Pss_Shmem: in smaps_rollup only, as in Linux
};
const SmapLine kSmapLines[] = {
    {"Rss:            ", &SmapsEntry::rss, false, false},
    {"Pss:            ", &SmapsEntry::pss, true, false},
    {"Pss_Dirty:      ", &SmapsEntry::pss_dirty, true, false},
    {"Pss_Anon:       ", &SmapsEntry::pss_anon, true, true},
    {"Pss_File:       ", &SmapsEntry::pss_file, true, true},
    {"Pss_Shmem:      ", &SmapsEntry::pss_shmem, true, true},
    {"Shared_Clean:   ", &SmapsEntry::shared_clean, false, false},
    {"Shared_Dirty:   ", &SmapsEntry::shared_dirty, false, false},
    {"Private_Clean:  ", &SmapsEntry::private_clean, false, false},
    {"Private_Dirty:  ", &SmapsEntry::private_dirty, false, false},
    {"Referenced:     ", &SmapsEntry::referenced, false, false},
    {"Anonymous:      ", &SmapsEntry::anonymous, false, false}};

// The lines shared by smaps and smaps_rollup (__show_smap).
void show_smap_body(std::string& s, const SmapsEntry& e, bool rollup) {
  for (const SmapLine& l : kSmapLines)
    if (rollup || !l.rollup_only) kb_line(s, l.label, l.pss ? pss_kb(e.*l.field) : kb(e.*l.field));
  kb_line(s, "KSM:            ", 0);
  kb_line(s, "LazyFree:       ", 0);
  kb_line(s, "AnonHugePages:  ", kb(e.anon_huge));
  const char* zeros[] = {"ShmemPmdMapped: ", "FilePmdMapped:  ", "Shared_Hugetlb: "};
  for (const char* label : zeros) kb_line(s, label, 0);
  kb_line(s, "Private_Hugetlb: ", 0, 7);
  kb_line(s, "Swap:           ", 0);
  kb_line(s, "SwapPss:        ", 0);
  kb_line(s, "Locked:         ", 0);
}

// VmFlags mnemonics in bit order (show_smap_vma_flags). Simplified: VM_ACCOUNT ("ac")
// is set for private writable VMAs; soft-dirty ("sd") is always set, as on most distros.
std::string vm_flags(const Mapping& m, const Vma& v) {
  bool write = v.prot == Prot::ReadWrite, shared = m.share == Share::Shared;
  std::string f = "VmFlags: rd ";
  if (write) f += "wr ";
  if (shared) f += "sh ";
  f += "mr mw me ";
  if (shared) f += "ms ";
  if (v.dontfork) f += "dc ";
  if (write && !shared) f += "ac ";
  if (v.wipeonfork) f += "wf ";
  f += "sd ";
  if (v.hugepage) f += "hg ";
  if (v.nohugepage) f += "nh ";
  f += "\n";
  return f;
}

}  // namespace

std::string smaps_text(const Engine& e, ProcId p) {
  std::string s;
  std::vector<SmapsEntry> entries = smaps_entries(e, p);
  if (entries.empty()) return s;
  const AddressSpace& as = e.address_spaces()[e.processes()[p].mm];
  for (const SmapsEntry& x : entries) {
    const Mapping& m = as.mappings[x.mapping];
    const Vma& v = as.vmas[x.vma];
    char perms[5] = {'r', v.prot == Prot::ReadWrite ? 'w' : '-', '-', m.share == Share::Shared ? 's' : 'p', 0};
    if (m.backing == Backing::File)
      header(s, x.start, x.end, perms, x.pgoff, "08:01", kFileInodeBase + m.object, "/cowlab/" + e.files()[m.object].name);
    else if (m.share == Share::Shared)
      header(s, x.start, x.end, perms, x.pgoff, "00:01", kShmemInodeBase + m.object, "/dev/zero (deleted)");
    else
      header(s, x.start, x.end, perms, 0, "00:00", 0, "");
    kb_line(s, "Size:           ", kb(x.size));
    kb_line(s, "KernelPageSize: ", 4);
    kb_line(s, "MMUPageSize:    ", 4);
    show_smap_body(s, x, false);
    appendf(s, "THPeligible:    %8u\n", vma_thp_eligible(e.modes().thp, m, v) ? 1u : 0u);
    s += vm_flags(m, v);
  }
  return s;
}

std::string smaps_rollup_text(const Engine& e, ProcId p) {
  std::string s;
  std::vector<SmapsEntry> entries = smaps_entries(e, p);
  if (entries.empty()) return s;
  SmapsEntry all = smaps_rollup(entries);
  header(s, all.start, all.end, "---p", 0, "00:00", 0, "[rollup]");
  show_smap_body(s, all, true);
  return s;
}

// The memory lines of /proc/PID/status (task_mem), in pages of the process's Usage.
constexpr std::pair<const char*, uint64_t Usage::*> kStatusLines[] = {
    {"VmSize:\t", &Usage::pages}, {"VmRSS:\t", &Usage::rss},     {"RssAnon:\t", &Usage::anon},
    {"RssFile:\t", &Usage::file}, {"RssShmem:\t", &Usage::shmem}, {"VmPTE:\t", &Usage::vm_pte}};

std::string status_text(const Engine& e) {
  std::string s;
  for (ProcId p = 0; p < e.processes().size(); ++p) {
    const Process& task = e.processes()[p];
    if (!task.live() || task.is_thread(p)) continue;  // /proc lists thread-group leaders
    Usage u = e.usage(p);
    uint32_t threads = 0;
    for (const Process& q : e.processes()) threads += q.live() && q.leader == p;
    appendf(s, "== /proc/%u/status (%s) ==\nName:\t%s\nPid:\t%u\nPPid:\t%u\n", task.pid, task.name.c_str(),
            task.name.c_str(), task.pid, e.ppid(p));
    for (const auto& [label, field] : kStatusLines) kb_line(s, label, kb(u.*field));
    appendf(s, "Threads:\t%u\n", threads);
  }
  return s;
}

std::string meminfo_text(const Engine& e) {
  SystemUsage u = e.system();
  const std::pair<const char*, uint64_t> lines[] = {
      {"MemTotal:", u.frames_total},    {"MemFree:", u.frames_free},
      {"Cached:", u.page_cache + u.shmem}, {"SwapTotal:", u.swap_total},
      {"AnonPages:", u.anon},           {"Shmem:", u.shmem},
      {"CommitLimit:", u.commit_limit}, {"Committed_AS:", u.committed_as},
  };
  std::string s;
  for (const auto& [name, pages] : lines) appendf(s, "%-16s%8" PRIu64 " kB\n", name, kb(pages));
  return s;
}

std::vector<SmemRow> smem_rows(const Engine& e) {
  std::vector<SmemRow> rows;
  for (ProcId p = 0; p < e.processes().size(); ++p) {
    const Process& task = e.processes()[p];
    if (!task.live() || task.is_thread(p)) continue;
    Usage u = e.usage(p);
    uint64_t pss = 0;
    for (const SmapsEntry& x : smaps_entries(e, p)) pss += pss_kb(x.pss);
    rows.push_back({p, task.pid, task.name, kb(u.uss), pss, kb(u.rss), u.uss, u.rss, u.pss});
  }
  std::stable_sort(rows.begin(), rows.end(), [](const SmemRow& a, const SmemRow& b) { return a.pss_kb < b.pss_kb; });
  return rows;
}

std::string smem_text(const Engine& e) {
  std::vector<SmemRow> rows = smem_rows(e);
  std::string s;
  appendf(s, "%5s %-27s %8s %8s %8s %8s\n", "PID", "Command", "Swap", "USS", "PSS", "RSS");
  uint64_t tu = 0, tp = 0, tr = 0;
  for (const SmemRow& r : rows) {
    appendf(s, "%5u %-27.27s %8u %8" PRIu64 " %8" PRIu64 " %8" PRIu64 "\n", r.pid, r.command.c_str(), 0u, r.uss_kb,
            r.pss_kb, r.rss_kb);
    tu += r.uss_kb, tp += r.pss_kb, tr += r.rss_kb;
  }
  s += std::string(62, '-') + "\n";
  appendf(s, "%5zu %-27s %8u %8" PRIu64 " %8" PRIu64 " %8" PRIu64 "\n", rows.size(), "", 0u, tu, tp, tr);
  return s;
}

}  // namespace cow
