// The OpenGL side of web/panels/cell_image.h: cell textures and their shader, for
// OpenGL 3 (cowlab-gui) and WebGL2 (cowlab.wasm). Make it once the GL context is current.
#pragma once

#include <memory>

#include "web/panels/cell_image.h"

namespace cow::web {

// `glsl_version`: the first line of the shaders, as given to ImGui's OpenGL 3 backend
// ("#version 130" natively, "#version 300 es" in the browser).
std::unique_ptr<CellRenderer> make_gl_cell_renderer(const char* glsl_version);

}  // namespace cow::web
