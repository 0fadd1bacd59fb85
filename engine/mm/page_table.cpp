#include "page_table.h"

#include <algorithm>

namespace cow {

// (Blocks are made with new[]: make_shared of arrays is C++20, which Emscripten 3.1.6's
// libc++ lacks.)
void PteArray::resize(uint32_t n) {
  if (n <= size_) return;
  uint32_t last = size_ ? (size_ - 1) / kPtesPerTable : 0;
  if (size_ && size_ % kPtesPerTable && blocks_[last]) {  // the last block grows
    Pte* old = blocks_[last].get();
    uint32_t had = block_size(last);
    size_ = std::min(n, (last + 1) * kPtesPerTable);
    Block b(new Pte[block_size(last)]());
    std::copy_n(old, had, b.get());
    blocks_[last] = std::move(b);
  }
  size_ = n;
  blocks_.resize((n + kPtesPerTable - 1) / kPtesPerTable);
}

Pte* PteArray::own_block(uint32_t t) {
  Block& b = blocks_[t];
  if (!b) {
    b.reset(new Pte[block_size(t)]());
  } else if (b.use_count() > 1) {
    Block copy(new Pte[block_size(t)]);
    std::copy_n(b.get(), block_size(t), copy.get());
    b = std::move(copy);
  }
  return b.get();
}

bool PageTable::ensure_table(uint32_t pages, uint32_t page) {
  ptes.resize(pages);
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
