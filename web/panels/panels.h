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

#include "engine/mm/explain.h"
#include "engine/mm/page_walk.h"
#include "engine/mm/pagemap.h"
#include "engine/mm/smaps.h"
#include "engine/teach/cost.h"
#include "engine/teach/quiz.h"
#include "engine/script/session.h"
#include "imgui.h"
#include "web/app.h"

namespace cow::web {

// ---- requests from panels to App ------------------------------------------------------

enum class Command : uint8_t {
  Run,       // load the editor text (if changed) and run to the end
  Step,      // one statement forward
  StepBack,  // one statement back (Session::run_to(n - 1))
  Reset,     // back to before the first statement
  StepTo,    // to `step`
  Load,      // load `text` (an example) at `step` (-1: the end), with its About box
  Share,     // hand the link to Platform::share; `step` is a ShareWhat
  ExportC,   // "Run this on your Linux": the editor text as a C program, in a window
  Theme,     // switch between the dark and the light theme
  Quiz,      // start the quiz for seed `step`
  LeaveQuiz, // back to the normal playground (the numbers show again)
  Compare,   // run the script's eager-copy variant, for the cost view
};

// The items of the Share menu.
enum ShareWhat : long { kShareLink, kShareStepLink, kShareEmbedCode };

struct Request {
  Command cmd = Command::Run;
  long step = 0;
  std::string text;
};

// ---- UI state -------------------------------------------------------------------------

struct Rect {
  float x = 0, y = 0, w = 0, h = 0;
};

// Where each window goes this frame (app.cpp computes it from the display size); a
// panel whose flag is false is not drawn (hidden by the View menu, or no room).
struct Layout {
  Rect editor, events, headline, travel, processes, page_map, physical, timeline;
  Rect about;                       // "About this example", above the steps (h = 0: none)
  bool has_events = true, has_processes = true, has_physical = true, has_timeline = true;
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

// Predict-then-reveal (docs/teaching.md): the numbers are veiled at each bookmark until the
// student has typed a prediction for each question there and checked it.
struct QuizState {
  bool active = false;
  script::Quiz quiz;
  std::vector<std::string> input;   // the predictions, by question
  std::vector<int> verdict;         // 0: not checked, 1: right, -1: wrong
  bool veiled = false;              // an unchecked question is at or before the position
  bool select_tab = false;          // bring the Quiz tab forward once
  int next_seed = 1;                // for "New quiz"
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
};

// ---- per-page and per-frame state bytes ------------------------------------------------

// One page of a region, as the page map colours it.
namespace page_bits {
enum Kind : uint8_t { Unmapped = 0, Absent, Zero, Anon, File, Shmem, kKinds };
constexpr uint8_t kKindMask = 0x7;
constexpr uint8_t kBucketShift = 3;   // 3 bits: mapcount bucket (mapcount_bucket())
constexpr uint8_t kBucketMask = 0x7 << kBucketShift;
constexpr uint8_t kDirty = 1 << 6;    // PTE dirty or frame dirty (smaps' Dirty)
constexpr uint8_t kCowWp = 1 << 7;    // anon page write-protected for COW
inline Kind kind(uint8_t b) { return Kind(b & kKindMask); }
inline int bucket(uint8_t b) { return (b & kBucketMask) >> kBucketShift; }
}  // namespace page_bits

// One physical frame, as the physical-memory panel colours it.
namespace frame_bits {
// FrameKind in the low 2 bits (Free, Anon, PageCache, Shmem), then the mapcount bucket.
constexpr uint8_t kKindMask = 0x3;
constexpr uint8_t kBucketShift = 2;
constexpr uint8_t kBucketMask = 0x7 << kBucketShift;
constexpr uint8_t kDirty = 1 << 5;
constexpr uint8_t kCacheRef = 1 << 6;
}  // namespace frame_bits

// An aggregated cell: the bits of its most common present kind (or Absent/Unmapped when
// none is present) in the low byte, and the share of its mapped pages (frames: of its
// frames) that are present (used), 0..255, in the high byte.
inline uint8_t cell_bits(uint16_t c) { return uint8_t(c & 0xff); }
inline uint8_t cell_fill(uint16_t c) { return uint8_t(c >> 8); }

// 0: unmapped, 1: 1, 2: 2, 3: 3-4, 4: 5-8, 5: 9-16, 6: 17-64, 7: 65+.
int mapcount_bucket(uint32_t mapcount);
const char* bucket_label(int bucket);

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

struct SysPoint {
  SystemUsage sys;
  Counters counters;
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

// A 2 MiB extent of a region that a THP maps: one huge PMD (a THP or the huge zero
// page), or a THP folio whose PMD was split into PTEs (__split_huge_pmd).
enum class HugeState : uint8_t { Pmd, ZeroPmd, Split };
struct HugeExtent {
  uint32_t first_page = 0;                      // aligned to kHugePages
  HugeState state = HugeState::Pmd;
};

struct RegionMap {
  std::string name;
  uint32_t mapping = 0;                         // index into the mm's mappings
  uint32_t pages = 0;                           // size of the original mapping
  uint32_t mapped = 0;                          // pages still covered by VMAs
  uint32_t present = 0;                         // present PTEs (zero page included)
  Backing backing = Backing::Anon;
  Share share = Share::Private;
  std::vector<uint8_t> page;                    // page_bits, one per page
  std::vector<uint16_t> cells;                  // per View::pages_per_cell pages (cell_of)
  std::vector<HugeExtent> huge;                 // THP extents, in page order
};

struct MmMap {
  bool built = false;                           // false: dead, or past the page budget
  std::vector<RegionMap> regions;
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
  uint32_t pages_per_cell = 1;
  uint32_t max_region_pages = 0;
  uint64_t total_pages = 0;                     // over the regions of built address spaces
  bool pages_limited = false;                   // some address spaces were not built

