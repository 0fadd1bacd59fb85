// Figures for slides: the page map, physical memory, or the whole step (both, with the
// headline numbers, the statement and its caption) of a session's current position, as
// one SVG document. The one renderer behind `cowlab render --svg` and the web page's
// View > Export figure, so both give the same bytes for the same script, step and theme.
// The colours and state names are those of the web page (colors.h). Pure: returns text.
//
// A large scene is summarized: cells of 2^k pages (frames) when one per page would not
// fit, runs of cells of one state drawn as one rectangle, and the processes that do not
// fit named in a note.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "colors.h"
#include "engine/script/session.h"

namespace cow::figure {

enum class FigureView : uint8_t { PageMap, Physical, Step };

struct FigureOptions {
  FigureView view = FigureView::Step;
  Theme theme = Theme::Light;
  int width = 1280, height = 720;  // the viewBox: slide-sized
};

// "pagemap", "physical", "step" -> the view; nothing for another word.
std::optional<FigureView> figure_view(std::string_view name);

// The figure of `s` at its current position. `text`: the script's text, for the statement
// and its caption.
std::string render_svg(const script::Session& s, std::string_view text, const FigureOptions& options = {});

}  // namespace cow::figure
