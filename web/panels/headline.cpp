// Panel 2, the headline: frames used / shared / private / free and the fault counters,
// each as a big number with its change since the last step and its glossary entry on hover;
// once a script uses commit accounting, Committed_AS against CommitLimit as a bar.
#include <algorithm>
#include <cfloat>
#include <cstdio>

#include "panels.h"

namespace cow::web {

namespace {

struct Metric {
  const char* id;     // widget_rect id: "headline.<id>"
  const char* label;
  uint64_t now, prev;
  ImU32 swatch;       // 0: none
  bool veiled = false;  // predict-then-reveal: reads "?" (veils_number)
};

constexpr int kMetrics = 14;
constexpr int kFrameMetrics = 4;  // the first four: frames used, shared, private, free

void metrics(const SysPoint& now, const SysPoint& prev, const Palette& pal, Metric out[kMetrics]) {
  const SystemUsage& s = now.sys;
  const SystemUsage& p = prev.sys;
  const Counters& c = now.counters;
  const Counters& q = prev.counters;
  int i = 0;
  out[i++] = {"frames_used", "frames used", s.frames_used, p.frames_used, 0};
  out[i++] = {"frames_shared", "shared", s.frames_shared, p.frames_shared, pal.shared[4]};
  out[i++] = {"frames_private", "private", s.frames_private, p.frames_private, pal.priv};
  out[i++] = {"frames_free", "free", s.frames_free, p.frames_free, pal.absent};
  out[i++] = {"cow_copies", "COW copies", c.cow_copies, q.cow_copies, 0};
  out[i++] = {"cow_reuses", "reuses", c.cow_reuses, q.cow_reuses, 0};
  out[i++] = {"zero_fills", "zero fills", c.zero_fills, q.zero_fills, 0};
  out[i++] = {"zero_page_maps", "zero-page maps", c.zero_page_maps, q.zero_page_maps, 0};
  out[i++] = {"file_maps", "file maps", c.file_maps, q.file_maps, 0};
  out[i++] = {"faults", "faults", c.faults, q.faults, 0};
  out[i++] = {"ptes_copied", "PTEs copied", c.ptes_copied, q.ptes_copied, 0};
  out[i++] = {"fork_failures", "fork failures", c.fork_failures, q.fork_failures, 0};
  out[i++] = {"oom_kills", "OOM kills", c.oom_kills, q.oom_kills, 0};
  out[i++] = {"segfaults", "segfaults", c.segfaults, q.segfaults, 0};
}

// The THP counters as one compact line, or "" while all are 0 (no huge page so far).
std::string thp_line(const View& v) {
  const Counters& c = v.now.counters;
  if (c.thp_faults + c.huge_zero_maps + c.pmds_copied + c.thp_splits == 0) return "";
  char s[160];
  std::snprintf(s, sizeof s, "THP faults %llu   huge zero maps %llu   PMDs copied %llu   THP splits %llu",
                (unsigned long long)c.thp_faults, (unsigned long long)c.huge_zero_maps,
                (unsigned long long)c.pmds_copied, (unsigned long long)c.thp_splits);
  return s;
}

// The charge refused by the statement just run, or null (the bar turns red for it).
const CommitRefusal* refused_now(const View& v) {
  if (!v.session || v.session->history().empty() || v.session->position() != v.session->history().size()) return nullptr;
  const Engine& e = v.session->engine();
  for (const Event& ev : v.session->history().back().events)
    if (ev.kind == EventKind::CommitRefused && ev.count < e.commit_refusals().size()) return &e.commit_refusals()[ev.count];
  return nullptr;
}

std::string refusal_text(const View& v, const CommitRefusal& r) {
  const Engine& e = v.session->engine();
  std::string who = r.proc < e.processes().size() ? e.processes()[r.proc].name : "?";
  return explain_refusal(r, who, r.region < e.name_count() ? e.name(r.region) : "?");
}

bool commit_shown(const View& v) { return v.session && uses_commit_accounting(v.session->engine()); }

// The bar's line, plus the refusal's sentences wrapped to the panel when one is shown.
float commit_height(const View& v, float width) {
  if (!commit_shown(v)) return 0;
  float h = ImGui::GetTextLineHeightWithSpacing();
  if (const CommitRefusal* r = refused_now(v))
    h += ImGui::CalcTextSize(refusal_text(v, *r).c_str(), nullptr, false, width - 2 * ImGui::GetStyle().WindowPadding.x).y +
         ImGui::GetStyle().ItemSpacing.y;
  return h;
}

// "Committed_AS 19660 / CommitLimit 13107 pages (never)" over a bar filled to their ratio
// (full past the limit), red when this step's charge was refused.
void draw_commit_bar(const View& v, UiState& ui, const Palette& pal) {
  const SystemUsage& s = v.now.sys;
  const CommitRefusal* r = refused_now(v);
  char label[160];
  std::snprintf(label, sizeof label, "Committed_AS %llu / CommitLimit %llu pages (overcommit=%s)%s",
                (unsigned long long)s.committed_as, (unsigned long long)s.commit_limit,
                to_string(v.session->engine().modes().overcommit), r ? ": refused" : "");
  float fill = s.commit_limit ? std::min(1.0f, float(double(s.committed_as) / double(s.commit_limit))) : 1.0f;
  ImVec2 a = ImGui::GetCursorScreenPos();
  float w = ImGui::GetContentRegionAvail().x, h = ImGui::GetTextLineHeight();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(a, ImVec2(a.x + w, a.y + h), pal.absent, 3);
  dl->AddRectFilled(a, ImVec2(a.x + w * fill, a.y + h), r ? pal.dirty : pal.priv, 3);
  ImGui::SetCursorScreenPos(ImVec2(a.x + 4, a.y));
  ImGui::TextUnformatted(label);
  ImGui::SetCursorScreenPos(a);
  ImGui::Dummy(ImVec2(w, h));
  record_rect(ui, "headline.commit");
  if (r) {
    ImGui::PushStyleColor(ImGuiCol_Text, pal.dirty);
    ImGui::TextWrapped("%s", refusal_text(v, *r).c_str());
    ImGui::PopStyleColor();
  }
}

float big_size(const UiState& ui) {
  return big_font_size(ui);
}

ImVec2 tile_size(const UiState& ui) {
  float small = ImGui::GetFontSize();
  float digits = ui.big_font ? ui.big_font->CalcTextSizeA(big_font_size(ui), FLT_MAX, 0, "0000000").x
                              : ImGui::CalcTextSize("0000000").x * 2;
  return ImVec2(std::max(small * 8.2f, digits + small), 2 * small + big_size(ui) + 10);
}

// The label, the number big below it, and its change since the last step under that.
void draw_tile(const Metric& m, UiState& ui, const Palette& pal) {
  ImGui::BeginGroup();
  if (m.swatch) {
    legend_item(pal, m.swatch, m.label);
    ImGui::NewLine();
  } else {
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.text_dim), "%s", m.label);
  }
  push_big_font(ui);
  if (m.veiled) ImGui::TextUnformatted("?");
  else ImGui::Text("%llu", static_cast<unsigned long long>(m.now));
  char id[40];
  std::snprintf(id, sizeof id, "headline.%s", m.id);
  record_rect(ui, id);
  pop_big_font(ui);
  ImGui::Dummy(ImVec2(0, 0));
  if (!ui.quiz.veiled) delta_badge(pal, double(m.now) - double(m.prev));
  ImGui::EndGroup();
  glossary_tip(m.id);
}

