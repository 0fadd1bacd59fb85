// Cell textures for the page map and physical memory (web/panels/cell_image.h), drawn by
// a shader of their own between ImGui's draw commands: a draw-list callback switches to
// the cell program, the quad (ImDrawList::AddImage with the cell texture) is drawn by
// ImGui's OpenGL 3 backend, and ImDrawCallback_ResetRenderState gives ImGui its state back.
//
// The quad's UV is the position inside the grid in ImGui units, so the fragment shader
// finds its cell (floor(uv / pitch)), fetches that cell's texel and draws, per pixel: the
// gap between cells (discarded: the panel's background shows), the fill level from the
// bottom, the dirty corner, the COW stroke and the hover outline: the same shapes as the
// per-cell rectangles of draw_fill_cell and draw_marker (web/panels/style.cpp).
#include "web/cell_renderer_gl.h"

#ifdef __EMSCRIPTEN__
#include <GLES3/gl3.h>
#else
#define GL_GLEXT_PROTOTYPES 1
#include <SDL_opengl.h>
#include <SDL_opengl_glext.h>
#endif

#include <algorithm>
#include <cstdio>
#include <deque>
#include <string>
#include <unordered_map>

namespace cow::web {

namespace {

constexpr int kTexWidth = 1024;       // cells per texture row (independent of the grid's columns)
constexpr long kKeepFrames = 300;     // a texture not drawn for this many frames is dropped

const char* kVertex = R"(
uniform mat4 ProjMtx;
in vec2 Position;
in vec2 UV;
in vec4 Color;
out vec2 Frag_UV;
void main() {
  Frag_UV = UV;
  gl_Position = ProjMtx * vec4(Position.xy, 0, 1);
}
)";

// Float arithmetic only: SwiftShader (software WebGL) runs integer division per lane.
const char* kFragment = R"(
uniform sampler2D Texture;
uniform float Cols, Count, Hover, Cell, Pitch;
uniform vec4 Background, Dirty, CowWp, Highlight;
in vec2 Frag_UV;
out vec4 Out_Color;
void main() {
  vec2 rc = floor(Frag_UV / Pitch);
  vec2 f = Frag_UV - rc * Pitch;
  float i = rc.y * Cols + rc.x;
  if (rc.x < 0.0 || rc.x >= Cols || rc.y < 0.0 || i >= Count || f.x >= Cell || f.y >= Cell) discard;
  float ty = floor(i / 1024.0);
  vec4 t = texelFetch(Texture, ivec2(int(i - ty * 1024.0), int(ty)), 0);
  float a = floor(t.a * 255.0 + 0.5);
  float fill = floor(a / 4.0), flags = a - fill * 4.0;
  vec3 c = t.rgb;
  if (fill < 62.0 && f.y < Cell - max(2.0, Cell * fill * 4.0 / 255.0)) c = Background.rgb;
  float d = f.x + f.y - Cell;
  if (flags >= 2.0 && d > -0.1 && d < 1.1 && f.x > 1.0 && f.x < Cell - 1.0) c = mix(c, CowWp.rgb, CowWp.a);
  if (mod(flags, 2.0) == 1.0 && f.x - f.y >= Cell - max(3.0, Cell * 0.34)) c = mix(c, Dirty.rgb, Dirty.a);
  if (i == Hover && (f.x < 1.0 || f.y < 1.0 || f.x >= Cell - 1.0 || f.y >= Cell - 1.0)) c = Highlight.rgb;
  Out_Color = vec4(c, 1.0);
}
)";

struct Texture {
  GLuint id = 0;
  uint64_t version = 0;
  long drawn = 0;  // frame it was last drawn in
};

class GlCellRenderer;

// What one callback needs: the renderer and the draw (kept until the next frame begins).
struct Pending {
  GlCellRenderer* self;
  CellGridDraw draw;
};

class GlCellRenderer final : public CellRenderer {
 public:
  explicit GlCellRenderer(const char* glsl_version) : header_(glsl_version) {
    header_ += "\n";
    if (header_.find(" es") != std::string::npos) header_ += "precision highp float;\nprecision highp int;\n";
  }
  ~GlCellRenderer() override {
    for (auto& [key, t] : textures_) glDeleteTextures(1, &t.id);
    if (program_) glDeleteProgram(program_);
  }

  bool has(uint64_t key, uint64_t version) const override {
    auto it = textures_.find(key);
    return it != textures_.end() && it->second.version == version;
  }