  std::vector<uint8_t> frames;                  // frame_bits, one per frame
  uint32_t frames_shown = 0;                    // highest used frame + 1 (rounded)
  std::vector<uint16_t> frame_cells;            // per frames_per_cell frames (cell_of)
  uint32_t frames_per_cell = 1;
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
// Records the numbers of the session's current position if it is the next step.
void record_step(Series& s, const Engine& e, size_t position);
// True when the next step will be recorded with its cost (take a copy of the engine).
bool wants_cost(const Series& s, size_t position);
// Records what the step from `before` to the session's position cost.
void record_cost(Series& s, const CostModel& m, const Engine& before, const script::Session& after);
// Rebuilds everything derived from the session's current position, in place (the
// series and event lines of the same load are kept). `only_process`: the page map's
// filter (a ProcId or -1), whose pages are built even past the page budget.
void build_view(View& v, const script::Session& s, int only_process);
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
void draw_cost_tab(const View& v, UiState& ui);      // cost.cpp
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
void draw_help_window(UiState& ui);                       // help.cpp: tour, glossary, language, keys
// After an item: the glossary entry for `word` (engine/teach/glossary.h) as its tooltip,
// on hover or while the keyboard focus is on it. Nothing when the glossary lacks the word.
void glossary_tip(const char* word);
void draw_inspector_window(const View& v, UiState& ui);   // inspector.cpp
void draw_page_tables_window(const View& v, UiState& ui); // inspector.cpp
// Opens the inspector on `t` (a click on a page, a frame or an event).
void inspect(UiState& ui, InspectTarget t);

// ---- shared drawing helpers (style.cpp) ---------------------------------------------------

struct Palette {
  ImU32 absent, unmapped, zero, priv, shared[8], file[8], shmem[8];
  ImU32 dirty, cow_wp, free_frame, grid, text_dim, huge;
  ImU32 up, down, highlight, current_line, error_line, editor_bg;
  ImU32 series[10];                             // process colours in plots
};
const Palette& palette(bool dark);
void apply_theme(bool dark);
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
enum class Marker : uint8_t { None, Dirty, CowWp, HugePmd, HugeSplit };
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
// (LegendOf::Frames): one table in style.cpp, so the two maps name a state the same way,
// with every colour in use (the mapcount ramps included) and each entry's glossary tooltip.
enum class LegendOf : uint8_t { Pages, Frames };
void draw_state_legend(const Palette& pal, LegendOf which);
// The headline's height for a window `width` wide (the layout reserves it).
float headline_height(float width, const View& v, const UiState& ui);
// The step bar's height for a window `width` wide, with room for the caption (travel.cpp).
float travel_height(float width, const View& v, const UiState& ui);
// The About box's height for a window `width` wide, 0 when closed (at most `max`).
float about_height(float width, float max, const UiState& ui);
// The large font (the headline's numbers, the captions): pushed, or the window scaled.
void push_big_font(const UiState& ui);
void pop_big_font(const UiState& ui);
std::string pss_text(double pss);
// An InputText over a std::string.
bool input_string(const char* id, std::string& s, float width);
// Text of the statement at step `step` (1-based), from the source lines.
std::string statement_text(const View& v, size_t step);

}  // namespace cow::web
