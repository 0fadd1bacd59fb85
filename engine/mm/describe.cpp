// Events as short readable lines (--trace, the web's event list):
// "C1 write heap[0-15]: COW copy, frames 0-15 -> 64-79". The longer sentences that say
// why are in explain.cpp.
#include <string>

#include "engine.h"
#include "explain.h"

namespace cow {

const char* to_string(EventKind k) {
  switch (k) {
    case EventKind::ZeroPageMap: return "zero_page_map";
    case EventKind::ZeroFill: return "zero_fill";
    case EventKind::CowCopy: return "cow_copy";
    case EventKind::CowReuse: return "cow_reuse";
    case EventKind::FileCopy: return "file_copy";
    case EventKind::FileMap: return "file_map";
    case EventKind::SharedWrite: return "shared_write";
    case EventKind::ReadSees: return "read";
    case EventKind::Spawn: return "spawn";
    case EventKind::Fork: return "fork";
    case EventKind::ForkFailed: return "fork_failed";
    case EventKind::Vfork: return "vfork";
    case EventKind::Thread: return "thread";
    case EventKind::Exec: return "exec";
    case EventKind::Exit: return "exit";
    case EventKind::Resume: return "resume";
    case EventKind::Mmap: return "mmap";
    case EventKind::Munmap: return "munmap";
    case EventKind::Madvise: return "madvise";
    case EventKind::Mprotect: return "mprotect";
    case EventKind::ForkVma: return "fork_vma";
    case EventKind::PtesCopied: return "ptes_copied";
    case EventKind::WriteProtect: return "write_protect";
    case EventKind::FramesCopied: return "frames_copied";
    case EventKind::FramesFreed: return "frame_freed";
    case EventKind::PmdSplit: return "pmd_split";
    case EventKind::Segfault: return "segfault";
    case EventKind::OomKill: return "oom_kill";
    case EventKind::CommitRefused: return "commit_refused";
    case EventKind::Suppressed: return "suppressed";
  }
  return "?";
}

const char* to_string(Handler h) {
  switch (h) {
    case Handler::HandlePteFault: return "handle_pte_fault";
    case Handler::DoPteMissing: return "do_pte_missing";
    case Handler::DoFault: return "do_fault";
    case Handler::DoAnonymousPage: return "do_anonymous_page";
    case Handler::DoReadFault: return "do_read_fault";
    case Handler::DoCowFault: return "do_cow_fault";
    case Handler::DoSharedFault: return "do_shared_fault";
    case Handler::DoWpPage: return "do_wp_page";
    case Handler::WpPageReuse: return "wp_page_reuse";
    case Handler::WpPageCopy: return "wp_page_copy";
    case Handler::WpPageShared: return "wp_page_shared";
    case Handler::CreateHugePmd: return "create_huge_pmd";
    case Handler::DoHugePmdAnonymousPage: return "do_huge_pmd_anonymous_page";
    case Handler::WpHugePmd: return "wp_huge_pmd";
    case Handler::DoHugePmdWpPage: return "do_huge_pmd_wp_page";
    case Handler::DoHugeZeroWpPmd: return "do_huge_zero_wp_pmd";
    case Handler::SplitHugePmd: return "__split_huge_pmd";
  }
  return "?";
}

const char* to_string(ForkDecision d) {
  switch (d) {
    case ForkDecision::None: return "none";
    case ForkDecision::CopyPtes: return "copy";
    case ForkDecision::NoAnonVma: return "skip";
    case ForkDecision::DontFork: return "dontfork";
    case ForkDecision::WipeOnFork: return "wipeonfork";
  }
  return "?";
}

std::string Engine::describe(const Event& e) const {
  auto proc = [&](ProcId p) { return p < procs_.size() ? procs_[p].name : std::string("?"); };
  auto at = [&] { return (e.region < names_.size() ? names_[e.region] : "?") + "[" + range_text(e.page, e.pages) + "]"; };
  auto fr = [&](FrameId f) { return frames_text(f, e.pages); };
  auto ptes = [&](uint32_t n) { return std::to_string(n) + (n == 1 ? " PTE" : " PTEs"); };
  std::string who = proc(e.proc);
  switch (e.kind) {
    case EventKind::ZeroPageMap: return who + " read " + at() + ": mapped the zero page";
    case EventKind::ZeroFill: return who + " write " + at() + ": zero-filled " + fr(e.new_frame());
    case EventKind::CowCopy: return who + " write " + at() + ": COW copy, " + fr(e.frame) + " -> " + range_text(e.new_frame(), e.pages);
    case EventKind::CowReuse: return who + " write " + at() + ": reused " + fr(e.frame) + " (last mapper)";
    case EventKind::FileCopy: return who + " write " + at() + ": copied page-cache " + fr(e.frame) + " -> anonymous " + fr(e.new_frame());
    case EventKind::FileMap: return who + " read " + at() + ": fault-around mapped " + std::to_string(e.count) + " cached page" + (e.count == 1 ? "" : "s");
    case EventKind::SharedWrite: return who + " write " + at() + ": shared " + fr(e.frame) + ", no copy";
    case EventKind::ReadSees: return who + " read " + at() + ": " + fr(e.frame) + (e.count ? " holds " + proc(e.count - 1) + "'s write" : " holds zeros or file data");
    case EventKind::Spawn: return who + " spawned";
    case EventKind::Fork: return who + " forked " + proc(e.other);
    case EventKind::ForkFailed: return who + " fork failed: ENOMEM (needs " + std::to_string(e.count) + " free frames)";
    case EventKind::Vfork: return who + " vforked " + proc(e.other) + "; " + who + " waits";
    case EventKind::Thread: return who + " started thread " + proc(e.other);
    case EventKind::Exec: return who + " exec: fresh address space";
    case EventKind::Exit: return who + " exited";
    case EventKind::Resume: return proc(e.other) + " resumes (vfork child " + who + " is done)";
    case EventKind::Mmap: return who + " mmap " + names_[e.region] + ": " + std::to_string(e.count) + " pages";
    case EventKind::Munmap: return who + " munmap " + names_[e.region];
    case EventKind::Madvise: return who + " madvise " + names_[e.region] + " " + to_string(Advice(e.count));
    case EventKind::Mprotect: return who + " mprotect " + names_[e.region] + (e.count == uint32_t(Prot::ReadOnly) ? " readonly" : " readwrite");
    case EventKind::ForkVma: return who + " fork " + at() + ": " + to_string(e.decision) + (e.count ? ", " + ptes(e.count) + " copied" : "") + (e.pmds_copied ? ", " + std::to_string(e.pmds_copied) + (e.pmds_copied == 1 ? " huge PMD" : " huge PMDs") + " copied" : "");
    case EventKind::PtesCopied: return who + " fork copied " + ptes(e.count) + " to " + proc(e.other);
    case EventKind::WriteProtect: return who + " fork write-protected " + ptes(e.count);
    case EventKind::FramesCopied: return who + " fork copied " + std::to_string(e.count) + " frames eagerly for " + proc(e.other);
    case EventKind::FramesFreed: return frames_text(e.frame, e.count) + " freed";
    case EventKind::PmdSplit: return who + " split the huge PMD of " + at() + " into 512 PTEs (__split_huge_pmd)";
    case EventKind::Segfault: return who + " killed by SIGSEGV at " + at();
    case EventKind::OomKill: return who + " killed by the OOM killer (badness " + std::to_string(e.count) + ")";
    case EventKind::CommitRefused: {
      const CommitRefusal& r = refusals_[e.count];
      return who + " " + refusal_summary(r, r.region < names_.size() ? names_[r.region] : "?");
    }
    case EventKind::Suppressed: return "... " + std::to_string(e.count) + " more page events";
  }
  return "?";
}

}  // namespace cow
