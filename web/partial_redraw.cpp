// Browser only (web/partial_redraw.h).
#include "web/partial_redraw.h"

#include <GLES3/gl3.h>

#include <algorithm>
#include <cmath>

namespace cow::web::partial {

namespace {

uint64_t fnv(uint64_t h, const void* data, size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < size; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

// The list's content, and whether it has a user callback (always "changed").
uint64_t hash_list(const ImDrawList* l, bool& callback) {
  uint64_t h = 14695981039346656037ull;
  h = fnv(h, l->VtxBuffer.Data, size_t(l->VtxBuffer.Size) * sizeof(ImDrawVert));
  h = fnv(h, l->IdxBuffer.Data, size_t(l->IdxBuffer.Size) * sizeof(ImDrawIdx));
  for (const ImDrawCmd& c : l->CmdBuffer) {
    if (c.UserCallback && c.UserCallback != ImDrawCallback_ResetRenderState) callback = true;
    h = fnv(h, &c.ClipRect, sizeof c.ClipRect);
    h = fnv(h, &c.TextureId, sizeof c.TextureId);
    h = fnv(h, &c.ElemCount, sizeof c.ElemCount);
  }
  return h;
}

// Where the list draws: its vertices' bounding box cut to its commands' clip rectangles.
ImVec4 box_of(const ImDrawList* l) {
  ImVec4 v(1e30f, 1e30f, -1e30f, -1e30f), clip(1e30f, 1e30f, -1e30f, -1e30f);
  for (const ImDrawVert& p : l->VtxBuffer) {
    v.x = std::min(v.x, p.pos.x), v.y = std::min(v.y, p.pos.y);
    v.z = std::max(v.z, p.pos.x), v.w = std::max(v.w, p.pos.y);
  }
  for (const ImDrawCmd& c : l->CmdBuffer) {
    clip.x = std::min(clip.x, c.ClipRect.x), clip.y = std::min(clip.y, c.ClipRect.y);
    clip.z = std::max(clip.z, c.ClipRect.z), clip.w = std::max(clip.w, c.ClipRect.w);
  }
  return ImVec4(std::max(v.x, clip.x) - 1, std::max(v.y, clip.y) - 1, std::min(v.z, clip.z) + 1,
                std::min(v.w, clip.w) + 1);
}

void add(ImVec4& r, bool& any, const ImVec4& b) {
  if (b.z <= b.x || b.w <= b.y) return;
  r = any ? ImVec4(std::min(r.x, b.x), std::min(r.y, b.y), std::max(r.z, b.z), std::max(r.w, b.w)) : b;
  any = true;
}

}  // namespace

Damage Tracker::damage(const ImDrawData* dd, uint64_t state) {
  bool all = !started_ || state != state_;
  started_ = true;
  state_ = state;
  for (auto& [list, s] : last_) s.seen = false;
  ImVec4 r;
  bool any = false;
  for (int n = 0; n < dd->CmdListsCount; ++n) {
    const ImDrawList* l = dd->CmdLists[n];
    bool callback = false;
    uint64_t h = fnv(hash_list(l, callback), &n, sizeof n);  // a list drawn in another order changed too
    ImVec4 box = box_of(l);
    auto [it, fresh] = last_.try_emplace(l);
    ListState& s = it->second;
    if (fresh || callback || s.hash != h) {
      if (!fresh) add(r, any, s.box);
      add(r, any, box);
    }
    s = {h, box, true};
  }
  for (auto it = last_.begin(); it != last_.end();) {  // lists not drawn any more
    if (!it->second.seen) {
      add(r, any, it->second.box);
      it = last_.erase(it);
    } else {
      ++it;
    }
  }
  if (all) return {};
  if (!any) return {Damage::Nothing, {}};
  return {Damage::Part, r};
}

void clip_to(ImDrawData* dd, const ImVec4& r, int fb_width, int fb_height) {
  for (int n = 0; n < dd->CmdListsCount; ++n)
    for (ImDrawCmd& c : dd->CmdLists[n]->CmdBuffer)
      c.ClipRect = ImVec4(std::max(c.ClipRect.x, r.x), std::max(c.ClipRect.y, r.y), std::min(c.ClipRect.z, r.z),
                          std::min(c.ClipRect.w, r.w));
  const ImVec2 k = dd->FramebufferScale, o = dd->DisplayPos;
  int x0 = std::max(0, int(std::floor((r.x - o.x) * k.x))), x1 = std::min(fb_width, int(std::ceil((r.z - o.x) * k.x)));
  int y0 = std::max(0, int(std::floor((r.y - o.y) * k.y))), y1 = std::min(fb_height, int(std::ceil((r.w - o.y) * k.y)));
  glEnable(GL_SCISSOR_TEST);
  glScissor(x0, fb_height - y1, std::max(0, x1 - x0), std::max(0, y1 - y0));
}

}  // namespace cow::web::partial
