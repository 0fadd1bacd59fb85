// The playground application: one session, the UI state, and the panels, one frame at a
// time. Runs are cut into slices of ~10 ms per frame so the page stays responsive
// (busy() is true meanwhile, and the panels keep showing the last complete state).
// Buttons become Requests that go through the session's command API (load, step,
// run_to), the same one the command line uses.
#include "app.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>

#include "engine/figure/svg.h"
#include "engine/kernel/export_c.h"
#include "engine/script/captions.h"
#include "engine/script/json.h"
#include "engine/script/lines.h"
#include "engine/script/link.h"
#include "engine/script/parser.h"
#include "imgui_internal.h"
#include "panels/keys.h"
#include "panels/layout_phone.h"
#include "panels/mirror.h"
#include "panels/panels.h"

namespace cow::web {

namespace {

constexpr double kSliceSeconds = 0.010;     // stepping per frame while busy
constexpr double kFrameSeconds = 0.012;     // what a frame may spend on a command at once
constexpr double kLiveDelay = 0.25;         // pause in typing before a live re-run whose last
                                            // one took longer than a frame (else none)
constexpr uint32_t kAutoPageCells = 2048;   // auto zoom: cells per region at most,
constexpr uint32_t kAutoMapCells = 32768;   // and in the whole page map
constexpr uint32_t kAutoFrameCells = 4096;  // auto zoom: cells of physical memory at most

double seconds_now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

// "Run this on your Linux": the script as the C program `cowlab export-c` writes, or why
// it cannot be one.
std::string exported_program(const std::string& script) {
  kernel::ExportedC c = kernel::export_c(script, "scenario.cow");
  if (c.status == 0) return c.program;
  std::string where = c.pos.line ? "line " + std::to_string(c.pos.line) + ":" + std::to_string(c.pos.col) + ": " : "";
  return "/* This script cannot run as a C program:\n *   " + where + c.message + "\n */\n";
}

// log2 of the smallest power of two that brings `n` items to at most `max_cells` cells.
int auto_zoom(uint64_t n, uint32_t max_cells) {
  int z = 0;
  while (((n + (uint64_t(1) << z) - 1) >> z) > max_cells && z < 30) ++z;
  return z;
}

// The right-hand side: headline, "About this example" and the steps, the process table,
// then the page map beside physical memory over the timeline.
void layout_right(Layout& L, const View& v, const UiState& ui, Rect r, size_t processes) {
  const ImGuiStyle& st = ImGui::GetStyle();
  float hh = headline_height(r.w, v, ui);
  float ah = about_height(r.w, std::floor(r.h * 0.3f), ui);
  float th = travel_height(r.w, v, ui);
  L.headline = {r.x, r.y, r.w, hh};
  L.about = {r.x, r.y + hh, r.w, ah};
  L.travel = {r.x, r.y + hh + ah, r.w, th};
  float y = r.y + hh + ah + th, h = r.h - hh - ah - th;
  if (L.has_processes) {
    float row = ImGui::GetTextLineHeightWithSpacing() + 2;
    float want = ImGui::GetFrameHeight() + 2 * st.WindowPadding.y + float(std::max<size_t>(processes, 3) + 1) * row + 4;
    float ph = std::floor(std::min(want, h * 0.36f));
    L.processes = {r.x, y, r.w, ph};
    y += ph;
    h -= ph;
  }
  bool side = L.has_physical || L.has_timeline;
  float mw = side ? std::floor(r.w * 0.56f) : r.w;
  L.page_map = {r.x, y, mw, h};
  float ph = L.has_physical && L.has_timeline ? std::floor(h * 0.5f) : L.has_physical ? h : 0;
  L.physical = {r.x + mw, y, r.w - mw, ph};
  L.timeline = {r.x + mw, y + ph, r.w - mw, h - ph};
}

// Wide screens: editor and events on the left, the rest on the right. Narrow ones show
// events, physical memory and the timeline as tabs under the editor; small frames get the
// compact layout (web/panels/tabs.cpp); very narrow ones stack everything.
Layout compute_layout(const View& v, const UiState& ui, ImVec2 display, size_t processes) {
  if (display.x < kPhoneWidth) return phone_layout(v, ui, display, processes);
  Layout L;
  float top = ui.options.embed ? 0 : ImGui::GetFrameHeight();
  float w = display.x, h = display.y - top;
  if (wants_compact_layout(w, h, ui)) return compact_layout(v, ui, {0, top, w, h}, processes);
  bool wide = w >= 1000 && h >= 560;
  L.has_events = (ui.show_events && wide) || ui.quiz.active;  // the quiz lives in its tabs
  L.has_physical = ui.show_physical && wide;
  L.has_timeline = ui.show_timeline && wide;
  if (!wide && w >= 640) L.tabs.panes = overflow_panes(ui);  // under the editor, as tabs
  if (w < 640) {
    L.has_processes = false;
    float eh = std::floor(h * (L.has_events ? 0.5f : 0.38f));
    float half = L.has_events ? std::floor(w * 0.5f) : w;
    L.editor = {0, top, half, eh};
    L.events = {half, top, w - half, eh};
    layout_right(L, v, ui, {0, top + eh, w, h - eh}, processes);
    return L;
  }
  float left = std::floor(wide ? std::clamp(w * 0.28f, 340.0f, 520.0f) : std::clamp(w * 0.38f, 260.0f, 400.0f));
  float eh = L.has_events || L.tabs.panes ? std::floor(h * 0.6f) : h;
  L.editor = {0, top, left, eh};
  L.events = {0, top + eh, left, h - eh};
  L.tabs.area = L.events;
  L.has_processes = h >= 420;
  layout_right(L, v, ui, {left, top, w - left, h}, processes);
  return L;
}

// One statement forward, recording the step's numbers and cost in `series` the first time
// the session passes it. False at the end or on a runtime error.
// `usage` holds the accounting of the session's states of load `generation`.
bool step_recorded(script::Session& s, Series& series, const CostModel& model, const StateUsage& usage,
                   uint64_t generation) {
  std::optional<Engine> before;
  if (wants_cost(series, s.position())) before = s.engine();
  if (s.stopped() || !s.step()) return false;
  record_step(series, s, usage, generation);
  if (before) record_cost(series, model, *before, s);
  return true;
}

}  // namespace

struct App::Impl {
  Platform platform;
  std::vector<Example> examples;
  script::Session session;
  std::string loaded_text;          // the script the session runs

