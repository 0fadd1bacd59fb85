// cowlab-gui and the web playground (cowlab.wasm): one main loop body for both.
//
// Written like Dear ImGui's examples/example_sdl_opengl3/main.cpp: set up SDL2, an OpenGL
// context (desktop GL 3.0, or OpenGL ES 3.0 = WebGL2 in the browser) and Dear ImGui, in
// order; then run one loop body per frame, natively in a while loop and in the browser
// from requestAnimationFrame. cow::web::App (app.h) draws every panel. This file owns the
// platform: the window, sharp fonts on high-DPI screens, the clipboard, the embedded
// examples, the options, and in the browser the C functions web/cowlab-host.js calls.
//
//   cowlab-gui [--theme=light|dark] [--embed] [--readonly] [--autoplay] [--quiz=N]
//              [--predict] [--scale=S] [--present] [--step=N | --show=N] [--frames=N]
//              [--screenshot=FILE.ppm] [FILE.cow]
// --frames=N quits once N frames were drawn and the App is idle, after writing the last
// frame to --screenshot (for the Xvfb smoke test). In the browser the page passes the
// options of the URL fragment as arguments and loads the script itself.
#include <SDL.h>

#include <cfloat>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "imgui.h"
#include "imgui_impl_opengl3.h"
#include "imgui_impl_sdl.h"
#include "engine/script/link.h"
#include "engine/teach/quiz.h"
#include "web/app.h"
#include "web/cell_renderer_gl.h"
#include "web/embedded_examples.h"
#include "web/text_bridge.h"
#include "web/touch.h"
#include "web/widget_probe.h"

#ifdef __EMSCRIPTEN__
#include <GLES3/gl3.h>
#include <emscripten.h>

#include "web/partial_redraw.h"
#else
#include <SDL_opengl.h>
#define EMSCRIPTEN_KEEPALIVE
#endif

namespace {

using cow::web::App;
using cow::web::Example;

// What the command line (natively) or the URL fragment (in the browser) asks for.
struct Args {
  cow::web::Options options;
  bool theme_given = false;
  long step = -1;            // -1: run to the end
  std::string script_path;   // native only
  long frames = -1;          // quit after this many frames (native smoke test)
  std::string screenshot;    // write the last frame here, as PPM
  std::string problem;       // an option that cannot be followed, said on the page
};

// Everything the loop body needs. Static storage: in the browser main() returns into the
// event loop and its stack is gone (emscripten_set_main_loop with simulate_infinite_loop).
struct Loop {
  SDL_Window* window = nullptr;
  std::unique_ptr<App> app;
  std::shared_ptr<cow::web::CellRenderer> cells;  // page map and physical memory textures
  Args args;
  float font_ratio = 1;      // pixel ratio x UI scale the font atlas is set up for
  long frame = 0;            // frames drawn
  long ticks = 0;            // passes of the loop body, drawn or idle
  double active_at = 0;      // seconds (SDL ticks) of the last input or change
  bool wake = false;         // the page called in: draw the next frames
  int drawable_w = 0, drawable_h = 0;  // canvas size when last checked
  bool loaded = false;       // a script was loaded (by the page, the command line or us)
  bool done = false;
  std::string clipboard;     // browser: ImGui's view of the system clipboard
  bool figure_png = false;   // browser: Export figure wants a PNG of this frame's drawing
  int paste_frames = 0;      // browser: frames left of a Ctrl+V handed to ImGui
  // Timing, as moving averages over ~20 frames: the whole loop body, and building the UI
  // (ImGui::NewFrame to ImGui::Render: the App and ImGui, without OpenGL). Natively also
  // CPU time totals after the first 10 frames: the process (llvmpipe renders in threads of
  // its own) and the main thread's UI building.
  double frame_ms = 0, ui_ms = 0;
  double cpu_ms_total = 0, ui_cpu_ms_total = 0;
#ifdef __EMSCRIPTEN__
  bool partial = false;      // the canvas keeps its pixels: redraw only what changed
  cow::web::partial::Tracker redraw;
#endif
};
Loop g_loop;

double ms_since(Uint64 start) {
  return 1000.0 * double(SDL_GetPerformanceCounter() - start) / double(SDL_GetPerformanceFrequency());
}
double average(double avg, double x, long frame) { return frame == 1 ? x : 0.95 * avg + 0.05 * x; }

// CPU time of the calling thread, in ms (0 where there is no such clock).
double thread_cpu_ms() {
#if defined(CLOCK_THREAD_CPUTIME_ID) && !defined(__EMSCRIPTEN__)
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
#else
  return 0;
#endif
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string_view s = argv[i];
    if (s == "--embed") a.options.embed = true;
    else if (s == "--readonly") a.options.readonly = true;
    else if (s == "--autoplay") a.options.autoplay = true;
    else if (s == "--present") a.options.present = true;
    else if (starts_with(s, "--scale=")) a.options.scale = float(std::atof(argv[i] + 8));
    else if (s == "--theme=light" || s == "--theme=dark") {
      a.options.dark = s == "--theme=dark";
      a.theme_given = true;
    } else if (starts_with(s, "--quiz=")) {
      // Every seed `cowlab quiz --seed` takes, and no other (parse_quiz_seed).
      a.options.quiz_seed = cow::script::parse_quiz_seed(s.substr(7));
      if (!a.options.quiz_seed)
        a.problem = "There is no quiz " + std::string(s.substr(7)).substr(0, 40) +
                    ": a quiz seed is a whole number from 0 to 18446744073709551615.";
    } else if (s == "--predict") a.options.predict = true;
    else if (starts_with(s, "--step=")) a.step = std::atol(argv[i] + 7);
    else if (starts_with(s, "--show=")) a.options.show = std::atol(argv[i] + 7);
    else if (starts_with(s, "--frames=")) a.frames = std::atol(argv[i] + 9);
    else if (starts_with(s, "--screenshot=")) a.screenshot = argv[i] + 13;
    else if (!starts_with(s, "--")) a.script_path = argv[i];
    else std::fprintf(stderr, "cowlab-gui: ignoring unknown option %s\n", argv[i]);
  }
  return a;
}