  bool upload(uint64_t key, uint64_t version, std::span<const uint32_t> texels) override {
    int rows = int((texels.size() + kTexWidth - 1) / kTexWidth);
    if (failed_ || rows > max_rows()) return false;
    padded_.assign(size_t(std::max(1, rows)) * kTexWidth, 0);
    std::copy(texels.begin(), texels.end(), padded_.begin());
    Texture& t = textures_[key];
    if (t.id == 0) {
      glGenTextures(1, &t.id);
      glBindTexture(GL_TEXTURE_2D, t.id);
      glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
      glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
      glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
      glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    } else {
      glBindTexture(GL_TEXTURE_2D, t.id);
    }
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, kTexWidth, std::max(1, rows), 0, GL_RGBA, GL_UNSIGNED_BYTE,
                 padded_.data());
    t.version = version;
    t.drawn = frame_;
    ++uploads_;
    return true;
  }

  void draw(ImDrawList* dl, uint64_t key, const CellGridDraw& d) override {
    auto it = textures_.find(key);
    if (it == textures_.end() || d.last_row <= d.first_row) return;
    it->second.drawn = frame_;
    pending_.push_back({this, d});
    float y0 = float(d.first_row) * d.pitch, y1 = float(d.last_row) * d.pitch;
    float x1 = float(d.cols) * d.pitch;
    dl->AddCallback(&GlCellRenderer::setup, &pending_.back());
    dl->AddImage(ImTextureID(intptr_t(it->second.id)), ImVec2(d.origin.x, d.origin.y + y0),
                 ImVec2(d.origin.x + x1, d.origin.y + y1), ImVec2(0, y0), ImVec2(x1, y1));
    dl->AddCallback(ImDrawCallback_ResetRenderState, nullptr);
  }

  uint64_t uploads() const override { return uploads_; }

  void begin_frame() override {
    ++frame_;
    pending_.clear();
    for (auto it = textures_.begin(); it != textures_.end();) {
      if (frame_ - it->second.drawn > kKeepFrames) {
        glDeleteTextures(1, &it->second.id);
        it = textures_.erase(it);
      } else {
        ++it;
      }
    }
  }

 private:
  // The draw-list callback: the cell program and its uniforms, no blending (the shader
  // writes opaque pixels and discards the gaps).
  static void setup(const ImDrawList*, const ImDrawCmd* cmd) {
    const Pending& p = *static_cast<const Pending*>(cmd->UserCallbackData);
    p.self->use(p.draw);
  }

  void use(const CellGridDraw& d) {
    if (!ready()) return;
    const ImDrawData* dd = ImGui::GetDrawData();
    float l = dd->DisplayPos.x, r = l + dd->DisplaySize.x, t = dd->DisplayPos.y, b = t + dd->DisplaySize.y;
    const float ortho[16] = {2 / (r - l), 0, 0, 0, 0, 2 / (t - b), 0, 0, 0, 0, -1, 0,
                             (r + l) / (l - r), (t + b) / (b - t), 0, 1};
    glUseProgram(program_);
    glUniformMatrix4fv(loc_.proj, 1, GL_FALSE, ortho);
    glUniform1i(loc_.texture, 0);
    glUniform1f(loc_.cols, float(d.cols));
    glUniform1f(loc_.count, float(d.count));
    glUniform1f(loc_.hover, float(d.hover));
    glUniform1f(loc_.cell, d.cell);
    glUniform1f(loc_.pitch, d.pitch);
    color(loc_.background, d.background);
    color(loc_.dirty, d.dirty);
    color(loc_.cow_wp, d.cow_wp);
    color(loc_.highlight, d.highlight);
    glDisable(GL_BLEND);
  }

  static void color(GLint loc, ImU32 c) {
    ImVec4 v = ImGui::ColorConvertU32ToFloat4(c);
    glUniform4f(loc, v.x, v.y, v.z, v.w);
  }

  int max_rows() {
    if (max_size_ == 0) glGetIntegerv(GL_MAX_TEXTURE_SIZE, &max_size_);
    return std::max(1, int(max_size_));
  }

  GLuint compile(GLenum type, const char* body) {
    GLuint s = glCreateShader(type);
    std::string text = header_ + body;
    const char* src = text.c_str();
    glShaderSource(s, 1, &src, nullptr);
    glCompileShader(s);
    GLint ok = 0;
    glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
    if (!ok) {
      char log[1024] = "";
      glGetShaderInfoLog(s, sizeof log, nullptr, log);
      std::fprintf(stderr, "cowlab-gui: the cell shader does not compile: %s\n", log);
    }
    return s;
  }

  // Compiles the program on first use, with ImGui's attribute locations (its backend
  // binds the vertex arrays for its own program, which is current now).
  bool ready() {
    if (program_ || failed_) return program_ != 0;
    GLint imgui = 0;
    glGetIntegerv(GL_CURRENT_PROGRAM, &imgui);
    GLuint p = glCreateProgram(), vs = compile(GL_VERTEX_SHADER, kVertex), fs = compile(GL_FRAGMENT_SHADER, kFragment);
    glAttachShader(p, vs);
    glAttachShader(p, fs);
    for (const char* name : {"Position", "UV", "Color"}) {
      GLint at = glGetAttribLocation(GLuint(imgui), name);
      if (at >= 0) glBindAttribLocation(p, GLuint(at), name);
    }
    glLinkProgram(p);
    glDeleteShader(vs);
    glDeleteShader(fs);
    GLint ok = 0;
    glGetProgramiv(p, GL_LINK_STATUS, &ok);
    if (!ok) {
      std::fprintf(stderr, "cowlab-gui: the cell shader does not link\n");
      glDeleteProgram(p);
      failed_ = true;
      return false;
    }
    program_ = p;
    loc_ = {glGetUniformLocation(p, "ProjMtx"), glGetUniformLocation(p, "Texture"), glGetUniformLocation(p, "Cols"),
            glGetUniformLocation(p, "Count"),   glGetUniformLocation(p, "Hover"),   glGetUniformLocation(p, "Cell"),
            glGetUniformLocation(p, "Pitch"),   glGetUniformLocation(p, "Background"),
            glGetUniformLocation(p, "Dirty"),   glGetUniformLocation(p, "CowWp"),   glGetUniformLocation(p, "Highlight")};
    return true;
  }

  struct Locations {
    GLint proj, texture, cols, count, hover, cell, pitch, background, dirty, cow_wp, highlight;
  };

  std::string header_;
  GLuint program_ = 0;
  bool failed_ = false;
  Locations loc_{};
  GLint max_size_ = 0;
  long frame_ = 0;
  uint64_t uploads_ = 0;
  std::unordered_map<uint64_t, Texture> textures_;
  std::deque<Pending> pending_;
  std::vector<uint32_t> padded_;
};

}  // namespace

std::unique_ptr<CellRenderer> make_gl_cell_renderer(const char* glsl_version) {
  return std::make_unique<GlCellRenderer>(glsl_version);
}

}  // namespace cow::web
