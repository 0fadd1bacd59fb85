// Small ids and enums shared by every part of the engine.
//
// Everything the engine owns lives in vectors indexed by these ids: frames, files,
// shmem objects, address spaces (Linux's mm_struct), processes (task_struct) and
// region names. Ids are never reused, so a copy of the engine is a snapshot.
#pragma once
#include <cstdint>

namespace cow {

using FrameId = uint32_t;   // physical frame number
using FileId = uint32_t;    // a file and its page cache
using ShmemId = uint32_t;   // an anonymous shared object (Linux: a shmem inode)
using MmId = uint32_t;      // an address space (Linux: struct mm_struct)
using ProcId = uint32_t;    // a task (its pid is Process::pid)
using NameId = uint32_t;    // an interned region name

constexpr uint32_t kNone = UINT32_MAX;
constexpr uint64_t kPageSize = 4096;
constexpr uint32_t kPtesPerTable = 512;           // one PTE table maps 2 MiB
constexpr uint32_t kHugePages = kPtesPerTable;    // a PMD-mapped THP: 2 MiB, 512 pages
constexpr uint32_t kPagesPerGiB = 262144;         // one PMD table maps 1 GiB
constexpr uint64_t kGiBPerPud = 512;              // one PUD table maps 512 GiB
constexpr uint64_t kFirstMappingGiB = 1024;       // mappings start at 1 TiB
constexpr uint32_t kFaultAroundPages = 16;        // fault_around_bytes = 64 KiB
constexpr uint32_t kMaxFrames = 1u << 24;         // 64 GiB of RAM at most

enum class Access : uint8_t { Read, Write };
enum class Share : uint8_t { Private, Shared };
enum class Backing : uint8_t { Anon, File };
// Protection of a VMA, as mmap and mprotect set it (Linux: VM_WRITE in vm_flags).
enum class Prot : uint8_t { ReadOnly, ReadWrite };
enum class ForkMode : uint8_t { Cow, Copy };
enum class FrameKind : uint8_t { Free, Anon, PageCache, Shmem };
enum class ProcState : uint8_t { Running, Suspended, Exited, Killed };
enum class Advice : uint8_t { DontFork, DoFork, WipeOnFork, KeepOnFork, DontNeed, HugePage, NoHugePage };
// /sys/kernel/mm/transparent_hugepage/enabled: which private anonymous VMAs may get
// transparent huge pages (never; only those with MADV_HUGEPAGE; all but MADV_NOHUGEPAGE).
enum class ThpMode : uint8_t { Never, Madvise, Always };

// The outcome of one page fault (Linux: VM_FAULT_* from handle_mm_fault). A bad access
// (SIGSEGV) never reaches the fault handler: Engine::access checks the VMA first.
// Fallback (VM_FAULT_FALLBACK): a huge-page handler could not map a PMD (no free 2 MiB
// block) or split it; the fault goes on at the PTE level.
enum class FaultResult : uint8_t { Resolved, OutOfMemory, Fallback };

const char* to_string(ProcState s);
const char* to_string(Advice a);
const char* to_string(ThpMode m);

}  // namespace cow