// The embedded examples/*.cow; an example's title is its first comment line.
std::vector<Example> embedded_examples() {
  std::vector<Example> out;
  for (size_t i = 0; i < cow::web::kEmbeddedExampleCount; ++i) {
    const auto& f = cow::web::kEmbeddedExamples[i];
    Example e;
    e.name = f.name;
    e.text.assign(reinterpret_cast<const char*>(f.data), f.size);
    std::istringstream lines(e.text);
    for (std::string line; std::getline(lines, line);) {
      size_t hash = line.find_first_not_of(" \t");
      if (hash == std::string::npos || line[hash] != '#') continue;
      size_t start = line.find_first_not_of("# \t", hash);
      size_t end = line.find_last_not_of(" \t\r");
      if (start != std::string::npos) e.title = line.substr(start, end - start + 1);
      break;
    }
    if (e.title.empty()) e.title = e.name;
    out.push_back(std::move(e));
  }
  return out;
}

// Pixels per window unit: 2 on a "retina" screen or at 200 % browser zoom.
float pixel_ratio(SDL_Window* window) {
  int w = 0, h = 0, dw = 0, dh = 0;
  SDL_GetWindowSize(window, &w, &h);
  SDL_GL_GetDrawableSize(window, &dw, &dh);
  return w > 0 && dw > 0 ? float(dw) / float(w) : 1.0f;
}

// ImGui lays out in window units and the renderer scales by the pixel ratio; a 13 px font
// texture scaled up would blur. So every font of the atlas (ours and the App's, added at
// their nominal sizes) is rasterised at `ratio` x its size and drawn at 1/ratio: one texel
// per screen pixel. `old_ratio` is the ratio the atlas was set up for (1 at first).
void rasterise_fonts(float ratio, float old_ratio) {
  ImGuiIO& io = ImGui::GetIO();
  const float k = ratio / old_ratio;
  for (ImFontConfig& c : io.Fonts->ConfigData) {
    c.SizePixels *= k;
    c.GlyphOffset = ImVec2(c.GlyphOffset.x * k, c.GlyphOffset.y * k);
    c.GlyphExtraSpacing = ImVec2(c.GlyphExtraSpacing.x * k, c.GlyphExtraSpacing.y * k);
    c.GlyphMinAdvanceX *= k;
    if (c.GlyphMaxAdvanceX < FLT_MAX) c.GlyphMaxAdvanceX *= k;
  }
  io.FontGlobalScale = 1.0f / ratio;
  io.Fonts->ClearTexData();  // the backend rebuilds the atlas when it makes the texture
}

#ifdef __EMSCRIPTEN__
// Calls web/cowlab-host.js: Module.cowlabHooks[hook](text).
EM_JS(void, call_host, (const char* hook, const char* text, int size), {
  var hooks = Module['cowlabHooks'];
  var name = UTF8ToString(hook);
  if (hooks && typeof hooks[name] === 'function')
    hooks[name](text ? UTF8ToString(text, size) : "");
});
void call_host(const char* hook, std::string_view text = {}) {
  call_host(hook, text.data(), int(text.size()));
}

