#include "commit.h"

#include <algorithm>

#include "engine.h"

namespace cow {

const char* to_string(Overcommit m) {
  switch (m) {
    case Overcommit::Heuristic: return "heuristic";
    case Overcommit::Always: return "always";
    case Overcommit::Never: return "never";
  }
  return "?";
}

const char* to_string(CommitOp op) {
  switch (op) {
    case CommitOp::Mmap: return "mmap";
    case CommitOp::Mprotect: return "mprotect";
    case CommitOp::Fork: return "fork";
  }
  return "?";
}

uint64_t commit_limit(uint64_t ram_pages, uint64_t swap_pages, uint32_t ratio) {
  return ram_pages * ratio / 100 + swap_pages;
}

// 8 MiB and 128 MiB in 4 KiB pages.
uint64_t admin_reserve_pages(uint64_t ram_pages) { return std::min<uint64_t>(ram_pages / 32, 2048); }
uint64_t user_reserve_pages(uint64_t ram_pages) { return std::min<uint64_t>(ram_pages / 32, 32768); }

// The request is added first and taken back when refused (vm_acct_memory, then
// vm_unacct_memory): under mode never the test is on the sum.
CommitVerdict judge_commit(const CommitInputs& in, uint64_t request) {
  CommitVerdict v{.request = request, .committed_after = in.committed + request};
  switch (in.mode) {
    case Overcommit::Always:
      return v;
    case Overcommit::Heuristic:
      v.limit = in.ram_pages + in.swap_pages;
      v.allowed = request <= v.limit;
      return v;
    case Overcommit::Never:
      v.limit = commit_limit(in.ram_pages, in.swap_pages, in.ratio);
      v.admin_reserve = admin_reserve_pages(in.ram_pages);  // no CAP_SYS_ADMIN
      v.user_reserve = std::min(in.total_vm / 32, user_reserve_pages(in.ram_pages));
      v.allowed = v.committed_after < v.allowed_max();
      return v;
  }
  return v;
}

}  // namespace cow

namespace cow {

// ---- the engine's charges ------------------------------------------------------------

uint64_t Engine::commit_limit() const {
  return cow::commit_limit(frames_.total(), config_.modes.swap_pages, config_.modes.overcommit_ratio);
}

uint64_t Engine::total_vm(MmId mm) const {
  uint64_t n = 0;
  for (const Vma& v : mms_[mm].vmas) n += v.end - v.first;
  return n;
}

bool Engine::charge(ProcId p, CommitOp op, NameId region, uint64_t pages) {
  MmId mm = procs_[p].mm;
  CommitInputs in{.mode = config_.modes.overcommit, .ratio = config_.modes.overcommit_ratio,
                  .ram_pages = frames_.total(), .swap_pages = config_.modes.swap_pages,
                  .committed = committed_as_, .total_vm = total_vm(mm)};
  CommitVerdict v = judge_commit(in, pages);
  if (v.allowed) {
    committed_as_ += pages;
    return true;
  }
  refusals_.push_back({.op = op, .proc = p, .mm = mm, .region = region, .mode = in.mode, .verdict = v});
  emit({.kind = EventKind::CommitRefused, .proc = p, .mm = mm, .region = region,
        .count = uint32_t(refusals_.size() - 1)});
  return false;
}

static std::string n(uint64_t v) { return std::to_string(v); }

std::string refusal_summary(const CommitRefusal& r, const std::string& region) {
  const CommitVerdict& v = r.verdict;
  std::string what = std::string(to_string(r.op)) + (r.op == CommitOp::Fork ? "" : " " + region) +
                     " refused: ENOMEM, commit charge of " + n(r.op == CommitOp::Fork ? r.fork_total : v.request) + " pages";
  if (r.mode == Overcommit::Heuristic)
    return what + " (heuristic: " + region + " is " + n(v.request) + " pages > RAM + swap " + n(v.limit) + ")";
  return what + " (never: Committed_AS would be " + n(v.committed_after) + ", must stay below " + n(v.allowed_max()) + ")";
}

std::string explain_refusal(const CommitRefusal& r, const std::string& who, const std::string& region) {
  const CommitVerdict& v = r.verdict;
  std::string s;
  if (r.op == CommitOp::Fork)
    s = who + " fork failed with ENOMEM: dup_mmap charges the child every accountable VMA it copies (" +
        n(r.fork_total) + " pages of private writable memory), although copy-on-write copies no page at fork. "
        "The VMA refused was " + region + " (" + n(v.request) + " pages). ";
  else if (r.op == CommitOp::Mmap)
    s = who + " mmap " + region + " failed with ENOMEM: " + n(v.request) + " pages to charge (mmap_region). ";
  else
    s = who + " mprotect " + region + " readwrite failed with ENOMEM: " + n(v.request) +
        " read-only private pages become writable and must be charged (mprotect_fixup). ";
  if (r.mode == Overcommit::Heuristic)
    return s + "Under overcommit=heuristic, __vm_enough_memory refuses one request larger than RAM + swap (" +
           n(v.limit) + " pages); this one is " + n(v.request) + ".";
  return s + "Under overcommit=never, __vm_enough_memory allows a charge only while Committed_AS, the request "
             "included, stays below CommitLimit (" + n(v.limit) + " pages) less the admin reserve (" +
             n(v.admin_reserve) + ") and the user reserve (" + n(v.user_reserve) + "): below " + n(v.allowed_max()) +
             ". Committed_AS would have been " + n(v.committed_after) + " (" + n(v.committed_after - v.request) +
             " + " + n(v.request) + ").";
}

bool uses_commit_accounting(const Engine& e) {
  const Modes& m = e.modes();
  return !e.commit_refusals().empty() || m.overcommit != Overcommit::Heuristic || m.overcommit_ratio != 50 ||
         m.swap_pages != 0;
}

void Engine::uncharge_vma(AddressSpace& as, const Vma& v) {
  if (!v.account) return;
  as.committed -= v.end - v.first;
  uncharge(v.end - v.first);
}

}  // namespace cow
