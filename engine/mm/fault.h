// Page faults: what happens when a task reads or writes one page (Linux:
// handle_mm_fault -> handle_pte_fault and the cases it dispatches to).
//
//   not present, private anon   do_anonymous_page: read maps the zero page, write zero-fills
//   not present, read, file/shmem  do_read_fault: maps the 16-page fault-around window
//   not present, write, private file  do_cow_fault: copies the page-cache page
//   not present, write, shared  do_shared_fault: maps the shared page, dirties it
//   present, write-protected    do_wp_page: shared -> make writable; private -> reuse or
//                               copy, decided in wp_can_reuse() and nowhere else
//
// A handler that needs a frame and finds none returns OutOfMemory without changing
// anything; the caller runs the OOM killer and retries from scratch.
#pragma once
#include <cstdint>

#include "page_table.h"
#include "types.h"

namespace cow {

class Engine;
struct PageStep;
struct Frame;

struct FaultCtx;

struct Fault {
  // Accesses by task `actor` to pages [first, end) of mapping `mapping`, all inside VMA
  // `vma` of its address space, in order, each through handle_pte_fault. Precondition: the
  // VMA permits the access (the caller checked prot). Returns how many resolved: fewer
  // than end - first means page first + result found no free frame (run the OOM killer).
  static uint32_t touch_run(Engine& e, ProcId actor, uint32_t mapping, uint32_t vma,
                            uint32_t first, uint32_t end, Access access);

  // The one reuse-or-copy decision (Linux: wp_can_reuse_anon_folio): a write-protected
  // private page is reused in place when its frame is anonymous, mapped by this address
  // space alone, and nothing else (page cache, shmem) holds it. Otherwise it is copied.
  static bool wp_can_reuse(const Frame& f);

  // The cases, named as in Linux's mm/memory.c. handle_pte_fault picks one.
  static FaultResult handle_pte_fault(FaultCtx& c, Access access);
  static FaultResult do_anonymous_page(FaultCtx& c, Access access);
  static FaultResult do_read_fault(FaultCtx& c);
  static FaultResult do_shared_fault(FaultCtx& c);
  static FaultResult do_wp_page(FaultCtx& c, uint32_t pte);
  static FaultResult copy_page(FaultCtx& c, FrameId from);  // wp_page_copy, do_cow_fault

 private:
  static void set_pte(FaultCtx& c, uint32_t page, uint32_t value);
  static void map_cache_page(FaultCtx& c, uint32_t page, FrameId f, Writable w);
  static void record(FaultCtx& c, PageStep s);
  static FrameId shmem_page(FaultCtx& c, uint32_t page);
};

}  // namespace cow