// Browser clipboard glue. ImGui's SDL backend keeps the clipboard inside SDL, which in
// the browser never reaches the system. Copy/cut: ImGui's text goes to the page
// (navigator.clipboard). Paste: SDL would cancel Ctrl+V's keydown and with it the
// browser's `paste` event, so the page keeps that key from SDL, takes the text of the
// `paste` event and calls cowlab_paste(), which presses Ctrl+V for ImGui (paste_frames).
void set_clipboard(void*, const char* text) {
  g_loop.clipboard = text;
  call_host("clipboardWrite", g_loop.clipboard);
}
const char* get_clipboard(void*) { return g_loop.clipboard.c_str(); }
#endif

cow::web::Platform make_platform() {
  cow::web::Platform p;
#ifdef __EMSCRIPTEN__
  // The page makes the link from its own address (and for embed code, the <iframe>).
  p.share = [](cow::web::ShareAs as, const std::string& fragment) {
    call_host(as == cow::web::ShareAs::EmbedCode ? "shareEmbed" : "share", fragment);
  };
  p.on_state = [](const std::string& text) { call_host("state", text); };
  p.on_inspect = [](const std::string& text) { call_host("inspect", text); };
  p.export_figure = [](const std::string& svg) {
    call_host("figure", svg);
    g_loop.figure_png = true;  // taken once this frame is drawn (WebGL clears it after)
  };
  // The page downloads it (a Blob and an <a download>): the name, a newline, the text.
  p.download = [](const std::string& name, const std::string& text) { call_host("download", name + "\n" + text); };
  p.on_quiz = [](const std::string& json) { call_host("quiz", json); };
#else
  // Natively there is no page URL: the link points at scripts/serve.sh's address unless
  // COWLAB_URL names another.
  p.share = [](cow::web::ShareAs as, const std::string& fragment) {
    const char* base = std::getenv("COWLAB_URL");
    std::string url = std::string(base ? base : "http://127.0.0.1:8000/") + fragment;
    if (as == cow::web::ShareAs::EmbedCode) url = cow::script::embed_code(url);
    SDL_SetClipboardText(url.c_str());
  };
  // View > Export figure: the SVG into the working directory.
  p.export_figure = [](const std::string& svg) {
    std::ofstream("cowlab-figure.svg", std::ios::binary) << svg;
    std::fprintf(stderr, "cowlab-gui: wrote cowlab-figure.svg (%zu bytes)\n", svg.size());
  };
  p.download = [](const std::string& name, const std::string& text) {
    std::ofstream out(name, std::ios::binary);
    out << text;
    std::fprintf(stderr, out ? "cowlab-gui: wrote %s\n" : "cowlab-gui: cannot write %s\n", name.c_str());
  };
#endif
  return p;
}

// Reports a start-up failure (in the browser, on the page) and returns main's exit code.
int fail(const char* what, const char* detail) {
  std::fprintf(stderr, "cowlab-gui: %s: %s\n", what, detail);
#ifdef __EMSCRIPTEN__
  call_host("fatal", std::string(what) + ": " + detail);
#endif
  return 1;
}

// Writes the current back buffer as a binary PPM, top row first.
bool write_ppm(const std::string& path, int w, int h) {
  std::vector<unsigned char> rgb(size_t(w) * h * 3);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, w, h, GL_RGB, GL_UNSIGNED_BYTE, rgb.data());
  std::ofstream out(path, std::ios::binary);
  out << "P6\n" << w << ' ' << h << "\n255\n";
  for (int y = h - 1; y >= 0; --y)
    out.write(reinterpret_cast<const char*>(&rgb[size_t(y) * w * 3]), std::streamsize(w) * 3);
  return bool(out);
}

// Polls SDL's events into ImGui; notes a request to quit. True when there was any.
bool poll_events(Loop& L) {
  SDL_Event event;
  bool any = false;
  while (SDL_PollEvent(&event)) {
    any = true;
    ImGui_ImplSDL2_ProcessEvent(&event);
    cow::web::touch::process(event);
    if (event.type == SDL_QUIT) L.done = true;
    if (event.type == SDL_WINDOWEVENT && event.window.event == SDL_WINDOWEVENT_CLOSE &&
        event.window.windowID == SDL_GetWindowID(L.window))
      L.done = true;
  }
  return any;
}

// The pixel ratio changes with browser zoom or when the window moves to another screen,
// and the UI scale with the View menu: re-rasterises the fonts for both (before the first
// frame, the backend builds them). True when it changed.
bool update_font_scale(Loop& L) {
  float ratio = pixel_ratio(L.window) * L.app->ui_scale();
  if (ratio == L.font_ratio) return false;
  rasterise_fonts(ratio, L.font_ratio);
  if (L.frame > 0) {
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
  }
  L.font_ratio = ratio;
  return true;
}

