// The playground's panels: one draw function per window, as in Dear ImGui's own
// examples. Each draws from a View, data derived from the session once per step, and
// keeps its own state in UiState. Panels never touch the session: a button pushes a Request that App carries
// out through the session's command API, the same one scripts use.
//
// Cost rule: nothing here walks the page tables per frame. View holds one byte per page
// and per frame, computed when the position changes (view.cpp, view_pages.cpp); panels
// only read it, and the few per-page details shown on hover are looked up for that page.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/figure/colors.h"
#include "engine/figure/page_states.h"
#include "engine/mm/explain.h"
#include "engine/mm/page_walk.h"
#include "engine/mm/pagemap.h"
#include "engine/mm/smaps.h"
#include "engine/teach/cost.h"
#include "engine/teach/quiz.h"
#include "engine/script/session.h"
#include "imgui.h"
#include "web/app.h"
#include "web/panels/cell_image.h"

namespace cow::web {

// ---- requests from panels to App ------------------------------------------------------

enum class Command : uint8_t {
  Run,       // load the editor text (if changed) and run to the end
  Step,      // one statement forward
  StepBack,  // one statement back (Session::run_to(n - 1))
  Reset,     // back to before the first statement
  StepTo,    // to `step`
  Load,      // load `text` (an example or a link) at `step` (-1: the end), with its About box
  Share,     // hand the link to Platform::share; `step` is a ShareWhat
  ExportC,   // "Run this on your Linux": the editor text as a C program, in a window
  Theme,     // switch between the dark and the light theme
  Quiz,      // start the quiz for `seed`
  Predict,   // predict, then reveal, on the script's own expects: on or off (toggle)
  Reveal,    // judge the predictions of bookmark `step` (from 0) and show its numbers
  LeaveQuiz, // back to the normal playground (the numbers show again)
  Compare,   // run the script's eager-copy variant, for the cost view
  ExportFigure,  // View > Export figure: the step as SVG (engine/figure/svg.h) and a PNG
  NextBookmark,  // to the next `show`
  Download,  // "Download" in the C program window: Platform::download
  GoToLine,  // a failed expect was clicked: show line `step` and move to its statement
};

// The items of the Share menu: the link at the current step, the link that runs to the
// end, the <iframe> code.
enum ShareWhat : long { kShareLink, kShareEndLink, kShareEmbedCode };

// Whether a Load or Quiz request may replace the visitor's edits without asking.
enum class Confirmed : uint8_t { No, Yes };

struct Request {
  Command cmd = Command::Run;
  long step = 0;
  std::string text;
  uint64_t seed = 0;                // Quiz
  Confirmed confirmed = Confirmed::No;  // Load, Quiz: "Replace" was pressed
};

// ---- UI state -------------------------------------------------------------------------

struct Rect {
  float x = 0, y = 0, w = 0, h = 0;
};

// The panels that become tabs when they do not fit beside the others (tabs.cpp): a tab
// strip over one area, where the selected one is drawn.
// Maps: the page map beside physical memory, as one tab when even they have no room.
enum class Pane : uint8_t { Maps, Processes, Editor, Events, Physical, Timeline, kCount };
struct PaneTabs {
  Rect area;                        // the strip and, below it, the selected pane
  uint8_t panes = 0;                // one bit per Pane shown as a tab
  bool has(Pane p) const { return (panes >> unsigned(p)) & 1u; }
};

// Where each window goes this frame (app.cpp computes it from the display size); a
// panel whose flag is false is not drawn (hidden by the View menu, or no room).
struct Layout {
  Rect editor, events, headline, travel, processes, page_map, physical, timeline;
  Rect about;                       // "About this example", above the steps (h = 0: none)
  bool has_events = true, has_processes = true, has_physical = true, has_timeline = true;
  bool has_editor = true, has_page_map = true;
  bool compact = false;             // compact layout: dense headline, legends on hover
  PaneTabs tabs;                    // panels shown as tabs (panes = 0: none)
};

// Lecture tools (View menu, &scale= and &present=1): the UI scale, presentation mode,
// and stepping that skips statements which change nothing on screen.
struct LectureState {
  float scale = 1;                  // 1..2.5: fonts and layout
  bool present = false;             // presentation: at least kPresentScale, compact layout
  bool skip_checks = false;         // Step/Step back jump over expect and show
  static constexpr float kPresentScale = 2;
  float effective_scale() const { return present && scale < kPresentScale ? kPresentScale : scale; }
};

struct EditorState {
  std::string text;                 // what the editor shows (may differ from what ran)
  bool live = true;                 // re-run as the visitor types
  double last_edit = -1;            // ImGui time of an edit not yet run; < 0: none
  std::optional<script::Diagnostic> syntax_error;  // of `text`, when it does not parse
  int cursor = 0;                   // byte offset of the cursor
  int cursor_line = 0;              // 0-based
  int scrolled_line = -1;           // cursor line the view last followed
  size_t measured_size = SIZE_MAX;  // text size when lines/width were last measured
  int line_count = 1;
  float text_width = 0;             // widest line, in pixels
  int show_line = 0;                // 1-based line to scroll into view next frame; 0: none
  int flash_line = 0;               // the line last jumped to (highlighted), 0: none
  double flash_until = 0;           // ImGui time the highlight ends
};

struct PlayState {
  bool playing = false;
  bool just_started = false;        // Play was pressed: at the end, start over
  float speed = 2.0f;               // steps per second
  double next_step_time = 0;        // ImGui time of the next step
};

// Where a map of cells was drawn in the last frame (screen coordinates), so that a test
// can aim at one cell (page_cell_rect, frame_cell_rect) without anything recorded per cell.
struct CellGrid {
  float x0 = 0, y0 = 0, pitch = 0, cell = 0, top = 0, bottom = 0;
  int cols = 0;                     // 0: not drawn
  struct Block {                    // page map: one region's rows
    ProcId proc = kNone;
    int region = 0;                 // index into the MmMap's regions
    float y = 0;                    // relative to y0
  };
  std::vector<Block> blocks;
};

struct PageMapState {
  int zoom = 0;                     // log2 of pages per cell; 0 = one page per cell
  bool auto_zoom = true;            // pick the zoom that keeps regions under kAutoCells
  int only_process = -1;            // -1: all processes; else a ProcId
  float cell = 10.0f;               // cell size in pixels
  CellGrid grid;
};

struct PhysicalState {
  int zoom = 0;                     // log2 of frames per cell
  bool auto_zoom = true;
  bool show_all = false;            // all of RAM, or only up to the highest used frame
  bool want_rmap = false;           // a hover needs the reverse map (built next frame)
  CellGrid grid;
};

// Predict-then-reveal (docs/teaching.md): a generated quiz (&quiz=N, Seeded) or any script
// with its own `expect` lines after each `show` as the questions (&predict=1, Predict).
// Bookmarks are the script's `show` statements. Until the first bookmark not yet revealed
// is, every position after the bookmark before it is veiled: the numbers that changed
// since that bookmark read "?", and the maps and tables are hidden. So stepping back from
// a veiled bookmark shows nothing it would give away.
struct SysPoint {
  SystemUsage sys;
  Counters counters;
  bool valid = false;
};

enum class QuizKind : uint8_t { Seeded, Predict };
struct QuizState {
  bool active = false;
  QuizKind kind = QuizKind::Seeded;
  script::Quiz quiz;                // Predict: questions are added as bookmarks are reached
  std::vector<std::string> input;   // the predictions, by question
  std::vector<int> verdict;         // 0: not checked, 1: right, -1: wrong
  std::vector<std::string> breakdown;  // a wrong answer's parts ("heap 20 + stack 4"), once known
  std::vector<size_t> bookmarks;    // steps of the `show` statements
  std::vector<int> bookmark_lines;
  std::vector<bool> revealed;       // by bookmark
  std::vector<bool> asked;          // by bookmark: its questions are made (Predict)
  bool veiled = false;              // the position is past the last bookmark revealed in order
  size_t veil_from = 0;             // that bookmark's step (0: none), whose numbers show
  SysPoint veil_ref;                // the numbers there (valid: recorded)
  bool select_tab = false;          // bring the Quiz tab forward once
  uint64_t next_seed = 1;           // for "New quiz"
  script::QuizTopic next_topic = script::QuizTopic::Cow;  // for "New quiz" and the Quiz menu
};
// What the inspector shows (inspector.cpp): a page (a page-map cell), a frame (a cell of
// physical memory) or an event (a line of the events panel). Names, not ids, for the
// region: the selection outlives a reload of the same script.
enum class InspectKind : uint8_t { None, Page, Frame, Event };
struct InspectTarget {
  InspectKind kind = InspectKind::None;
  ProcId proc = kNone;              // Page
  std::string region;
  uint32_t page = 0;
  FrameId frame = kNone;            // Frame
  size_t step = 0, event = 0;       // Event: the session's history[step - 1].events[event]
  bool operator==(const InspectTarget&) const = default;
};

struct InspectorState {
  InspectTarget target;
  bool open = false;                // the Inspector window (View menu)
  bool show_tables = false;         // the Page tables window (View menu)
};

// "About this example": the loaded example's top comment block (script::about_text),
// shown above the steps until closed.
struct AboutState {
  std::string text;
  bool open = false;
};

struct UiState {
  Options options;
  ImFont* big_font = nullptr;       // the headline's large font, if App could add it
  EditorState editor;
  PlayState play;
  PageMapState page_map;
  PhysicalState physical;
  bool events_all_steps = false;
  int smaps_process = -1;           // the /proc tab's process (ProcId), -1: the first live
  bool smem_in_pages = false;       // the smem table's unit: pages, or kB as smem prints
  bool want_texts = false;          // the /proc tab is showing (texts built next frame)
  size_t events_scroll_pos = SIZE_MAX;  // position the events list last scrolled to
  uint64_t events_scroll_gen = 0;
  int timeline_metric = 0;          // 0 = Rss, 1 = Pss
  int hovered_process = -1;         // highlighted across panels (ProcId), -1: none
  int hover_next = -1;              // set by panels this frame; App moves it to hovered_process
  Layout layout;
  bool show_events = true, show_physical = true, show_timeline = true;  // View menu
  std::string export_text;          // shown in the "C program" window when not empty
  bool show_help = false;
  bool show_keys = false;           // the "Keyboard" window (F1 or ?)
  std::vector<Request> requests;
  std::map<std::string, WidgetRect, std::less<>> rects;  // widget_rect() ids
  QuizState quiz;
  InspectorState inspector;
  AboutState about;
  LectureState lecture;
  Pane tab = Pane::Maps;            // the selected pane of Layout::tabs
  std::optional<Request> replace_ask;  // a Load or Quiz waiting for "Replace" (replace.cpp)
  CellRenderer* cells = nullptr;    // Platform::cell_renderer; null: a rectangle per cell
};

// ---- per-page and per-frame state bytes (engine/figure/page_states.h) ------------------

namespace page_bits = figure::page_bits;
namespace frame_bits = figure::frame_bits;
using figure::bucket_label;
using figure::cell_bits;
using figure::cell_fill;
using figure::HugeExtent;
using figure::HugeState;
using figure::mapcount_bucket;
using figure::MmMap;
using figure::RegionMap;

// ---- the View: what the panels draw ----------------------------------------------------

// What one step cost under the cost model, and the modeled memory after it.
struct CostPoint {
  StepCost cost;
  int64_t memory = 0;
  bool valid = false;
};

// A process's numbers at one step (pages; Pss exact).
struct ProcPoint {
  uint32_t rss = 0, uss = 0, shared = 0, priv = 0, anon = 0, file = 0, shmem = 0;
  uint32_t anon_huge = 0;                       // AnonHugePages: pages PMD-mapped THPs
  double pss = 0;
  bool valid = false;
};


// Per-step history of the numbers, filled as the session first passes each step after a
// load (so it costs one accounting pass per step, once). Per-process points are skipped
// on some steps when a run is so large that they would cost too much (see view.cpp).
struct Series {
  std::vector<SysPoint> system;                 // index = step (0 = before the first)
  std::vector<std::vector<ProcPoint>> procs;    // [step][ProcId]; empty = not recorded
  std::vector<CostPoint> costs;                 // [step]; [0] holds the initial memory
  uint64_t cost = 0;                            // PTEs visited so far
  uint32_t stride = 1;                          // record processes every stride steps
};

struct ProcRow {
  ProcId id = kNone;
  uint32_t pid = 0;
  int depth = 0;                                // in the parent -> child tree
  std::string name;
  ProcState state = ProcState::Running;
  bool thread = false;
  MmId mm = kNone;
  ProcPoint now, prev;                          // prev.valid: known for the last step
};

// A few of the PTEs that map each frame (hover "who maps it"), built on demand.
struct ReverseMap {
  static constexpr int kKept = 4;
  struct Ref {
    ProcId proc = kNone;                        // first live task of the mm
    uint32_t region = 0;                        // index into MmMap::regions
    uint32_t page = 0;
  };
  bool built = false;
  std::vector<uint8_t> kept;                    // per frame, <= kKept
  std::vector<Ref> refs;                        // frame * kKept + i
};

struct StepLines {
  bool built = false;
  std::vector<std::string> lines;
};

// The real-tool texts (engine/mm/smaps.h) for the current step, built when the tab shows.
struct ProcTexts {
  bool built = false;
  int proc = -1;                                // whose smaps
  std::string smaps, rollup, status;
  std::vector<SmemRow> smem_rows;               // smem_text's rows: the smem tab's table
};

// The inspector's details, looked up once per change of target or position for the one
// inspected page, frame or event (inspect_view.cpp); never per frame.
struct PageFacts {
  std::string proc, region;         // names
  PageEntry entry;
  Frame frame;                      // entry.frame's, when present and not the zero page
  std::vector<std::string> mappers; // "P1 heap[3]": the tasks that map the frame (a few)
  uint32_t more_mappers = 0;        // mapcount beyond those named
  std::string explain;              // explain_page: its state, what a write does, the last fault
};
struct Inspection {
  bool built = false;
  InspectTarget target;
  uint64_t generation = 0;
  size_t position = 0;
  std::optional<PageFacts> page;    // the page inspected, or the event's (its state now)
  std::optional<Event> event;
  std::string story;                // story() of the event: plain words
  std::string sentence;             // explain() of the event: handlers, reason, PTE
  FaultDecisions decisions;
  std::vector<std::string> fork_lines;  // a fork: its per-VMA decisions, as sentences
  std::string missing;              // why nothing is shown ("C1 no longer maps heap[3]")
  std::string text;                 // all of it as plain text (#cowlab-inspect)
};

// The page tables of each live address space, level by level (page-table view).
struct TableView {
  bool built = false;
  uint64_t generation = 0;
  size_t position = 0;
  struct Space {
    std::string names;              // the tasks sharing it: "P1", or "C1 (T1)"
    ProcId first = kNone;
    std::vector<TableInfo> tables;
  };
  std::vector<Space> spaces;        // in process-tree order
};

struct View {
  const script::Session* session = nullptr;     // for hover look-ups (bounds-checked)
  const std::vector<Example>* examples = nullptr;
  uint64_t generation = 0;                      // bumps on every load
  size_t position = 0, steps = 0;
  bool busy = false;                            // a run is in progress: data may lag
  size_t busy_target = 0;
  bool valid = false;                           // built at least once
  std::vector<std::string> source;              // lines of the script that ran
  std::vector<int> line_step;                   // step of the statement on each line (0: none)
  std::optional<script::Diagnostic> error;      // the session's error, if stopped
  std::vector<std::string> captions;            // script::line_captions of the script
  std::string caption;                          // the current step's (current_caption)

