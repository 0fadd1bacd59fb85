// Per-page view of a region (pagemap.h), read from the page tables and frames.
#include "pagemap.h"

#include "fault.h"

namespace cow {

namespace {

// The entry of page q of mapping m, inside VMA v.
PageEntry entry_of(const Engine& e, const PageTables& tables, const Mapping& m, const Vma& v, uint32_t q) {
  PageEntry pe{.page = q, .walk = tables.walk(m, q), .share = m.share, .backing = m.backing, .prot = v.prot};
  Pte x = pe.walk.pte;
  pe.present = pte::present(x);
  if (!pe.present) return pe;
  pe.frame = pte::frame(x);
  pe.zero_page = pe.frame == Frames::kZeroPage;
  pe.writable = pte::writable(x);
  pe.dirty = pte::dirty(x);
  if (!pe.zero_page) {
    pe.kind = e.frames()[pe.frame].kind;
    pe.mapcount = uint32_t(e.frames()[pe.frame].mapcount);
    pe.frame_dirty = e.frames()[pe.frame].dirty;
  }
  pe.cow = !pe.writable && m.share == Share::Private && v.prot == Prot::ReadWrite;
  pe.huge = m.pt.huge(q);
  pe.write_reuses = pe.cow && !pe.zero_page && Fault::wp_can_reuse(e.frames(), m.pt, q).reuse;
  return pe;
}

// p's address space and the mapping of `region` in it, or nullptrs.
const AddressSpace* space_of(const Engine& e, ProcId p, NameId region, uint32_t* mapping) {
  if (p >= e.processes().size() || !e.processes()[p].live()) return nullptr;
  const AddressSpace& as = e.address_spaces()[e.processes()[p].mm];
  *mapping = as.find_mapping(region);
  return *mapping == kNone ? nullptr : &as;
}

}  // namespace

std::vector<PageEntry> pagemap(const Engine& e, ProcId p, NameId region) {
  std::vector<PageEntry> out;
  uint32_t m;
  const AddressSpace* as = space_of(e, p, region, &m);
  if (!as) return out;
  PageTables tables(*as);
  for (const Vma& v : as->vmas)
    if (v.mapping == m)
      for (uint32_t q = v.first; q < v.end; ++q) out.push_back(entry_of(e, tables, as->mappings[m], v, q));
  return out;
}

std::optional<PageEntry> page_entry(const Engine& e, ProcId p, NameId region, uint32_t page) {
  uint32_t m;
  const AddressSpace* as = space_of(e, p, region, &m);
  if (!as) return std::nullopt;
  uint32_t v = as->find_vma(m, page);
  if (v == kNone) return std::nullopt;
  return entry_of(e, PageTables(*as), as->mappings[m], as->vmas[v], page);
}

const char* kind_name(const PageEntry& pe) {
  if (pe.zero_page) return "zero";
  switch (pe.kind) {
    case FrameKind::Anon: return "anon";
    case FrameKind::PageCache: return "file";
    case FrameKind::Shmem: return "shmem";
    case FrameKind::Free: break;
  }
  return "?";
}

std::string hex_address(uint64_t address) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  do {
    s.insert(s.begin(), digits[address & 15]);
    address >>= 4;
  } while (address);
  return "0x" + s;
}

}  // namespace cow
