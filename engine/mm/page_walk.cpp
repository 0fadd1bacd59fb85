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

// Present PTEs in PTE table t of mapping m.
static uint32_t present_ptes(const Mapping& m, uint32_t t) {
  uint32_t n = 0, end = std::min<uint32_t>(uint32_t(m.pt.ptes.size()), (t + 1) * kPtesPerTable);
  for (uint32_t i = t * kPtesPerTable; i < end; ++i) n += pte::present(m.pt.ptes[i]);
  return n;
}

std::vector<TableInfo> PageTables::tables() const {
  std::vector<TableInfo> out;
  if (!as_.alive) return out;
  out.push_back({.level = Level::Pgd, .entries = uint32_t(pud_slots_.size())});
  for (uint64_t slot : pud_slots_) {
    auto in_slot = [&](uint64_t gib) { return gib / kGiBPerPud == slot; };
    out.push_back({.level = Level::Pud, .address = slot * kGiBPerPud << 30,
                   .entries = uint32_t(std::count_if(pmd_gibs_.begin(), pmd_gibs_.end(), in_slot))});
  }
  std::vector<TableInfo> pmds, ptes;
  for (const Mapping& m : as_.mappings) {
    for (uint32_t t = 0; t < m.pt.tables.size(); ++t) {
      if (!m.pt.has_table(t * kPtesPerTable)) continue;
      TableInfo pte{.level = Level::Pte, .address = m.address(t * kPtesPerTable), .region = m.name};
      pte.entries = present_ptes(m, t);
      ptes.push_back(pte);
      uint64_t gib_address = pte.address >> 30 << 30;
      if (pmds.empty() || pmds.back().address != gib_address)
        pmds.push_back({.level = Level::Pmd, .address = gib_address, .region = m.name});
      ++pmds.back().entries;
    }
  }
  auto by_address = [](const TableInfo& a, const TableInfo& b) { return a.address < b.address; };
  std::stable_sort(pmds.begin(), pmds.end(), by_address);
  std::stable_sort(ptes.begin(), ptes.end(), by_address);
  out.insert(out.end(), pmds.begin(), pmds.end());
  out.insert(out.end(), ptes.begin(), ptes.end());
  return out;
}

void PageTables::upper_levels(Walk& w) const {
  uint64_t gib = w.address >> 30;
  w.table[size_t(Level::Pgd)] = as_.alive;
  w.table[size_t(Level::Pud)] = contains(pud_slots_, gib / kGiBPerPud);
  w.table[size_t(Level::Pmd)] = contains(pmd_gibs_, gib);
}

}  // namespace cow