  // The figure of the current step in the page's theme (App::figure_svg).
  std::string figure_svg(std::string_view name) const {
    std::optional<figure::FigureView> v = figure::figure_view(name);
    if (!v || ui.quiz.veiled) return "";
    figure::Theme theme = ui.options.dark ? figure::Theme::Dark : figure::Theme::Light;
    return figure::render_svg(session, loaded_text, {.view = *v, .theme = theme});
  }
  UiState ui;
  View view;
  std::optional<size_t> target;     // where a run is heading; set = busy
  double live_started = -1;         // when the live re-run under way started
  double live_seconds = 0;          // how long the last live re-run took
  bool theme_dirty = true;
  bool view_dirty = true;
  bool notify = false;              // call Platform::on_state once idle
  bool autoplay_pending = false;
  int built_only = -1;              // page-map filter the view was built for
  std::optional<uint64_t> quiz_pending;  // set_options asked for a quiz: the first load starts it
  long show_pending = -1;           // set_options asked for the n-th show: the first load goes there
  std::unique_ptr<script::Session> compare;  // the script's eager-copy variant
  StateUsage usage;                 // the accounting of the session's current state
  StateUsage compare_usage;         // the same, of `compare`'s
  struct JsonCache {
    uint64_t generation = UINT64_MAX;
    size_t position = 0;
    bool stopped = false;
    std::string text;
  };
  mutable JsonCache json;
  std::string inspect_sent;         // the inspector text last handed to on_inspect
  ScriptKeeper keeper;              // the visitor's edits, the script before a quiz
  std::string quiz_sent;            // the quiz report last handed to on_quiz
  mutable AnnounceMemory announced; // the numbers of the step announced last

