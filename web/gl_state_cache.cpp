// cowlab-web only (web/CMakeLists.txt): remembers the WebGL state Dear ImGui's OpenGL 3 backend reads back every
// frame, so those reads never wait for the GPU process.
//
// ImGui_ImplOpenGL3_RenderDrawData saves and restores the GL state around its drawing. In
// Chromium most of its glGetIntegerv calls are answered inside the page, but the viewport,
// the scissor box and the six blend parameters are not: each is a synchronous round trip
// to the GPU process (with software WebGL, ~0.5-1 ms on a busy machine: 8 per frame).
// These definitions of the setters and of glGetIntegerv take the place of Emscripten's
// JavaScript ones (a symbol defined in the module is not imported): setters record the
// value and forward to the real function; glGetIntegerv answers what was recorded and
// forwards everything else, recording the answer for the next time.
//
// Only calls through these names are seen. Nothing in cowlab-web reaches these setters
// another way (ImGui's backend and main.cpp call them directly; SDL does not call them),
// and a WebGL context's state only changes through its own calls.
#include <GLES3/gl3.h>

#include <cstring>

// Emscripten's JavaScript implementations, under the names SDL_GL_GetProcAddress uses.
extern "C" {
void emscripten_glGetIntegerv(GLenum pname, GLint* data);
void emscripten_glViewport(GLint x, GLint y, GLsizei width, GLsizei height);
void emscripten_glScissor(GLint x, GLint y, GLsizei width, GLsizei height);
void emscripten_glBlendFuncSeparate(GLenum src_rgb, GLenum dst_rgb, GLenum src_alpha, GLenum dst_alpha);
void emscripten_glBlendEquationSeparate(GLenum mode_rgb, GLenum mode_alpha);
}

namespace {

// One cached query: `known` once set or read back.
struct Cached {
  GLenum pname;
  int count;
  bool known = false;
  GLint value[4] = {};
};

Cached g_cache[] = {
    {GL_VIEWPORT, 4},          {GL_SCISSOR_BOX, 4},        {GL_BLEND_SRC_RGB, 1},
    {GL_BLEND_DST_RGB, 1},     {GL_BLEND_SRC_ALPHA, 1},    {GL_BLEND_DST_ALPHA, 1},
    {GL_BLEND_EQUATION_RGB, 1}, {GL_BLEND_EQUATION_ALPHA, 1},
};

Cached* find(GLenum pname) {
  for (Cached& c : g_cache)
    if (c.pname == pname) return &c;
  return nullptr;
}

void record(GLenum pname, GLint a, GLint b = 0, GLint c = 0, GLint d = 0) {
  Cached* e = find(pname);
  e->value[0] = a;
  e->value[1] = b;
  e->value[2] = c;
  e->value[3] = d;
  e->known = true;
}

}  // namespace

extern "C" {

void glGetIntegerv(GLenum pname, GLint* data) {
  Cached* c = find(pname);
  if (c == nullptr) return emscripten_glGetIntegerv(pname, data);
  if (!c->known) {
    emscripten_glGetIntegerv(pname, c->value);
    c->known = true;
  }
  std::memcpy(data, c->value, sizeof(GLint) * size_t(c->count));
}

void glViewport(GLint x, GLint y, GLsizei width, GLsizei height) {
  emscripten_glViewport(x, y, width, height);
  record(GL_VIEWPORT, x, y, width, height);
}

void glScissor(GLint x, GLint y, GLsizei width, GLsizei height) {
  emscripten_glScissor(x, y, width, height);
  record(GL_SCISSOR_BOX, x, y, width, height);
}

void glBlendFunc(GLenum sfactor, GLenum dfactor) { glBlendFuncSeparate(sfactor, dfactor, sfactor, dfactor); }

void glBlendFuncSeparate(GLenum src_rgb, GLenum dst_rgb, GLenum src_alpha, GLenum dst_alpha) {
  emscripten_glBlendFuncSeparate(src_rgb, dst_rgb, src_alpha, dst_alpha);
  record(GL_BLEND_SRC_RGB, GLint(src_rgb));
  record(GL_BLEND_DST_RGB, GLint(dst_rgb));
  record(GL_BLEND_SRC_ALPHA, GLint(src_alpha));
  record(GL_BLEND_DST_ALPHA, GLint(dst_alpha));
}

void glBlendEquation(GLenum mode) { glBlendEquationSeparate(mode, mode); }

void glBlendEquationSeparate(GLenum mode_rgb, GLenum mode_alpha) {
  emscripten_glBlendEquationSeparate(mode_rgb, mode_alpha);
  record(GL_BLEND_EQUATION_RGB, GLint(mode_rgb));
  record(GL_BLEND_EQUATION_ALPHA, GLint(mode_alpha));
}

}  // extern "C"