// Wide: every metric as a big tile, in at most two rows. Narrow: the four frame counts as
// big tiles and the counters as a grid of "label number change" lines.
struct Shape {
  bool compact = false;
  int per_row = 1;        // big tiles per row
  int cells_per_row = 1;  // compact counter cells per row
  float cell_w = 0;
  float height = 0;
};

Shape shape(float width, const UiState& ui) {
  const ImGuiStyle& st = ImGui::GetStyle();
  ImVec2 tile = tile_size(ui);
  float inner = width - 2 * st.WindowPadding.x;
  Shape sh;
  sh.per_row = std::max(1, int(inner / tile.x));
  int rows = (kMetrics + sh.per_row - 1) / sh.per_row;
  sh.height = 2 * st.WindowPadding.y + float(rows) * (tile.y + st.ItemSpacing.y);
  if (rows <= 2) return sh;
  sh.compact = true;
  sh.cell_w = ImGui::CalcTextSize("zero-page maps 000000 ^0000").x;
  sh.cells_per_row = std::max(1, int(inner / sh.cell_w));
  int big_rows = (kFrameMetrics + sh.per_row - 1) / sh.per_row;
  int small_rows = (kMetrics - kFrameMetrics + sh.cells_per_row - 1) / sh.cells_per_row;
  sh.height = 2 * st.WindowPadding.y + float(big_rows) * (tile.y + st.ItemSpacing.y) +
              float(small_rows) * ImGui::GetTextLineHeightWithSpacing();
  return sh;
}

void draw_cell(const Metric& m, UiState& ui, const Palette& pal, float label_w) {
  ImGui::BeginGroup();
  ImVec2 start = ImGui::GetCursorScreenPos();
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.text_dim), "%s", m.label);
  ImGui::SameLine(0, 0);
  ImGui::SetCursorScreenPos(ImVec2(start.x + label_w, start.y));
  if (m.veiled) ImGui::TextUnformatted("?");
  else ImGui::Text("%llu", static_cast<unsigned long long>(m.now));
  char id[40];
  std::snprintf(id, sizeof id, "headline.%s", m.id);
  record_rect(ui, id);
  if (!ui.quiz.veiled) delta_badge(pal, double(m.now) - double(m.prev));
  ImGui::EndGroup();
  glossary_tip(m.id);
}

