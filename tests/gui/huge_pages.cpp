// Transparent huge pages in the playground: the View's THP extents per region (one per
// 2 MiB extent a huge PMD maps, and the split ones) and the inspector's walk ending at a
// huge PMD. Worked out by hand: P's 4 MiB region (MADV_HUGEPAGE) is two aligned 2 MiB
// extents; writing all of it maps two THPs by PMD; fork shares both PMDs; C's write to
// page 0 splits C's first PMD into PTEs (__split_huge_pmd) and leaves P's PMDs alone.
#include <vector>

#include "gui_harness.h"
#include "web/panels/panels.h"

using namespace guitest;
using cow::web::HugeExtent;
using cow::web::HugeState;

namespace {

constexpr const char* kScript = "spawn P\nP mmap h 4M thp\nP write h\nP fork C\nC write h 0\n";

void settle(Gui& gui, App& app) {
  for (int i = 0; i < 200 && (app.busy() || i < 3); ++i) gui.frame(app);
  REQUIRE_FALSE(app.busy());
}

// The THP extents of region `region` of process `name` in the current View.
std::vector<HugeExtent> extents(const App& app, const std::string& name, const std::string& region) {
  const cow::web::View& v = app.view();
  for (const cow::web::ProcRow& row : v.procs) {
    if (row.name != name || row.mm >= v.mms.size()) continue;
    for (const cow::web::RegionMap& r : v.mms[row.mm].regions)
      if (r.name == region) return r.huge;
  }
  FAIL("no region " << region << " of " << name);
  return {};
}

bool same(const std::vector<HugeExtent>& got, const std::vector<HugeExtent>& want) {
  if (got.size() != want.size()) return false;
  for (size_t i = 0; i < got.size(); ++i)
    if (got[i].first_page != want[i].first_page || got[i].state != want[i].state) return false;
  return true;
}

}  // namespace

TEST_CASE("the page map's THP extents: two huge PMDs, then one split by a COW write", "[gui][thp]") {
  Gui gui;
  App app({}, {});
  gui.build_fonts();
  app.load(kScript);
  settle(gui, app);
  app.step_to(4);  // after the fork, before C writes
  settle(gui, app);
  std::vector<HugeExtent> two_pmds = {{0, HugeState::Pmd}, {512, HugeState::Pmd}};
  CHECK(same(extents(app, "P", "h"), two_pmds));
  CHECK(same(extents(app, "C", "h"), two_pmds));

  app.step_to(5);  // C wrote page 0
  settle(gui, app);
  CHECK(same(extents(app, "P", "h"), two_pmds));
  CHECK(same(extents(app, "C", "h"), {{0, HugeState::Split}, {512, HugeState::Pmd}}));

  app.step_to(2);  // mapped, nothing written: no PMD at all
  settle(gui, app);
  CHECK(extents(app, "P", "h").empty());
}

TEST_CASE("inspecting a page under a huge PMD: the walk ends at the PMD", "[gui][thp]") {
  Gui gui;
  App app({}, {});
  gui.build_fonts();
  app.load(kScript);
  settle(gui, app);
  cow::web::WidgetRect r = app.widget_rect("page:P:h:600");
  REQUIRE(r.w > 0);
  click_at(gui, app, r.x + r.w / 2, r.y + r.h / 2);
  std::string text = app.inspector_text();
  INFO(text);
  CHECK(text.find("P h[600]") != std::string::npos);
  CHECK(text.find("huge PMD: 2 MiB folio") != std::string::npos);
  CHECK(text.find("PTE index") == std::string::npos);

  // C's page 0 is PTE-mapped since the split: its entry has no "huge".
  CHECK(app.inspect_json("P", "h", 600).find("\"huge\":true") != std::string::npos);
  CHECK(app.inspect_json("C", "h", 0).find("\"huge\":true") == std::string::npos);
  CHECK(app.inspect_json("C", "h", 600).find("\"huge\":true") != std::string::npos);
}

TEST_CASE("the COW fault on a huge PMD names the THP handlers", "[gui][thp]") {
  Gui gui;
  App app({}, {});
  gui.build_fonts();
  app.load(kScript);
  settle(gui, app);
  // Step 5, C's write to page 0: find the fault's event line.
  std::string text;
  for (int i = 0; i < 8; ++i) {
    cow::web::WidgetRect r = app.widget_rect("event:5:" + std::to_string(i));
    if (r.w == 0) break;
    click_at(gui, app, r.x + r.w / 2, r.y + r.h / 2);
    if (app.inspector_text().find("Handlers:") != std::string::npos) {
      text = app.inspector_text();
      break;
    }
  }
  INFO(text);
  REQUIRE_FALSE(text.empty());
  CHECK(text.find("do_huge_pmd_wp_page") != std::string::npos);
  CHECK(text.find("__split_huge_pmd") != std::string::npos);
}