  SysPoint now, prev;
  bool has_prev = false;
  std::vector<ProcRow> procs;                   // tree order (parents before children)
  std::vector<MmMap> mms;                       // by MmId
  figure::PageBytesCache page_bytes;            // blocks read for the states before (build_mm)
  uint32_t pages_per_cell = 1;
  uint32_t max_region_pages = 0;
  uint64_t total_pages = 0;                     // over the regions of built address spaces
  bool pages_limited = false;                   // some address spaces were not built

  std::vector<uint8_t> frames;                  // frame_bits, one per frame
  uint32_t frames_shown = 0;                    // highest used frame + 1 (rounded)
  std::vector<uint16_t> frame_cells;            // per frames_per_cell frames (cell_of)
  uint32_t frames_per_cell = 1;
  uint64_t cells_version = 0;                   // bumps whenever page or frame cells change
  ReverseMap rmap;
  ProcTexts texts;
  Inspection inspection;
  TableView tables;

  Series series;
  std::vector<StepLines> events;                // by step - 1, described lazily
  CostModel cost_model;
  int64_t memory_now = 0;                       // modeled memory at the position

  // The script's eager-copy variant (script::ForkPolicy::EagerCopy): the same steps.
  struct Compare {
    bool running = false, done = false;
    uint64_t generation = 0;                    // of the script it compared
    Series series;
  } compare;

