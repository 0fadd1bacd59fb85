// Phones and tablets: the on-screen keyboard for the playground's text fields.
// A canvas raises no keyboard, so when a finger taps the script editor (or any ImGui text
// field becomes active after a touch) this focuses the hidden <textarea id="cowlab-keyboard">
// (tabindex -1: never a Tab stop). The textarea mirrors the active field, its text and its
// selection, read from cowlab.wasm after every frame; whatever the visitor does there
// (typing, autocorrect, Backspace, Enter, moving the caret or selecting) is sent back as
// "replace [start, end) with text" or "select [start, end)" (web/text_bridge.h). Taps,
// drags and pinches on the canvas itself are handled in C++ (web/touch.h).
// Only text the visitor typed goes to the module; nothing here becomes HTML.
'use strict';
(function () {
  const area = document.getElementById('cowlab-keyboard');
  const canvas = document.getElementById('canvas');
  if (!area || !canvas || !window.cowlab) return;
  const encoder = new TextEncoder();
  const TAP_SLOP = 10;              // CSS px a finger may move and still tap (web/touch.cpp)
  const FOCUS_AFTER_TOUCH_MS = 1500;
  // Keys the textarea handles itself: they must not also reach SDL, or ImGui would get
  // them twice. Everything else (F10, Escape, Ctrl+...) goes on to the playground.
  const TEXTAREA_KEYS = new Set(['Backspace', 'Delete', 'Enter', 'ArrowLeft', 'ArrowRight', 'ArrowUp',
    'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown', 'Unidentified', 'Process']);

  let Module = null;
  let running = false;
  let composing = false;
  let lastValue = '';               // the textarea's value the module has (or will have)
  let lastSel = [0, 0];             // its selection the module has
  let touchedAt = -Infinity;
  let touchStart = null;

  const field = () => JSON.parse(Module.UTF8ToString(Module._cowlab_text_field()));

  function sendEdit(start, end, text) {
    const bytes = encoder.encode(text);
    const ptr = Module._malloc(Math.max(1, bytes.length));
    Module.writeArrayToMemory(bytes, ptr);
    try { Module._cowlab_text_edit(start, end, ptr, bytes.length); } finally { Module._free(ptr); }
  }

  // The change from `old` to `now` as one replacement, ending at the caret when it can.
  function difference(old, now, caret) {
    const max = Math.min(old.length, now.length);
    let p = 0;
    while (p < max && old.charCodeAt(p) === now.charCodeAt(p)) p++;
    let s = 0;
    while (s < max - p && now.length - s > caret &&
           old.charCodeAt(old.length - 1 - s) === now.charCodeAt(now.length - 1 - s)) s++;
    return {start: p, end: old.length - s, text: now.slice(p, now.length - s)};
  }

  function focusArea() {
    if (document.activeElement !== area) area.focus({preventScroll: true});
  }

  area.addEventListener('input', () => {
    if (!Module) return;
    const d = difference(lastValue, area.value, area.selectionEnd);
    if (d.start !== d.end || d.text !== '') sendEdit(d.start, d.end, d.text);
    lastValue = area.value;
    lastSel = [area.selectionStart, area.selectionEnd];
  });
  area.addEventListener('compositionstart', () => { composing = true; });
  area.addEventListener('compositionend', () => { composing = false; });
  area.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { area.blur(); return; }      // and ImGui leaves the field
    if (e.ctrlKey || e.metaKey || e.altKey) return;         // shortcuts: the playground's
    if (e.key.length === 1 || TEXTAREA_KEYS.has(e.key)) e.stopPropagation();
  });
  area.addEventListener('keypress', (e) => e.stopPropagation());  // SDL's text input

  // After every frame: the textarea follows the field, or the field follows the caret the
  // visitor moved in the textarea.
  function follow(f) {
    if (area.value !== f.text) {
      area.value = lastValue = f.text;
      area.setSelectionRange(f.start, f.end);
      lastSel = [f.start, f.end];
      return;
    }
    const sel = [area.selectionStart, area.selectionEnd];
    if (sel[0] !== lastSel[0] || sel[1] !== lastSel[1]) {
      Module._cowlab_text_select(sel[0], sel[1]);
      lastSel = sel;
    } else if (f.start !== sel[0] || f.end !== sel[1]) {
      area.setSelectionRange(f.start, f.end);
      lastSel = [f.start, f.end];
    }
  }

  function tick() {
    requestAnimationFrame(tick);
    const f = field();
    const focused = document.activeElement === area;
    if (!f.active || f.readonly) {
      if (focused) area.blur();                             // the keyboard goes away
      return;
    }
    if (!focused) {
      if (performance.now() - touchedAt > FOCUS_AFTER_TOUCH_MS) return;  // a mouse or keys
      focusArea();
    }
    if (f.pending === 0 && !composing) follow(f);
  }

  function start() {
    if (running || !window.cowlab.ready) return;
    Module = window.Module;
    running = true;
    requestAnimationFrame(tick);
  }

  // The focus must move inside the touch's own event for a phone to show its keyboard:
  // a tap on the editor (where the last frame drew it) focuses the textarea at once.
  canvas.addEventListener('touchstart', (e) => {
    const t = e.changedTouches[0];
    touchStart = t ? {x: t.clientX, y: t.clientY} : null;
    start();
  }, {passive: true});
  canvas.addEventListener('touchend', (e) => {
    touchedAt = performance.now();
    const t = e.changedTouches[0];
    if (!running || !t || !touchStart || e.touches.length > 0) return;
    if (Math.hypot(t.clientX - touchStart.x, t.clientY - touchStart.y) > TAP_SLOP) return;
    const r = window.cowlab.widget('editor');
    if (r && t.clientX >= r.x && t.clientX < r.x + r.w && t.clientY >= r.y && t.clientY < r.y + r.h) focusArea();
  }, {passive: true});
})();