  void load(std::string_view text, long step, long show = -1);
  void open_example(std::string_view text, long step, long show = -1, LoadAs as = LoadAs::Replace);
  void leave_quiz();
  void load_script(std::string_view text, long step);
  void keep_records(size_t position);
  void run_now();
  std::string state_json() const;
  void go_to(size_t n);
  void go_to_line(int line);
  long shown_step() const;
  void advance(double seconds);
  void advance_compare(double seconds);
  void start_quiz(uint64_t seed, script::QuizTopic topic, ScriptKeeper::Before before);
  void start_predict(bool to_first_bookmark);
  void update_veil();
  void tick_play(double now);
  void tick_live(double now);
  bool load_editor_if_changed(long step);
  void handle(const Request& r);
  void refresh_view();
  void refresh_inspection();
  void mirror_inspection();
  std::string inspector_text() const;
  void zoom_cells();
  void draw();
  std::string share_fragment(long what) const;
};

// ---- moving the session ------------------------------------------------------------------

// `show` > 0: up to the show-th `show` statement (from a link's &show=N), else to `step`.
void App::Impl::load(std::string_view text, long step, long show) {
  if (quiz_pending) {  // &quiz=N: the script of the page waits behind the quiz
    std::string lf = script::with_lf_line_ends(text);
    start_quiz(*quiz_pending, ui.quiz.next_topic, {.text = lf, .origin = lf, .step = step});
    return;
  }
  if (show_pending > 0 && show <= 0 && step < 0) show = show_pending;
  show_pending = -1;
  ui.quiz.active = false;
  load_script(text, step);
  if (show > 0) target = script::show_step(session.script(), show).value_or(session.step_count());
  if (ui.options.predict) start_predict(step < 0 && show <= 0);
}

// An example from the menu, a link or the page: loaded, with its About box open.
void App::Impl::open_example(std::string_view text, long step, long show, LoadAs as) {
  bool quiz = quiz_pending.has_value();
  load(text, step, show);
  if (quiz) return;
  keeper.replaced(loaded_text, as);
  keeper.before_quiz.reset();
  ui.about.text = script::about_text(loaded_text);
  ui.about.open = !ui.about.text.empty();
}

// "Leave the quiz": the script, step and About box from before it come back.
void App::Impl::leave_quiz() {
  ui.quiz.active = false;
  if (!keeper.before_quiz) return;
  ScriptKeeper::Before b = std::move(*keeper.before_quiz);
  keeper.before_quiz.reset();
  load_script(b.text, b.step);
  keeper.origin = b.origin;
  keeper.restored = b.restored;
  ui.about = b.about;
}

// Line ends become "\n" first: the editor (Dear ImGui) breaks lines at "\n" only, and the
// lexer's line numbers must match the editor's lines.
void App::Impl::load_script(std::string_view text, long step) {
  loaded_text = script::with_lf_line_ends(text);
  EditorState& ed = ui.editor;
  if (ed.text != loaded_text) {
    if (ImGui::GetCurrentContext()) ImGui::ClearActiveID();  // else ImGui keeps its own copy
    ed.text = loaded_text;
    ed.measured_size = SIZE_MAX;
  }
  ed.syntax_error.reset();
  ed.last_edit = -1;
  // What the new text shares with the old one is kept (Session::reload); on a syntax error
  // the session is empty and error() says where.
  session.reload(loaded_text);
  usage.forget();
  keep_records(session.position());
  ++view.generation;
  view.source.clear();
  for (std::string_view line : script::split_lines(loaded_text)) view.source.emplace_back(line);
  view.captions = script::line_captions(loaded_text);
  view.compare = View::Compare{};
  compare.reset();
  size_t n = session.step_count();
  target = step < 0 ? n : std::min(n, size_t(step));
  if (autoplay_pending) {
    autoplay_pending = false;
    target = step < 0 ? 0 : *target;
    ui.play.playing = true;
    ui.play.next_step_time = 0;
  }
  view_dirty = true;
  notify = true;
}

// The timeline's numbers and the event lines of the steps the reload kept stay; those of
// later steps go. Steps whose numbers were not recorded are replayed (from a checkpoint).
void App::Impl::keep_records(size_t position) {
  Series& s = view.series;
  if (s.system.empty()) {  // the first load: the machine before any statement
    session.run_to(0);
    record_step(s, session, usage, view.generation);
  }
  size_t have = s.system.size();
  if (position + 1 > have) session.run_to(have - 1);
  size_t keep = session.position() + 1;
  s.cost = s.cost * keep / have;
  s.system.resize(keep);
  s.procs.resize(keep);
  if (s.costs.size() > keep) s.costs.resize(keep);
  if (view.events.size() > keep - 1) view.events.resize(keep - 1);
  view.summarized = 0;
}

// Runs a command's work now when it fits in a frame (the state is then computed when
// App::load or App::step_to returns), else leaves the rest to the frames' slices.
void App::Impl::run_now() {
  advance(kFrameSeconds);
  if (target) return;
  refresh_view();
  update_veil();
  if (notify && platform.on_state) platform.on_state(state_json());  // the page's mirrors
  notify = false;
}

// A quiz for `seed`: its scenario runs to the first bookmark, where the numbers are
// veiled until the student has predicted and checked the answers there.
void App::Impl::start_quiz(uint64_t seed, script::QuizTopic topic, ScriptKeeper::Before before) {
  quiz_pending.reset();
  ui.options.predict = false;
  QuizState& q = ui.quiz;
  // The script before the first quiz comes back on leaving; a new quiz keeps it.
  if (!(q.active && q.kind == QuizKind::Seeded)) keeper.before_quiz = std::move(before);
  q = QuizState{};
  q.quiz = script::make_quiz(seed, topic);
  q.next_topic = topic;
  q.input.assign(q.quiz.questions.size(), "");
  q.verdict.assign(q.quiz.questions.size(), 0);
  q.breakdown.assign(q.quiz.questions.size(), "");
  q.select_tab = true;
  q.next_seed = seed + 1;
  ui.about = AboutState{};
  load_script(q.quiz.script, q.quiz.questions.empty() ? -1 : q.quiz.questions[0].step);
  set_bookmarks(q, session.script());
  q.active = true;
  keeper.replaced(loaded_text, LoadAs::Replace);
}

// Predict, then reveal, on the loaded script: its bookmarks, with no question asked yet
// (ask_bookmark asks each on arrival); at the first bookmark when asked to.
void App::Impl::start_predict(bool to_first_bookmark) {
  QuizState& q = ui.quiz;
  uint64_t seed = q.next_seed;
  script::QuizTopic topic = q.next_topic;
  q = QuizState{};
  q.kind = QuizKind::Predict;
  q.next_seed = seed;
  q.next_topic = topic;
  q.quiz.script = loaded_text;
  q.select_tab = true;
  set_bookmarks(q, session.script());
  q.active = true;
  if (to_first_bookmark && !q.bookmarks.empty()) go_to(q.bookmarks[0]);
}

// Veiled: past the bookmark before the first one not revealed (QuizState). Predict asks
// a bookmark's questions on arrival, with the session there.
void App::Impl::update_veil() {
  QuizState& q = ui.quiz;
  q.veiled = false;
  if (!q.active) return;
  for (size_t b = 0; b < q.bookmarks.size(); ++b)
    if (!target && session.position() == q.bookmarks[b]) ask_bookmark(q, session, b);
  size_t from = 0;
  for (size_t b = 0; b < q.bookmarks.size(); ++b) {
    if (q.revealed[b]) {
      from = q.bookmarks[b];
      continue;
    }
    q.veiled = view.position > from;
    q.veil_from = from;
    q.veil_ref = from < view.series.system.size() ? view.series.system[from] : SysPoint{};
    return;
  }
}

// The cost view's comparison run, a slice at a time once the main run is idle.
void App::Impl::advance_compare(double seconds) {
  if (!compare || !view.compare.running) return;
  double start = seconds_now();
  while (step_recorded(*compare, view.compare.series, view.cost_model, compare_usage, view.compare.generation))
    if (seconds_now() - start > seconds) return;
  view.compare.running = false;
  view.compare.done = true;
}

void App::Impl::go_to(size_t n) {
  target = std::min(n, session.step_count());
  notify = true;
}

// A failed expect was clicked: its line scrolls into view, highlighted, and the session
// moves to just after its statement (when the editor still holds what ran).
void App::Impl::go_to_line(int line) {
  ui.editor.show_line = line;
  ui.editor.flash_line = line;
  ui.editor.flash_until = ImGui::GetTime() + 1.5;
  if (ui.editor.text != loaded_text) return;
  const auto& st = session.script().statements;
  for (size_t i = 0; i < st.size(); ++i)
    if (st[i].pos.line == line) go_to(i + 1);
}

// The step a link or a snapshot should name: the position while the editor holds what
// ran, else -1 (to the end).
long App::Impl::shown_step() const {
  return ui.editor.text == loaded_text ? long(session.position()) : -1;
}

// Steps toward the target for about `seconds`; moving back restores a checkpoint
// (Session::run_to) in one go.
void App::Impl::advance(double seconds) {
  if (!target) return;
  double start = seconds_now();
  for (;;) {
    size_t pos = session.position();
    if (pos == *target) break;
    if (*target < pos) {
      // Back to the checkpoint at or before the target (run_to only restores), then
      // forward in slices like any run.
      session.run_to(session.checkpoint_at_or_before(*target));
      if (session.position() > *target) break;
      continue;
    }
    if (!step_recorded(session, view.series, view.cost_model, usage, view.generation)) break;
    if (seconds_now() - start > seconds) return;
  }
  target.reset();
  view_dirty = true;
  notify = true;
  if (live_started >= 0) live_seconds = seconds_now() - live_started;
  live_started = -1;
}

void App::Impl::tick_play(double now) {
  PlayState& p = ui.play;
  if (!p.playing || target) return;
  if (now < p.next_step_time && !p.just_started) return;
  bool at_end = session.position() >= session.step_count() || session.stopped();
  if (at_end && !p.just_started) {
    p.playing = false;
    return;
  }
  go_to(at_end ? 0 : session.position() + 1);
  p.just_started = false;
  p.next_step_time = now + 1.0 / std::max(0.1f, p.speed);
}

// An edit re-runs at once, from the first changed statement on (Session::reload); only
// when the last re-run took longer than a frame does it wait for a pause in typing.
void App::Impl::tick_live(double now) {
  EditorState& ed = ui.editor;
  if (ui.options.readonly || !ed.live || ed.last_edit < 0) return;
  if (live_seconds > kFrameSeconds && now - ed.last_edit < kLiveDelay) return;
  ed.last_edit = -1;
  double start = seconds_now();
  if (!load_editor_if_changed(-1)) return;
  live_started = start;
  advance(kFrameSeconds);
}

// Loads the editor's text when it differs from what ran, up to `step`; a syntax error
// only marks the editor (the last good state stays). True when it loaded.
bool App::Impl::load_editor_if_changed(long step) {
  script::ParseResult parsed = script::parse(ui.editor.text);
  ui.editor.syntax_error = parsed.error;
  if (parsed.error || ui.editor.text == loaded_text) return false;
  load(ui.editor.text, step);
  return true;
}

void App::Impl::handle(const Request& r) {
  size_t pos = session.position();
  bool manual = r.cmd == Command::Step || r.cmd == Command::StepBack || r.cmd == Command::Reset ||
                r.cmd == Command::NextBookmark;
  if (manual && target) return;  // a run is in progress
  if (manual || r.cmd == Command::Run || r.cmd == Command::StepTo) ui.play.playing = false;
  switch (r.cmd) {
    case Command::Run:
      if (!load_editor_if_changed(-1) && !ui.editor.syntax_error) go_to(session.step_count());
      break;
    case Command::Step:
      if (!load_editor_if_changed(long(pos + 1)) && !ui.editor.syntax_error)
        go_to(next_position(session, pos, Move::Forward, ui.lecture));
      break;
    case Command::StepBack:
      if (!load_editor_if_changed(long(pos ? pos - 1 : 0)) && !ui.editor.syntax_error && pos > 0)
        go_to(next_position(session, pos, Move::Back, ui.lecture));
      break;
    case Command::NextBookmark: go_to(next_position(session, pos, Move::Bookmark, ui.lecture)); break;
    case Command::Reset:
      if (!load_editor_if_changed(0) && !ui.editor.syntax_error) go_to(0);
      break;
    case Command::StepTo: go_to(size_t(std::max(0L, r.step))); break;
    case Command::Load:
      if (!keeper.ask_first(ui, r)) open_example(r.text, r.step);
      break;
    case Command::Share:
      if (platform.share)
        platform.share(r.step == kShareEmbedCode ? ShareAs::EmbedCode : ShareAs::Link, share_fragment(r.step));
      break;
    case Command::ExportC:
      ui.export_text = exported_program(ui.editor.text);
      break;
    case Command::ExportFigure:
      if (platform.export_figure && !ui.quiz.veiled) platform.export_figure(figure_svg("step"));
      break;
    case Command::Theme:
      ui.options.dark = !ui.options.dark;
      theme_dirty = true;
      break;
    case Command::Quiz:
      if (!keeper.ask_first(ui, r)) start_quiz(r.seed, ui.quiz.next_topic, keeper.snapshot(ui, shown_step()));
      break;
    case Command::LeaveQuiz: leave_quiz(); break;
    case Command::Download:
      if (platform.download) platform.download("scenario.c", ui.export_text);
      break;
    case Command::GoToLine: go_to_line(int(r.step)); break;
    case Command::Predict:
      ui.options.predict = !(ui.quiz.active && ui.quiz.kind == QuizKind::Predict);
      ui.quiz.active = false;
      if (ui.options.predict) start_predict(true);
      break;
    case Command::Reveal:
      reveal_bookmark(ui.quiz, size_t(std::max(0L, r.step)));
      notify = true;  // the page's mirror shows the numbers now
      break;
    case Command::Compare:
      compare = std::make_unique<script::Session>(script::Limits{}, script::ForkPolicy::EagerCopy);
      view.compare = View::Compare{};
      view.compare.generation = view.generation;
      view.compare.running = compare->load(loaded_text);
      view.compare.done = !view.compare.running;
      compare_usage.forget();
      record_step(view.compare.series, *compare, compare_usage, view.compare.generation);
      break;
  }
}

// The link of the Share menu: the editor's script, at the current step when asked for
// (and the editor still holds what ran); embed code links to the embedded layout.
std::string App::Impl::share_fragment(long what) const {
  script::LinkOptions o;
  bool at_step = what != kShareEndLink && ui.editor.text == loaded_text;
  if (at_step) o.step = long(session.position());
  o.embed = what == kShareEmbedCode;
  return script::link_fragment(ui.editor.text, o);
}

// ---- the view ----------------------------------------------------------------------------

void App::Impl::refresh_view() {
  view.session = &session;
  view.examples = &examples;
  view.busy = target.has_value();
  view.busy_target = target.value_or(0);
  if (view.busy) return;  // keep showing the last complete state
  int only = ui.page_map.only_process;
  if (view_dirty || view.position != session.position() || (only != built_only && view.pages_limited)) {
    build_view(view, session, usage, only);
    view.caption = current_caption(view, session.position());
    built_only = only;
    view_dirty = false;
  }
  if (view.summarized != view.series.system.size()) summarize_series(view);
  zoom_cells();
  refresh_inspection();
  if (ui.physical.want_rmap && !view.rmap.built) build_reverse_map(view, session.engine());
  ui.physical.want_rmap = false;
  if (ui.want_texts && (!view.texts.built || (ui.smaps_process >= 0 && ui.smaps_process != view.texts.proc)))
    build_proc_texts(view, session.engine(), ui.smaps_process);
  ui.want_texts = false;
}

// The inspector's details, and the page-table view, once per change of what they show.
void App::Impl::refresh_inspection() {
  InspectorState& is = ui.inspector;
  const Inspection& in = view.inspection;
  bool stale = !in.built || in.target != is.target || in.generation != view.generation || in.position != view.position;
  if (is.open && stale) {
    bool new_target = in.target != is.target;
    if (!view.rmap.built) build_reverse_map(view, session.engine());  // who maps the frame
    build_inspection(view, session, is.target);
    const std::optional<Event>& ev = view.inspection.event;
    if (new_target && ev && (ev->kind == EventKind::Fork || ev->kind == EventKind::ForkVma)) is.show_tables = true;
  }
  const TableView& tv = view.tables;
  if (is.show_tables && (!tv.built || tv.generation != view.generation || tv.position != view.position))
    build_table_view(view, session);
}

// Hands what the inspector shows, as text, to the page (#cowlab-inspect) when it changed.
void App::Impl::mirror_inspection() {
  std::string text = inspector_text();
  if (text == inspect_sent) return;
  inspect_sent = text;
  if (platform.on_inspect) platform.on_inspect(text);
}

// Aggregates the page map and physical memory at the zoom the panels ask for.
void App::Impl::zoom_cells() {
  if (ui.page_map.auto_zoom) {
    uint64_t total = view.total_pages;  // the filtered process's pages, when filtered
    int only = ui.page_map.only_process;
    const auto& procs = session.engine().processes();
    if (only >= 0 && size_t(only) < procs.size() && procs[only].mm < view.mms.size()) {
      total = 0;
      for (const RegionMap& r : view.mms[procs[only].mm].regions) total += r.pages;
    }
    ui.page_map.zoom = std::max(auto_zoom(view.max_region_pages, kAutoPageCells), auto_zoom(total, kAutoMapCells));
  }
  uint32_t ppc = 1u << std::clamp(ui.page_map.zoom, 0, 24);
  if (view.pages_per_cell != ppc) aggregate_pages(view, ppc);
  uint64_t frames = ui.physical.show_all ? view.frames.size() : view.frames_shown;
  if (ui.physical.auto_zoom) ui.physical.zoom = auto_zoom(frames, kAutoFrameCells);
  uint32_t fpc = 1u << std::clamp(ui.physical.zoom, 0, 24);
  if (view.frames_per_cell != fpc) aggregate_frames(view, fpc);
}

void App::Impl::draw() {
  ui.rects.clear();
  ui.layout = compute_layout(view, ui, ImGui::GetIO().DisplaySize, view.procs.size());
  draw_pane_tabs(ui);
  draw_menu_panel(view, ui);
  if (ui.layout.has_editor) draw_editor_panel(view, ui);
  if (ui.layout.has_events) draw_events_panel(view, ui);
  draw_headline_panel(view, ui);
  draw_about_panel(ui);
  draw_travel_panel(view, ui);
  if (ui.layout.has_processes) draw_processes_panel(view, ui);
  if (ui.layout.has_page_map) draw_page_map_panel(view, ui);
  if (ui.layout.has_physical) draw_physical_panel(view, ui);
  if (ui.layout.has_timeline) draw_timeline_panel(view, ui);
  draw_page_tables_window(view, ui);
  draw_inspector_window(view, ui);
  draw_replace_dialog(ui);
}

// ---- App ---------------------------------------------------------------------------------

App::App(Platform platform, std::vector<Example> examples) : impl_(std::make_unique<Impl>()) {
  impl_->platform = std::move(platform);
  impl_->ui.cells = impl_->platform.cell_renderer.get();
  impl_->examples = std::move(examples);
  // A large copy of the default font for the headline, if the atlas is not built yet.
  if (ImGui::GetCurrentContext() && !ImGui::GetIO().Fonts->IsBuilt()) {
    ImFontAtlas* atlas = ImGui::GetIO().Fonts;
    if (atlas->Fonts.empty()) atlas->AddFontDefault();
    ImFontConfig big;
    big.SizePixels = 26;
    impl_->ui.big_font = atlas->AddFontDefault(&big);
  }
}

App::~App() = default;

void App::set_options(const Options& o) {
  impl_->ui.options = o;
  impl_->autoplay_pending = o.autoplay;
  impl_->quiz_pending = o.quiz_seed;
  impl_->show_pending = o.show;
  impl_->theme_dirty = true;
  LectureState& l = impl_->ui.lecture;
  l.scale = std::clamp(o.scale, 1.0f, 2.5f);
  l.present = o.present;
  l.skip_checks = o.present;
}

float App::ui_scale() const { return impl_->ui.lecture.effective_scale(); }

bool App::animating() const {
  const Impl& m = *impl_;
  return m.target || m.ui.play.playing || m.ui.editor.last_edit >= 0 || m.notify || m.view.compare.running ||
         !m.ui.requests.empty() || ImGui::GetIO().WantTextInput;
}

void App::load(std::string_view script, long step, LoadAs as) {
  if (as == LoadAs::Ask)  // through a request, as the menu's examples: it may ask first
    impl_->ui.requests.push_back({Command::Load, step, std::string(script)});
  else
    impl_->open_example(script, step, -1, as);
  impl_->run_now();
}
void App::load_at_show(std::string_view script, long show) {
  impl_->open_example(script, -1, std::max(1L, show));
  impl_->run_now();
}

void App::step_to(long n) {
  impl_->ui.play.playing = false;
  impl_->go_to(size_t(std::max(0L, n)));
  impl_->run_now();
}

bool App::busy() const {
  const EditorState& ed = impl_->ui.editor;
  return impl_->target.has_value() || (ed.live && !impl_->ui.options.readonly && ed.last_edit >= 0);
}

void App::frame() {
  Impl& m = *impl_;
  if (m.theme_dirty) {
    apply_theme(m.ui.options.dark);
    m.theme_dirty = false;
  }
  handle_shortcuts(m.ui);  // before the panels draw: Escape must reach the editor first
  std::vector<Request> requests = std::move(m.ui.requests);
  m.ui.requests.clear();
  for (const Request& r : requests) m.handle(r);
  double now = ImGui::GetTime();
  m.tick_play(now);
  m.tick_live(now);
  m.advance(kSliceSeconds);
  if (!m.target) m.advance_compare(kSliceSeconds);
  m.refresh_view();
  m.update_veil();
  m.ui.hovered_process = m.ui.hover_next;
  m.ui.hover_next = -1;
  m.draw();
  m.mirror_inspection();
  if (std::string q = quiz_report(m.ui.quiz, m.quiz_sent); !q.empty() && m.platform.on_quiz) m.platform.on_quiz(q);
  if (m.notify && !m.target) {
    m.notify = false;
    if (m.platform.on_state) m.platform.on_state(state_json());
  }
}

std::string App::state_json() const { return impl_->state_json(); }

std::string App::Impl::state_json() const {
  if (json.generation != view.generation || json.position != session.position() || json.stopped != session.stopped()) {
    json.text = script::state_json(session, usage.of(session, view.generation));
    json.generation = view.generation;
    json.position = session.position();
    json.stopped = session.stopped();
  }
  return json.text;
}

std::string App::headline_text() const {
  const script::Session& s = impl_->session;
  const UiState& ui = impl_->ui;
  const SystemUsage& u = impl_->usage.of(s, impl_->view.generation).system();
  const Counters& c = s.engine().counters();
  const SysPoint& ref = ui.quiz.veil_ref;
  // The aria-live mirror shows what the screen shows: a veiled number reads "?".
  auto number = [&](uint64_t now, uint64_t at_bookmark) {
    return veils_number(ui, now, at_bookmark) ? std::string("?") : std::to_string(now);
  };
  std::string out = "step " + std::to_string(s.position()) + " of " + std::to_string(s.step_count()) +
                    ": frames used " + number(u.frames_used, ref.sys.frames_used) +
                    ", shared " + number(u.frames_shared, ref.sys.frames_shared) +
                    ", private " + number(u.frames_private, ref.sys.frames_private) +
                    ", free " + number(u.frames_free, ref.sys.frames_free) +
                    "; COW copies " + number(c.cow_copies, ref.counters.cow_copies) +
                    ", reuses " + number(c.cow_reuses, ref.counters.cow_reuses);
  if (ui.quiz.veiled) out += "; predict the numbers marked ? in the Quiz tab, then reveal them";
  if (s.error()) out += "; error at line " + std::to_string(s.error()->pos.line) + ": " + s.error()->message;
  return out;
}

std::string App::caption_text() const { return impl_->ui.quiz.veiled ? "" : impl_->view.caption; }

std::string App::announcement() const {
  return step_announcement(impl_->view, impl_->ui.quiz.veiled, headline_text(), impl_->announced);
}

std::string App::processes_json() const { return processes_table_json(impl_->view, impl_->ui.quiz.veiled); }

std::string App::script_text() const { return impl_->ui.editor.text; }

long App::position() const { return long(impl_->session.position()); }

std::string App::figure_svg(std::string_view view) const { return impl_->figure_svg(view); }

std::string App::compare_json() const {
  const Impl& m = *impl_;
  return m.compare && m.view.compare.done ? script::state_json(*m.compare) : "";
}

std::string App::facts_json() const { return cow::web::facts_json(impl_->view, impl_->ui, impl_->keeper.edited(impl_->ui)); }

std::string App::inspect_json(std::string_view process, std::string_view region, long page) const {
  if (page < 0 || uint64_t(page) > UINT32_MAX)  // (long is 32 bits in WebAssembly)
    return "{\"error\":" + script::json_string("page " + std::to_string(page) + " is out of range") + "}";
  return script::page_json(impl_->session, process, region, uint32_t(page), script::Explain::Yes);
}

std::string App::inspector_text() const { return impl_->inspector_text(); }
const View& App::view() const { return impl_->view; }

std::string App::Impl::inspector_text() const {
  if (!ui.inspector.open || ui.inspector.target.kind == InspectKind::None) return "";
  if (ui.quiz.veiled) return "Inspector: hidden until you predict the numbers in the Quiz tab.";
  return "Inspector: " + view.inspection.text;
}

WidgetRect App::widget_rect(std::string_view id) const {
  if (id.starts_with("page:")) return page_cell_rect(impl_->view, impl_->ui, id);
  if (id.starts_with("frame:")) return frame_cell_rect(impl_->view, impl_->ui, id);
  auto it = impl_->ui.rects.find(id);
  return it == impl_->ui.rects.end() ? WidgetRect{} : it->second;
}

}  // namespace cow::web
