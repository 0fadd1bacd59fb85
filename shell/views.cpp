// /proc/PID/smaps, /proc/PID/status and smem, formatted byte for byte as Linux 6.x does
// (fs/proc/task_mmu.c: show_map_vma, show_smap, __show_smap, task_mem).
#include "views.h"

#include <algorithm>
#include <cinttypes>
#include <cstdarg>
#include <string>
#include <vector>

#include "engine/script/words.h"
#include "engine/smaps.h"

namespace cow::shell {

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
// padded to column 73 (seq_setwidth(25 + 6 * sizeof(void *) - 1) and seq_pad(' ')).
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

// The lines shared by smaps and smaps_rollup (__show_smap).
void show_smap_body(std::string& s, const SmapsEntry& e, bool rollup) {
  kb_line(s, "Rss:            ", kb(e.rss));
  kb_line(s, "Pss:            ", pss_kb(e.pss));
  kb_line(s, "Pss_Dirty:      ", pss_kb(e.pss_dirty));
  if (rollup) {  // the kernel prints these in smaps_rollup only
    kb_line(s, "Pss_Anon:       ", pss_kb(e.pss_anon));
    kb_line(s, "Pss_File:       ", pss_kb(e.pss_file));
    kb_line(s, "Pss_Shmem:      ", pss_kb(e.pss_shmem));
  }
  kb_line(s, "Shared_Clean:   ", kb(e.shared_clean));
  kb_line(s, "Shared_Dirty:   ", kb(e.shared_dirty));
  kb_line(s, "Private_Clean:  ", kb(e.private_clean));
  kb_line(s, "Private_Dirty:  ", kb(e.private_dirty));
  kb_line(s, "Referenced:     ", kb(e.referenced));
  kb_line(s, "Anonymous:      ", kb(e.anonymous));
  const char* zeros[] = {"KSM:            ", "LazyFree:       ", "AnonHugePages:  ", "ShmemPmdMapped: ",
                         "FilePmdMapped:  ", "Shared_Hugetlb: "};
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
  f += "sd \n";
  return f;
}

std::vector<std::string> process_names(const Engine& e) {
  std::vector<std::string> names;
  for (const Process& p : e.processes()) names.push_back(p.name);
  return names;
}

}  // namespace

std::string smaps_text(const Engine& e, ProcId p) {
  std::string s;
  std::vector<SmapsEntry> entries = smaps_entries(e, p);
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
    appendf(s, "THPeligible:    %8u\n", 0u);
    s += vm_flags(m, v);
  }
  return s;
}

int print_smaps(const cow::script::Session& s, const std::string& process, FILE* out) {
  const Engine& e = s.engine();
  ProcId p = e.find_process(process);
  if (p == kNone) {
    std::fprintf(stderr, "cowlab: --smaps: unknown process '%s'%s\n", process.c_str(),
                 script::did_you_mean(process, process_names(e)).c_str());
    return 2;
  }
  const Process& task = e.processes()[p];
  std::fprintf(out, "== /proc/%u/smaps (%s) ==\n", p + 1, process.c_str());
  if (!task.live()) {
    std::fprintf(out, "(%s has %s: /proc/%u no longer exists)\n", process.c_str(), to_string(task.state), p + 1);
    return 0;
  }
  std::fputs(smaps_text(e, p).c_str(), out);
  std::vector<SmapsEntry> entries = smaps_entries(e, p);
  std::fprintf(out, "== /proc/%u/smaps_rollup ==\n", p + 1);
  std::string r;
  SmapsEntry all = smaps_rollup(entries);
  header(r, all.start, all.end, "---p", 0, "00:00", 0, "[rollup]");
  show_smap_body(r, all, true);
  std::fputs(r.c_str(), out);
  return 0;
}

std::string status_text(const Engine& e) {
  std::string s;
  struct Row {
    ProcId p;
    uint64_t uss, pss, rss;
  };
  std::vector<Row> rows;
  for (ProcId p = 0; p < e.processes().size(); ++p) {
    const Process& task = e.processes()[p];
    if (!task.live() || task.is_thread(p)) continue;  // /proc lists thread-group leaders
    Usage u = e.usage(p);
    uint32_t threads = 0;
    for (ProcId q = 0; q < e.processes().size(); ++q)
      threads += e.processes()[q].live() && e.processes()[q].leader == p;
    appendf(s, "== /proc/%u/status (%s) ==\nName:\t%s\nPid:\t%u\nPPid:\t%u\n", p + 1, task.name.c_str(),
            task.name.c_str(), p + 1, task.parent == kNone ? 0u : e.processes()[task.parent].leader + 1);
    kb_line(s, "VmSize:\t", kb(u.pages));
    kb_line(s, "VmRSS:\t", kb(u.rss));
    kb_line(s, "RssAnon:\t", kb(u.anon));
    kb_line(s, "RssFile:\t", kb(u.file));
    kb_line(s, "RssShmem:\t", kb(u.shmem));
    kb_line(s, "VmPTE:\t", kb(u.vm_pte));
    appendf(s, "Threads:\t%u\n", threads);
    // smem reads smaps and adds each entry's truncated Pss.
    uint64_t pss = 0;
    for (const SmapsEntry& x : smaps_entries(e, p)) pss += pss_kb(x.pss);
    rows.push_back({p, kb(u.uss), pss, kb(u.rss)});
  }
  // smem sorts by PSS, smallest first.
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.pss < b.pss; });
  s += "== smem (kB) ==\n";
  appendf(s, "%5s %-27s %8s %8s %8s %8s\n", "PID", "Command", "Swap", "USS", "PSS", "RSS");
  uint64_t tu = 0, tp = 0, tr = 0;
  for (const Row& r : rows) {
    appendf(s, "%5u %-27.27s %8u %8" PRIu64 " %8" PRIu64 " %8" PRIu64 "\n", r.p + 1, e.processes()[r.p].name.c_str(), 0u,
            r.uss, r.pss, r.rss);
    tu += r.uss, tp += r.pss, tr += r.rss;
  }
  s += std::string(62, '-') + "\n";
  appendf(s, "%5zu %-27s %8u %8" PRIu64 " %8" PRIu64 " %8" PRIu64 "\n", rows.size(), "", 0u, tu, tp, tr);
  return s;
}

void print_status(const cow::script::Session& s, FILE* out) { std::fputs(status_text(s.engine()).c_str(), out); }

}  // namespace cow::shell
