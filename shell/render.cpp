// `cowlab render FILE --svg OUT`: a figure for slides (engine/figure/svg.h), the same
// one the web page's View > Export figure downloads.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "commands.h"
#include "engine/figure/svg.h"
#include "engine/script/bookmarks.h"
#include "engine/script/parser.h"
#include "report.h"

namespace cow::shell {

namespace {

constexpr Option kRenderOptions[] = {
    {.name = "--svg", .takes = Takes::Value, .value = "OUT", .help = "write the figure to OUT as SVG (- for stdout)"},
    {.name = "--step",
     .takes = Takes::Value,
     .value = "N",
     .help = "the state after statement N (0: before the first); without it, or --show, the end"},
    {.name = "--show", .takes = Takes::Value, .value = "N", .help = "the state at the N-th `show` statement (from 1)"},
    {.name = "--view",
     .takes = Takes::Value,
     .value = "pagemap|physical|step",
     .help = "what to draw: the page map, physical memory, or the whole step (default: step)"},
    {.name = "--theme", .takes = Takes::Value, .value = "light|dark", .help = "the colours (default: light)"},
    {.name = "--size",
     .takes = Takes::Value,
     .value = "WxH",
     .help = "the figure's size in pixels (default: 1280x720; 1024x768 for an older projector)"},
};

constexpr std::string_view kRenderDetails =
    "Draws the script's state at one step with the web page's colours, legend and\n"
    "labels (process and region names, page and frame numbers); the step view adds\n"
    "the headline numbers, the statement and its caption. Large scenes are drawn with\n"
    "several pages per cell. Prints the file's size.\n";

int fail(const char* fmt, const std::string& a, const std::string& b = "") {
  std::fputs("cowlab render: ", stderr);
  std::fprintf(stderr, fmt, a.c_str(), b.c_str());
  std::fputc('\n', stderr);
  return 2;
}

// The options other than the position, or nothing after an error message.
std::optional<figure::FigureOptions> figure_options(const Parsed& args) {
  figure::FigureOptions o;
  std::string view = args.value("--view", "step"), theme = args.value("--theme", "light");
  std::optional<figure::FigureView> v = figure::figure_view(view);
  if (!v) return fail("--view is pagemap, physical or step, not '%s'", view), std::nullopt;
  o.view = *v;
  if (theme != "light" && theme != "dark") return fail("--theme is light or dark, not '%s'", theme), std::nullopt;
  o.theme = theme == "dark" ? figure::Theme::Dark : figure::Theme::Light;
  std::string size = args.value("--size", "1280x720");
  int w = 0, h = 0;
  char rest = 0;
  if (std::sscanf(size.c_str(), "%dx%d%c", &w, &h, &rest) != 2 || w < 320 || h < 240 || w > 7680 || h > 4320)
    return fail("--size is WIDTHxHEIGHT from 320x240 to 7680x4320, not '%s'", size), std::nullopt;
  o.width = w, o.height = h;
  return o;
}

// The step the figure shows, or nothing after an error message.
std::optional<size_t> target_step(const Parsed& args, const script::Script& script) {
  size_t statements = script.statements.size();
  if (args.has("--step") && args.has("--show")) return fail("give --step or --show, not both", ""), std::nullopt;
  if (args.has("--show")) {
    std::optional<uint64_t> n = args.number("--show", 1, 1, 0x7fffffff);
    if (!n) return std::nullopt;
    std::optional<size_t> step = script::show_step(script, *n);
    if (!step)
      return fail("--show %s: the script has %s `show` statements", std::to_string(*n),
                  std::to_string(script::show_count(script))),
             std::nullopt;
    return step;
  }
  std::optional<uint64_t> step = args.number("--step", statements, 0, 0x7fffffff);
  if (!step) return std::nullopt;
  if (*step > statements)
    return fail("--step %s is past the end: the script has %s statements", std::to_string(*step),
                std::to_string(statements)),
           std::nullopt;
  return *step;
}

// Writes `text` to `path` whole or not at all: to a temporary file beside it, renamed.
bool write_whole(const std::string& path, const std::string& text) {
  if (path == "-") return std::fwrite(text.data(), 1, text.size(), stdout) == text.size();
  std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "wb");
  bool ok = f != nullptr && std::fwrite(text.data(), 1, text.size(), f) == text.size();
  int err = errno;
  if (f != nullptr && std::fclose(f) != 0 && ok) ok = false, err = errno;
  if (ok && std::rename(tmp.c_str(), path.c_str()) != 0) ok = false, err = errno;
  if (!ok) {
    if (f != nullptr) std::remove(tmp.c_str());
    fail("cannot write '%s': %s", path, std::strerror(err));
  }
  return ok;
}

}  // namespace

const Spec kRenderSpec = {"render", "draw the page map, physical memory or a whole step as an SVG figure for slides",
                          kRenderOptions, kOneScript, kRenderDetails};

int render_main(const Parsed& args) {
  if (!args.has("--svg")) return fail("--svg OUT is required: where to write the figure", "");
  std::optional<figure::FigureOptions> options = figure_options(args);
  if (!options) return 2;
  std::string text;
  if (!read_source(args.operand(), &text)) return 2;
  script::Session s;
  if (!s.load(text)) {
    std::fputs(format_error(args.operand(), text, *s.error()).c_str(), stderr);
    return 2;
  }
  std::optional<size_t> step = target_step(args, s.script());
  if (!step) return 2;
  s.run_to(*step);
  if (s.stopped()) {
    std::fputs(format_error(args.operand(), text, *s.error()).c_str(), stderr);
    return 2;
  }
  std::string svg = figure::render_svg(s, text, *options);
  std::string out = args.value("--svg");
  if (!write_whole(out, svg)) return 2;
  if (out != "-")
    std::printf("%s: %zu bytes (%.1f KiB), %dx%d, step %zu of %zu\n", out.c_str(), svg.size(),
                double(svg.size()) / 1024, options->width, options->height, s.position(), s.step_count());
  return 0;
}

}  // namespace cow::shell
