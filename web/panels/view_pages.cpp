// Building the View's page and frame bytes: one byte per page of every live address
// space and one per physical frame, then cells of 2^zoom of them for the panels, and the
// reverse map (frame -> a few PTEs) when a hover asks for it.
#include <algorithm>
#include <unordered_map>

#include "panels.h"

namespace cow::web {

namespace {

// Pages (over all address spaces) the page map keeps bytes for; past it, the remaining
// address spaces are listed but not drawn unless the page map is filtered to them.
constexpr uint64_t kPageBudget = 48u << 20;
// Frames the reverse map covers (4 references per frame are kept).
constexpr uint32_t kReverseMapFrames = 1u << 20;

void build_frames(View& v, const Frames& frames) {
  v.frames = figure::frame_states(frames);
  v.frames_shown = figure::frames_shown(v.frames);
}

}  // namespace

void build_page_states(View& v, const Engine& e, int only_process) {
  const auto& mms = e.address_spaces();
  v.mms.assign(mms.size(), MmMap{});
  v.pages_limited = false;
  uint64_t budget = kPageBudget;
  v.page_bytes.next_state(e);  // blocks shared by page tables, or unchanged, are read once
  auto build = [&](MmId mm, bool forced) {
    if (mm >= mms.size() || v.mms[mm].built) return;
    uint64_t n = figure::mm_pages(mms[mm]);
    if (!forced && n > budget) {
      v.pages_limited = true;
      return;
    }
    budget -= std::min(budget, n);
    figure::build_mm(v.mms[mm], e, mms[mm], &v.page_bytes);
  };
  const auto& procs = e.processes();
  if (only_process >= 0 && size_t(only_process) < procs.size() && procs[only_process].live())
    build(procs[only_process].mm, true);
  for (const ProcRow& r : v.procs)
    if (r.id < procs.size() && procs[r.id].live()) build(r.mm, false);
  v.max_region_pages = 0;
  v.total_pages = 0;
  for (const MmMap& m : v.mms) {
    for (const RegionMap& r : m.regions) {
      v.max_region_pages = std::max(v.max_region_pages, r.pages);
      v.total_pages += r.pages;
    }
  }
  build_frames(v, e.frames());
  v.pages_per_cell = 0;  // cells must be aggregated again
  ++v.cells_version;
  v.frames_per_cell = 0;
}

void aggregate_pages(View& v, uint32_t ppc) {
  ppc = std::max<uint32_t>(1, ppc);
  // A region is compared with the one of the same name and size aggregated last (the
  // same heap in the task before: forked tasks share most of their pages' states).
  std::unordered_map<std::string, const RegionMap*> last;
  for (MmMap& m : v.mms)
    for (RegionMap& r : m.regions) {
      const RegionMap*& like = last[r.name];
      figure::aggregate_region(r, ppc, like);
      like = &r;
    }
  v.pages_per_cell = ppc;
  ++v.cells_version;
}

void aggregate_frames(View& v, uint32_t fpc) {
  fpc = std::max<uint32_t>(1, fpc);
  v.frame_cells = figure::aggregate_frames(v.frames, fpc);
  ++v.cells_version;
  v.frames_per_cell = fpc;
}

void build_reverse_map(View& v, const Engine& e) {
  ReverseMap& rm = v.rmap;
  // Frames past the highest used one are free: nobody maps them.
  uint32_t frames = std::min<uint32_t>({e.frames().total(), v.frames_shown, kReverseMapFrames});
  rm.kept.assign(frames, 0);
  rm.refs.assign(size_t(frames) * ReverseMap::kKept, ReverseMap::Ref{});
  const auto& procs = e.processes();
  const auto& mms = e.address_spaces();
  std::vector<uint8_t> done(mms.size(), 0);
  for (const ProcRow& row : v.procs) {
    if (row.id >= procs.size() || !procs[row.id].live() || row.mm >= mms.size() || done[row.mm]) continue;
    done[row.mm] = 1;
    const AddressSpace& as = mms[row.mm];
    const MmMap& mm = v.mms[row.mm];
    for (uint32_t r = 0; r < mm.regions.size(); ++r) {
      const Mapping& m = as.mappings[mm.regions[r].mapping];
      for (uint32_t q = 0; q < m.pt.ptes.size(); ++q) {
        Pte p = m.pt.ptes[q];
        FrameId f = pte::frame(p);
        if (!pte::present(p) || f >= frames || rm.kept[f] >= ReverseMap::kKept) continue;
        rm.refs[size_t(f) * ReverseMap::kKept + rm.kept[f]++] = {row.id, r, q};
      }
    }
  }
  rm.built = true;
}

}  // namespace cow::web