// The UI scale: ImGui lays out in units of `scale` window pixels (a smaller display, the
// mouse in the same units) and the renderer draws them `scale` times larger. Call between
// the backend's NewFrame and ImGui::NewFrame.
void apply_ui_scale(float scale) {
  if (scale == 1) return;
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(io.DisplaySize.x / scale, io.DisplaySize.y / scale);
  io.DisplayFramebufferScale = ImVec2(io.DisplayFramebufferScale.x * scale, io.DisplayFramebufferScale.y * scale);
  if (io.MousePos.x != -FLT_MAX) io.MousePos = ImVec2(io.MousePos.x / scale, io.MousePos.y / scale);
}

// Idle costs nothing: after kIdleSeconds without input, a change of scale or anything the
// App animates, a frame would draw what the last one drew, so the loop body skips it
// (no ImGui frame, no GL calls) until something happens.
constexpr double kIdleSeconds = 1.0;
bool idle(Loop& L, bool input) {
  double now = double(SDL_GetTicks()) / 1000.0;
  int w = 0, h = 0;
  SDL_GL_GetDrawableSize(L.window, &w, &h);  // a resize without an event still counts
  if (w != L.drawable_w || h != L.drawable_h) input = true;
  L.drawable_w = w, L.drawable_h = h;
  bool smoke_test = L.args.frames >= 0;  // --frames counts frames drawn
  if (input || L.wake || L.paste_frames > 0 || smoke_test || L.frame == 0 || L.app->busy() || L.app->animating())
    L.active_at = now;
  L.wake = false;
  return now - L.active_at > kIdleSeconds;
}

// A paste from the page (cowlab_paste): Ctrl+V held for one frame, released in the next.
// Call between the backend's NewFrame and ImGui::NewFrame.
void feed_paste(Loop& L) {
  if (L.paste_frames <= 0) return;
  ImGuiIO& io = ImGui::GetIO();
  bool down = L.paste_frames-- == 2;
  io.KeysDown[SDL_SCANCODE_V] = down;
  io.KeyCtrl = down || (SDL_GetModState() & KMOD_CTRL) != 0;
  io.KeySuper = !down && (SDL_GetModState() & KMOD_GUI) != 0;  // Cmd+V on a Mac
}

// The frame's ImGui draw lists merged into one. The OpenGL 3 backend uploads each list's
// vertices and indices right before drawing it; in the browser (WebGL2 on ANGLE/Vulkan) an
// upload between two draws of a frame ends the render pass, and software rendering
// (SwiftShader) then drains its pipeline: ~30 lists made ~15 render passes per frame.
// Merged, a frame is one upload and one render pass. Needs 32-bit indices
// (ImDrawIdx=ImU32, web/CMakeLists.txt). The result lives until the next call.
ImDrawData* merge_draw_lists(const ImDrawData* src) {
  static_assert(sizeof(ImDrawIdx) == 4, "merged draw lists need 32-bit indices");
  static ImDrawList merged(nullptr);  // never drawn into: no shared data needed
  static ImDrawList* lists[1] = {&merged};
  static ImDrawData out;
  merged.CmdBuffer.resize(0);
  merged.IdxBuffer.resize(0);
  merged.VtxBuffer.resize(0);
  for (int n = 0; n < src->CmdListsCount; ++n) {
    const ImDrawList* in = src->CmdLists[n];
    const ImDrawIdx vtx_base = ImDrawIdx(merged.VtxBuffer.Size);
    const unsigned idx_base = unsigned(merged.IdxBuffer.Size);
    for (ImDrawCmd cmd : in->CmdBuffer) {
      IM_ASSERT(cmd.VtxOffset == 0);  // ImGui only offsets vertices for 16-bit indices
      cmd.IdxOffset += idx_base;
      merged.CmdBuffer.push_back(cmd);
    }
    merged.IdxBuffer.resize(int(idx_base) + in->IdxBuffer.Size);
    for (int i = 0; i < in->IdxBuffer.Size; ++i) merged.IdxBuffer[int(idx_base) + i] = in->IdxBuffer[i] + vtx_base;
    merged.VtxBuffer.resize(int(vtx_base) + in->VtxBuffer.Size);
    if (in->VtxBuffer.Size > 0)
      std::memcpy(&merged.VtxBuffer[int(vtx_base)], in->VtxBuffer.Data, size_t(in->VtxBuffer.Size) * sizeof(ImDrawVert));
  }
  out = *src;
  out.CmdLists = lists;
  out.CmdListsCount = src->CmdListsCount > 0 ? 1 : 0;
  return &out;
}

// Times one pass of the loop body and of its UI building into Loop's averages and totals.
struct FrameClock {
  Uint64 start = SDL_GetPerformanceCounter(), ui_start = 0;
  std::clock_t cpu_start = std::clock();
  double ui_cpu_start = 0, ui_ms = 0, ui_cpu_ms = 0;