  // The timeline's summary of `series` (summarize_series), redone when it grows.
  size_t summarized = 0;                        // series.system.size() when summarized
  std::vector<ProcId> plotted;                  // processes with the highest peak Rss
  double plot_max = 1;                          // highest value any line reaches
};

// ---- building the View (view.cpp, view_pages.cpp) --------------------------------------

ProcPoint proc_point(const Usage& u);

// The accounting (UsageTable) of the session's current state, computed once per state and
// read by everything that shows it: the timeline's point, the panels and state_json. A
// state is named by its load (View::generation, bumped on every load), its position and
// whether the run stopped there; forget() after anything else changes the session. The
// tallies of PTE blocks are kept from one state to the next (UsageCache), so a state next
// to the one before (a step, a live edit) reads only the blocks and frames that changed.
class StateUsage {
 public:
  const UsageTable& of(const script::Session& s, uint64_t generation) const;
  void forget() { table_.reset(); }

 private:
  mutable uint64_t generation_ = 0;
  mutable size_t position_ = 0;
  mutable bool stopped_ = false;
  mutable std::optional<UsageTable> table_;
  mutable UsageCache cache_;
};

// Records the numbers of the session's current position if it is the next step (the
// accounting from `usage`, for the load `generation`).
void record_step(Series& s, const script::Session& session, const StateUsage& usage, uint64_t generation);
// True when the next step will be recorded with its cost (take a copy of the engine).
bool wants_cost(const Series& s, size_t position);
// Records what the step from `before` to the session's position cost.
void record_cost(Series& s, const CostModel& m, const Engine& before, const script::Session& after);
// Rebuilds everything derived from the session's current position, in place (the
// series and event lines of the same load are kept). `only_process`: the page map's
// filter (a ProcId or -1), whose pages are built even past the page budget.
void build_view(View& v, const script::Session& s, const StateUsage& usage, int only_process);
// Rebuilds one byte per page and per frame (called by build_view).
void build_page_states(View& v, const Engine& e, int only_process);
// Aggregates pages into cells of 2^zoom pages, and frames into cells of 2^fzoom frames.
void aggregate_pages(View& v, uint32_t pages_per_cell);
void aggregate_frames(View& v, uint32_t frames_per_cell);
void build_reverse_map(View& v, const Engine& e);
// Picks the processes the timeline plots and its scale (once per change of the series).
void summarize_series(View& v);
// The caption under the steps at `position`: that of the latest statement up to it that
// has one; at 0, that of the first statement, as "Next: ...". "" when none.
std::string current_caption(const View& v, size_t position);
// Describes the events of steps 1..position that are not described yet.
void describe_steps(View& v, const script::Session& s);

// The inspector's data for `target` (uses v.rmap for who maps a frame: build it first).
void build_inspection(View& v, const script::Session& s, const InspectTarget& target);
void build_table_view(View& v, const script::Session& s);
// Where a page-map cell or a physical-memory cell of the last frame is, for
// App::widget_rect ids "page:<process>:<region>:<page>" and "frame:<n>".
WidgetRect page_cell_rect(const View& v, const UiState& ui, std::string_view id);
WidgetRect frame_cell_rect(const View& v, const UiState& ui, std::string_view id);

// ---- panels ------------------------------------------------------------------------------

void draw_menu_panel(const View& v, UiState& ui);
void draw_editor_panel(const View& v, UiState& ui);
void draw_events_panel(const View& v, UiState& ui);  // with the /proc tab
void draw_proc_tab(const View& v, UiState& ui);      // smaps, status, smem (proc_views.cpp)
void draw_quiz_tab(const View& v, UiState& ui);      // quiz.cpp
// quiz.cpp: the bookmarks of a loaded script; the questions of bookmark `b` (Predict:
// its following `expect` lines, asked with the session at the bookmark); whether a
// number veiled now (ui.quiz.veiled) differs from the last revealed bookmark's.
void set_bookmarks(QuizState& q, const script::Script& s);
void ask_bookmark(QuizState& q, const script::Session& s, size_t b);
void reveal_bookmark(QuizState& q, size_t b);
bool veils_number(const UiState& ui, uint64_t now, uint64_t at_bookmark);
void draw_cost_tab(const View& v, UiState& ui);      // cost.cpp
// The failed expects under the editor, a line each; a click jumps to the line (expects.cpp).
void draw_expect_list(const View& v, UiState& ui, float height);
// The height draw_expect_list needs (0 when no expect failed), at most `max`.
float expect_list_height(const View& v, float max);
// The failed expects of the session, in line order.
std::vector<const script::ExpectOutcome*> failed_expects(const script::Session& s);
// "Replace your script?" while a Load or Quiz request waits for it (replace.cpp).
void draw_replace_dialog(UiState& ui);

// What keeps the visitor's script from being lost (replace.cpp): which text is their own
// edit, the question before an example, a quiz or a link replaces it, and the script
// from before a quiz, put back when the student leaves it.
struct ScriptKeeper {
  std::string origin;               // the text the last example, link or quiz put in the editor
  bool restored = false;            // the editor's text came from the browser's storage
  struct Before {                   // the playground before a quiz
    std::string text, origin;
    long step = -1;
    bool restored = false;
    AboutState about;
  };
  std::optional<Before> before_quiz;

