// The playground application: everything the web page and cowlab-gui show, independent
// of the platform. web/main.cpp owns SDL2, OpenGL, the ImGui context, the main loop and
// the JavaScript exports, and calls into App; web/app.cpp and web/panels/*.cpp own the
// panels, the UI state (UiState) and the session.
//
// Contract between the two halves (keep it small):
//   main.cpp  -> App: construct (with the Platform callbacks and the examples), set_options,
//                load, step_to, frame (once per frame, between ImGui::NewFrame and
//                ImGui::Render), state_json, headline_text, caption_text, inspect_json, busy.
//   App -> main.cpp: the Platform callbacks (share link, state once a step settles,
//                the inspector's text).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cow::web {

struct View;  // web/panels/panels.h
class CellRenderer;  // web/panels/cell_image.h

struct Example {
  std::string name;    // file name, e.g. "01-basic-cow-fork.cow"
  std::string title;   // first comment line
  std::string text;
};

enum class ShareAs { Link, EmbedCode };

// How App::load treats the text in the editor (web/panels/replace.cpp).
enum class LoadAs : uint8_t {
  Replace,  // the API (window.cowlab.load, postMessage): replaces it without asking
  Ask,      // a link pasted into the address bar: asks first when the editor holds edits
  Restore,  // the visitor's own script, saved in the browser: it counts as their edits
};

// What App asks of the platform layer: callbacks that main.cpp fills in. App skips an
// empty one (natively, on_state is empty).
struct Platform {
  // The Share menu: the link's fragment ("#z=...&step=N", engine/script/link.h) and
  // whether the visitor wants the link (the browser puts it in the address bar and copies
  // it; natively it is copied to the clipboard) or the <iframe> code embedding it.
  std::function<void(ShareAs as, const std::string& fragment)> share;
  // state_json() once the position settles after a command.
  std::function<void(const std::string& text)> on_state;
  // inspector_text() whenever it changes ("" when the inspector closes).
  std::function<void(const std::string& text)> on_inspect;
  // View > Export figure: figure_svg("step"), to save (the browser downloads it and a PNG
  // of the canvas).
  std::function<void(const std::string& svg)> export_figure;
  // "Download" in the C program window: a file `name` holding `text` (the browser
  // downloads it; natively it is written to the current directory).
  std::function<void(const std::string& name, const std::string& text)> download;
  // A quiz question was checked: {"seed","answered","correct"} (web/panels/mirror.h).
  std::function<void(const std::string& json)> on_quiz;
  // Draws the page map and physical memory from textures (web/panels/cell_image.h);
  // without it, one ImGui rectangle per cell.
  std::shared_ptr<CellRenderer> cell_renderer;
};

// Where a widget was drawn in the last frame, in ImGui display coordinates (CSS pixels of
// the canvas in the browser); w = h = 0 when it was not drawn.
struct WidgetRect {
  float x = 0, y = 0, w = 0, h = 0;
};

struct Options {
  bool embed = false;       // &embed=1: minimal editor and menus
  bool readonly = false;    // &readonly=1
  bool dark = true;         // &theme= or prefers-color-scheme
  bool autoplay = false;    // &autoplay=1
  std::optional<uint64_t> quiz_seed;  // &quiz=N: start quiz N (docs/teaching.md)
  bool predict = false;     // &predict=1: predict, then reveal, at each `show`
  long show = -1;           // &show=N: open at the N-th `show` (the first load only)
  float scale = 1;          // &scale=S: UI scale, 1..2.5
  bool present = false;     // &present=1: presentation mode (at least 2x, checks skipped)
};

class App {
 public:
  App(Platform platform, std::vector<Example> examples);
  ~App();
  void set_options(const Options& o);

  // Loads a script and runs it up to step `step` (-1 = to the end): what fits in a frame
  // at once, the rest in slices across frames; busy() is true until done (and while a
  // live-mode edit waits to re-run). What the script shares with the one before is kept
  // (script::Session::reload). A syntax error shows in the editor. The script's
  // top comment block shows as "About this example" (script::about_text).
  void load(std::string_view script, long step = -1, LoadAs as = LoadAs::Replace);
  // The same, up to the n-th `show` statement (from 1); to the end when there are fewer.
  void load_at_show(std::string_view script, long show);
  // Moves to just after statement n (0 = before the first; larger stops at the last), at
  // once when it fits in a frame.
  void step_to(long n);
  bool busy() const;

