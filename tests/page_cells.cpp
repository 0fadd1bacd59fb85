// The cells of the page map and of physical memory (engine/figure/page_states.h): a cell
// of n bytes keeps its most common present kind, that kind's highest mapcount bucket,
// every flag and the present share. aggregate_region and aggregate_frames take shortcuts
// (a cell whose bytes are all equal, a run equal to another region's, the free frames past
// the last used one); here they must equal a plain count of every byte, written again
// below, for random and structured bytes, partial last cells, and every cell size from 1
// to 1024. frame_states, frames_shown and Engine::system are checked against the frame
// table directly.
#include <algorithm>
#include <random>
#include <span>
#include <vector>

#include "engine/figure/page_states.h"
#include "engine/script/session.h"
#include "engine_helpers.h"

using namespace cowtest;
using namespace cow::figure;

namespace {

// The layout of a byte: which bits are what, and what a cell with nothing present holds.
struct Layout {
  uint8_t kind_mask, bucket_mask, flag_mask;
  int uncounted;               // a kind left out of the count (-1: none)
  uint8_t first_present, last_present;
  uint16_t none, empty;        // no counted byte present; no byte counted
};
const Layout kPages{0x07, 0x38, 0xC0, page_bits::Unmapped, page_bits::Zero, page_bits::Shmem, page_bits::Absent, 0};
const Layout kFrames{0x03, 0x1C, 0x60, -1, 1, 3, 0, 0};

// One cell, byte by byte.
uint16_t reference_cell(std::span<const uint8_t> bytes, const Layout& l) {
  uint32_t counted = 0, count[8] = {};
  uint8_t top_bucket[8] = {}, flags = 0;
  for (uint8_t b : bytes) {
    int kind = b & l.kind_mask;
    if (kind == l.uncounted) continue;
    ++counted;
    ++count[kind];
    top_bucket[kind] = std::max<uint8_t>(top_bucket[kind], b & l.bucket_mask);
    flags |= b & l.flag_mask;
  }
  if (counted == 0) return l.empty;
  uint32_t present = 0;
  int best = -1;
  for (int k = l.first_present; k <= l.last_present; ++k) {
    present += count[k];
    if (count[k] > 0 && (best < 0 || count[k] >= count[best])) best = k;  // a tie: the later kind
  }
  if (present == 0) return l.none;
  uint32_t fill = std::max<uint32_t>(1, present * 255 / counted);
  return uint16_t(fill << 8 | best | top_bucket[best] | flags);
}

std::vector<uint16_t> reference_cells(const std::vector<uint8_t>& bytes, uint32_t per_cell, const Layout& l) {
  std::vector<uint16_t> cells;
  for (size_t at = 0; at < bytes.size(); at += per_cell) {
    size_t end = std::min(bytes.size(), at + per_cell);
    cells.push_back(reference_cell(std::span(bytes).subspan(at, end - at), l));
  }
  return cells;
}

// Bytes of every shape the maps meet: all random; runs of a few values (long ones, as a
// PTE block of one state, and short ones); one value; zeros with a few bytes set (the
// last one included).
std::vector<std::vector<uint8_t>> inputs(std::mt19937& rng, size_t n) {
  auto any = [&] { return uint8_t(rng()); };
  std::vector<std::vector<uint8_t>> out;
  std::vector<uint8_t> random(n);
  for (uint8_t& b : random) b = any();
  out.push_back(random);
  const uint8_t few[] = {0, 1, any(), any(), any()};
  for (size_t longest : {size_t(9), size_t(700)}) {
    std::vector<uint8_t> runs;
    while (runs.size() < n) runs.insert(runs.end(), 1 + rng() % longest, few[rng() % 5]);
    runs.resize(n);
    out.push_back(runs);
  }
  out.push_back(std::vector<uint8_t>(n, any()));
  std::vector<uint8_t> sparse(n, 0);
  for (int i = 0; i < 3; ++i) sparse[rng() % n] = any();
  sparse.back() = any() | 1;
  out.push_back(sparse);
  out.push_back(std::vector<uint8_t>(n, 0));
  return out;
}

RegionMap region_of(const std::vector<uint8_t>& bytes) {
  RegionMap r;
  r.pages = uint32_t(bytes.size());
  r.mapped = r.pages;
  r.page = bytes;
  return r;
}

}  // namespace

TEST_CASE("page-map cells equal a count of every byte, for every cell size", "[page_cells]") {
  std::mt19937 rng(20261204);
  for (uint32_t ppc = 1; ppc <= 1024; ++ppc) {
    // Sizes that leave a partial last cell, and one that does not.
    for (size_t n : {size_t(ppc) * 3 + 1 + rng() % ppc, size_t(ppc) * 4, size_t(1 + rng() % 1500)}) {
      for (const std::vector<uint8_t>& bytes : inputs(rng, n)) {
        INFO("pages per cell " << ppc << ", " << n << " pages");
        RegionMap r = region_of(bytes);
        aggregate_region(r, ppc);
        REQUIRE(r.cells == reference_cells(bytes, ppc, kPages));
      }
    }
  }
}