  void begin_ui() {
    ui_start = SDL_GetPerformanceCounter();
    ui_cpu_start = thread_cpu_ms();
  }
  void end_ui() {
    ui_ms = ms_since(ui_start);
    ui_cpu_ms = thread_cpu_ms() - ui_cpu_start;
  }
  void finish(Loop& L) const {
    L.frame_ms = average(L.frame_ms, ms_since(start), L.frame);
    L.ui_ms = average(L.ui_ms, ui_ms, L.frame);
    if (L.frame <= 10) return;
    L.cpu_ms_total += 1000.0 * double(std::clock() - cpu_start) / CLOCKS_PER_SEC;
    L.ui_cpu_ms_total += ui_cpu_ms;
  }
};

// Clears to the panels' background and draws ImGui's lists: in the browser only what
// changed since the last frame (web/partial_redraw.h), natively everything.
void render([[maybe_unused]] Loop& L, int w, int h) {
  ImDrawData* dd = ImGui::GetDrawData();
  // Exactly the panels' background colour (as 8-bit ImGui colour): the panels leave
  // their backgrounds to this clear (begin_panel in web/panels/style.cpp).
  ImU32 bg32 = ImGui::GetColorU32(ImGuiCol_WindowBg);
  ImVec4 bg = ImGui::ColorConvertU32ToFloat4(bg32);
  glViewport(0, 0, w, h);
  glDisable(GL_SCISSOR_TEST);  // ImGui's backend leaves it as the last frame set it
#ifdef __EMSCRIPTEN__
  if (L.partial) {
    uint64_t uploads = L.cells ? L.cells->uploads() : 0;
    uint64_t state = ((uint64_t(w) * 65599 + uint64_t(h)) * 65599 + bg32) * 65599 + uploads;
    state = state * 65599 + uint64_t(L.font_ratio * 1024);
    cow::web::partial::Damage d = L.redraw.damage(dd, state);
    if (L.figure_png) d = {};  // the PNG is taken from this frame: all of it
    if (d.kind == cow::web::partial::Damage::Nothing) return;
    ImDrawData* merged = merge_draw_lists(dd);
    if (d.kind == cow::web::partial::Damage::Part) cow::web::partial::clip_to(merged, d.rect, w, h);
    glClearColor(bg.x, bg.y, bg.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(merged);
    return;
  }
#endif
  glClearColor(bg.x, bg.y, bg.z, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(merge_draw_lists(dd));
}

// Loads the first script: in the browser the page loads the one of its URL (the "start"
// hook calls cowlab_load); natively the FILE argument; otherwise the first example.
// False when FILE cannot be read.
bool load_first_script(Loop& L) {
#ifdef __EMSCRIPTEN__
  if (!L.args.problem.empty()) call_host("notice", L.args.problem);
  call_host("start");
#else
  if (!L.args.problem.empty()) std::fprintf(stderr, "cowlab-gui: %s\n", L.args.problem.c_str());
#endif
  if (!L.args.script_path.empty()) {
    std::ifstream in(L.args.script_path, std::ios::binary);
    if (!in) return false;
    std::ostringstream text;
    text << in.rdbuf();
    L.app->load(text.str(), L.args.step);
    L.loaded = true;
  }
  if (!L.loaded && cow::web::kEmbeddedExampleCount > 0) {
    const auto& first = cow::web::kEmbeddedExamples[0];
    L.app->load(std::string_view(reinterpret_cast<const char*>(first.data), first.size),
                L.args.step);
    L.loaded = true;
  }
  return true;
}

// The --frames run's figures, for the smoke test and benchmarks.
void print_timing(const Loop& L) {
  if (L.frame <= 10) return;
  std::printf("cowlab-gui: %ld frames; per frame after the first 10: %.2f ms CPU building the UI"
              " (App + ImGui; %.2f ms wall, recent), %.2f ms CPU in all (with OpenGL)\n",
              L.frame, L.ui_cpu_ms_total / double(L.frame - 10), L.ui_ms,
              L.cpu_ms_total / double(L.frame - 10));
}

// One frame: events, ImGui frame, App::frame(), render. The same body for both targets.
void main_loop_body(void*) {
  Loop& L = g_loop;
  FrameClock clock;

  // Poll and handle events (inputs, window resize, etc.); keep text sharp.
  ++L.ticks;
  bool input = poll_events(L);
  input = update_font_scale(L) || input;
  if (idle(L, input)) {
#ifndef __EMSCRIPTEN__
    SDL_WaitEventTimeout(nullptr, 50);  // natively nothing paces the loop without a swap
#endif
    return;
  }

  // Start the Dear ImGui frame and let the App draw it.
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplSDL2_NewFrame();
  apply_ui_scale(L.app->ui_scale());
  feed_paste(L);
  cow::web::touch::feed();
  cow::web::text_bridge::feed();
  clock.begin_ui();
  ImGui::NewFrame();
  cow::web::probe::begin_frame();
  if (L.cells) L.cells->begin_frame();
  L.app->frame();
  ImGui::Render();
  clock.end_ui();

  // Rendering
  int w = 0, h = 0;
  SDL_GL_GetDrawableSize(L.window, &w, &h);
  render(L, w, h);
  ++L.frame;
  clock.finish(L);

  // Smoke-test exit: after N frames, once the App is idle, keep the picture and stop.
  if (L.args.frames >= 0 && L.frame >= L.args.frames && !L.app->busy()) {
    if (!L.args.screenshot.empty() && !write_ppm(L.args.screenshot, w, h))
      std::fprintf(stderr, "cowlab-gui: cannot write %s\n", L.args.screenshot.c_str());
    L.done = true;
  }
  SDL_GL_SwapWindow(L.window);
#ifdef __EMSCRIPTEN__
  if (L.frame == 1) call_host("firstFrame");
  if (std::exchange(L.figure_png, false)) call_host("figurePng");
#endif
}

}  // namespace

int main(int argc, char** argv) {
  Loop& L = g_loop;
  L.args = parse_args(argc, argv);

  // Setup SDL: touches become taps, drags and pinches (web/touch.h), not an emulated mouse.
  cow::web::touch::init();
  if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) != 0) return fail("SDL_Init", SDL_GetError());

  // Decide GL+GLSL versions: WebGL2 (OpenGL ES 3.0) in the browser, GL 3.0 natively.
