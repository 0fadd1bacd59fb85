// A student's first hour, driven through the App as a visitor does (ImGui headless):
// their own text is never replaced without asking, leaving a quiz brings it back, and
// every failed expect is listed with its numbers (App::facts_json, what the page reads).
#include "gui_harness.h"

using namespace guitest;

namespace {

const std::string kOwn = "spawn Q\nQ mmap h 2\nQ write h\n";
const std::string kExample = "# Example A\nspawn P\nP mmap h 4\nP write h\n";

std::vector<cow::web::Example> examples() { return {{"a.cow", "Example A", kExample}}; }

// A few frames: a new window (the dialog) is laid out on its first frame, shown on the next.
void frames(Gui& gui, App& app, int n = 3) {
  for (int i = 0; i < n; ++i) gui.frame(app);
}

void settle(Gui& gui, App& app) {
  for (int i = 0; i < 200 && (app.busy() || i < 3); ++i) gui.frame(app);
  REQUIRE_FALSE(app.busy());
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Clicks the widget labelled `label` in the window `window` (the first of them).
void click_in(Gui& gui, App& app, const std::string& label, const std::string& window) {
  std::string w = cow::web::probe::widgets_json(label);
  std::string where = "\"window\":\"" + window + "\"";
  INFO("widgets labelled " << label << ": " << w);
  REQUIRE(has(w, where));
  float x = float(json_number(w, "x", where) + json_number(w, "w", where) / 2);
  float y = float(json_number(w, "y", where) + json_number(w, "h", where) / 2);
  click_at(gui, app, x, y);
}

// Types `c` into the editor, at the start of its text.
void type_in_editor(Gui& gui, App& app, char c) {
  cow::web::WidgetRect r = app.widget_rect("editor");
  REQUIRE(r.w > 0);
  click_at(gui, app, r.x + 2, r.y + 4);
  ImGui::GetIO().AddInputCharacter(unsigned(c));
  gui.frame(app);
  gui.frame(app);
}

}  // namespace

TEST_CASE("an example asks before it replaces the visitor's edits; Cancel keeps them", "[gui][first_hour]") {
  Gui gui;
  App app({}, examples());
  gui.build_fonts();
  cow::web::probe::widgets_json("");
  app.load(kOwn);
  settle(gui, app);
  CHECK(has(app.facts_json(), "\"edited\":false"));
  type_in_editor(gui, app, '#');
  std::string edited = app.script_text();
  REQUIRE(edited == "#" + kOwn);
  CHECK(has(app.facts_json(), "\"edited\":true"));

  click_in(gui, app, "Examples", "##MainMenuBar");
  click(gui, app, "Example A");
  frames(gui, app);
  CHECK(has(app.facts_json(), "\"asking\":true"));
  CHECK(app.script_text() == edited);
  click(gui, app, "Cancel");
  CHECK(has(app.facts_json(), "\"asking\":false"));
  CHECK(app.script_text() == edited);  // still the visitor's text

  click_in(gui, app, "Examples", "##MainMenuBar");
  click(gui, app, "Example A");
  frames(gui, app);
  click(gui, app, "Replace");
  settle(gui, app);
  CHECK(app.script_text() == kExample);
  CHECK(has(app.facts_json(), "\"edited\":false"));
  // An unedited example is replaced without a question.
  click_in(gui, app, "Examples", "##MainMenuBar");
  click(gui, app, "Example A");
  CHECK(has(app.facts_json(), "\"asking\":false"));
}

TEST_CASE("the API replaces without asking; a pasted link asks", "[gui][first_hour]") {
  Gui gui;
  App app({}, examples());
  gui.build_fonts();
  app.load(kOwn, -1, cow::web::LoadAs::Restore);  // the visitor's saved script: their own
  settle(gui, app);
  CHECK(has(app.facts_json(), "\"edited\":true"));
  app.load(kExample, -1, cow::web::LoadAs::Ask);
  gui.frame(app);
  CHECK(has(app.facts_json(), "\"asking\":true"));
  CHECK(app.script_text() == kOwn);
  app.load(kExample);  // window.cowlab.load: never asks
  settle(gui, app);
  CHECK(app.script_text() == kExample);
}

TEST_CASE("leaving a quiz brings back the script and step from before it", "[gui][first_hour]") {
  Gui gui;
  App app({}, examples());
  gui.build_fonts();
  cow::web::probe::widgets_json("");
  app.load(kOwn, 2, cow::web::LoadAs::Restore);
  settle(gui, app);
  REQUIRE(app.position() == 2);
  click_in(gui, app, "Quiz", "##MainMenuBar");
  frames(gui, app);
  click(gui, app, "Replace");  // the visitor's own script: it asked first
  settle(gui, app);
  CHECK(has(app.facts_json(), "\"quiz\":true"));
  CHECK(app.script_text() != kOwn);
  click(gui, app, "leave the quiz");
  settle(gui, app);
  CHECK(has(app.facts_json(), "\"quiz\":false"));
  CHECK(app.script_text() == kOwn);
  CHECK(app.position() == 2);
  CHECK(has(app.facts_json(), "\"edited\":true"));  // still the visitor's own
}

TEST_CASE("every failed expect is listed with its numbers, beside a runtime error", "[gui][first_hour]") {
  Gui gui;
  App app({}, examples());
  gui.build_fonts();
  // P's 4 written pages: rss 4 (so 5 fails), uss 4 (so 3 fails); then a runtime error.
  app.load("spawn P\nP mmap h 4\nP write h\nexpect P rss=5\nexpect P uss=4\nexpect P uss=3\nX write h\n");
  settle(gui, app);
  std::string facts = app.facts_json();
  INFO(facts);
  CHECK(has(facts, "{\"line\":4,\"process\":\"P\",\"region\":\"\",\"metric\":\"rss\",\"expected\":\"5\",\"actual\":\"4\"}"));
  CHECK(has(facts, "{\"line\":6,\"process\":\"P\",\"region\":\"\",\"metric\":\"uss\",\"expected\":\"3\",\"actual\":\"4\"}"));
  CHECK_FALSE(has(facts, "\"line\":5"));  // the expect that holds is not listed
  CHECK(has(facts, "\"error\":\"line 7: "));
  // The list is drawn under the editor; a click on a row goes to its line's step.
  cow::web::WidgetRect row = app.widget_rect("expect:1");
  REQUIRE(row.w > 0);
  click_at(gui, app, row.x + 10, row.y + row.h / 2);
  settle(gui, app);
  CHECK(app.position() == 6);
}
