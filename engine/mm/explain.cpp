// The sentences of explain.h, built from the enums and numbers the events carry.
#include "explain.h"

#include <algorithm>

#include "fault.h"

namespace cow {

namespace {

const char* kArrow = " \xe2\x86\x92 ";  // " → "

std::string num(uint64_t v) { return std::to_string(v); }

std::string plural(uint64_t n, const char* one, const char* many) { return num(n) + " " + (n == 1 ? one : many); }

std::string proc_name(const Engine& e, ProcId p) {
  return p < e.processes().size() ? e.processes()[p].name : std::string("?");
}

// "C1 write heap[0-15]": who did what to which pages.
std::string subject(const Engine& e, const Event& ev, const char* verb) {
  std::string region = ev.region < e.name_count() ? e.name(ev.region) : "?";
  return proc_name(e, ev.proc) + " " + verb + " " + region + "[" + range_text(ev.page, ev.pages) + "]";
}

bool is_read(EventKind k) {
  return k == EventKind::ZeroPageMap || k == EventKind::FileMap || k == EventKind::ReadSees;
}

std::string fault_reason(const Event& ev) {
  switch (ev.reason) {
    case FaultReason::None: return "";
    case FaultReason::FirstRead: return "no page yet (private anonymous), read";
    case FaultReason::FirstWrite: return "no page yet (private anonymous), write";
    case FaultReason::ZeroPage: return "zero page";
    case FaultReason::AnonShared: return "anonymous, mapcount " + num(ev.mapcount_before);
    case FaultReason::LastMapper: return "last mapper (mapcount " + num(ev.mapcount_before) + ")";
    case FaultReason::PageCache:
      return ev.mapcount_before ? "page-cache page, mapcount " + num(ev.mapcount_before)
                                : std::string("page-cache page, private mapping");
    case FaultReason::CachedPage: return "page-cache page";
    case FaultReason::ShmemPage: return "shmem page";
    case FaultReason::ShmemNewPage: return "shmem page, first touch";
    case FaultReason::SharedFile: return "shared file mapping, page-cache page";
    case FaultReason::SharedWriteProtected: return "shared mapping, PTE write-protected";
    case FaultReason::PtePresent: return "PTE present";
    case FaultReason::HugeFirstRead: return "untouched 2 MiB extent of a THP-eligible VMA, read";
    case FaultReason::HugeFirstWrite: return "untouched 2 MiB extent of a THP-eligible VMA, write";
    case FaultReason::HugeZeroPage: return "huge zero page";
    case FaultReason::HugeLastMapper: return "THP mapped by this PMD alone";
    case FaultReason::FolioShared: return "page of a THP another address space maps, mapcount " + num(ev.mapcount_before);
    case FaultReason::FolioLastPage: return "the last page of its THP still mapped";
    case FaultReason::FolioExclusive: return "page of a THP only this address space maps";
  }
  return "?";
}

std::string fork_reason(const Engine& e, const Event& ev) {
  bool shared = false;
  if (ev.mm < e.address_spaces().size()) {
    const AddressSpace& child = e.address_spaces()[ev.mm];
    uint32_t m = child.find_mapping(ev.region);
    shared = m != kNone && child.mappings[m].share == Share::Shared;
  }
  switch (ev.decision) {
    case ForkDecision::None: return "";
    case ForkDecision::CopyPtes: return "has an anon_vma (anonymous pages were faulted into it)";
    case ForkDecision::NoAnonVma:
      return shared ? "no anon_vma (shared mapping: a fault maps the shared pages again)"
                    : "no anon_vma (never written: a fault brings its pages back)";
    case ForkDecision::DontFork: return "dontfork (VM_DONTCOPY)";
    case ForkDecision::WipeOnFork: return "wipeonfork (VM_WIPEONFORK)";
  }
  return "?";
}

std::string small_outcome(const Event& ev, bool many);

// What a fault that mapped or reused huge PMDs did (its event covers whole extents).
std::string huge_outcome(const Event& ev) {
  uint32_t pmds = ev.pages / kHugePages;
  switch (ev.kind) {
    case EventKind::ZeroPageMap: return "mapped the huge zero page by " + plural(pmds, "PMD", "PMDs") + " (Rss 0)";
    case EventKind::ZeroFill:
      return pmds > 1 ? "allocated " + num(pmds) + " THPs of 2 MiB, each mapped by one PMD"
                      : std::string("allocated a 2 MiB THP, mapped by one PMD");
    case EventKind::CowReuse:
      return pmds > 1 ? "reused " + num(pmds) + " whole THPs in place, no copy"
                      : std::string("reused the whole THP in place, no copy");
    default: return "";
  }
}

// What the fault did, in a few words.
std::string outcome(const Event& ev) {
  bool many = ev.pages > 1;
  if (ev.pages >= kHugePages && (ev.path.has(Handler::DoHugePmdAnonymousPage) ||
                                 ev.path.last() == Handler::DoHugePmdWpPage ||
                                 ev.path.last() == Handler::DoHugeZeroWpPmd))
    return huge_outcome(ev);
  std::string split = ev.path.has(Handler::SplitHugePmd) ? "split its PMD into 512 PTEs, then " : "";
  return split + small_outcome(ev, many);
}

std::string small_outcome(const Event& ev, bool many) {
  switch (ev.kind) {
    case EventKind::ZeroPageMap: return "mapped the zero page";
    case EventKind::ZeroFill: return many ? "zero-filled a new frame each" : "zero-filled a new frame";
    case EventKind::CowCopy: return many ? "copied each to a new frame" : "copied to a new frame";
    case EventKind::FileCopy: return many ? "copied each to a new anonymous frame" : "copied to a new anonymous frame";
    case EventKind::CowReuse: return "reused in place, no copy";
    case EventKind::FileMap:
      return "mapped " + plural(ev.count, "page", "pages") + " (fault-around " +
             range_text(ev.page - ev.around_before, ev.around_pages) + ")";
    case EventKind::SharedWrite: return "written in place, no copy";
    default: return "";
  }
}

std::string fault_sentence(const Engine& e, const Event& ev) {
  std::string s = subject(e, ev, is_read(ev.kind) ? "read" : "write") + ": ";
  if (ev.kind == EventKind::ReadSees) {
    s += "no fault, " + fault_reason(ev) + ": " + frames_text(ev.frame, ev.pages);
    return s + (ev.count ? " hold " + proc_name(e, ev.count - 1) + "'s write" : " hold zeros or file data");
  }
  s += path_text(ev.path) + ": " + fault_reason(ev) + ": " + outcome(ev);
  s += "; PTE " + pte_text(ev.pte_before, ev.pages) + kArrow + pte_text(ev.pte_after, ev.pages);
  if (ev.mapcount_before == 0 && ev.mapcount_after == 0) return s;  // the zero page is never counted
  return s + "; mapcount " + num(ev.mapcount_before) + kArrow + num(ev.mapcount_after);
}

std::string tables_text(const PageTableCounts& t) {
  if (t.total() == 0) return "no new page tables";
  std::string s = "child page tables";
  if (t.pud) s += " +" + num(t.pud) + " PUD";
  if (t.pmd) s += " +" + num(t.pmd) + " PMD";
  if (t.pte) s += " +" + num(t.pte) + " PTE";
  return s;
}

std::string fork_sentence(const Engine& e, const Event& ev) {
  std::string s = proc_name(e, ev.proc) + " fork " + proc_name(e, ev.other) + " " +
                  (ev.region < e.name_count() ? e.name(ev.region) : "?") + "[" + range_text(ev.page, ev.pages) +
                  "]: " + fork_reason(e, ev) + ": ";
  switch (ev.decision) {
    case ForkDecision::CopyPtes:
      if (ev.count || !ev.pmds_copied) s += "copied " + plural(ev.count, "PTE", "PTEs");
      if (ev.frames_copied) s += " and " + plural(ev.frames_copied, "frame", "frames") + " (eager copy)";
      if (ev.write_protected) s += ", write-protected " + num(ev.write_protected) + " in parent and child";
      if (ev.pmds_copied)
        s += std::string(ev.count ? ", " : "") + "copied " + plural(ev.pmds_copied, "huge PMD", "huge PMDs") +
             " (copy_huge_pmd), write-protected in parent and child";
      return s + "; " + tables_text(ev.tables);
    case ForkDecision::NoAnonVma: return s + "inherited without PTEs";
    case ForkDecision::DontFork: return s + "not inherited";
    case ForkDecision::WipeOnFork: return s + "inherited empty, without anon_vma";
    case ForkDecision::None: break;
  }
  return s;
}

// What the next write to a present page does, as the fault handlers would decide.
std::string next_write(const PageEntry& pe) {
  if (!pe.present) return "the next access faults";
  if (pe.writable) return "a write does not fault";
  if (pe.prot == Prot::ReadOnly) return "a write is SIGSEGV (read-only VMA)";
  if (!pe.cow) return "a write faults and makes it writable in place (wp_page_shared)";
  if (pe.zero_page && pe.huge) return "COW: a write allocates a whole 2 MiB THP (do_huge_zero_wp_pmd)";
  if (pe.zero_page) return "COW: a write gets a zeroed frame of its own (wp_page_copy)";
  if (pe.huge && pe.write_reuses) return "COW: a write reuses the whole THP (do_huge_pmd_wp_page: this PMD alone maps it)";
  if (pe.huge)
    return "COW: a write splits the PMD into 512 PTEs (__split_huge_pmd) and copies this page (wp_page_copy)";
  if (pe.kind == FrameKind::PageCache)
    return "COW: a write copies it into a new anonymous frame (wp_page_copy); the file's page stays cached";
  if (pe.write_reuses) return "COW: a write reuses it (wp_page_reuse: last mapper)";
  return "COW: a write copies it (wp_page_copy)";
}

std::string times(uint32_t n) { return n == 1 ? "once" : n == 2 ? "twice" : num(n) + " times"; }

// "anonymous page, private mapping", "page-cache page, shared file mapping": what maps the
// page (the VMA's type) and, when present, what its frame is.
std::string page_and_mapping(const PageEntry& pe) {
  std::string map = std::string(pe.share == Share::Shared ? "shared " : "private ") +
                    (pe.backing == Backing::File ? "file mapping" : "mapping");
  if (!pe.present || pe.zero_page) return map;
  const char* page = pe.kind == FrameKind::PageCache ? "page-cache page"
                     : pe.kind == FrameKind::Shmem   ? "shmem page"
                                                     : "anonymous page";
  return page + (", " + map);
}

// smaps' field for a present page and why: "counted as Shared_Dirty because its frame is
// mapped twice (mapcount 2)" (smaps_account: Shared is mapcount >= 2, whatever the VMA).
std::string smaps_field(const PageEntry& pe) {
  bool shared = pe.mapcount >= 2;
  std::string field = std::string(shared ? "Shared" : "Private") + (pe.dirty || pe.frame_dirty ? "_Dirty" : "_Clean");
  std::string why = shared ? "its frame is mapped " + times(pe.mapcount) : std::string("only this PTE maps its frame");
  return "counted as " + field + " because " + why + " (mapcount " + num(pe.mapcount) + ")";
}

// What the first touch of a page that is not present does, read and write.
std::string next_touch(const PageEntry& pe) {
  std::string write = pe.prot == Prot::ReadOnly ? "a write is SIGSEGV (read-only VMA)" : "";
  if (pe.backing == Backing::Anon && pe.share == Share::Private)
    return "a read maps the zero page; " +
           (write.empty() ? "a write zero-fills a new frame (do_anonymous_page)" : write);
  if (pe.backing == Backing::Anon)
    return "a read or a write maps the shmem page, zero-filled on first touch (shmem_fault); a read maps up to "
           "15 neighbours with it (fault-around)" + (write.empty() ? "" : "; " + write);
  std::string read = "a read maps the page-cache page and up to 15 neighbours (do_read_fault, fault-around); ";
  if (!write.empty()) return read + write;
  return read + (pe.share == Share::Private
                     ? "a write copies it into a new anonymous frame (do_cow_fault)"
                     : "a write maps it writable and dirties the page-cache page (do_shared_fault)");
}

// "adds 1/2 page to Pss" (1/mapcount).
std::string pss_share(uint32_t mapcount) {
  return mapcount <= 1 ? "adds 1 page to Pss" : "adds 1/" + num(mapcount) + " page to Pss";
}

// "C1 wrote heap[3]" (and, for a run, how many pages took the same way).
std::string story_subject(const Engine& e, const Event& ev, const char* verb) {
  std::string s = proc_name(e, ev.proc) + " " + verb + " " + (ev.region < e.name_count() ? e.name(ev.region) : "?") +
                  "[" + num(ev.page) + "]";
  return s + (ev.pages > 1 ? " (the first of " + num(ev.pages) + " pages that went the same way)" : "") + ". ";
}

std::string write_fault_story(const Engine& e, const Event& ev) {
  FrameId old = pte::frame(ev.pte_before), now = ev.new_frame();
  std::string who = proc_name(e, ev.proc);
  std::string cow = "Its PTE was present but read-only, in a private mapping: a COW fault. ";
  switch (ev.kind) {
    case EventKind::CowCopy:
      return cow + "Frame " + num(old) + " is anonymous and mapped " + times(ev.mapcount_before) +
             ", so it cannot be reused. The kernel took frame " + num(now) + ", copied 4 KiB into it, pointed " + who +
             "'s PTE at it (writable, dirty) and dropped frame " + num(old) + "'s mapcount to " +
             num(ev.mapcount_before - 1) + ".";
    case EventKind::CowReuse:
      return cow + "Frame " + num(old) + " is anonymous and " + who +
             " is its last mapper (mapcount 1), so the kernel reused it: no copy, the PTE became writable and dirty.";
    case EventKind::ZeroFill:
      return std::string(ev.reason == FaultReason::ZeroPage ? "Its PTE mapped the shared zero page, read-only. "
                                                            : "Its PTE was not present: the first touch. ") +
             "The kernel took frame " + num(now) + ", filled it with zeros and pointed " + who +
             "'s PTE at it (writable, dirty).";
    case EventKind::FileCopy:
      return "The page belongs to a file mapped privately: the page-cache page (frame " + num(ev.frame) +
             ") stays the file's. The kernel copied it into frame " + num(now) + " and pointed " + who +
             "'s PTE at the copy (writable, dirty).";
    case EventKind::SharedWrite:
      return "The mapping is shared: the write lands in frame " + num(now) +
             " itself, which every mapper sees. No copy; the PTE is writable and dirty.";
    default: return "";
  }
}

}  // namespace

std::string story(const Engine& e, const Event& ev) {
  if (!ev.is_page_access()) return explain(e, ev);
  if (ev.kind == EventKind::ZeroPageMap)
    return story_subject(e, ev, "read") +
           "Nothing was ever written there, so the kernel pointed the PTE at the shared zero page, read-only: no frame "
           "was used. A later write gets a zeroed frame of its own.";
  if (ev.kind == EventKind::FileMap)
    return story_subject(e, ev, "read") + "The kernel mapped the " +
           (ev.reason == FaultReason::PageCache || ev.reason == FaultReason::CachedPage ? "page-cache" : "shmem") +
           " page, frame " + num(ev.new_frame()) + ", and " + num(ev.count > 0 ? ev.count - 1 : 0) +
           " neighbouring pages with it (fault-around).";
  if (ev.kind == EventKind::ReadSees)
    return story_subject(e, ev, "read") + "Its PTE was present: no fault, the read goes to " +
           frames_text(ev.frame, 1) + ".";
  return story_subject(e, ev, "wrote") + write_fault_story(e, ev);
}

std::string range_text(uint32_t first, uint32_t n) {
  return n <= 1 ? num(first) : num(first) + "-" + num(uint64_t(first) + n - 1);
}

std::string frames_text(FrameId first, uint32_t n) {
  if (first == Frames::kZeroPage) return "zero page";
  if (first == kNone) return "no frame";
  return (n <= 1 ? "frame " : "frames ") + range_text(first, n);
}

std::string path_text(const HandlerPath& path) {
  std::string s;
  for (uint32_t i = 0; i < path.size(); ++i) s += (i ? kArrow : "") + std::string(to_string(path[i]));
  return s;
}

std::string pte_text(Pte first, uint32_t n) {
  if (!pte::present(first)) return "not present";
  if (pte::frame(first) == Frames::kZeroPage) return "zero page, read-only";
  return frames_text(pte::frame(first), n) + (pte::writable(first) ? " writable" : " read-only") +
         (pte::dirty(first) ? " dirty" : " clean");
}

std::string reason_text(const Engine& e, const Event& ev) {
  if (ev.kind == EventKind::ForkVma) return fork_reason(e, ev);
  return ev.is_page_access() ? fault_reason(ev) : std::string();
}

FaultDecisions fault_decisions(const Engine& e, const Event& ev) {
  FaultDecisions d;
  if (!ev.is_page_access()) return d;
  auto yes = [](bool b) { return b ? Answer::Yes : Answer::No; };
  bool present = pte::present(ev.pte_before);
  d.present = yes(present);
  d.write = yes(!is_read(ev.kind));
  if (d.write == Answer::No) return d;
  // Private or shared is asked of every write: do_fault picks do_cow_fault or
  // do_shared_fault, do_wp_page picks wp_page_shared or the COW path.
  uint32_t m = ev.mm < e.address_spaces().size() ? e.address_spaces()[ev.mm].find_mapping(ev.region) : kNone;
  bool shared = m != kNone ? e.address_spaces()[ev.mm].mappings[m].share == Share::Shared
                           : ev.kind == EventKind::SharedWrite;
  d.private_mapping = yes(!shared);
  // Reuse is asked of a present anonymous page written through a private mapping.
  if (present && !shared && ev.reason != FaultReason::ZeroPage && ev.reason != FaultReason::PageCache)
    d.reusable = yes(ev.kind == EventKind::CowReuse);
  return d;
}

std::string explain(const Engine& e, const Event& ev) {
  if (ev.is_page_access()) return fault_sentence(e, ev);
  if (ev.kind == EventKind::ForkVma) return fork_sentence(e, ev);
  if (ev.kind == EventKind::CommitRefused) {
    const CommitRefusal& r = e.commit_refusals()[ev.count];
    return explain_refusal(r, proc_name(e, r.proc), r.region < e.name_count() ? e.name(r.region) : "?");
  }
  return e.describe(ev);
}

std::vector<std::string> explain_events(const Engine& e, const std::vector<Event>& events) {
  std::vector<ProcId> per_vma;  // children whose fork has ForkVma events here
  for (const Event& ev : events)
    if (ev.kind == EventKind::ForkVma) per_vma.push_back(ev.other);
  auto covered = [&](const Event& ev) {
    bool total = ev.kind == EventKind::PtesCopied || ev.kind == EventKind::WriteProtect;
    return total && std::find(per_vma.begin(), per_vma.end(), ev.other) != per_vma.end();
  };
  std::vector<std::string> lines;
  for (const Event& ev : events)
    if (!covered(ev)) lines.push_back(explain(e, ev));
  return lines;
}

std::string explain_page(const Engine& e, ProcId p, NameId region, const PageEntry& pe, const Event* last) {
  std::string s = proc_name(e, p) + " " + (region < e.name_count() ? e.name(region) : "?") + "[" + num(pe.page) +
                  "] at " + hex_address(pe.walk.address) + ": ";
  if (!pe.present)
    s += pe.walk.exists(Level::Pte) ? "not present" : "not present (no PTE table)";
  else if (pe.zero_page)
    s += pe.huge ? "huge zero page (PMD), read-only" : "zero page, read-only";
  else
    s += "frame " + num(pe.frame) + " (" + kind_name(pe) + (pe.huge ? ", THP mapped by a PMD" : "") + ", mapcount " + num(pe.mapcount) + "), " +
         (pe.writable ? "writable" : "read-only") + (pe.dirty ? ", dirty" : ", clean");
  s += ": " + next_write(pe) + ".";
  return s + (last ? " Last: " + explain(e, *last) + "." : " No fault recorded for it.");
}

std::string page_summary(const PageEntry& pe) {
  if (!pe.present)
    return std::string(pe.walk.exists(Level::Pte) ? "not present" : "not present (no PTE table)") + ", " +
           page_and_mapping(pe) + "; counted in no smaps field\nnext: " + next_touch(pe);
  if (pe.zero_page)
    return std::string(pe.huge ? "the huge zero page (PMD)" : "the zero page") + ", " + page_and_mapping(pe) +
           ": one read-only frame of zeros, no mapcount, in neither Rss nor Pss\nnext: a read does not fault; " +
           next_write(pe);
  std::string dirty = pe.dirty ? "dirty (written through this PTE)" : pe.frame_dirty ? "dirty (its frame is)" : "clean";
  return page_and_mapping(pe) + "; " + smaps_field(pe) + "\nframe " + num(pe.frame) +
         (pe.huge ? " (in a THP mapped by a PMD)" : "") + ", PTE " + (pe.writable ? "writable" : "read-only") +
         ", " + dirty + "; " + pss_share(pe.mapcount) + "\nnext: a read does not fault; " + next_write(pe);
}

std::string frame_summary(const Frame& fr) {
  if (fr.kind == FrameKind::Free) return "free frame";
  const char* kind = fr.kind == FrameKind::PageCache ? "page-cache frame"
                     : fr.kind == FrameKind::Shmem   ? "shmem frame"
                                                     : "anonymous frame";
  // smaps says Dirty when the frame or the mapper's own PTE is dirty.
  const char* dirty = fr.dirty ? "_Dirty" : "_Clean (_Dirty for a mapper whose PTE is dirty)";
  std::string s = std::string(kind) + (fr.dirty ? ", dirty" : ", clean") + ", mapcount " + num(fr.mapcount) + ": ";
  if (fr.mapcount == 0) return s + "no PTE maps it, so it is in no process's Rss";
  if (fr.mapcount == 1) return s + "its one mapper counts it as Private" + dirty + " and 1 page of Pss";
  return s + "mapped " + times(uint32_t(fr.mapcount)) + ", each mapper counts it as Shared" + dirty +
         " (mapcount >= 2) and 1/" + num(fr.mapcount) + " page of Pss";
}

}  // namespace cow
