#include "colors.h"

#include "page_states.h"

namespace cow::figure {

namespace {

constexpr Rgba rgb(uint8_t r, uint8_t g, uint8_t b, uint8_t a = 255) { return {r, g, b, a}; }

uint8_t mix(uint8_t x, uint8_t y, float t) { return uint8_t(float(x) + (float(y) - float(x)) * t + 0.5f); }

Rgba lerp(Rgba a, Rgba b, float t) { return {mix(a.r, b.r, t), mix(a.g, b.g, t), mix(a.b, b.b, t), mix(a.a, b.a, t)}; }

// Buckets 0..1 take `single`; 2..7 go from `light` to `deep` (darker as mapcount grows).
void ramp(Rgba out[8], Rgba single, Rgba light, Rgba deep) {
  out[0] = out[1] = single;
  for (int b = 2; b < 8; ++b) out[b] = lerp(light, deep, float(b - 2) / 5.0f);
}

Colors make_colors(bool dark) {
  Colors p{};
  p.background = dark ? rgb(23, 26, 31) : rgb(247, 247, 250);
  p.text = dark ? rgb(255, 255, 255) : rgb(0, 0, 0);
  p.unmapped = dark ? rgb(255, 255, 255, 10) : rgb(0, 0, 0, 10);
  p.absent = dark ? rgb(255, 255, 255, 30) : rgb(0, 0, 0, 20);
  p.zero = dark ? rgb(150, 152, 165) : rgb(140, 142, 156);
  p.priv = dark ? rgb(86, 190, 96) : rgb(64, 168, 76);
  ramp(p.shared, rgb(86, 190, 96), rgb(110, 170, 255), rgb(30, 62, 170));
  ramp(p.file, rgb(244, 176, 72), rgb(206, 118, 26), rgb(130, 66, 8));
  ramp(p.shmem, rgb(206, 146, 240), rgb(160, 92, 214), rgb(90, 34, 140));
  p.dirty = rgb(235, 64, 64);
  p.cow_wp = dark ? rgb(10, 10, 16, 190) : rgb(255, 255, 255, 220);
  p.free_frame = p.absent;
  p.grid = dark ? rgb(255, 255, 255, 40) : rgb(0, 0, 0, 40);
  p.text_dim = dark ? rgb(160, 160, 170) : rgb(100, 100, 110);
  p.huge = dark ? rgb(255, 196, 64) : rgb(200, 110, 0);
  const Rgba series[10] = {rgb(90, 160, 255),  rgb(255, 140, 60), rgb(90, 200, 110),  rgb(230, 80, 110),
                           rgb(180, 120, 240), rgb(60, 200, 200), rgb(230, 200, 60),  rgb(240, 120, 200),
                           rgb(150, 150, 150), rgb(160, 110, 70)};
  for (int i = 0; i < 10; ++i) p.series[i] = series[i];
  return p;
}

}  // namespace

const Colors& colors(Theme theme) {
  static const Colors kDark = make_colors(true), kLight = make_colors(false);
  return theme == Theme::Dark ? kDark : kLight;
}

Rgba page_color(uint8_t b, const Colors& p) {
  int bucket = page_bits::bucket(b);
  switch (page_bits::kind(b)) {
    case page_bits::Unmapped: return p.unmapped;
    case page_bits::Absent: return p.absent;
    case page_bits::Zero: return p.zero;
    case page_bits::Anon: return bucket >= 2 ? p.shared[bucket] : p.priv;
    case page_bits::File: return p.file[bucket];
    case page_bits::Shmem: return p.shmem[bucket];
    default: return p.absent;
  }
}

Rgba frame_color(uint8_t b, const Colors& p) {
  int bucket = frame_bits::bucket(b);
  switch (frame_bits::kind(b)) {
    case FrameKind::Free: return p.free_frame;
    case FrameKind::Anon: return bucket >= 2 ? p.shared[bucket] : bucket == 1 ? p.priv : p.zero;
    case FrameKind::PageCache: return p.file[bucket];
    case FrameKind::Shmem: return p.shmem[bucket];
  }
  return p.free_frame;
}

Rgba process_color(uint32_t id, const Colors& c) { return c.series[id % 10]; }

Rgba over(Rgba c, Rgba under) {
  float t = float(c.a) / 255.0f;
  return {mix(under.r, c.r, t), mix(under.g, c.g, t), mix(under.b, c.b, t), 255};
}

std::vector<LegendRow> legend(const Colors& c, LegendOf which) {
  bool pages = which == LegendOf::Pages;
  Rgba blank = pages ? c.absent : c.free_frame;
  // Mapcount 2 and up darken with the mapcount (buckets 2, 3-4, 5-8, 9-16, 17-64, 65+).
  auto ramp = [](const Rgba (&r)[8]) { return std::vector<Rgba>(r + 2, r + 8); };
  struct Row {
    Rgba color;
    const char* page;   // label in the page map; null: not shown there
    const char* frame;  // label in physical memory; null: not shown there
    const char* tip;    // glossary entry
    Marker marker = Marker::None;
    std::vector<Rgba> ramp = {};
  };
  const Row rows[] = {
      {blank, "not present", "free", pages ? "not present" : "frames free"},
      {c.zero, "zero page", nullptr, "zero page"},
      {c.priv, "anonymous, mapcount 1", "anonymous, mapcount 1", "Private"},
      {c.shared[2], "anonymous, mapcount 2, 3-4 ... 65+", "anonymous, mapcount 2, 3-4 ... 65+", "Shared",
       Marker::None, ramp(c.shared)},
      {c.file[1], "page cache, mapcount 0-1", "page cache, mapcount 0-1", "File"},
      {c.file[2], "page cache, mapcount >= 2 (private or shared mapping)", "page cache, mapcount >= 2", "Shared",
       Marker::None, ramp(c.file)},
      {c.shmem[1], "shmem, mapcount 0-1", "shmem, mapcount 0-1", "Shmem"},
      {c.shmem[2], "shmem, mapcount >= 2", "shmem, mapcount >= 2", "Shared", Marker::None, ramp(c.shmem)},
      {blank, "dirty", "dirty", "Dirty", Marker::Dirty},
      {c.absent, "COW write-protected", nullptr, "COW", Marker::CowWp},
      {c.absent, "huge page (PMD)", nullptr, "AnonHugePages", Marker::HugePmd},
      {c.absent, "split huge page", nullptr, "AnonHugePages", Marker::HugeSplit},
  };
  std::vector<LegendRow> out;
  for (const Row& r : rows)
    if (const char* label = pages ? r.page : r.frame) out.push_back({r.color, label, r.marker, r.ramp, r.tip});
  return out;
}

const char* page_state_name(uint8_t b) {
  switch (page_bits::kind(b)) {
    case page_bits::Unmapped: return "unmapped";
    case page_bits::Absent: return "absent";
    case page_bits::Zero: return "zero";
    case page_bits::Anon: return page_bits::bucket(b) >= 2 ? "anon-shared" : "anon-private";
    case page_bits::File: return "file";
    case page_bits::Shmem: return "shmem";
    default: return "absent";
  }
}

const char* frame_state_name(uint8_t b) {
  switch (frame_bits::kind(b)) {
    case FrameKind::Free: return "free";
    case FrameKind::Anon:
      return frame_bits::bucket(b) >= 2 ? "anon-shared" : frame_bits::bucket(b) == 1 ? "anon-private" : "anon-unmapped";
    case FrameKind::PageCache: return "page-cache";
    case FrameKind::Shmem: return "shmem";
  }
  return "free";
}

}  // namespace cow::figure
