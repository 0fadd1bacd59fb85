// The x86-64 four-level page walk (Linux: pgd_offset -> pud_offset -> pmd_offset ->
// pte_offset_map, with the P4D level folded as on 4-level machines) and the page-table
// pages an address space holds at each level (Linux: mm_pgtables_bytes, VmPTE).
//
// Simplified: the engine keeps one dense PTE array per mapping and which 2 MiB PTE tables
// exist (page_table.h). The upper levels are implied by those: a PMD table exists for each
// GiB that holds a PTE table, a PUD table for each 512 GiB that holds one, and the PGD
// always, while the address space lives. Mappings never share a GiB (each starts on its
// own 1 GiB boundary), so a PMD table belongs to one mapping.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "address_space.h"
#include "events.h"

namespace cow {

enum class Level : uint8_t { Pgd, Pud, Pmd, Pte };
constexpr int kLevels = 4;
constexpr const char* level_name(Level l) {
  constexpr const char* kNames[kLevels] = {"PGD", "PUD", "PMD", "PTE"};
  return kNames[size_t(l)];
}

// Which entry each level's table selects: address bits 47-39, 38-30, 29-21 and 20-12
// (Linux: pgd_index, pud_index, pmd_index, pte_index).
constexpr std::array<uint16_t, kLevels> walk_indices(uint64_t address) {
  return {uint16_t((address >> 39) & 511), uint16_t((address >> 30) & 511), uint16_t((address >> 21) & 511),
          uint16_t((address >> 12) & 511)};
}

// One walk: per level, the index and whether the table indexed exists (table[Pgd]: the
// PGD itself; table[Pte]: the PTE table that holds the entry). `pte` is 0 when the PTE
// table is missing.
struct Walk {
  uint64_t address = 0;
  std::array<uint16_t, kLevels> index{};
  std::array<bool, kLevels> table{};
  Pte pte = 0;

  uint16_t at(Level l) const { return index[size_t(l)]; }
  bool exists(Level l) const { return table[size_t(l)]; }
};

// One page-table page that exists, and how many of its 512 entries are in use: entries
// that point to a table of the next level, or for a PTE table, present PTEs.
struct TableInfo {
  Level level = Level::Pgd;
  uint64_t address = 0;   // the first address the table covers
  uint32_t entries = 0;
  NameId region = kNone;  // PMD and PTE tables: the mapping they belong to
};

// The page-table pages of one address space, gathered once, then asked per address.
class PageTables {
 public:
  explicit PageTables(const AddressSpace& as);

  PageTableCounts counts() const;
  Walk walk(uint64_t address) const;
  // The walk of page `page` of mapping m (one of this address space's).
  Walk walk(const Mapping& m, uint32_t page) const;
  // Every table that exists, level by level (the PGD, then PUD, PMD and PTE tables), each
  // level in address order. Counts the present PTEs: one pass over them, for a view that
  // asks once per step, not per frame.
  std::vector<TableInfo> tables() const;

 private:
  void upper_levels(Walk& w) const;  // fills table[] for PGD, PUD and PMD

  const AddressSpace& as_;
  std::vector<uint64_t> pmd_gibs_;   // sorted: each GiB that holds a PTE table
  std::vector<uint64_t> pud_slots_;  // sorted: each 512 GiB that holds a PTE table
  uint32_t pte_tables_ = 0;
};

}  // namespace cow
