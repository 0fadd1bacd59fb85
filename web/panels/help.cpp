// The Help window (a tour of the panels, the glossary, the cowscript cheat sheet, the
// keys) and the glossary's tooltips, which every panel attaches to its numbers, headers and
// legend entries. The words come from one table, engine/teach/glossary.h.
#include <algorithm>
#include <span>

#include "engine/teach/glossary.h"
#include "keys.h"
#include "panels.h"

namespace cow::web {

namespace {

struct Row {
  const char* left;
  const char* right;
};

// What each panel shows, in the order a first visit meets them.
constexpr Row kTour[] = {
    {"Script", "The cowscript being run. Edit it and press Run (Ctrl+Enter); pick another from Examples."},
    {"About this example", "The comment block at the top of an example, wrapped: what it shows and why."},
    {"Time travel", "The steps: one per statement. Step, Back, Reset, or drag the slider; the caption under it says "
                    "what the current step does."},
    {"Headline", "Frames of RAM used, shared (mapcount >= 2), private (mapcount 1) and free, and the fault "
                 "counters, with their change since the last step. Hover a number for its meaning."},
    {"Processes (pages)", "Each task's Rss, Pss, Shared, Private, Anon, File and Shmem in pages, and two bars: "
                          "top Shared | Private, bottom Anon | File | Shmem, as wide as Rss. Click a name to show "
                          "only its pages."},
    {"Page map", "One cell per virtual page of each region: colour = what its frame is and its mapcount, red corner "
                 "= dirty, stroke = write-protected for COW. Hover a page for how smaps counts it and what the next "
                 "read or write does; click it to inspect."},
    {"Physical memory", "One cell per frame of RAM, coloured the same way. Hover for who maps it."},
    {"Events", "What each step did, fault by fault. Tabs: Quiz, Cost (what fork and faults cost), /proc (smaps, "
               "status and smem, as Linux prints them)."},
    {"Timeline", "Rss or Pss of each process, and the frames used, over the steps."},
    {"Inspector", "A click on a page, frame or event: its page-table walk and the handlers a fault ran through."},
};

// The cowscript statements, one per row (Sizes are in 4 KiB pages or K/M/G).
constexpr Row kLanguage[] = {
    {"spawn P1", "a process with an empty address space"},
    {"P1 mmap heap 64", "64 pages, anonymous private; add shared, readonly, or thp"},
    {"P1 mmap cfg data", "a private mapping of file 'data' (add shared for MAP_SHARED)"},
    {"file data 32", "a file of 32 pages, all in the page cache"},
    {"P1 write heap 0-15", "write pages 0..15 (no range: every page)"},
    {"P1 read heap 3,5,7-9", "read pages"},
    {"P1 fork C1", "copy-on-write fork (P1 fork w[1-4]: four children)"},
    {"C1 thread T1", "a thread: shares C1's address space"},
    {"C1 vfork V1", "a vfork child: shares it until it execs or exits"},
    {"C1 exec", "a fresh, empty address space"},
    {"C1 exit", "ends C1; its frames are released"},
    {"P1 munmap heap 0-7", "unmap pages 0..7"},
    {"P1 mprotect heap readonly", "or readwrite"},
    {"P1 madvise heap dontfork", "dofork, wipeonfork, keeponfork, dontneed, hugepage, nohugepage"},
    {"mode fork=copy", "eager-copy fork, for contrast"},
    {"mode thp=madvise", "never, madvise (the default) or always"},
    {"show", "a bookmark on the time-travel slider"},
    {"expect C1 rss=64 pss=40", "a check; a failed one is marked red"},
};

void two_column_table(const char* id, std::span<const Row> rows, float left_em) {
  if (!ImGui::BeginTable(id, 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) return;
  ImGui::TableSetupColumn("a", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * left_em);
  ImGui::TableSetupColumn("b", ImGuiTableColumnFlags_WidthStretch);
  for (const Row& r : rows) {
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    ImGui::TextWrapped("%s", r.left);
    ImGui::TableSetColumnIndex(1);
    ImGui::TextWrapped("%s", r.right);
  }
  ImGui::EndTable();
}

void glossary_list() {
  for (const GlossaryEntry& g : glossary()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    ImGui::TextUnformatted(g.title);
    ImGui::PopStyleColor();
    ImGui::Indent();
    ImGui::TextWrapped("%s", g.text);
    ImGui::Unindent();
  }
}

// A tab of the Help window, its tab recorded as widget "help_tab_<name>".
bool help_tab(UiState& ui, const char* label, const char* id) {
  bool open = ImGui::BeginTabItem(label);
  record_rect(ui, id);
  return open;
}

}  // namespace

void glossary_tip(const char* word) {
  bool focused = ImGui::IsItemFocused() && ImGui::GetIO().NavVisible;
  if (!ImGui::IsItemHovered() && !focused) return;
  const GlossaryEntry* g = glossary_entry(word);
  if (g == nullptr) return;
  ImGui::BeginTooltip();
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 28);
  ImGui::TextUnformatted(g->title);
  ImGui::TextWrapped("%s", g->text);
  ImGui::PopTextWrapPos();
  ImGui::EndTooltip();
}

void draw_help_window(UiState& ui) {
  if (!ui.show_help) return;
  ImGuiViewport* vp = ImGui::GetMainViewport();
  float w = std::min(vp->Size.x * 0.92f, ImGui::GetFontSize() * 46);
  float h = std::min(vp->Size.y * 0.85f, ImGui::GetFontSize() * 42);
  ImGui::SetNextWindowSize(ImVec2(w, h), ImGuiCond_Appearing);
  ImGui::SetNextWindowPos(vp->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  if (ImGui::Begin("Help", &ui.show_help, ImGuiWindowFlags_NoSavedSettings)) {
    if (ImGui::BeginTabBar("##help")) {
      if (help_tab(ui, "Tour of the panels", "help_tab_tour")) {
        ImGui::TextWrapped("Every number is in pages (4 KiB) unless it says kB. Hover any number, header or "
                           "colour for what it means.");
        two_column_table("##tour", kTour, 9);
        ImGui::EndTabItem();
      }
      if (help_tab(ui, "Glossary", "help_tab_glossary")) {
        glossary_list();
        ImGui::EndTabItem();
      }
      if (help_tab(ui, "cowscript", "help_tab_language")) {
        ImGui::TextWrapped("Sizes are in 4 KiB pages (or K/M/G). Steps are statements, numbered from 1.");
        two_column_table("##language", kLanguage, 13);
        ImGui::EndTabItem();
      }
      if (help_tab(ui, "Keyboard", "help_tab_keys")) {
        draw_shortcut_table();
        ImGui::EndTabItem();
      }
      ImGui::EndTabBar();
    }
  }
  ImGui::End();
}

}  // namespace cow::web
