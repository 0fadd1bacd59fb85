// Statement -> kernel operations (see plan.h). Mirrors how the session expands
// name ranges: actors in order; one actor takes every new name, several pair up.
#include "engine/kernel/plan.h"

namespace cow::kernel {

namespace {

// 1 TiB as in the engine. Under AddressSanitizer that range is shadow memory, so every
// mapping moves up by 32 TiB; 1 GiB alignment, and with it fault-around, is unchanged.
#if defined(__SANITIZE_ADDRESS__)
constexpr uint64_t kSanitizerShiftGiB = 32 * 1024;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr uint64_t kSanitizerShiftGiB = 32 * 1024;
#else
constexpr uint64_t kSanitizerShiftGiB = 0;
#endif
#else
constexpr uint64_t kSanitizerShiftGiB = 0;
#endif

// The mapping `region` resolves to for task p (the newest of that name in its mm).
const Mapping* find_mapping(const Engine& e, ProcId p, const std::string& region) {
  NameId n = e.find_name(region);
  if (p == kNone || n == kNone) return nullptr;
  const AddressSpace& as = e.address_spaces()[e.processes()[p].mm];
  uint32_t m = as.find_mapping(n);
  return m == kNone ? nullptr : &as.mappings[m];
}

KOp base_op(KOpKind kind, const script::Statement& s, ProcId task) {
  KOp op;
  op.kind = kind;
  op.line = s.pos.line;
  op.task = task;
  return op;
}

// Ops on pages of an existing region: one per listed span, or one for "all".
void region_ops(KOpKind kind, const script::Statement& s, const Engine& e, ProcId p,
                std::vector<KOp>& out) {
  KOp op = base_op(kind, s, p);
  op.name = s.region;
  if (const Mapping* m = find_mapping(e, p, s.region)) {
    op.base = kernel_address(m->base_gib);
    op.pages = m->pages;
  }
  op.tag = p + 1;
  op.advice = s.advice;
  op.protect = s.protect;
  if (s.pages.empty()) {
    op.all = true;
    out.push_back(op);
    return;
  }
  for (const PageSpan& span : s.pages) {
    op.first = span.first;
    op.last = span.last;
    out.push_back(op);
  }
}

KOpKind kind_of(script::Verb v) {
  switch (v) {
    case script::Verb::Munmap: return KOpKind::Munmap;
    case script::Verb::Write: return KOpKind::Write;
    case script::Verb::Read: return KOpKind::Read;
    case script::Verb::Madvise: return KOpKind::Madvise;
    case script::Verb::Mprotect: return KOpKind::Mprotect;
    case script::Verb::Fork: return KOpKind::Fork;
    case script::Verb::Vfork: return KOpKind::Vfork;
    case script::Verb::Thread: return KOpKind::Thread;
    case script::Verb::Exec: return KOpKind::Exec;
    case script::Verb::Exit: return KOpKind::Exit;
    default: return KOpKind::Show;
  }
}

void actor_ops(const script::Statement& s, const Engine& after, ProcId p,
               size_t index, size_t actors, std::vector<KOp>& out) {
  using script::Verb;
  switch (s.verb) {
    case Verb::Mmap: {
      KOp op = base_op(KOpKind::Mmap, s, p);
      op.name = s.region;
      const Mapping* m = find_mapping(after, p, s.region);
      if (!m) return;  // the engine refused; the session reported it
      op.base = kernel_address(m->base_gib);
      op.pages = m->pages;
      op.backing = m->backing;
      op.share = m->share;
      op.prot = s.prot;
      op.file = m->backing == Backing::File ? m->object : kNone;
      // `mode thp=always` is emulated by MADV_HUGEPAGE on every region the engine allows
      // THPs in, so a machine set to `madvise` (the default) can run such scripts.
      op.huge = m->backing == Backing::Anon && m->share == Share::Private &&
                (s.hugepage || after.modes().thp == ThpMode::Always);
      // As the script says: under vm.overcommit_memory=2 Linux ignores the flag, as the engine does.
      op.noreserve = s.noreserve;
      out.push_back(op);
      return;
    }
    case Verb::Munmap: case Verb::Write: case Verb::Read: case Verb::Madvise: case Verb::Mprotect:
      region_ops(kind_of(s.verb), s, after, p, out);
      return;
    case Verb::Exec:
      out.push_back(base_op(KOpKind::Exec, s, p));
      return;
    case Verb::Exit: {
      KOp op = base_op(KOpKind::Exit, s, p);
      op.thread_exit = after.processes()[p].is_thread(p);  // exit keeps `leader`
      out.push_back(op);
      return;
    }
    case Verb::Fork: case Verb::Vfork: case Verb::Thread: {
      std::vector<std::string> names = s.target.expand();
      if (actors > 1) names = {names[index]};
      for (const std::string& name : names) {
        KOp op = base_op(kind_of(s.verb), s, p);
        op.child = after.find_process(name);
        op.name = name;
        if (op.child != kNone) out.push_back(op);
      }
      return;
    }
    default:
      return;
  }
}

}  // namespace

uint64_t kernel_address(uint64_t base_gib) { return (base_gib + kSanitizerShiftGiB) << 30; }

std::vector<KOp> plan_statement(const script::Statement& s, const Engine& after) {
  using script::Verb;
  std::vector<KOp> out;
  switch (s.verb) {
    case Verb::Ram: case Verb::Mode: case Verb::Expect: case Verb::Swap:
      return out;
    case Verb::Show:
      out.push_back(base_op(KOpKind::Show, s, kNone));
      return out;
    case Verb::File: {
      KOp op = base_op(KOpKind::File, s, kNone);
      op.name = s.file;
      op.file = after.find_file(s.file);
      op.pages = uint32_t(s.count);
      out.push_back(op);
      return out;
    }
    case Verb::Spawn:
      for (const std::string& name : s.target.expand()) {
        KOp op = base_op(KOpKind::Spawn, s, kNone);
        op.child = after.find_process(name);
        op.name = name;
        out.push_back(op);
      }
      return out;
    default:
      break;
  }
  std::vector<std::string> actors = s.actor.expand();
  for (size_t i = 0; i < actors.size(); ++i) {
    ProcId p = after.find_process(actors[i]);
    if (p == kNone) continue;
    actor_ops(s, after, p, i, actors.size(), out);
  }
  return out;
}

std::optional<Inexpressible> check_expressible(const script::Session& dry, std::vector<std::string>* notes) {
  const script::Script& script = dry.script();
  for (const script::Statement& s : script.statements)
    if (s.verb == script::Verb::Mode && s.mode == ForkMode::Copy)
      return Inexpressible{s.pos, "`mode fork=copy` cannot run on Linux: its fork always shares pages "
                                  "copy-on-write (eager copy is the engine's contrast mode)"};
  for (const script::StepRecord& rec : dry.history())
    for (const Event& e : rec.events)
      if (e.kind == EventKind::CommitRefused)
        return Inexpressible{{rec.line, 1}, "this statement's commit charge is refused in the engine (under "
                                            "the overcommit settings it runs in, with the script's `ram` as RAM); "
                                            "whether the real kernel refuses it depends on this machine's memory "
                                            "and on every other process's charge"};
      else if (e.kind == EventKind::OomKill)
        return Inexpressible{{rec.line, 1}, "this statement relies on the OOM killer (the script's `ram` ran "
                                            "out); the real kernel would only run out of this machine's memory"};
  // A region of whole GiBs ends where the engine puts the next one; Linux may merge the
  // two VMAs, and smaps cannot then tell the regions apart.
  const Engine& e = dry.engine();
  for (const AddressSpace& as : e.address_spaces())
    for (const Mapping& a : as.mappings)
      for (const Mapping& b : as.mappings) {
        if (a.base_gib * kPagesPerGiB + a.pages != b.base_gib * kPagesPerGiB) continue;
        script::Pos at{1, 1};
        for (const script::Statement& s : script.statements)
          if (s.verb == script::Verb::Mmap && s.region == e.name(b.name)) at = s.pos;
        return Inexpressible{at, "region '" + e.name(b.name) + "' starts right where '" + e.name(a.name) +
                                     "' (whole GiBs) ends; Linux may merge the two VMAs, and smaps cannot then "
                                     "tell the regions apart"};
      }
  for (const script::Statement& s : script.statements)
    if (s.verb == script::Verb::Ram && notes)
      notes->push_back("line " + std::to_string(s.pos.line) +
                       ": `ram` is not enforced on the kernel; no statement ran out of memory in the "
                       "engine, so it changes none of the compared numbers");
  return std::nullopt;
}

}  // namespace cow::kernel
