// The Quiz tab's question families: besides page sharing after fork, the commit charge
// (as `cowlab quiz --commit` asks: Committed_AS and CommitLimit under an overcommit mode).
// The family chosen in the tab holds for "New quiz" and for the Quiz menu.
#include "gui_harness.h"

using namespace guitest;

namespace {

void settle(Gui& gui, App& app) {
  for (int i = 0; i < 200 && (app.busy() || i < 3); ++i) gui.frame(app);
  REQUIRE_FALSE(app.busy());
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("the Quiz tab starts a commit-charge quiz, and a page-sharing one again", "[gui][quiz]") {
  Gui gui;
  App app({}, {});
  gui.build_fonts();
  cow::web::probe::widgets_json("");
  settle(gui, app);
  click(gui, app, "Quiz");  // the main menu: a page-sharing quiz, seed 1
  settle(gui, app);
  REQUIRE(has(app.facts_json(), "\"quiz\":true"));
  CHECK(has(app.script_text(), "# cowlab quiz, seed 1:"));
  CHECK_FALSE(has(app.script_text(), "overcommit"));

  click(gui, app, "commit charge");
  click(gui, app, "New quiz");
  settle(gui, app);
  std::string commit = app.script_text();
  INFO(commit);
  CHECK(has(commit, "# cowlab quiz --commit, seed 2:"));
  CHECK(has(commit, "mode overcommit="));
  CHECK(has(commit, "committed_as"));  // a question asks the charge
  CHECK(has(app.facts_json(), "\"quiz\":true"));

  click(gui, app, "page sharing");
  click(gui, app, "New quiz");
  settle(gui, app);
  CHECK(has(app.script_text(), "# cowlab quiz, seed 3:"));
}
