// Events as readable lines: "C1 write heap[3]: COW copy, frame 117 -> 181".
#include <string>

#include "engine.h"

namespace cow {

const char* to_string(EventKind k) {
  switch (k) {
    case EventKind::ZeroPageMap: return "zero_page_map";
    case EventKind::ZeroFill: return "zero_fill";
    case EventKind::CowCopy: return "cow_copy";
    case EventKind::CowReuse: return "cow_reuse";
    case EventKind::FileCopy: return "file_copy";
    case EventKind::FileMap: return "file_map";
    case EventKind::ShmemAlloc: return "shmem_alloc";
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
    case EventKind::PtesCopied: return "ptes_copied";
    case EventKind::WriteProtect: return "write_protect";
    case EventKind::FramesCopied: return "frames_copied";
    case EventKind::FramesFreed: return "frame_freed";
    case EventKind::Segfault: return "segfault";
    case EventKind::OomKill: return "oom_kill";
    case EventKind::Suppressed: return "suppressed";
  }
  return "?";
}

std::string Engine::describe(const Event& e) const {
  auto proc = [&](ProcId p) { return p < procs_.size() ? procs_[p].name : std::string("?"); };
  auto at = [&] { return (e.region < names_.size() ? names_[e.region] : "?") + "[" + std::to_string(e.page) + "]"; };
  auto fr = [](FrameId f) { return f == Frames::kZeroPage ? std::string("zero page") : "frame " + std::to_string(f); };
  std::string who = proc(e.proc);
  switch (e.kind) {
    case EventKind::ZeroPageMap: return who + " read " + at() + ": mapped the zero page";
    case EventKind::ZeroFill: return who + " write " + at() + ": zero-filled " + fr(e.frame2 != kNone ? e.frame2 : e.frame);
    case EventKind::CowCopy: return who + " write " + at() + ": COW copy, " + fr(e.frame) + " -> " + std::to_string(e.frame2);
    case EventKind::CowReuse: return who + " write " + at() + ": reused " + fr(e.frame) + " (last mapper)";
    case EventKind::FileCopy: return who + " write " + at() + ": copied page-cache " + fr(e.frame) + " -> anonymous frame " + std::to_string(e.frame2);
    case EventKind::FileMap: return who + " read " + at() + ": fault-around mapped " + std::to_string(e.count) + " cached page" + (e.count == 1 ? "" : "s");
    case EventKind::ShmemAlloc: return who + " touch " + at() + ": shared page allocated, " + fr(e.frame);
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
    case EventKind::PtesCopied: return who + " fork copied " + std::to_string(e.count) + " PTEs to " + proc(e.other);
    case EventKind::WriteProtect: return who + " fork write-protected " + std::to_string(e.count) + " PTEs";
    case EventKind::FramesCopied: return who + " fork copied " + std::to_string(e.count) + " frames eagerly for " + proc(e.other);
    case EventKind::FramesFreed: return fr(e.frame) + " freed";
    case EventKind::Segfault: return who + " killed by SIGSEGV at " + at();
    case EventKind::OomKill: return who + " killed by the OOM killer (badness " + std::to_string(e.count) + ")";
    case EventKind::Suppressed: return "... " + std::to_string(e.count) + " more page events";
  }
  return "?";
}

}  // namespace cow
