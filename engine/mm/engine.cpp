// Tasks, mappings and the per-page access loop. Page faults: fault.cpp. fork: fork.cpp.
// Teardown (munmap, exit): teardown.cpp. Accounting: accounting.cpp.
#include "engine.h"

#include <algorithm>
#include <cassert>
#include <unordered_set>
#include <utility>

#include "fault.h"

namespace cow {

const char* to_string(ProcState s) {
  switch (s) {
    case ProcState::Running: return "running";
    case ProcState::Suspended: return "suspended";
    case ProcState::Exited: return "exited";
    case ProcState::Killed: return "killed";
  }
  return "?";
}

const char* to_string(Advice a) {
  switch (a) {
    case Advice::DontFork: return "dontfork";
    case Advice::DoFork: return "dofork";
    case Advice::WipeOnFork: return "wipeonfork";
    case Advice::KeepOnFork: return "keeponfork";
    case Advice::DontNeed: return "dontneed";
    case Advice::HugePage: return "hugepage";
    case Advice::NoHugePage: return "nohugepage";
  }
  return "?";
}

const char* to_string(ThpMode m) {
  switch (m) {
    case ThpMode::Never: return "never";
    case ThpMode::Madvise: return "madvise";
    case ThpMode::Always: return "always";
  }
  return "?";
}

static OpResult error(std::string message) {
  return OpResult{.outcome = Outcome::Error, .error = std::move(message)};
}

Engine::Engine(Config config) : config_(config), frames_(std::min(config.frames, kMaxFrames)) {}

// Calls f(entries, n) once for each PTE block e holds with any entries: page tables' and
// pending teardowns' (a block shared by several is seen several times).
template <typename F>
static void for_each_block(const std::vector<AddressSpace>& mms, F&& f) {
  for (const AddressSpace& as : mms)
    for (const Mapping& m : as.mappings)
      for (uint32_t t = 0; t < m.pt.ptes.block_count(); ++t)
        if (const Pte* b = m.pt.ptes.block(t)) f(b, m.pt.ptes.block_size(t));
}

uint64_t Engine::copy_bytes(const Engine* earlier) const {
  std::unordered_set<const Pte*> held;
  if (earlier) {
    for_each_block(earlier->mms_, [&](const Pte* b, uint32_t) { held.insert(b); });
    for (const auto& [b, p] : earlier->pending_puts_) held.insert(b);
  }
  uint64_t bytes = frames_.memory_bytes();
  auto add = [&](const Pte* b, uint32_t n) {
    if (held.insert(b).second) bytes += uint64_t(n) * sizeof(Pte);
  };
  for_each_block(mms_, add);
  for (const auto& [b, p] : pending_puts_) add(b, p.n);
  return bytes;
}

// ---- names, files ----------------------------------------------------------------

NameId Engine::intern(std::string_view region) {
  NameId n = find_name(region);
  if (n != kNone) return n;
  names_.emplace_back(region);
  return NameId(names_.size() - 1);
}

NameId Engine::find_name(std::string_view region) const {
  for (NameId i = 0; i < names_.size(); ++i)
    if (names_[i] == region) return i;
  return kNone;
}

FileId Engine::find_file(std::string_view name) const {
  for (FileId i = 0; i < files_.size(); ++i)
    if (files_[i].name == name) return i;
  return kNone;
}

ProcId Engine::find_process(std::string_view name) const {
  for (ProcId i = 0; i < procs_.size(); ++i)
    if (procs_[i].name == name) return i;
  return kNone;
}

uint32_t Engine::region_pages(NameId region) const {
  for (const AddressSpace& as : mms_)
    for (const Mapping& m : as.mappings)
      if (m.name == region) return m.pages;
  return 0;
}

OpResult Engine::create_file(std::string_view name, uint32_t pages) {
  settle();
  if (find_file(name) != kNone) return error("file '" + std::string(name) + "' already exists");
  if (pages == 0) return error("a file needs at least one page");
  if (pages > frames_.free_count())
    return error("not enough free RAM to cache file '" + std::string(name) + "' (" +
                 std::to_string(pages) + " pages, " + std::to_string(frames_.free_count()) + " free)");
  File file{std::string(name), {}};
  for (uint32_t i = 0; i < pages; ++i) {
    FrameId f = frames_.alloc(FrameKind::PageCache);
    frames_[f].cache_ref = true;
    file.pages.push_back(f);
  }
  files_.push_back(std::move(file));
  return {};
}

// ---- events ----------------------------------------------------------------------

void Engine::emit_detail(const Event& e) {
  if (e.kind == EventKind::FramesFreed && !events_.empty()) {
    Event& last = events_.back();
    if (last.kind == EventKind::FramesFreed && e.frame == last.frame + last.count) {
      last.count += e.count;
      return;
    }
  }
  if (detailed_ >= config_.event_detail_limit) {
    ++suppressed_;
    return;
  }
  ++detailed_;
  events_.push_back(e);
}

std::vector<Event> Engine::take_events() {
  if (suppressed_) events_.push_back({.kind = EventKind::Suppressed, .count = suppressed_});
  detailed_ = suppressed_ = 0;
  return std::exchange(events_, {});
}

// ---- tasks -----------------------------------------------------------------------

OpResult Engine::check_actor(ProcId p) const {
  if (p >= procs_.size()) return error("no such process");
  const Process& t = procs_[p];
  if (t.state == ProcState::Suspended)
    return error("process '" + t.name + "' is suspended (waiting for its vfork child)");
  if (!t.live()) return error("process '" + t.name + "' has " + to_string(t.state));
  return {};
}

MmId Engine::new_mm() {
  mms_.emplace_back();
  mms_.back().users = 1;
  return MmId(mms_.size() - 1);
}

static OpResult check_new_name(const Engine& e, std::string_view name) {
  if (e.find_process(name) != kNone) return error("process '" + std::string(name) + "' already exists");
  return {};
}

ProcId Engine::add_task(Process task) {
  ProcId id = ProcId(procs_.size());
  task.pid = id + 1;
  procs_.push_back(std::move(task));
  return id;
}

// A spawned task has no parent in the script: pid 1 is init, the others come from
// outside the script's pid namespace (docs/kernel-rules.md, "Process ids, parents and
// orphans").
OpResult Engine::spawn(std::string_view name) {
  if (OpResult r = check_new_name(*this, name); r.rejected()) return r;
  ProcId p = add_task({.name = std::string(name), .leader = ProcId(procs_.size()), .mm = new_mm()});
  emit({.kind = EventKind::Spawn, .proc = p});
  return {.created = p};
}

OpResult Engine::thread(ProcId creator, std::string_view name) {
  if (OpResult r = check_actor(creator); r.rejected()) return r;
  if (OpResult r = check_new_name(*this, name); r.rejected()) return r;
  // CLONE_THREAD: the new thread's real_parent is its group's parent, not its creator.
  ++mms_[procs_[creator].mm].users;
  ProcId t = add_task({.name = std::string(name), .parent = procs_[creator].parent,
                       .leader = procs_[creator].leader, .mm = procs_[creator].mm});
  emit({.kind = EventKind::Thread, .proc = creator, .other = t});
  return {.created = t};
}

OpResult Engine::vfork(ProcId parent, std::string_view name) {
  if (OpResult r = check_actor(parent); r.rejected()) return r;
  if (OpResult r = check_new_name(*this, name); r.rejected()) return r;
  ++mms_[procs_[parent].mm].users;
  ProcId c = add_task({.name = std::string(name), .parent = parent, .leader = ProcId(procs_.size()),
                       .vfork_parent = parent, .mm = procs_[parent].mm});
  procs_[parent].state = ProcState::Suspended;
  emit({.kind = EventKind::Vfork, .proc = parent, .other = c});
  return {.created = c};
}

void Engine::end_task(ProcId p, ProcState how) {
  Process& t = procs_[p];
  if (!t.live()) return;
  t.state = how;
  MmId mm = t.mm;
  reparent_children(p);
  // A killed task's teardown happens inside a fault, which goes on reading mapcounts.
  if (--mms_[mm].users == 0) release_mm(mm, how == ProcState::Exited ? Puts::MayDefer : Puts::Now);
  ProcId waiting = std::exchange(procs_[p].vfork_parent, kNone);
  if (waiting != kNone && procs_[waiting].state == ProcState::Suspended) {
    procs_[waiting].state = ProcState::Running;
    emit({.kind = EventKind::Resume, .proc = p, .other = waiting});
  }
}

// pid 1 is always a group leader (the first task, or the thread that took its pid in
// exec), and a leader ends only with its whole group: no other thread can take over.
ProcId Engine::child_reaper() const {
  for (ProcId q = 0; q < procs_.size(); ++q)
    if (procs_[q].pid == 1) return procs_[q].live() ? q : kNone;
  return kNone;
}

// Linux: find_new_reaper. Another live thread of the group, else init; the engine has
// no subreapers (PR_SET_CHILD_SUBREAPER), which Linux would try in between.
ProcId Engine::find_new_reaper(ProcId p) const {
  for (ProcId q = 0; q < procs_.size(); ++q)
    if (q != p && procs_[q].live() && procs_[q].leader == procs_[p].leader) return q;
  return child_reaper();
}

// Linux: forget_original_parent. Only live tasks are moved: the record of one that
// already ended keeps the parent it had.
void Engine::reparent_children(ProcId p) {
  ProcId reaper = kNone;
  bool found = false;
  for (Process& q : procs_) {
    if (q.parent != p || !q.live()) continue;
    if (!found) reaper = find_new_reaper(p), found = true;
    q.parent = reaper;
  }
}

uint32_t Engine::ppid(ProcId p) const {
  ProcId parent = procs_[p].parent;
  return parent == kNone ? 0 : procs_[procs_[parent].leader].pid;
}

uint64_t Engine::min_flt(ProcId p) const {
  uint64_t n = 0;
  for (const Process& q : procs_)
    if (q.leader == procs_[p].leader) n += q.min_flt;
  return n;
}

void Engine::kill_thread_group(ProcId p, ProcState how) {
  ProcId leader = procs_[p].leader;
  for (ProcId q = 0; q < procs_.size(); ++q)
    if (procs_[q].leader == leader) end_task(q, how);
}

OpResult Engine::exit(ProcId p) {
  if (OpResult r = check_actor(p); r.rejected()) return r;
  emit({.kind = EventKind::Exit, .proc = p});
  if (procs_[p].is_thread(p))
    end_task(p, ProcState::Exited);
  else
    kill_thread_group(p, ProcState::Exited);
  return {};
}

// exec replaces the address space of the whole thread group: the other threads end, and
// a thread that execs becomes the group leader with the leader's pid, the old leader
// leaving with the thread's (de_thread).
OpResult Engine::exec(ProcId p) {
  if (OpResult r = check_actor(p); r.rejected()) return r;
  ProcId leader = procs_[p].leader;
  for (ProcId q = 0; q < procs_.size(); ++q)
    if (q != p && procs_[q].leader == leader) end_task(q, ProcState::Exited);
  std::swap(procs_[p].pid, procs_[leader].pid);
  for (ProcId q = 0; q < procs_.size(); ++q)
    if (procs_[q].leader == leader) procs_[q].leader = p;
  MmId old = procs_[p].mm;
  procs_[p].mm = new_mm();
  emit({.kind = EventKind::Exec, .proc = p});
  if (--mms_[old].users == 0) release_mm(old, Puts::MayDefer);
  ProcId waiting = std::exchange(procs_[p].vfork_parent, kNone);
  if (waiting != kNone && procs_[waiting].state == ProcState::Suspended) {
    procs_[waiting].state = ProcState::Running;
    emit({.kind = EventKind::Resume, .proc = p, .other = waiting});
  }
  return {};
}

void Engine::segfault(ProcId p, NameId region, uint32_t page) {
  ++counters_.segfaults;
  emit({.kind = EventKind::Segfault, .proc = p, .region = region, .page = page});
  kill_thread_group(p, ProcState::Killed);
}

// Badness is Rss plus page-table pages; a tie goes to the most recently created task.
ProcId Engine::oom_kill() {
  ProcId victim = kNone;
  uint64_t worst = 0;
  for (ProcId q = 0; q < procs_.size(); ++q) {
    if (!procs_[q].live()) continue;
    Usage u = usage(q);
    uint64_t badness = u.rss + u.vm_pte;
    if (victim == kNone || badness >= worst) victim = q, worst = badness;
  }
  if (victim == kNone) return kNone;
  ++counters_.oom_kills;
  emit({.kind = EventKind::OomKill, .proc = victim, .count = uint32_t(worst)});
  MmId mm = procs_[victim].mm;
  for (ProcId q = 0; q < procs_.size(); ++q)
    if (procs_[q].live() && procs_[q].mm == mm) end_task(q, ProcState::Killed);
  return victim;
}

// ---- mappings --------------------------------------------------------------------

OpResult Engine::mmap(ProcId p, NameId region, const MmapSpec& spec) {
  settle();
  if (OpResult r = check_actor(p); r.rejected()) return r;
  if (region >= names_.size()) return error("no such region name");
  AddressSpace& as = mms_[procs_[p].mm];
  uint32_t old = as.find_mapping(region);
  if (old != kNone && as.maps_any(old))
    return error("region '" + names_[region] + "' is already mapped by '" + procs_[p].name + "'");
  Mapping m{.name = region, .base_gib = as.next_gib, .backing = spec.backing, .share = spec.share};
  if (spec.backing == Backing::File) {
    if (spec.file >= files_.size()) return error("no such file");
    if (spec.hugepage) return error("huge pages (thp) are modelled for private anonymous mappings only");
    m.pages = uint32_t(files_[spec.file].pages.size());
    m.object = spec.file;
  } else {
    if (spec.pages == 0) return error("a mapping needs at least one page");
    if (spec.hugepage && spec.share == Share::Shared)
      return error("huge pages (thp) are modelled for private anonymous mappings only");
    m.pages = spec.pages;
  }
  if (spec.noreserve && spec.share == Share::Shared)
    return error("noreserve is modelled for private mappings only");
  Vma v{.end = m.pages, .prot = spec.prot, .hugepage = spec.hugepage};
  if (!charge_new_mapping(p, region, m, spec, v)) {
    ++counters_.mmap_failures;
    return {.outcome = Outcome::Refused};
  }
  as.committed += v.account ? m.pages : 0;
  as.next_gib += (m.pages + kPagesPerGiB - 1) / kPagesPerGiB;
  as.mappings.push_back(std::move(m));
  v.mapping = uint32_t(as.mappings.size() - 1);
  as.vmas.push_back(v);
  emit({.kind = EventKind::Mmap, .proc = p, .region = region, .count = as.mappings.back().pages});
  return {};
}

// mmap_region's charge: a private writable mapping is accountable unless MAP_NORESERVE
// outside mode never (VM_NORESERVE); a shmem object is charged for its size when it is
// created (shmem_acct_size), whatever the protection. Fills in v's flags and m's object.
bool Engine::charge_new_mapping(ProcId p, NameId region, Mapping& m, const MmapSpec& spec, Vma& v) {
  if (m.backing == Backing::Anon && m.share == Share::Shared) {
    if (!charge(p, CommitOp::Mmap, region, m.pages)) return false;
    shmem_.push_back({std::vector<FrameId>(m.pages, kNone), true, m.pages});
    m.object = ShmemId(shmem_.size() - 1);
    return true;
  }
  if (m.share == Share::Shared) return true;  // shared file: the page cache, not charged
  v.noreserve = spec.noreserve && config_.modes.overcommit != Overcommit::Never;
  v.account = spec.prot == Prot::ReadWrite && !v.noreserve;
  return !v.account || charge(p, CommitOp::Mmap, region, m.pages);
}

OpResult Engine::resolve_region(ProcId p, NameId region, const Pages& pages, uint32_t* mapping) const {
  if (OpResult r = check_actor(p); r.rejected()) return r;
  if (region >= names_.size()) return error("no such region name");
  const AddressSpace& as = mms_[procs_[p].mm];
  uint32_t m = as.find_mapping(region);
  uint32_t size = m != kNone ? as.mappings[m].pages : region_pages(region);
  for (const PageSpan& s : pages)
    if (s.first > s.last || s.last >= size)
      return error("page " + std::to_string(std::max(s.first, s.last)) + " is beyond region '" +
                   names_[region] + "' (" + std::to_string(size) + " pages: 0-" +
                   std::to_string(size - 1) + ")");
  *mapping = m;
  return {};
}

// The spans to act on: the given ones, or every page the task still maps in the region.
static Pages spans_or_all(const AddressSpace& as, uint32_t m, const Pages& pages) {
  if (!pages.empty()) return pages;
  Pages all;
  for (const Vma& v : as.vmas)
    if (v.mapping == m) all.push_back({v.first, v.end - 1});
  return all;
}

OpResult Engine::access(ProcId p, NameId region, const Pages& pages, Access access) {
  settle();
  uint32_t m;
  if (OpResult r = resolve_region(p, region, pages, &m); r.rejected()) return r;
  AddressSpace* as = &mms_[procs_[p].mm];
  if (m == kNone || !as->maps_any(m)) {  // the task does not map this region at all
    segfault(p, region, pages.empty() ? 0 : pages.front().first);
    return {.outcome = Outcome::ActorKilled};
  }
  // Each span in runs of pages that lie in one VMA; a page outside every VMA, or a write
  // to a read-only one, is a SIGSEGV there; no free frame runs the OOM killer and retries.
  for (const PageSpan& span : spans_or_all(*as, m, pages)) {
    for (uint64_t page = span.first; page <= span.last;) {
      uint32_t v = as->find_vma(m, uint32_t(page));
      if (v == kNone || (access == Access::Write && as->vmas[v].prot == Prot::ReadOnly)) {
        segfault(p, region, uint32_t(page));
        return {.outcome = Outcome::ActorKilled};
      }
      uint32_t end = uint32_t(std::min<uint64_t>(span.last + 1, as->vmas[v].end));
      page += Fault::touch_run(*this, p, m, v, uint32_t(page), end, access);
      if (page < end) {  // out of memory at `page`
        oom_kill();
        if (!procs_[p].live()) return {.outcome = Outcome::ActorKilled};
        as = &mms_[procs_[p].mm];
      }
    }
  }
  return {};
}

OpResult Engine::madvise(ProcId p, NameId region, const Pages& pages, Advice advice) {
  settle();
  uint32_t m;
  if (OpResult r = resolve_region(p, region, pages, &m); r.rejected()) return r;
  MmId mm = procs_[p].mm;
  AddressSpace& as = mms_[mm];
  if (m == kNone || !as.maps_any(m))
    return error("madvise: '" + procs_[p].name + "' does not map '" + names_[region] + "' (ENOMEM)");
  if (advice == Advice::WipeOnFork &&
      (as.mappings[m].share == Share::Shared || as.mappings[m].backing == Backing::File))
    return error("madvise wipeonfork: only private anonymous mappings allow it (EINVAL)");
  Pages spans = spans_or_all(as, m, pages);
  emit({.kind = EventKind::Madvise, .proc = p, .region = region, .count = uint32_t(advice)});
  if (advice == Advice::DontNeed) {
    for (const PageSpan& s : spans) {
      split_pmd_at(p, m, s.first);
      split_pmd_at(p, m, s.last + 1);
      zap_range(mm, m, s.first, s.last + 1);
    }
    return {};
  }
  split_spans(p, m, spans);
  for (Vma& v : as.vmas) {
    if (v.mapping != m) continue;
    for (const PageSpan& s : spans) {
      if (v.first < s.first || v.end > s.last + 1) continue;
      if (advice == Advice::DontFork) v.dontfork = true;
      if (advice == Advice::DoFork) v.dontfork = false;
      if (advice == Advice::WipeOnFork) v.wipeonfork = true;
      if (advice == Advice::KeepOnFork) v.wipeonfork = false;
      if (advice == Advice::HugePage) v.hugepage = true, v.nohugepage = false;  // hugepage_madvise
      if (advice == Advice::NoHugePage) v.nohugepage = true, v.hugepage = false;
    }
  }
  as.merge_adjacent();
  return {};
}

// Whether mprotect back to writable makes present PTE `x` of mapping `m` writable at once
// (Linux: change_pte_range -> can_change_pte_writable; docs/kernel-rules.md, "mprotect
// back to writable"). Private: only an anon-exclusive page. Shared: shmem always (its
// VMAs need no write notification), a file page only when the PTE is dirty.
static bool can_change_pte_writable(const Mapping& m, Pte x) {
  if (m.share == Share::Private) return pte::anon_exclusive(x);
  return m.backing == Backing::Anon || pte::dirty(x);
}

// Applies a protection change to the present PTEs of VMA v (Linux: change_pte_range):
// readonly write-protects them all; readwrite makes writable those that would take a
// write fault only to be made writable. The others fault on the next write.
static void change_pte_range(const Mapping& m, PageTable& pt, const Vma& v, Prot protect) {
  for (uint32_t q = v.first; q < v.end && q < pt.ptes.size(); ++q) {
    Pte x = pt.ptes[q], now = x;
    if (protect == Prot::ReadOnly)
      now &= ~pte::kWritable;
    else if (pte::present(x) && can_change_pte_writable(m, x))
      now |= pte::kWritable;
    if (now != x) pt.ptes.mut(q) = now;  // a shared PTE block is copied only when it changes
  }
}

// A VMA whose protection does not change is left alone (mprotect_fixup). VMAs are
// changed in address order; a refused charge stops there, as Linux's loop over VMAs does.
OpResult Engine::mprotect(ProcId p, NameId region, const Pages& pages, Prot protect) {
  settle();
  uint32_t m;
  if (OpResult r = resolve_region(p, region, pages, &m); r.rejected()) return r;
  AddressSpace& as = mms_[procs_[p].mm];
  if (m == kNone || !as.maps_any(m))
    return error("mprotect: '" + procs_[p].name + "' does not map '" + names_[region] + "' (ENOMEM)");
  Pages spans = spans_or_all(as, m, pages);
  split_spans(p, m, spans);
  emit({.kind = EventKind::Mprotect, .proc = p, .region = region, .count = uint32_t(protect)});
  Mapping& map = as.mappings[m];
  for (Vma& v : as.vmas) {
    if (v.mapping != m || v.prot == protect) continue;
    for (const PageSpan& s : spans) {
      if (v.first < s.first || v.end > s.last + 1) continue;
      if (!charge_mprotect(p, map, v, protect)) {
        ++counters_.mprotect_failures;
        as.merge_adjacent();
        return {.outcome = Outcome::Refused};
      }
      v.prot = protect;
      change_pte_range(map, map.pt, v, protect);
      break;
    }
  }
  as.merge_adjacent();
  return {};
}

// mprotect_fixup's charge: a private VMA made writable that is neither accountable nor
// VM_NORESERVE is charged its own pages (only the range mprotect covers) and becomes
// accountable. Back to read-only keeps the charge until munmap, except on an anonymous
// VMA without anon_vma (no page of it was ever written): that one gives it back.
bool Engine::charge_mprotect(ProcId p, const Mapping& map, Vma& v, Prot protect) {
  if (protect == Prot::ReadOnly && v.account && map.backing == Backing::Anon && !v.has_anon) {
    uncharge_vma(mms_[procs_[p].mm], v);
    v.account = false;
    return true;
  }
  if (protect != Prot::ReadWrite || map.share == Share::Shared || v.account || v.noreserve) return true;
  if (!charge(p, CommitOp::Mprotect, map.name, v.end - v.first)) return false;
  v.account = true;
  mms_[procs_[p].mm].committed += v.end - v.first;
  return true;
}

}  // namespace cow
