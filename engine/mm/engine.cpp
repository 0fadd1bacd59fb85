// Tasks, mappings and the per-page access loop. Page faults: fault.cpp. fork: fork.cpp.
// Teardown (munmap, exit): teardown.cpp. Accounting: accounting.cpp.
#include "engine.h"

#include <algorithm>
#include <cassert>
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
  }
  return "?";
}

static OpResult error(std::string message) {
  return OpResult{.outcome = Outcome::Error, .error = std::move(message)};
}

Engine::Engine(Config config) : config_(config), frames_(std::min(config.frames, kMaxFrames)) {}

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

void Engine::record(const Event& e, bool page_level) {
  detailed_ += page_level;
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

OpResult Engine::spawn(std::string_view name) {
  if (OpResult r = check_new_name(*this, name); r.rejected()) return r;
  ProcId p = ProcId(procs_.size());
  procs_.push_back({.name = std::string(name), .leader = p, .mm = new_mm()});
  emit({.kind = EventKind::Spawn, .proc = p}, false);
  return {.created = p};
}

OpResult Engine::thread(ProcId creator, std::string_view name) {
  if (OpResult r = check_actor(creator); r.rejected()) return r;
  if (OpResult r = check_new_name(*this, name); r.rejected()) return r;
  ProcId t = ProcId(procs_.size());
  Process task{.name = std::string(name), .parent = creator, .leader = procs_[creator].leader,
               .mm = procs_[creator].mm};
  ++mms_[task.mm].users;
  procs_.push_back(std::move(task));
  emit({.kind = EventKind::Thread, .proc = creator, .other = t}, false);
  return {.created = t};
}

OpResult Engine::vfork(ProcId parent, std::string_view name) {
  if (OpResult r = check_actor(parent); r.rejected()) return r;
  if (OpResult r = check_new_name(*this, name); r.rejected()) return r;
  ProcId c = ProcId(procs_.size());
  Process task{.name = std::string(name), .parent = parent, .leader = c, .vfork_parent = parent,
               .mm = procs_[parent].mm};
  ++mms_[task.mm].users;
  procs_.push_back(std::move(task));
  procs_[parent].state = ProcState::Suspended;
  emit({.kind = EventKind::Vfork, .proc = parent, .other = c}, false);
  return {.created = c};
}

void Engine::end_task(ProcId p, ProcState how) {
  Process& t = procs_[p];
  if (!t.live()) return;
  t.state = how;
  MmId mm = t.mm;
  if (--mms_[mm].users == 0) release_mm(mm);
  ProcId waiting = std::exchange(procs_[p].vfork_parent, kNone);
  if (waiting != kNone && procs_[waiting].state == ProcState::Suspended) {
    procs_[waiting].state = ProcState::Running;
    emit({.kind = EventKind::Resume, .proc = p, .other = waiting}, false);
  }
}

void Engine::kill_thread_group(ProcId p, ProcState how) {
  ProcId leader = procs_[p].leader;
  for (ProcId q = 0; q < procs_.size(); ++q)
    if (procs_[q].leader == leader) end_task(q, how);
}

OpResult Engine::exit(ProcId p) {
  if (OpResult r = check_actor(p); r.rejected()) return r;
  emit({.kind = EventKind::Exit, .proc = p}, false);
  if (procs_[p].is_thread(p))
    end_task(p, ProcState::Exited);
  else
    kill_thread_group(p, ProcState::Exited);
  return {};
}

// exec replaces the address space of the whole thread group: the other threads end, and
// the caller becomes the group leader. Simplified: Linux would give it the leader's pid.
OpResult Engine::exec(ProcId p) {
  if (OpResult r = check_actor(p); r.rejected()) return r;
  ProcId leader = procs_[p].leader;
  for (ProcId q = 0; q < procs_.size(); ++q)
    if (q != p && procs_[q].leader == leader) end_task(q, ProcState::Exited);
  for (ProcId q = 0; q < procs_.size(); ++q)
    if (procs_[q].leader == leader) procs_[q].leader = p;
  MmId old = procs_[p].mm;
  procs_[p].mm = new_mm();
  emit({.kind = EventKind::Exec, .proc = p}, false);
  if (--mms_[old].users == 0) release_mm(old);
  ProcId waiting = std::exchange(procs_[p].vfork_parent, kNone);
  if (waiting != kNone && procs_[waiting].state == ProcState::Suspended) {
    procs_[waiting].state = ProcState::Running;
    emit({.kind = EventKind::Resume, .proc = p, .other = waiting}, false);
  }
  return {};
}

void Engine::segfault(ProcId p, NameId region, uint32_t page) {
  ++counters_.segfaults;
  emit({.kind = EventKind::Segfault, .proc = p, .region = region, .page = page}, false);
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
  emit({.kind = EventKind::OomKill, .proc = victim, .count = uint32_t(worst)}, false);
  MmId mm = procs_[victim].mm;
  for (ProcId q = 0; q < procs_.size(); ++q)
    if (procs_[q].live() && procs_[q].mm == mm) end_task(q, ProcState::Killed);
  return victim;
}

// ---- mappings --------------------------------------------------------------------

OpResult Engine::mmap(ProcId p, NameId region, const MmapSpec& spec) {
  if (OpResult r = check_actor(p); r.rejected()) return r;
  if (region >= names_.size()) return error("no such region name");
  AddressSpace& as = mms_[procs_[p].mm];
  uint32_t old = as.find_mapping(region);
  if (old != kNone && as.maps_any(old))
    return error("region '" + names_[region] + "' is already mapped by '" + procs_[p].name + "'");
  Mapping m{.name = region, .base_gib = as.next_gib, .backing = spec.backing, .share = spec.share};
  if (spec.backing == Backing::File) {
    if (spec.file >= files_.size()) return error("no such file");
    m.pages = uint32_t(files_[spec.file].pages.size());
    m.object = spec.file;
  } else {
    if (spec.pages == 0) return error("a mapping needs at least one page");
    m.pages = spec.pages;
    if (spec.share == Share::Shared) {
      shmem_.push_back({std::vector<FrameId>(spec.pages, kNone), true});
      m.object = ShmemId(shmem_.size() - 1);
    }
  }
  as.next_gib += (m.pages + kPagesPerGiB - 1) / kPagesPerGiB;
  as.mappings.push_back(std::move(m));
  as.vmas.push_back({.mapping = uint32_t(as.mappings.size() - 1), .first = 0,
                     .end = as.mappings.back().pages, .prot = spec.prot});
  emit({.kind = EventKind::Mmap, .proc = p, .region = region, .count = as.mappings.back().pages}, false);
  return {};
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

// Splits VMAs of mapping m so that each span's ends are VMA boundaries.
static void split_spans(AddressSpace& as, uint32_t m, const Pages& spans) {
  for (const PageSpan& s : spans) {
    as.split_at(m, s.first);
    as.split_at(m, s.last + 1);
  }
}

OpResult Engine::madvise(ProcId p, NameId region, const Pages& pages, Advice advice) {
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
  emit({.kind = EventKind::Madvise, .proc = p, .region = region, .count = uint32_t(advice)}, false);
  if (advice == Advice::DontNeed) {
    for (const PageSpan& s : spans) zap_range(mm, m, s.first, s.last + 1);
    return {};
  }
  split_spans(as, m, spans);
  for (Vma& v : as.vmas) {
    if (v.mapping != m) continue;
    for (const PageSpan& s : spans) {
      if (v.first < s.first || v.end > s.last + 1) continue;
      if (advice == Advice::DontFork) v.dontfork = true;
      if (advice == Advice::DoFork) v.dontfork = false;
      if (advice == Advice::WipeOnFork) v.wipeonfork = true;
      if (advice == Advice::KeepOnFork) v.wipeonfork = false;
    }
  }
  as.merge_adjacent();
  return {};
}

// mprotect readonly write-protects the PTEs; readwrite leaves them write-protected, so
// the next write faults and is resolved as a reuse, a copy or a shared write.
OpResult Engine::mprotect(ProcId p, NameId region, const Pages& pages, Prot protect) {
  uint32_t m;
  if (OpResult r = resolve_region(p, region, pages, &m); r.rejected()) return r;
  AddressSpace& as = mms_[procs_[p].mm];
  if (m == kNone || !as.maps_any(m))
    return error("mprotect: '" + procs_[p].name + "' does not map '" + names_[region] + "' (ENOMEM)");
  Pages spans = spans_or_all(as, m, pages);
  split_spans(as, m, spans);
  PageTable& pt = as.mappings[m].pt;
  for (Vma& v : as.vmas) {
    if (v.mapping != m) continue;
    for (const PageSpan& s : spans) {
      if (v.first < s.first || v.end > s.last + 1) continue;
      v.prot = protect;
      if (protect == Prot::ReadOnly)
        for (uint32_t q = v.first; q < v.end && q < pt.ptes.size(); ++q) pt.ptes[q] &= ~pte::kWritable;
    }
  }
  as.merge_adjacent();
  emit({.kind = EventKind::Mprotect, .proc = p, .region = region, .count = uint32_t(protect)}, false);
  return {};
}

}  // namespace cow