  // The editor holds the visitor's own text (during a quiz: it held it before).
  bool edited(const UiState& ui) const;
  // True, with `r` parked in ui.replace_ask, when `r` would replace edits unasked.
  bool ask_first(UiState& ui, const Request& r) const;
  // The editor now holds `text`, put there by an example, a link, a quiz or the API.
  void replaced(std::string_view text, LoadAs as);
  // The playground as it is, to come back to after a quiz (`step`: -1 for the end).
  Before snapshot(const UiState& ui, long step) const;
};
// App::facts_json (app.h).
std::string facts_json(const View& v, const UiState& ui, bool edited);
// While the quiz veils the numbers: a note in place of a panel's content; true if veiled.
bool draw_veil(const UiState& ui);
// The /proc texts for `proc` (or the first live process when -1).
void build_proc_texts(View& v, const Engine& e, int proc);
void draw_headline_panel(const View& v, UiState& ui);
void draw_travel_panel(const View& v, UiState& ui);   // with the step's caption
void draw_about_panel(UiState& ui);                  // travel.cpp
void draw_processes_panel(const View& v, UiState& ui);
void draw_page_map_panel(const View& v, UiState& ui);
void draw_physical_panel(const View& v, UiState& ui);
void draw_timeline_panel(const View& v, UiState& ui);
// lecture.cpp: where Step (Forward), Step back (Back) or Next bookmark lands from `pos`,
// skipping expect and show when lecture.skip_checks is on; `pos` when there is nowhere to go.
enum class Move : uint8_t { Forward, Back, Bookmark };
size_t next_position(const script::Session& s, size_t pos, Move move, const LectureState& lecture);
// The View menu's UI scale, Presentation, Skip checks and Next bookmark.
void lecture_menu_items(UiState& ui);
// tabs.cpp: the compact layout (small frames, presentation), the panes that become
// tabs elsewhere, and their tab strip.
bool wants_compact_layout(float width, float height, const UiState& ui);
Layout compact_layout(const View& v, const UiState& ui, Rect r, size_t processes);
// The panes the View menu shows that have no room of their own on a narrow screen.
uint8_t overflow_panes(const UiState& ui);
// Draws the tab strip (when L.tabs has panes) and places the selected pane below it;
// records "panel:<name>" and "tab:<name>" rectangles for the tests.
void draw_pane_tabs(UiState& ui);
const char* pane_name(Pane p);
void draw_help_window(UiState& ui);                       // help.cpp: tour, glossary, language, keys
// After an item: the glossary entry for `word` (engine/teach/glossary.h) as its tooltip,
// on hover or while the keyboard focus is on it. Nothing when the glossary lacks the word.
void glossary_tip(const char* word);
void draw_inspector_window(const View& v, UiState& ui);   // inspector.cpp
void draw_page_tables_window(const View& v, UiState& ui); // inspector.cpp
// Opens the inspector on `t` (a click on a page, a frame or an event).
void inspect(UiState& ui, InspectTarget t);

// ---- shared drawing helpers (style.cpp) ---------------------------------------------------

// The colours of the states and processes come from engine/figure/colors.h (`colors`),
// as ImGui colours; the rest are the page's own.
struct Palette {
  const figure::Colors* colors;
  ImU32 absent, unmapped, zero, priv, shared[8], file[8], shmem[8];
  ImU32 dirty, cow_wp, free_frame, grid, text_dim, huge;
  ImU32 up, down, highlight, current_line, error_line, editor_bg;
  ImU32 series[10];                             // process colours in plots
};
const Palette& palette(bool dark);
void apply_theme(bool dark);
ImU32 im_color(figure::Rgba c);
ImU32 page_color(uint8_t page, const Palette& p);
ImU32 frame_color(uint8_t frame, const Palette& p);
ImU32 process_color(ProcId p, const Palette& pal);

// Starts a fixed window at `r` (no move or resize); End() must follow whatever it returns.
// `open`: a close button in the title bar, as ImGui::Begin's p_open.
bool begin_panel(const char* title, const Rect& r, ImGuiWindowFlags extra = 0, bool* open = nullptr);
// The zoom controls of a map of cells (page map, physical memory): an auto-zoom checkbox
// and a slider of log2 `unit`s per cell up to max_zoom; moving the slider ends auto zoom.
void zoom_controls(const char* auto_label, const char* slider_id, const char* unit, float width_em, int max_zoom,
                   int& zoom, bool& auto_zoom);
// A scrolling map of cells between begin_cell_map and end_cell_map. While Ctrl is held
// the mouse wheel over it zooms, a step a notch up to max_zoom (ending auto zoom), instead
// of scrolling.
void begin_cell_map(const char* id);
void end_cell_map(int max_zoom, int& zoom, bool& auto_zoom);
// Remembers the last item's rectangle as widget `id` (App::widget_rect).
void record_rect(UiState& ui, const char* id);
// The same, clipped to the current window (for items larger than their scrolling child).
void record_visible_rect(UiState& ui, const char* id);
// A small coloured up/down arrow and the change `d` after the last item (nothing if 0).
void delta_badge(const Palette& pal, double d, bool pss = false);
using figure::Marker;
// A cell of a map: `color` fills the share fill/255 of it from the bottom (at least 2
// pixels; all of it from 250 on), `background` the rest.
void draw_fill_cell(ImDrawList* dl, ImVec2 a, float size, uint8_t fill, ImU32 color, ImU32 background);
// A cell's flag marker: a red corner for dirty, a diagonal stroke for COW write-protect,
// an outline for a huge PMD (solid) or a split huge page (dashed).
void draw_marker(ImDrawList* dl, ImVec2 a, float size, Marker m, const Palette& pal);
// A rectangle outline from a to b drawn in dashes (split huge pages).
void draw_dashed_rect(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 color);
// Draws a legend swatch and label on the current line (wrapping when it does not fit);
// `tip`: the glossary entry shown on hover.
void legend_item(const Palette& pal, ImU32 color, const char* label, Marker marker = Marker::None,
                 const char* tip = nullptr);
// The colour legend of the page map (LegendOf::Pages) or of physical memory
// (LegendOf::Frames): the table of engine/figure/colors.h, which figures print too, with
// every colour in use (the mapcount ramps included) and each entry's glossary tooltip.
using figure::LegendOf;
void draw_state_legend(const Palette& pal, LegendOf which);
// That legend, or in the compact layout a "Legend" label that shows it on hover.
void draw_legend(const UiState& ui, const Palette& pal, LegendOf which);
// The headline's height for a window `width` wide (the layout reserves it).
float headline_height(float width, const View& v, const UiState& ui);
// The same for the dense headline (Layout::compact) of the compact layout.
float compact_headline_height(float width, const View& v, const UiState& ui);
// The step bar's height for a window `width` wide, with room for the caption (travel.cpp).
float travel_height(float width, const View& v, const UiState& ui);
// The About box's height for a window `width` wide, 0 when closed (at most `max`).
float about_height(float width, float max, const UiState& ui);
// The large font (the headline's numbers, the captions): pushed, or the window scaled.
void push_big_font(const UiState& ui);
// The large font's size in ImGui units (the atlas holds it rasterised for the screen's
// pixel ratio and the UI scale, main.cpp).
float big_font_size(const UiState& ui);
void pop_big_font(const UiState& ui);
std::string pss_text(double pss);
// An InputText over a std::string.
// Returns what ImGui::InputText returns for `flags` (with EnterReturnsTrue: Enter was pressed).
bool input_string(const char* id, std::string& s, float width, ImGuiInputTextFlags flags = 0);
// Text of the statement at step `step` (1-based), from the source lines.
std::string statement_text(const View& v, size_t step);

}  // namespace cow::web
