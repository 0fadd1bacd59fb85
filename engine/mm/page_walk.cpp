// Page-table levels implied by the PTE tables (page_walk.h).
#include "page_walk.h"

#include <algorithm>

namespace cow {

static void sort_unique(std::vector<uint64_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

static bool contains(const std::vector<uint64_t>& sorted, uint64_t x) {
  return std::binary_search(sorted.begin(), sorted.end(), x);
}

PageTables::PageTables(const AddressSpace& as) : as_(as) {
  for (const Mapping& m : as.mappings) {
    for (uint32_t t = 0; t < m.pt.tables.size(); ++t) {
      if (m.pt.tables[t] == PmdState::None) continue;
      pte_tables_ += m.pt.tables[t] >= PmdState::Table;  // Empty: the PMD table only
      uint64_t gib = m.base_gib + uint64_t(t) * kPtesPerTable / kPagesPerGiB;
      if (pmd_gibs_.empty() || pmd_gibs_.back() != gib) pmd_gibs_.push_back(gib);
      pud_slots_.push_back(gib / kGiBPerPud);
    }
  }
  sort_unique(pmd_gibs_);
  sort_unique(pud_slots_);
}

PageTableCounts PageTables::counts() const {
  return {.pud = uint32_t(pud_slots_.size()), .pmd = uint32_t(pmd_gibs_.size()), .pte = pte_tables_};
}

Walk PageTables::walk(uint64_t address) const {
  for (const Mapping& m : as_.mappings) {
    uint64_t base = m.address(0), end = m.address(uint32_t(m.pt.tables.size()) * kPtesPerTable);
    if (address < base || address >= end) continue;
    Walk w = walk(m, uint32_t((address - base) / kPageSize));
    w.address = address;
    return w;
  }
  Walk w{.address = address, .index = walk_indices(address)};
  upper_levels(w);
  return w;
}

Walk PageTables::walk(const Mapping& m, uint32_t page) const {
  Walk w{.address = m.address(page), .index = walk_indices(m.address(page))};
  upper_levels(w);
  w.table[size_t(Level::Pte)] = m.pt.has_table(page);
  if (w.exists(Level::Pte)) w.pte = m.pt.get(page);
  return w;
}

void PageTables::upper_levels(Walk& w) const {
  uint64_t gib = w.address >> 30;
  w.table[size_t(Level::Pgd)] = as_.alive;
  w.table[size_t(Level::Pud)] = contains(pud_slots_, gib / kGiBPerPud);
  w.table[size_t(Level::Pmd)] = contains(pmd_gibs_, gib);
}

}  // namespace cow