#ifdef __EMSCRIPTEN__
  const char* glsl_version = "#version 300 es";
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_FLAGS, 0);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_ES);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 0);
#else
  const char* glsl_version = "#version 130";
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_FLAGS, 0);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_CORE);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 0);
#endif

  // Create window with graphics context. In the browser the window is the page's canvas:
  // its CSS size (the whole page) wins, and ALLOW_HIGHDPI sizes its pixels by
  // devicePixelRatio so the picture is sharp.
  SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
  // No depth or stencil buffer: ImGui draws in order with neither, and in the browser
  // each buffer the canvas has is cleared (and with software rendering, written) per frame.
  SDL_GL_SetAttribute(SDL_GL_DEPTH_SIZE, 0);
  SDL_GL_SetAttribute(SDL_GL_STENCIL_SIZE, 0);
  auto window_flags =
      SDL_WindowFlags(SDL_WINDOW_OPENGL | SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
#ifdef __EMSCRIPTEN__
  // The canvas keeps its pixels between frames, so a frame redraws only what changed
  // (web/partial_redraw.h). SDL asks for no such context: make it first, with the
  // attributes SDL asks for (above) and preserveDrawingBuffer; SDL's request then gets
  // this same context.
  EM_ASM({
    var c = Module['canvas'] || document.getElementById('canvas');
    if (c) c.getContext('webgl2', {alpha: false, depth: false, stencil: false, antialias: false,
                                   preserveDrawingBuffer: true});
  });
#endif
  L.window = SDL_CreateWindow("cowlab", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, 1280,
                              800, window_flags);
  SDL_GLContext gl_context = L.window ? SDL_GL_CreateContext(L.window) : nullptr;
  if (gl_context == nullptr) return fail("no OpenGL context", SDL_GetError());
  SDL_GL_MakeCurrent(L.window, gl_context);
  SDL_GL_SetSwapInterval(1);  // Enable vsync
#ifdef __EMSCRIPTEN__
  L.partial = EM_ASM_INT({
    return typeof GLctx !== "undefined" && GLctx && GLctx.getContextAttributes().preserveDrawingBuffer ? 1 : 0;
  }) != 0;
#endif

  // Setup Dear ImGui context. No imgui.ini: the App lays its windows out itself, and the
  // browser has no file system to keep it in.
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  // Keyboard navigation: Tab and the arrows move a visible focus ring between widgets,
  // Space or Enter press one (web/panels/keys.h adds the playground's shortcuts).
  io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;

  // Setup Dear ImGui style; the theme follows the options, and the App may refine it.
  if (L.args.options.dark) ImGui::StyleColorsDark();
  else ImGui::StyleColorsLight();

  // Setup Platform/Renderer backends, then the browser's clipboard glue over the SDL one.
  ImGui_ImplSDL2_InitForOpenGL(L.window, gl_context);
  ImGui_ImplOpenGL3_Init(glsl_version);
#ifdef __EMSCRIPTEN__
  io.SetClipboardTextFn = set_clipboard;
  io.GetClipboardTextFn = get_clipboard;
#endif

  // Load Fonts: the built-in one at its nominal 13 px, like any font the App adds; the
  // loop body rasterises them all for the screen's pixel ratio.
  io.Fonts->AddFontDefault();

  // The application, with the examples compiled in.
  cow::web::Platform platform = make_platform();
  // COWLAB_CELL_RECTS=1: one rectangle per cell as before the textures (to compare).
  const char* rects = std::getenv("COWLAB_CELL_RECTS");
  if (rects == nullptr || std::strcmp(rects, "1") != 0)
    platform.cell_renderer = L.cells = cow::web::make_gl_cell_renderer(glsl_version);
  L.app = std::make_unique<App>(std::move(platform), embedded_examples());
  L.app->set_options(L.args.options);

  // The first script: the page's URL, the FILE argument, or the first example.
  if (!load_first_script(L)) return fail("cannot read", L.args.script_path.c_str());

  // Main loop
#ifdef __EMSCRIPTEN__
  // The browser calls the body once per animation frame; main() never returns.
  emscripten_set_main_loop_arg(main_loop_body, nullptr, 0, true);
#else
  while (!L.done) main_loop_body(nullptr);
  if (L.args.frames >= 0) print_timing(L);

  // Cleanup
  L.app.reset();
  L.cells.reset();  // its textures and program, while the context lives
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplSDL2_Shutdown();
  ImGui::DestroyContext();
  SDL_GL_DeleteContext(gl_context);
  SDL_DestroyWindow(L.window);
  SDL_Quit();
#endif
  return 0;
}

