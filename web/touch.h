// Touch screens: SDL's finger events turned into the mouse input Dear ImGui understands.
// imgui 1.86's SDL backend only knows the mouse, and SDL's own touch-to-mouse emulation
// makes every drag a mouse drag (selecting text, pressing buttons). Instead:
//   a tap         -> a left click where the finger was;
//   a drag        -> the mouse wheel over the window under the finger (it scrolls);
//   a pinch       -> Ctrl + wheel at the pinch's centre, one notch per doubling or halving
//                    of the fingers' distance: the page map's (and physical memory's) zoom.
// A mouse still works as before: the first mouse motion hands the pointer back to SDL.
#pragma once
#include <SDL.h>

namespace cow::web::touch {

// Before SDL_Init: no emulated mouse events from touches.
void init();
// Every SDL event (after ImGui_ImplSDL2_ProcessEvent).
void process(const SDL_Event& event);
// Once per frame, between the backends' NewFrame and ImGui::NewFrame.
void feed();

}  // namespace cow::web::touch
