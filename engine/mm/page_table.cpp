#include "page_table.h"

namespace cow {

bool PageTable::ensure_table(uint32_t pages, uint32_t page) {
  if (ptes.size() < pages) ptes.resize(pages, 0);
  uint32_t t = page / kPtesPerTable;
  if (tables.size() <= t) tables.resize((pages + kPtesPerTable - 1) / kPtesPerTable, PmdState::None);
  if (tables[t] >= PmdState::Table) return false;
  tables[t] = PmdState::Table;
  return true;
}

uint32_t PageTable::table_count() const {
  uint32_t n = 0;
  for (PmdState t : tables) n += t >= PmdState::Table;
  return n;
}

}  // namespace cow
