#include "page_table.h"

namespace cow {

bool PageTable::ensure_table(uint32_t pages, uint32_t page) {
  if (ptes.size() < pages) ptes.resize(pages, 0);
  uint32_t t = page / kPtesPerTable;
  if (tables.size() <= t) tables.resize((pages + kPtesPerTable - 1) / kPtesPerTable, 0);
  if (tables[t]) return false;
  tables[t] = 1;
  return true;
}

uint32_t PageTable::table_count() const {
  uint32_t n = 0;
  for (uint8_t t : tables) n += t;
  return n;
}

}  // namespace cow
