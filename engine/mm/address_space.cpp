#include "address_space.h"

#include <algorithm>

namespace cow {

uint32_t AddressSpace::find_vma(uint32_t mapping, uint32_t page) const {
  for (uint32_t i = 0; i < vmas.size(); ++i)
    if (vmas[i].mapping == mapping && vmas[i].contains(page)) return i;
  return kNone;
}

uint32_t AddressSpace::find_mapping(NameId name) const {
  for (uint32_t i = uint32_t(mappings.size()); i-- > 0;)
    if (mappings[i].name == name) return i;
  return kNone;
}

bool AddressSpace::maps_any(uint32_t mapping) const {
  return std::any_of(vmas.begin(), vmas.end(), [&](const Vma& v) { return v.mapping == mapping; });
}

std::vector<uint32_t> AddressSpace::region_mappings() const {
  std::vector<uint32_t> out;
  for (uint32_t m = 0; m < mappings.size(); ++m) {
    bool listed = std::any_of(out.begin(), out.end(), [&](uint32_t o) { return mappings[o].name == mappings[m].name; });
    if (!listed && maps_any(m)) out.push_back(m);
  }
  return out;
}

void AddressSpace::split_at(uint32_t mapping, uint32_t page) {
  uint32_t i = find_vma(mapping, page);
  if (i == kNone || vmas[i].first == page) return;
  Vma tail = vmas[i];
  tail.first = page;
  vmas[i].end = page;
  vmas.insert(vmas.begin() + i + 1, tail);
}

void AddressSpace::merge_adjacent() {
  for (size_t i = 0; i + 1 < vmas.size();) {
    Vma& a = vmas[i];
    const Vma& b = vmas[i + 1];
    if (a.same_flags(b) && a.end == b.first) {
      a.end = b.end;
      vmas.erase(vmas.begin() + i + 1);
    } else {
      ++i;
    }
  }
}

}  // namespace cow