#ifdef __EMSCRIPTEN__
// --- The C functions web/cowlab-host.js calls -----------------------------------------
// Strings go in as (pointer, byte count) into memory the page allocated with malloc and
// frees; strings coming out stay valid until the next call of the same function.
extern "C" {

// Loads a script (UTF-8 bytes, checked by the parser) and runs it to statement `step`
// (-1: to the end) in slices across frames; cowlab_busy() is 1 until done.
EMSCRIPTEN_KEEPALIVE void cowlab_load(const char* bytes, int size, int step) {
  if (!g_loop.app || size < 0) return;
  g_loop.app->load(std::string_view(bytes, size_t(size)), step);
  g_loop.loaded = true;
  g_loop.wake = true;
}

// The same up to the n-th `show` statement (a link's &show=N; App::load_at_show).
EMSCRIPTEN_KEEPALIVE void cowlab_load_show(const char* bytes, int size, int show) {
  if (!g_loop.app || size < 0) return;
  g_loop.app->load_at_show(std::string_view(bytes, size_t(size)), show);
  g_loop.loaded = true;
}

// The same, as `as` says (cow::web::LoadAs: 0 replaces, 1 asks first when the editor
// holds edits, 2 restores the visitor's saved script).
EMSCRIPTEN_KEEPALIVE void cowlab_load_as(const char* bytes, int size, int step, int as) {
  if (!g_loop.app || size < 0 || as < 0 || as > 2) return;
  g_loop.app->load(std::string_view(bytes, size_t(size)), step, cow::web::LoadAs(as));
  g_loop.loaded = true;
}

// App::facts_json: whether the editor holds edits, a quiz runs, the failed expects...
EMSCRIPTEN_KEEPALIVE const char* cowlab_facts() {
  static std::string s;
  s = g_loop.app ? g_loop.app->facts_json() : std::string("{}");
  return s.c_str();
}

// Moves to just after statement n (0: before the first).
EMSCRIPTEN_KEEPALIVE void cowlab_step(int n) {
  if (g_loop.app && n >= 0) g_loop.app->step_to(n);
  g_loop.wake = true;
}

EMSCRIPTEN_KEEPALIVE int cowlab_busy() { return g_loop.app && g_loop.app->busy() ? 1 : 0; }
EMSCRIPTEN_KEEPALIVE int cowlab_position() {
  return g_loop.app ? int(g_loop.app->position()) : 0;
}
// Passes of the main loop (drawn or, when idle, skipped) and frames drawn.
EMSCRIPTEN_KEEPALIVE int cowlab_frames() { return int(g_loop.ticks); }
EMSCRIPTEN_KEEPALIVE int cowlab_frames_drawn() { return int(g_loop.frame); }
// Milliseconds per frame (moving averages): the loop body, and building the UI (App + ImGui).
EMSCRIPTEN_KEEPALIVE double cowlab_frame_ms() { return g_loop.frame_ms; }
EMSCRIPTEN_KEEPALIVE double cowlab_ui_ms() { return g_loop.ui_ms; }

// What `cowlab run --json` prints for the script up to the current step (no final newline).
EMSCRIPTEN_KEEPALIVE const char* cowlab_state() {
  static std::string s;
  s = g_loop.app ? g_loop.app->state_json() : std::string();
  return s.c_str();
}

EMSCRIPTEN_KEEPALIVE const char* cowlab_headline() {
  static std::string s;
  s = g_loop.app ? g_loop.app->headline_text() : std::string();
  return s.c_str();
}

// The caption under the steps (the current statement's comment), "" when none shows.
EMSCRIPTEN_KEEPALIVE const char* cowlab_caption() {
  static std::string s;
  s = g_loop.app ? g_loop.app->caption_text() : std::string();
  return s.c_str();
}

// The figure of the current step (App::figure_svg): `view` is "pagemap", "physical" or
// "step"; "" for another view or while a quiz veils the numbers.
EMSCRIPTEN_KEEPALIVE const char* cowlab_figure(const char* view) {
  static std::string s;
  s = g_loop.app && view ? g_loop.app->figure_svg(view) : std::string();
  return s.c_str();
}

// What #cowlab-state says after a step (App::announcement: the headline, the statement,
// what moved).
EMSCRIPTEN_KEEPALIVE const char* cowlab_announce() {
  static std::string s;
  s = g_loop.app ? g_loop.app->announcement() : std::string();
  return s.c_str();
}

// The processes table's cells as JSON, for the page's hidden HTML table (App::processes_json).
EMSCRIPTEN_KEEPALIVE const char* cowlab_processes() {
  static std::string s;
  s = g_loop.app ? g_loop.app->processes_json() : std::string("{}");
  return s.c_str();
}

EMSCRIPTEN_KEEPALIVE const char* cowlab_script() {
  static std::string s;
  s = g_loop.app ? g_loop.app->script_text() : std::string();
  return s.c_str();
}

// One page of a process's region at the current step, as `cowlab run --json --pagemap`
// has it plus "explain" (App::inspect_json), or {"error": ...}. Names are NUL-terminated
// UTF-8.
EMSCRIPTEN_KEEPALIVE const char* cowlab_inspect(const char* process, const char* region, int page) {
  static std::string s;
  s = g_loop.app && process && region ? g_loop.app->inspect_json(process, region, page)
                                      : std::string("{\"error\":\"the playground is not running\"}");
  return s.c_str();
}

// Pastes the text of the page's `paste` event where ImGui's keyboard focus is.
// The HTML that embeds the playground at `url` (Share > Copy embed code; link.h).
EMSCRIPTEN_KEEPALIVE const char* cowlab_embed_code(const char* url) {
  static std::string s;
  s = cow::script::embed_code(url ? url : "");
  return s.c_str();
}

// The link fragment of the editor's script at statement `step` (the embedded page's
// "Open in cowlab" link; link.h).
EMSCRIPTEN_KEEPALIVE const char* cowlab_link_fragment(int step) {
  static std::string s;
  cow::script::LinkOptions o;
  o.step = step;
  s = g_loop.app ? cow::script::link_fragment(g_loop.app->script_text(), o) : std::string();
  return s.c_str();
}

EMSCRIPTEN_KEEPALIVE void cowlab_paste(const char* bytes, int size) {
  if (size < 0) return;
  g_loop.clipboard.assign(bytes, size_t(size));
  g_loop.paste_frames = 2;
  g_loop.wake = true;
}

// Where the App drew the widget with this id ("run", "editor"...; app.h), as JSON
// {"x","y","w","h"} in CSS pixels; w = h = 0 when it was not drawn.
EMSCRIPTEN_KEEPALIVE const char* cowlab_widget_rect(const char* id) {
  static std::string s;
  cow::web::WidgetRect r;
  if (g_loop.app && id) r = g_loop.app->widget_rect(id);
  float k = g_loop.app ? g_loop.app->ui_scale() : 1;  // ImGui units to CSS pixels
  char buf[160];
  std::snprintf(buf, sizeof buf, "{\"x\":%.1f,\"y\":%.1f,\"w\":%.1f,\"h\":%.1f}", r.x * k, r.y * k, r.w * k, r.h * k);
  s = buf;
  return s.c_str();
}

// Widgets of the last frame with this ImGui label (all when empty), as JSON: widget_probe.h.
EMSCRIPTEN_KEEPALIVE const char* cowlab_widgets(const char* label) {
  static std::string s;
  s = cow::web::probe::widgets_json(label ? label : "", g_loop.app ? g_loop.app->ui_scale() : 1);
  g_loop.wake = true;  // recording starts with the first query: draw a frame to record
  return s.c_str();
}

}  // extern "C"
#endif
