// check_invariants(): every cached count recomputed the slow way, plus the safety rules
// of copy-on-write. Tests call it after every operation.
#include <algorithm>
#include <string>
#include <vector>

#include "engine.h"

namespace cow {

namespace {
struct Checker {
  std::string first;
  template <typename... T>
  void fail(const T&... parts) {
    if (!first.empty()) return;
    ((first += parts), ...);
  }
};
std::string n(uint64_t v) { return std::to_string(v); }

// The frame table as stored, read without settling (Engine::settle), and per frame the
// mappings that pending teardowns still count in it: the exact mapcount is the difference.
struct StoredFrames {
  const Frames& frames;
  std::vector<uint32_t> pending;
  const Frame& operator[](FrameId f) const { return frames[f]; }
  uint64_t mapcount(FrameId f) const { return frames[f].mapcount - pending[f]; }
};

struct PendingBlock {
  const Pte* entries;
  uint32_t n, count;  // entries to read; page tables holding it that went
};
}  // namespace

// The write and anon-exclusive bits of a present PTE of a real frame, in a VMA of `prot`.
// COW safety: a writable private PTE maps an anonymous frame nobody else maps, and is
// anon-exclusive. Anon-exclusive means that frame, and nothing else holds it; in a
// writable VMA such a PTE is writable, since mprotect makes it so. An anonymous frame
// mapped once need not be exclusive: after a fork whose partner exited, the first write
// still faults and reuses. Shared: shmem PTEs are writable exactly when the VMA is, file
// PTEs when the VMA is and the PTE is dirty (written through it: writenotify).
static void check_pte_bits(const Engine& e, const StoredFrames& frames, const Mapping& map, uint32_t q, Pte x,
                           Prot prot, Checker& c) {
  const Frame& fr = frames[pte::frame(x)];
  auto at = [&] { return e.name(map.name) + "[" + n(q) + "]"; };  // built only on failure
  bool rw = prot == Prot::ReadWrite;
  if (pte::writable(x) && !rw) c.fail("writable PTE in a read-only VMA at ", at());
  if (map.share == Share::Shared) {
    if (pte::anon_exclusive(x)) c.fail("anon-exclusive PTE in a shared mapping at ", at());
    bool want = rw && (map.backing == Backing::Anon || pte::dirty(x));
    if (pte::writable(x) != want) c.fail(want ? "write-protected" : "writable", " shared PTE at ", at());
    return;
  }
  if (pte::anon_exclusive(x) && (fr.kind != FrameKind::Anon || frames.mapcount(pte::frame(x)) != 1 || fr.cache_ref))
    c.fail("anon-exclusive PTE on a shared or non-anonymous frame ", n(pte::frame(x)), " at ", at());
  if (pte::writable(x) && !pte::anon_exclusive(x))
    c.fail("writable private PTE not anon-exclusive (frame ", n(pte::frame(x)), ") at ", at());
  if (rw && pte::anon_exclusive(x) && !pte::writable(x))
    c.fail("anon-exclusive PTE write-protected in a writable VMA at ", at());
}

// A huge PMD: wholly inside one VMA, every entry present; a THP's entries map its 512
// frames in order with the same write and anon-exclusive bits; the huge zero page's are
// read-only zero-page entries.
static void check_huge_pmd(const Engine& e, const StoredFrames& frames, const AddressSpace& as, uint32_t m,
                           uint32_t first, Checker& c) {
  const Mapping& map = as.mappings[m];
  auto at = [&] { return e.name(map.name) + "[" + n(first) + "]"; };
  uint32_t v = as.find_vma(m, first);
  if (v == kNone || as.vmas[v].end < first + kHugePages) c.fail("huge PMD not inside one VMA at ", at());
  if (map.share != Share::Private || map.backing != Backing::Anon) c.fail("huge PMD outside private anon at ", at());
  Pte head = map.pt.get(first);
  bool zero = map.pt.pmd(first) == PmdState::HugeZero;
  constexpr Pte kBits = pte::kPresent | pte::kWritable | pte::kAnonExclusive;
  for (uint32_t i = 0; i < kHugePages; ++i) {
    Pte x = map.pt.get(first + i);
    FrameId want = zero ? Frames::kZeroPage : pte::frame(head) + i;
    if (!pte::present(x) || pte::frame(x) != want || (x & kBits) != (head & kBits))
      return c.fail("huge PMD entries inconsistent at ", at(), " + ", n(i));
  }
  if (zero && (pte::writable(head) || pte::anon_exclusive(head))) c.fail("writable huge zero PMD at ", at());
  if (!zero && (pte::frame(head) % kHugePages || !frames[pte::frame(head)].large))
    c.fail("huge PMD does not map a whole THP at ", at());
}

static void check_mm(const Engine& e, const StoredFrames& frames, MmId id, std::vector<uint32_t>& mapcounts,
                     uint64_t& entries, Checker& c) {
  const AddressSpace& as = e.address_spaces()[id];
  uint32_t users = 0;
  for (const Process& p : e.processes()) users += p.live() && p.mm == id;
  if (users != as.users) c.fail("mm ", n(id), ": users ", n(as.users), " but ", n(users), " live tasks");
  if (as.alive != (users > 0)) c.fail("mm ", n(id), ": alive flag wrong");
  for (size_t i = 0; i < as.vmas.size(); ++i) {
    const Vma& v = as.vmas[i];
    if (v.mapping >= as.mappings.size() || v.first >= v.end || v.end > as.mappings[v.mapping].pages)
      c.fail("mm ", n(id), ": VMA ", n(i), " out of bounds");
    if (i && (as.vmas[i - 1].mapping > v.mapping ||
              (as.vmas[i - 1].mapping == v.mapping && as.vmas[i - 1].end > v.first)))
      c.fail("mm ", n(id), ": VMAs unsorted or overlapping at ", n(i));
  }
  uint32_t present = 0;
  for (uint32_t m = 0; m < as.mappings.size(); ++m) {
    const Mapping& map = as.mappings[m];
    entries += map.pt.ptes.size();
    for (uint32_t t = 0; t < map.pt.tables.size(); ++t)
      if (map.pt.huge(t * kHugePages)) check_huge_pmd(e, frames, as, m, t * kHugePages, c);
    for (uint32_t q = 0; q < map.pt.ptes.size(); ++q) {
      Pte x = map.pt.ptes[q];
      if (!pte::present(x)) continue;
      ++present;
      uint32_t v = as.find_vma(m, q);
      if (v == kNone) c.fail("mm ", n(id), ": PTE outside any VMA at ", e.name(map.name), "[", n(q), "]");
      if (!map.pt.has_table(q)) c.fail("mm ", n(id), ": PTE without a PTE table at page ", n(q));
      FrameId f = pte::frame(x);
      if (f == Frames::kZeroPage) {
        if (pte::writable(x) || pte::anon_exclusive(x))
          c.fail("writable or anon-exclusive zero-page PTE at ", e.name(map.name), "[", n(q), "]");
        continue;
      }
      if (f >= frames.frames.total() || frames[f].kind == FrameKind::Free) {
        c.fail("PTE maps free frame ", n(f));
        continue;
      }
      ++mapcounts[f];
      if (frames[f].large && f % kHugePages != q % kHugePages)
        c.fail("THP page ", n(f), " mapped away from its offset at ", e.name(map.name), "[", n(q), "]");
      check_pte_bits(e, frames, map, q, x, v == kNone ? Prot::ReadOnly : as.vmas[v].prot, c);
    }
  }
  if (present != as.present) c.fail("mm ", n(id), ": present PTEs cached ", n(as.present), ", counted ", n(present));
}

// Process ids and parents: pids are unique; a live task's parent is live (orphans were
// adopted) or none; a live thread has its leader's parent (CLONE_THREAD, de_thread).
static void check_tasks(const Engine& e, Checker& c) {
  const std::vector<Process>& procs = e.processes();
  std::vector<uint32_t> pids;
  for (ProcId p = 0; p < procs.size(); ++p) {
    const Process& t = procs[p];
    pids.push_back(t.pid);
    if (t.pid == 0 || t.leader >= procs.size() || procs[t.leader].leader != t.leader)
      c.fail("task ", t.name, ": bad pid or leader");
    if (!t.live()) continue;
    if (t.parent != kNone && (t.parent >= procs.size() || !procs[t.parent].live()))
      c.fail("task ", t.name, ": its parent has ended and nobody adopted it");
    if (!procs[t.leader].live()) c.fail("task ", t.name, ": live, but its group leader has ended");
    if (t.parent != procs[t.leader].parent) c.fail("thread ", t.name, ": parent differs from its leader's");
  }
  std::sort(pids.begin(), pids.end());
  if (std::adjacent_find(pids.begin(), pids.end()) != pids.end()) c.fail("two tasks share a pid");
}

// The THP starting at `head`: 512 anonymous `large` frames, its cached count of mapped
// pages right, and at least one page mapped (a THP with none is freed).
// The commit charge, recomputed: each live mm's accountable VMAs (a shared or never
// writable-and-charged VMA is not accountable), plus each live shmem object's size.
static void check_commit(const Engine& e, Checker& c) {
  uint64_t total = 0;
  for (MmId id = 0; id < e.address_spaces().size(); ++id) {
    const AddressSpace& as = e.address_spaces()[id];
    uint64_t mine = 0;
    for (const Vma& v : as.vmas) {
      if (v.account && as.mappings[v.mapping].share == Share::Shared)
        c.fail("mm ", n(id), ": shared VMA of ", e.name(as.mappings[v.mapping].name), " marked accountable");
      if (v.account && v.noreserve) c.fail("mm ", n(id), ": VMA both accountable and noreserve");
      mine += v.account ? v.end - v.first : 0;
    }
    if (mine != as.committed) c.fail("mm ", n(id), ": commit charge cached ", n(as.committed), ", counted ", n(mine));
    total += mine;
  }
  for (const ShmemObject& s : e.shmem_objects()) {
    if (!s.alive && s.charged) c.fail("dead shmem object still charged");
    total += s.charged;
  }
  if (total != e.committed_as()) c.fail("committed_as cached ", n(e.committed_as()), ", counted ", n(total));
}

static void check_thp(const StoredFrames& frames, FrameId head, Checker& c) {
  uint32_t mapped = 0;
  for (uint32_t i = 0; i < kHugePages; ++i) {
    const Frame& fr = frames[head + i];
    if (!fr.large || fr.kind != FrameKind::Anon) return c.fail("THP at frame ", n(head), " is not whole");
    mapped += frames.mapcount(head + i) >= 1;
  }
  uint32_t cached = frames.frames.huge_mapped(head);
  if (mapped != cached) c.fail("THP at frame ", n(head), ": mapped pages cached ", n(cached), ", counted ", n(mapped));
  if (mapped == 0) c.fail("THP at frame ", n(head), " leaked: no page mapped");
}

// Pending teardowns (Engine::defer_puts): each block's entries, as the page tables that
// went held them, still count in the mapcounts; a live page table holds the same block,
// so that none of its frames may have lost its last mapping. Returns the pending mappings
// per frame, recounted.
static std::vector<uint32_t> pending_mappings(const Engine& e, const std::vector<PendingBlock>& blocks,
                                              uint32_t total, Checker& c) {
  std::vector<uint32_t> pending(total, 0);
  for (const auto& [entries, n, count] : blocks) {
    if (count == 0) c.fail("pending teardown of a PTE block counts no page table");
    bool held = false;
    for (const AddressSpace& as : e.address_spaces())
      for (const Mapping& m : as.mappings)
        for (uint32_t t = 0; as.alive && t < m.pt.ptes.block_count(); ++t) held |= m.pt.ptes.block(t) == entries;
    if (!held) c.fail("pending teardown of a PTE block no live page table holds");
    for (uint32_t q = 0; q < n; ++q) {
      Pte x = entries[q];
      if (pte::present(x) && pte::frame(x) != Frames::kZeroPage && pte::frame(x) < total) pending[pte::frame(x)] += count;
    }
  }
  return pending;
}

std::string Engine::check_invariants() const {
  Checker c;
  check_tasks(*this, c);
  std::vector<PendingBlock> blocks;
  for (const auto& [entries, p] : pending_puts_) {
    if (entries != p.block.get()) c.fail("pending teardown filed under another block");
    blocks.push_back({p.block.get(), p.n, p.count});
  }
  StoredFrames frames{frames_, pending_mappings(*this, blocks, frames_.total(), c)};
  std::vector<uint32_t> mapcounts(frames_.total(), 0);
  uint64_t entries = 0;
  for (MmId id = 0; id < mms_.size(); ++id) check_mm(*this, frames, id, mapcounts, entries, c);
  if (entries != pte_entries_)
    c.fail("page-table entries cached ", n(pte_entries_), ", counted ", n(entries));
  std::vector<uint8_t> cached(frames_.total(), 0);
  for (const File& f : files_)
    for (FrameId fr : f.pages) cached[fr] += 1;
  for (const ShmemObject& s : shmem_)
    for (FrameId fr : s.pages)
      if (fr != kNone) cached[fr] += 1;
  uint32_t used = frames_.count_used_slow();
  if (used != frames_.used()) c.fail("frames used cached ", n(frames_.used()), ", counted ", n(used));
  for (FrameId f = 0; f < frames_.total(); ++f) {
    const Frame& fr = frames[f];  // (const: reads frames never allocated as free)
    if (fr.mapcount != uint64_t(mapcounts[f]) + frames.pending[f])
      c.fail("frame ", n(f), ": mapcount ", n(fr.mapcount), " (", n(frames.pending[f]), " of them pending) but ",
             n(mapcounts[f]), " PTEs map it");
    if (fr.kind == FrameKind::Free) continue;
    if (cached[f] > 1) c.fail("frame ", n(f), " held by two caches");
    if (fr.cache_ref != (cached[f] == 1)) c.fail("frame ", n(f), ": cache reference flag wrong");
    if (fr.kind == FrameKind::Anon && frames.mapcount(f) == 0 && !fr.large) c.fail("frame ", n(f), " leaked: anonymous, unmapped");
    if (fr.large && f % kHugePages == 0) check_thp(frames, f, c);
    if ((fr.kind == FrameKind::PageCache || fr.kind == FrameKind::Shmem) && !fr.cache_ref)
      c.fail("frame ", n(f), ": cache frame without its cache");
  }
  for (ShmemId s = 0; s < shmem_.size(); ++s)
    if (!shmem_[s].alive && !shmem_[s].pages.empty()) c.fail("dead shmem object ", n(s), " holds pages");
  check_commit(*this, c);
  return c.first;
}

}  // namespace cow