// The dense headline: every metric as "label number change", flowing left to right and
// wrapping; each cell's top-left relative to the panel's content, and the height.
float flow_cells(const Metric m[kMetrics], float width, const UiState& ui, ImVec2 at[kMetrics]) {
  const ImGuiStyle& st = ImGui::GetStyle();
  float inner = width - 2 * st.WindowPadding.x, gap = ImGui::GetFontSize() * 1.5f;
  float line = ImGui::GetTextLineHeightWithSpacing(), x = 0, y = 0;
  float badge = ImGui::CalcTextSize("+0000").x;
  for (int i = 0; i < kMetrics; ++i) {
    char num[24];
    std::snprintf(num, sizeof num, "%llu", static_cast<unsigned long long>(ui.quiz.veiled ? 0 : m[i].now));
    float w = ImGui::CalcTextSize(m[i].label).x + st.ItemSpacing.x + ImGui::CalcTextSize(num).x + badge +
              (m[i].swatch ? ImGui::GetFontSize() : 0);
    if (x > 0 && x + w > inner) x = 0, y += line;
    at[i] = ImVec2(x, y);
    x += w + gap;
  }
  return y + line + 2 * st.WindowPadding.y;
}

void draw_dense(const Metric m[kMetrics], float width, UiState& ui, const Palette& pal) {
  ImVec2 at[kMetrics];
  flow_cells(m, width, ui, at);
  ImVec2 origin = ImGui::GetCursorScreenPos();
  for (int i = 0; i < kMetrics; ++i) {
    ImGui::SetCursorScreenPos(ImVec2(origin.x + at[i].x, origin.y + at[i].y));
    if (m[i].swatch) legend_item(pal, m[i].swatch, m[i].label);
    else ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.text_dim), "%s", m[i].label);
    ImGui::SameLine();
    if (m[i].veiled) ImGui::TextUnformatted("?");
    else ImGui::Text("%llu", static_cast<unsigned long long>(m[i].now));
    char id[40];
    std::snprintf(id, sizeof id, "headline.%s", m[i].id);
    record_rect(ui, id);
    if (!ui.quiz.veiled) delta_badge(pal, double(m[i].now) - double(m[i].prev));
  }
}

}  // namespace

float compact_headline_height(float width, const View& v, const UiState& ui) {
  Metric m[kMetrics];
  ImVec2 at[kMetrics];
  metrics(v.now, v.has_prev ? v.prev : v.now, palette(ui.options.dark), m);
  return flow_cells(m, width, ui, at);
}

float headline_height(float width, const View& v, const UiState& ui) {
  float thp = thp_line(v).empty() ? 0 : ImGui::GetTextLineHeightWithSpacing();
  return shape(width, ui).height + thp + commit_height(v, width);
}

void draw_headline_panel(const View& v, UiState& ui) {
  const Palette& pal = palette(ui.options.dark);
  const Rect& r = ui.layout.headline;
  if (begin_panel("Headline", r, ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar)) {
    Metric m[kMetrics], at_bookmark[kMetrics];
    metrics(v.now, v.has_prev ? v.prev : v.now, pal, m);
    metrics(ui.quiz.veil_ref, ui.quiz.veil_ref, pal, at_bookmark);
    for (int i = 0; i < kMetrics; ++i) m[i].veiled = veils_number(ui, m[i].now, at_bookmark[i].now);
    if (ui.layout.compact) {
      draw_dense(m, r.w, ui, pal);
      ImGui::End();
      return;
    }
    Shape sh = shape(r.w, ui);
    ImVec2 tile = tile_size(ui);
    ImVec2 origin = ImGui::GetCursorScreenPos();
    float spacing = ImGui::GetStyle().ItemSpacing.y;
    int big = sh.compact ? kFrameMetrics : kMetrics;
    for (int i = 0; i < big; ++i) {
      int row = i / sh.per_row, col = i % sh.per_row;
      ImGui::SetCursorScreenPos(ImVec2(origin.x + float(col) * tile.x, origin.y + float(row) * (tile.y + spacing)));
      draw_tile(m[i], ui, pal);
    }
    float y = origin.y + float((big + sh.per_row - 1) / sh.per_row) * (tile.y + spacing);
    float label_w = ImGui::CalcTextSize("zero-page maps ").x;
    for (int i = big; i < kMetrics; ++i) {
      int k = i - big, row = k / sh.cells_per_row, col = k % sh.cells_per_row;
      ImGui::SetCursorScreenPos(ImVec2(origin.x + float(col) * sh.cell_w, y + float(row) * ImGui::GetTextLineHeightWithSpacing()));
      draw_cell(m[i], ui, pal, label_w);
    }
    int small = kMetrics - big, rows = (small + sh.cells_per_row - 1) / sh.cells_per_row;
    ImGui::SetCursorScreenPos(ImVec2(origin.x, y + float(rows) * ImGui::GetTextLineHeightWithSpacing()));
    if (std::string thp = ui.quiz.veiled ? "" : thp_line(v); !thp.empty()) ImGui::TextUnformatted(thp.c_str());
    if (commit_shown(v) && !ui.quiz.veiled) draw_commit_bar(v, ui, pal);
  }
  ImGui::End();
}

}  // namespace cow::web
