// cowlab-live-edit-bench: the playground's live edit, natively. The App (web/app.h) with
// Dear ImGui headless does what tests/browser/perf.mjs "live edit" does in Chromium:
// load the nginx script, then time `App::load` of an edited text plus the state JSON the
// page reads (window.cowlab.load resolves with it), for three edits at the end, and a
// full re-run. Prints the minimum and median of each, in milliseconds of CPU time.
//   cowlab-live-edit-bench [--runs N] [--frames] [--edits]
//     --frames   also draw one frame after each load (the page map and physical memory
//                are built for the new state, as the browser's next frame does)
//     --edits    time the edits only, not the full re-run (for a profiler)
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "imgui.h"
#include "web/app.h"

namespace {

double cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

// The script of perf.mjs and bench/scripts.cpp: a master with a 256 MiB heap forks 100
// workers in one statement; each writes its own 1%; one expect at the end.
std::string nginx_script() {
  const int workers = 100, heap = 65536, slice = heap / 100;
  std::string s = "ram " + std::to_string(heap * 4) + "\nspawn master\nmaster mmap heap " +
                  std::to_string(heap) + "\nmaster write heap\nmaster fork w[1-" + std::to_string(workers) + "]\n";
  for (int i = 0; i < workers; ++i) {
    int first = (i * slice) % (heap - slice + 1);
    s += "w" + std::to_string(i + 1) + " write heap " + std::to_string(first) + "-" +
         std::to_string(first + slice - 1) + "\n";
  }
  return s + "expect cow_copies=" + std::to_string(workers * slice) + "\n";
}

struct Bench {
  cow::web::App& app;
  bool frames = false;
  int runs = 7;

  void frame() {
    ImGui::NewFrame();
    app.frame();
    ImGui::Render();
  }
  // Loads `before` (untimed), then times loading `text` until its state JSON is made.
  std::vector<double> time_load(const std::string& before, const std::string& text, int n) {
    std::vector<double> ms;
    for (int i = 0; i < n; ++i) {
      app.load(before);
      while (app.busy()) frame();
      frame();
      double t0 = cpu_ms();
      app.load(text);
      while (app.busy()) frame();
      std::string json = app.state_json();
      if (frames) frame();
      ms.push_back(cpu_ms() - t0);
      std::string facts = app.facts_json();
      if (json.empty() || facts.find("\"error\":\"\"") == std::string::npos) {
        std::fprintf(stderr, "cowlab-live-edit-bench: the script failed: %.300s\n", facts.c_str());
        std::exit(1);
      }
    }
    std::sort(ms.begin(), ms.end());
    if (ms.empty()) ms.push_back(0);
    return ms;
  }
};

void print(const char* what, const std::vector<double>& ms) {
  std::printf("%-36s min %8.2f ms   median %8.2f ms\n", what, ms.front(), ms[ms.size() / 2]);
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 7;
  bool frames = false, edits_only = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--frames")) frames = true;
    else if (!std::strcmp(argv[i], "--edits")) edits_only = true;
    else {
      std::printf("usage: cowlab-live-edit-bench [--runs N] [--frames] [--edits]\n"
                  "Times the playground's live edit of the nginx script natively (CPU ms).\n");
      return std::strcmp(argv[i], "--help") && std::strcmp(argv[i], "-h") ? 2 : 0;
    }
  }
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.DisplaySize = ImVec2(1280, 800);
  io.DeltaTime = 1.0f / 60;
  cow::web::App app({}, {});
  unsigned char* pixels = nullptr;
  int w = 0, h = 0;
  io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
  Bench bench{.app = app, .frames = frames, .runs = runs};

  const std::string text = nginx_script();
  const std::string head = text.substr(0, text.rfind("expect"));
  const std::vector<double> full = bench.time_load(text, "# moved\n" + text, edits_only ? 0 : runs);
  const std::vector<double> expect = bench.time_load(text, head + "expect cow_copies=65501\n", runs);
  const std::string appended = text + "w1 write heap 0-9\n";
  const std::vector<double> append = bench.time_load(text, appended, runs);
  const std::vector<double> write = bench.time_load(appended, text + "w1 write heap 0-19\n", runs);
  std::printf("live edit of the nginx script (100 workers x 256 MiB), %d runs%s, CPU time:\n", runs,
              frames ? ", one frame drawn after each load" : "");
  print("retype the last line (an expect)", expect);
  print("add a write line at the end", append);
  print("retype that write line", write);
  if (edits_only) return 0;
  print("full re-run", full);
  double worst = std::max({expect[runs / 2], append[runs / 2], write[runs / 2]});
  std::printf("worst edit / full re-run (medians): %.3f\n", worst / full[runs / 2]);
  ImGui::DestroyContext();
  return 0;
}