TEST_CASE("page-map cells copied from a like region equal a count of every byte", "[page_cells]") {
  std::mt19937 rng(7);
  for (uint32_t ppc : {1u, 2u, 3u, 7u, 64u, 100u, 511u, 512u, 513u, 1024u}) {
    for (const std::vector<uint8_t>& bytes : inputs(rng, 5000 + rng() % 3000)) {
      INFO("pages per cell " << ppc);
      RegionMap like = region_of(bytes);
      aggregate_region(like, ppc);
      // Another task's copy after a fork: most pages equal, some runs written.
      std::vector<uint8_t> mine = bytes;
      for (int i = 0; i < 4; ++i) {
        size_t at = rng() % mine.size(), len = 1 + rng() % 600;
        std::fill(mine.begin() + at, mine.begin() + std::min(mine.size(), at + len), uint8_t(rng()));
      }
      mine[rng() % mine.size()] ^= 0x40;
      RegionMap r = region_of(mine);
      aggregate_region(r, ppc, &like);
      REQUIRE(r.cells == reference_cells(mine, ppc, kPages));
      // A like region of another size is not used.
      std::vector<uint8_t> longer = mine;
      longer.push_back(page_bits::Anon);
      RegionMap other = region_of(longer);
      aggregate_region(other, ppc, &like);
      REQUIRE(other.cells == reference_cells(longer, ppc, kPages));
    }
  }
}

TEST_CASE("physical-memory cells equal a count of every byte, for every cell size", "[page_cells]") {
  std::mt19937 rng(42);
  for (uint32_t fpc = 1; fpc <= 1024; ++fpc) {
    for (size_t n : {size_t(fpc) * 3 + 1 + rng() % fpc, size_t(fpc) * 4, size_t(1 + rng() % 1500)}) {
      for (std::vector<uint8_t>& bytes : inputs(rng, n)) {
        INFO("frames per cell " << fpc << ", " << n << " frames");
        REQUIRE(aggregate_frames(bytes, fpc) == reference_cells(bytes, fpc, kFrames));
        // Used frames at the start, free after them (as RAM fills from the lowest frame).
        std::fill(bytes.begin() + bytes.size() / 3, bytes.end(), 0);
        REQUIRE(aggregate_frames(bytes, fpc) == reference_cells(bytes, fpc, kFrames));
      }
    }
  }
}

TEST_CASE("frame bytes: the frames never allocated read as free; frames_shown ends at the last used",
          "[page_cells]") {
  Frames frames(4096);
  for (int i = 0; i < 700; ++i) frames.alloc(i % 3 == 0 ? FrameKind::PageCache : FrameKind::Anon);
  // Neighbours that differ in one field each, or only in what the byte does not show
  // (the content tag).
  for (FrameId f = 0; f < 700; ++f) {
    frames[f].mapcount = f % 7 == 0 ? f % 90 : 1;
    frames[f].dirty = f % 5 == 0 && f < 400;
    frames[f].cache_ref = f % 11 == 0;
    frames[f].tag = f % 4;
  }
  frames[9].mapcount = 0;
  frames[9].cache_ref = false;
  frames.free(9);
  REQUIRE(frames.table_size() < frames.total());
  std::vector<uint8_t> bytes = frame_states(frames);
  REQUIRE(bytes.size() == 4096);
  const Frames& table = frames;  // reads past table_size() as free
  for (FrameId f = 0; f < frames.total(); ++f) REQUIRE(bytes[f] == frame_state(table[f]));
  CHECK(bytes[9] == 0);
  CHECK(bytes[699] != 0);
  CHECK(bytes[700] == 0);
  CHECK(frames_shown(bytes) == 768);  // frames 0-699 used: rounded up to 256

  // The highest used frame alone decides, wherever it is; at least 256, at most all.
  for (size_t last : {size_t(0), size_t(1), size_t(255), size_t(256), size_t(257), size_t(4000), size_t(4095)}) {
    std::vector<uint8_t> one(4096, 0);
    one[last] = 0x21;
    INFO("used frame " << last);
    CHECK(frames_shown(one) == std::min<uint32_t>(4096, std::max<uint32_t>(256, (last + 256) / 256 * 256)));
  }
  CHECK(frames_shown(std::vector<uint8_t>(4096, 0)) == 256);
  CHECK(frames_shown(std::vector<uint8_t>(100, 0)) == 100);
  std::vector<uint8_t> odd(1001, 0);
  odd[1000] = 1;
  CHECK(frames_shown(odd) == 1001);
}

TEST_CASE("the machine's frame counts equal a count of every frame", "[page_cells]") {
  // Frames of every kind and mapcount next to each other: a page-cache file partly mapped
  // and copied, shmem, anonymous pages shared by a fork, some written again, some freed.
  cow::script::Session s;
  REQUIRE(s.load("file data 40\nspawn P1\nP1 mmap cfg data\nP1 read cfg\nP1 mmap heap 64\n"
                 "P1 mmap shm 16 shared\nP1 write shm 0-9\nP1 write heap\nP1 fork C1\nC1 write heap 3-9\n"
                 "C1 write cfg 2\nP1 write heap 20\nC1 munmap heap 40-50\nP1 fork C2\nC2 exit\n"));
  s.run_all();
  REQUIRE(!s.error());
  const Engine& e = s.engine();
  SystemUsage want;
  for (FrameId f = 0; f < e.frames().total(); ++f) {
    const Frame& fr = e.frames()[f];
    want.frames_mapped += fr.mapcount >= 1;
    want.frames_shared += fr.mapcount >= 2;
    want.frames_private += fr.mapcount == 1;
    want.page_cache += fr.kind == FrameKind::PageCache;
    want.shmem += fr.kind == FrameKind::Shmem;
    want.anon += fr.kind == FrameKind::Anon;
  }
  SystemUsage got = e.system();
  CHECK(got.frames_mapped == want.frames_mapped);
  CHECK(got.frames_shared == want.frames_shared);
  CHECK(got.frames_private == want.frames_private);
  CHECK(got.page_cache == want.page_cache);
  CHECK(got.shmem == want.shmem);
  CHECK(got.anon == want.anon);
  CHECK(want.page_cache == 40);  // the whole file is in the page cache
  CHECK(want.shmem == 10);
  CHECK(want.frames_shared > 0);
  CHECK(want.frames_private > 0);
}
