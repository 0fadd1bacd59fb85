// `cowlab url FILE`: the playground link of a script, as the web page's Share menu makes
// it (engine/script/link.h), for course authors' pages and slides.
#include <cstdio>
#include <string>

#include "commands.h"
#include "engine/script/link.h"
#include "engine/script/parser.h"
#include "report.h"

namespace cow::shell {

namespace {

// What scripts/serve.sh serves.
constexpr const char* kDefaultBase = "http://127.0.0.1:8000/";

constexpr Option kUrlOptions[] = {
    {.name = "--step", .takes = Takes::Value, .value = "N",
     .help = "stop after statement N (0: before the first); without it the script runs to its end"},
    {.name = "--show", .takes = Takes::Value, .value = "N",
     .help = "open at the N-th `show` (from 1); unlike --step, the link survives removing `expect` lines"},
    {.name = "--embed", .help = "the minimal layout for an iframe (&embed=1)"},
    {.name = "--readonly", .help = "the script cannot be edited (&readonly=1)"},
    {.name = "--theme", .takes = Takes::Value, .value = "light|dark",
     .help = "the colour theme (default: the visitor's preference)"},
    {.name = "--base", .takes = Takes::Value, .value = "URL",
     .help = "where the playground is served (default: http://127.0.0.1:8000/, as scripts/serve.sh)"},
    {.name = "--plain", .help = "carry the script as base64url (#script=) instead of compressed (#z=)"},
};

// The --theme value, or nothing after an error message.
std::optional<script::LinkTheme> theme_of(const Parsed& args) {
  std::string t = args.value("--theme", "");
  if (!args.has("--theme")) return script::LinkTheme::Visitor;
  if (t == "light") return script::LinkTheme::Light;
  if (t == "dark") return script::LinkTheme::Dark;
  std::fprintf(stderr, "cowlab url: --theme is light or dark, not '%s'\n", t.c_str());
  return std::nullopt;
}

}  // namespace

constexpr std::string_view kUrlDetails =
    "The link opens the script in the web playground (docs/embedding.md); the same\n"
    "script and options give the same link as the page's Share menu.\n";

const Spec kUrlSpec = {"url", "print the playground link of a script (the web page's Share link) on one line",
                       kUrlOptions, kOneScript, kUrlDetails};

int url_main(const Parsed& args) {
  std::optional<uint64_t> step = args.number("--step", uint64_t(-1), 0, 0x7fffffff);
  if (args.has("--step") && !step) return 2;
  std::optional<uint64_t> show = args.number("--show", uint64_t(-1), 1, 0x7fffffff);
  if (args.has("--show") && !show) return 2;
  if (args.has("--step") && args.has("--show")) {
    std::fputs("cowlab url: give --step or --show, not both\n", stderr);
    return 2;
  }
  std::optional<script::LinkTheme> theme = theme_of(args);
  if (!theme) return 2;
  std::string text;
  if (!read_source(args.operand(), &text)) return 2;
  script::ParseResult parsed = script::parse(text);
  if (parsed.error) {
    std::fputs(format_error(args.operand(), text, *parsed.error).c_str(), stderr);
    return 2;
  }
  size_t statements = parsed.script.statements.size();
  if (args.has("--step") && *step > statements) {
    std::fprintf(stderr, "cowlab url: --step %llu is past the end: the script has %zu statements\n",
                 (unsigned long long)*step, statements);
    return 2;
  }
  if (args.has("--show") && !script::show_step(parsed.script, long(*show))) {
    std::fprintf(stderr, "cowlab url: --show %llu: the script has fewer `show` statements\n",
                 (unsigned long long)*show);
    return 2;
  }
  script::LinkOptions o{
      .encoding = args.has("--plain") ? script::LinkEncoding::Plain : script::LinkEncoding::Compressed,
      .step = args.has("--step") ? long(*step) : -1,
      .show = args.has("--show") ? long(*show) : -1,
      .embed = args.has("--embed"),
      .readonly = args.has("--readonly"),
      .theme = *theme,
  };
  std::string url = args.value("--base", kDefaultBase) + script::link_fragment(text, o);
  std::printf("%s\n", url.c_str());
  return 0;
}

}  // namespace cow::shell