  // Draws every panel; called once per frame.
  void frame();

  // Exactly what `cowlab run --json` prints for the script up to the current step,
  // without the final newline.
  std::string state_json() const;
  // One page of a process's region at the current step, as script::page_json writes it
  // (the page's `cowlab run --json --pagemap` entry plus "explain"), or {"error": ...}
  // for an unknown process or region or a page out of range.
  std::string inspect_json(std::string_view process, std::string_view region, long page) const;
  // What the inspector window shows, as plain text ("" while it is closed), for the
  // page's aria-live mirror #cowlab-inspect.
  std::string inspector_text() const;
  // The headline numbers as one line of text, for the aria-live mirror.
  std::string headline_text() const;
  // The caption shown under the steps (the current statement's comment), for the
  // aria-live caption mirror; "" when none shows.
  std::string caption_text() const;
  // What #cowlab-state says after a step: headline_text(), the statement just run and the
  // numbers it moved (step_announcement, web/panels/mirror.h).
  std::string announcement() const;
  // The processes panel's cells as text, for the page's hidden HTML table (mirror.h).
  std::string processes_json() const;
  std::string script_text() const;
  long position() const;
  // The figure of the current step (engine/figure/svg.h) in the page's theme: `view` is
  // "pagemap", "physical" or "step"; the same bytes as `cowlab render --svg` for the
  // same script, step and theme. "" for another view, or while a quiz veils the numbers.
  std::string figure_svg(std::string_view view) const;
  // The cost tab's comparison ("Compare with eager copy": the script's eager-copy
  // variant, script::ForkPolicy::EagerCopy) as state_json() writes a state, once it has
  // run; "" before it was asked for and while it runs.
  std::string compare_json() const;
  // What the page needs beyond state_json(), as JSON (web/panels/replace.cpp):
  // {"edited": the editor holds the visitor's own text, "quiz": a quiz runs, "asking":
  //  the "Replace your script?" dialog is open, "step", "failed": [{"line", "process",
  //  "region", "metric", "expected", "actual"}] (the failed expects, as listed under the
  //  editor), "error": the runtime or syntax error shown, or ""}.
  std::string facts_json() const;

  // Added by the panels half (additive): rectangles of the widgets the browser tests aim
  // at. Ids: "page:<process>:<region>:<page>" (a page-map cell), "frame:<n>" (a
  // physical-memory cell), "event:<step>:<i>" (an event line), "inspector",
  // "page_tables", "editor", "run", "step", "step_back", "reset", "play", "live", "slider",
  // "share", "share_link", "share_end", "share_embed", "export_copy", "export_download",
  // "replace_ok" and "replace_cancel" (the "Replace your script?" question), "expect:<i>"
  // (the i-th failed expect under the editor),
  // "caption" (under the steps), "about" and "about_close" (the About box's
  // text and close button), and "headline.<metric>" for each headline number (frames_used,
  // frames_shared, frames_private, frames_free, cow_copies, cow_reuses, zero_fills,
  // zero_page_maps, file_maps, faults, ptes_copied, fork_failures, oom_kills, segfaults).
  // Platform.on_state receives state_json() once the position settles after a command.
  // Options.quiz_seed: the first load() after set_options starts that quiz instead (its
  // scenario, run to the first bookmark); later loads leave the quiz. Options.predict:
  // every load without a step opens at the first `show`, veiled (QuizKind::Predict).
  // Construct App after ImGui::CreateContext() and before the first NewFrame: it adds a
  // large copy of the default font for the headline numbers and the step captions (else
  // it scales the default).
  WidgetRect widget_rect(std::string_view id) const;
  // The UI scale (View menu, Options::scale, presentation mode): the platform lays ImGui
  // out in units of this many CSS pixels and rasterises the fonts to match.
  float ui_scale() const;
  // True while something changes without input: a run, playing, a live re-run pending,
  // a state to announce, the comparison running, the editor's blinking cursor. Otherwise,
  // a frame without input draws what the last one drew (main.cpp then skips drawing).
  bool animating() const;
  // The View of the current step (what the panels draw), for the GUI tests.
  const View& view() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cow::web
