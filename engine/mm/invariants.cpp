// check_invariants(): every cached count recomputed the slow way, plus the safety rules
// of copy-on-write. Tests call it after every operation.
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
}  // namespace

static void check_mm(const Engine& e, MmId id, std::vector<uint32_t>& mapcounts, uint64_t& entries,
                     Checker& c) {
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
    for (uint32_t q = 0; q < map.pt.ptes.size(); ++q) {
      Pte x = map.pt.ptes[q];
      if (!pte::present(x)) continue;
      ++present;
      uint32_t v = as.find_vma(m, q);
      if (v == kNone) c.fail("mm ", n(id), ": PTE outside any VMA at ", e.name(map.name), "[", n(q), "]");
      if (!map.pt.has_table(q)) c.fail("mm ", n(id), ": PTE without a PTE table at page ", n(q));
      FrameId f = pte::frame(x);
      if (f == Frames::kZeroPage) {
        if (pte::writable(x)) c.fail("writable zero-page PTE at ", e.name(map.name), "[", n(q), "]");
        continue;
      }
      if (f >= e.frames().total() || e.frames()[f].kind == FrameKind::Free) {
        c.fail("PTE maps free frame ", n(f));
        continue;
      }
      ++mapcounts[f];
      const Frame& fr = e.frames()[f];
      // COW safety: a writable private PTE must map an anonymous frame nobody else maps.
      if (map.share == Share::Private && pte::writable(x) && (fr.kind != FrameKind::Anon || fr.mapcount != 1))
        c.fail("writable private PTE on a shared frame ", n(f), " at ", e.name(map.name), "[", n(q), "]");
      if (v != kNone && pte::writable(x) && as.vmas[v].prot == Prot::ReadOnly)
        c.fail("writable PTE in a read-only VMA at ", e.name(map.name), "[", n(q), "]");
    }
  }
  if (present != as.present) c.fail("mm ", n(id), ": present PTEs cached ", n(as.present), ", counted ", n(present));
}

std::string Engine::check_invariants() const {
  Checker c;
  std::vector<uint32_t> mapcounts(frames_.total(), 0);
  uint64_t entries = 0;
  for (MmId id = 0; id < mms_.size(); ++id) check_mm(*this, id, mapcounts, entries, c);
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
    const Frame& fr = frames_[f];
    if (fr.mapcount != mapcounts[f])
      c.fail("frame ", n(f), ": mapcount ", n(fr.mapcount), " but ", n(mapcounts[f]), " PTEs map it");
    if (fr.kind == FrameKind::Free) continue;
    if (cached[f] > 1) c.fail("frame ", n(f), " held by two caches");
    if (fr.cache_ref != (cached[f] == 1)) c.fail("frame ", n(f), ": cache reference flag wrong");
    if (fr.kind == FrameKind::Anon && fr.mapcount == 0) c.fail("frame ", n(f), " leaked: anonymous, unmapped");
    if ((fr.kind == FrameKind::PageCache || fr.kind == FrameKind::Shmem) && !fr.cache_ref)
      c.fail("frame ", n(f), ": cache frame without its cache");
  }
  for (ShmemId s = 0; s < shmem_.size(); ++s)
    if (!shmem_[s].alive && !shmem_[s].pages.empty()) c.fail("dead shmem object ", n(s), " holds pages");
  return c.first;
}

}  // namespace cow
