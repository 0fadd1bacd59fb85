// The page around cowlab.wasm (index.html): checks the browser, reads the URL fragment,
// starts the WebAssembly module, and offers the playground to other code:
//   window.cowlab = {load(script), step(n), state(), facts(), inspect(process, region, page),
//                    figure(view), ready} (and a few test helpers)
// The visitor's own script is saved in localStorage and the address bar follows the
// editor (the "Nothing lost" section below).
// Screen readers follow the canvas through three aria-live mirrors: #cowlab-state (the
// headline numbers), #cowlab-caption (the current statement's comment) and
// #cowlab-inspect (what the inspector shows).
//   postMessage, when framed (docs/embedding.md):
//     -> {type:'cowlab:ready', version:1} once, unprompted
//     <- {type:'cowlab:load', script} / {type:'cowlab:step', n} / {type:'cowlab:get'}, each
//        with an optional id  -> answered by {type:'cowlab:state', state, id} or cowlab:error
//     -> {type:'cowlab:resize', height} in embed mode, when the preferred height changes
//     -> {type:'cowlab:quiz', seed, answered, correct} when a quiz question is checked
// Nothing from the URL or from a message is ever inserted as HTML: only textContent.
//
// URL fragment (as Python Tutor and Compiler Explorer do it):
//   #script=<base64url of the UTF-8 script>  or  #z=<lz-string compressToEncodedURIComponent>
//   &step=N  &show=N  &embed=1  &readonly=1  &theme=light|dark  &autoplay=1  &quiz=N  &predict=1
//   &scale=S (UI scale, 1 to 2.5)  &present=1 (presentation mode)
//   &origins=https://a.example,https://b.example   parent origins whose messages are
//                                                  accepted (default: any parent)
'use strict';
(function () {
  const MAX_SCRIPT_BYTES = 1 << 20;       // the parser's limit (engine/script/ast.h Limits)
  const MAX_Z_CHARS = 16 << 10;           // lz-string output can grow quadratically
  const MAX_STEP = 0x7fffffff;
  const MAX_ID_CHARS = 256;

  const $ = (id) => document.getElementById(id);
  const encoder = new TextEncoder();

  // --- Notices and errors (text only) ---------------------------------------------------
  // A notice goes after 4 s, or a sticky one at the visitor's first click or key.
  let noticeTimer = 0;
  function notice(text, sticky = false) {
    const el = $('cowlab-notice');
    el.textContent = text;
    el.hidden = false;
    clearTimeout(noticeTimer);
    const hide = () => { el.hidden = true; };
    if (!sticky) noticeTimer = setTimeout(hide, 4000);
    else for (const type of ['pointerdown', 'keydown'])
      window.addEventListener(type, hide, {once: true, capture: true});
  }
  function fatal(text) {
    $('cowlab-loading').hidden = true;
    $('cowlab-error-text').textContent = text;
    $('cowlab-error').hidden = false;
  }

  // --- The URL fragment -----------------------------------------------------------------
  function decodeBase64Url(raw) {
    let s = raw;
    try { s = decodeURIComponent(raw); } catch (e) { return null; }
    s = s.replace(/\s+/g, '').replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
    if (!/^[A-Za-z0-9+/]*$/.test(s) || s.length % 4 === 1) return null;
    if (s.length / 4 * 3 > MAX_SCRIPT_BYTES + 3) return 'too-big';
    const bin = atob(s + '==='.slice((s.length + 3) % 4));
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes;
  }

  function decodeLz(raw) {
    if (raw.length > MAX_Z_CHARS || typeof LZString !== 'object') return null;
    const text = LZString.decompressFromEncodedURIComponent(raw);
    return typeof text === 'string' && (text !== '' || raw === '') ? encoder.encode(text) : null;
  }

  function parseCount(raw, fallback) {
    return /^[0-9]{1,10}$/.test(raw) ? Math.min(Number(raw), MAX_STEP) : fallback;
  }

  // Returns {script: Uint8Array|null, problem: string|null, step, show, embed, readonly,
  // theme, autoplay, quiz: string|null, predict, scale, present, origins: Set|null}. Unknown
  // keys are ignored. The quiz seed stays text: main.cpp reads it as `cowlab quiz --seed` does
  // (0 to 2^64 - 1, more than a JavaScript number holds) and says so when it cannot.
  function parseFragment(hash) {
    const f = {script: null, problem: null, step: -1, show: -1, embed: false, readonly: false,
               theme: null, autoplay: false, quiz: null, predict: false, scale: 1, present: false, origins: null};
    for (const part of hash.replace(/^#/, '').split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      const key = eq < 0 ? part : part.slice(0, eq);
      const raw = eq < 0 ? '' : part.slice(eq + 1);
      if (key === 'script' || key === 'z') {
        const bytes = key === 'z' ? decodeLz(raw) : decodeBase64Url(raw);
        if (bytes === null) f.problem = 'The script in this link could not be read.';
        else if (bytes === 'too-big' || bytes.length > MAX_SCRIPT_BYTES)
          f.problem = 'The script in this link is larger than 1 MiB.';
        else f.script = bytes;
      } else if (key === 'step') f.step = parseCount(raw, -1);
      else if (key === 'show') f.show = parseCount(raw, -1);
      else if (key === 'predict') f.predict = raw === '1';
      else if (key === 'embed') f.embed = raw === '1';
      else if (key === 'readonly') f.readonly = raw === '1';
      else if (key === 'autoplay') f.autoplay = raw === '1';
      else if (key === 'quiz') f.quiz = raw.slice(0, 64);
      else if (key === 'scale' && /^[0-9](\.[0-9]{1,2})?$/.test(raw)) f.scale = Math.min(2.5, Math.max(1, Number(raw)));
      else if (key === 'present') f.present = raw === '1';
      else if (key === 'theme' && (raw === 'light' || raw === 'dark')) f.theme = raw;
      else if (key === 'origins') f.origins = parseOrigins(raw);
    }
    return f;
  }

  function parseOrigins(raw) {
    const set = new Set();
    for (const item of raw.split(',')) {
      try {
        const origin = new URL(decodeURIComponent(item)).origin;
        if (origin !== 'null') set.add(origin);
      } catch (e) { /* not a URL: ignored */ }
    }
    return set;
  }

  // --- Browser support --------------------------------------------------------------------
  // Cheap checks before anything runs. A WebGL2 that exists but cannot make a context (a
  // blocked GPU, WebGL turned off) is reported by main.cpp through the `fatal` hook.
  const NO_WEBGL2 = 'This browser cannot create a WebGL2 context (WebGL2 is missing or turned off).';
  function missingFeature() {
    if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function')
      return 'This browser does not support WebAssembly.';
    if (typeof WebGL2RenderingContext !== 'function') return NO_WEBGL2;
    return null;
  }

  // --- The module -------------------------------------------------------------------------
  const fragment = parseFragment(location.hash);
  const theme = fragment.theme ||
      (window.matchMedia && matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark');
  document.documentElement.dataset.theme = theme;

  const assetName = (id, fallback) => ($(id) && $(id).getAttribute('href')) || fallback;
  const jsFile = assetName('cowlab-js', 'cowlab.js');
  const wasmFile = assetName('cowlab-wasm', 'cowlab.wasm');

  let Module = null;                 // the Emscripten module, once started
  let ready = false;
  let firstFrameMs = null;           // time from navigation to the first drawn frame
  let resolveReady;
  const readyPromise = new Promise((resolve) => { resolveReady = resolve; });
  let pendingOps = 0;                // load/step calls not yet settled
  let parentOrigin = null;           // the embedding page that last sent a valid message
  let lastShared = null;             // the last link or code Share copied (for tests)
  let lastFigure = null;             // the last SVG Export figure downloaded (for tests)
  const framed = window.parent !== window;

  const str = (ptr) => Module.UTF8ToString(ptr);
  function withBytes(bytes, fn) {
    const ptr = Module._malloc(Math.max(1, bytes.length));
    Module.writeArrayToMemory(bytes, ptr);
    try { return fn(ptr, bytes.length); } finally { Module._free(ptr); }
  }
  function withCString(text, fn) {
    return withBytes(encoder.encode(text + '\0'), (ptr) => fn(ptr));
  }

  // #cowlab-state: the headline, the statement just run and what it moved (announced
  // when it changes); web/cowlab-mirror.js rebuilds its tables on `cowlab-step`.
  function mirrorHeadline() {
    if (!Module) return;
    const announcement = str(Module._cowlab_announce());
    if ($('cowlab-state').textContent !== announcement) $('cowlab-state').textContent = announcement;
    document.dispatchEvent(new Event('cowlab-step'));
    const caption = str(Module._cowlab_caption());
    const el = $('cowlab-caption');
    if (el.textContent !== caption) el.textContent = caption;  // announced only when it changes
  }

  // Resolves once at least one frame has run since the call and the App is idle.
  function settle() {
    const start = Module._cowlab_frames();
    return new Promise((resolve) => {
      const poll = () => {
        if (Module._cowlab_frames() > start && !Module._cowlab_busy()) {
          mirrorHeadline();
          resolve(str(Module._cowlab_state()));
        } else {
          requestAnimationFrame(poll);
        }
      };
      requestAnimationFrame(poll);
    });
  }

  // Resolves with state() once the App is idle: at once when the command was computed
  // when it was given (App::load and App::step_to run what fits in a frame at once), else
  // when the frames' slices finish it. No frame needs to be drawn first.
  function computed() {
    if (!Module._cowlab_busy()) {
      mirrorHeadline();
      return Promise.resolve(str(Module._cowlab_state()));
    }
    return settle();
  }

  // Commands run one after another, each once the page is ready.
  let queue = readyPromise;
  function enqueue(work) {
    pendingOps++;
    const run = queue.then(work);
    queue = run.catch(() => {}).then(() => { pendingOps--; });
    return run;
  }

  // Loads a script at statement `step`, or at its `show`-th `show` statement when show >= 1.
  function loadBytes(bytes, step, show = -1) {
    if (show >= 1) withBytes(bytes, (ptr, n) => Module._cowlab_load_show(ptr, n, show));
    else withBytes(bytes, (ptr, n) => Module._cowlab_load(ptr, n, step));
  }
  // How a load treats the editor's text (cow::web::LoadAs in web/app.h).
  const LOAD_ASK = 1, LOAD_RESTORE = 2;
  function loadBytesAs(bytes, step, as, show = -1) {
    if (show >= 1) loadBytes(bytes, step, show);  // a bookmark link: never asks
    else withBytes(bytes, (ptr, n) => Module._cowlab_load_as(ptr, n, step, as));
  }

  // Services cowlab.wasm asks of the page (main.cpp's call_host).
  const hooks = {
    // The App exists: load the script of the URL, if any (else main.cpp loads an example).
    // Without one, the visitor's saved script (keeper.restoreOnStart).
    start() {
      if (fragment.problem) notice(fragment.problem + ' Showing an example instead.', true);
      if (fragment.script) loadBytes(fragment.script, fragment.step, fragment.show);
      keeper.restoreOnStart();
    },
    // An option of the link that cannot be followed (a quiz seed out of range).
    notice(text) { notice(text, true); },
    firstFrame() {
      firstFrameMs = Math.round(performance.now());
      keeper.start();
      $('cowlab-loading').hidden = true;
      ready = true;
      resolveReady();
      tellParent({type: 'cowlab:ready', version: PROTOCOL_VERSION});
      if (fragment.embed) $('cowlab-open').hidden = false;
      settle().then(() => { reportHeight(); });
    },
    // After every completed step (Platform.on_state): the screen-reader mirror, and the
    // state for an embedding page that talks to us (requests are answered in onMessage).
    state(stateJson) {
      mirrorHeadline();
      reportHeight();
      if (parentOrigin && pendingOps === 0)
        window.parent.postMessage({type: 'cowlab:state', state: stateJson}, parentOrigin);
    },
    // Share > Copy link / Copy link to this step: `frag` is the whole fragment (#z=...),
    // made by the same C++ as `cowlab url` (engine/script/link.h).
    share(frag) {
      const url = pageAddress() + frag;
      if (window.top === window) history.replaceState(null, '', url);
      share(url, 'Link');
    },
    // Share > Copy embed code: an <iframe> of this page at `frag` (link.h's embed_code).
    shareEmbed(frag) {
      share(withCString(pageAddress() + frag, (p) => str(Module._cowlab_embed_code(p))), 'Embed code');
    },
    clipboardWrite(text) { copyText(text); },
    // View > Export figure: the step as SVG, made by the renderer of `cowlab render --svg`
    // (engine/figure/svg.h); then, once that frame is drawn, a PNG of the canvas.
    figure(svg) {
      lastFigure = svg;
      download(new Blob([svg], {type: 'image/svg+xml'}), figureName() + '.svg');
    },
    figurePng() {
      $('canvas').toBlob((blob) => { if (blob) download(blob, figureName() + '.png'); }, 'image/png');
    },
    // What the inspector window shows, as text ("" when it closes): the screen-reader mirror.
    inspect(text) { $('cowlab-inspect').textContent = text; },
    // "Download" in the C program window: the file's name, a newline, its text.
    download(text) {
      const nl = text.indexOf('\n');
      downloadFile(text.slice(0, nl), text.slice(nl + 1));
    },
    // A quiz question was checked: {seed, answered, correct} (web/panels/mirror.h), told
    // to the embedding page like cowlab:ready.
    quiz(json) {
      const q = JSON.parse(json);
      tellParent({type: 'cowlab:quiz', seed: q.seed, answered: q.answered, correct: q.correct});
    },
    fatal(text) { fatal(/OpenGL context/.test(text) ? NO_WEBGL2 + ' (' + text + ')' : text); },
  };

  function figureName() { return 'cowlab-step-' + Module._cowlab_position(); }
  function download(blob, name) {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 60000);
  }
  let lastDownload = null;            // {name, text} of the last download (for tests)
  function downloadFile(name, text) {
    lastDownload = {name, text};
    download(new Blob([text], {type: 'text/plain'}), name);
  }

  // This page's address without its fragment.
  function pageAddress() { return location.href.replace(/#.*$/, ''); }
  function share(text, what) {
    lastShared = text;
    copyText(text).then((ok) => notice(ok ? what + ' copied to the clipboard.' : what + ': ' + text));
  }

  // --- Talking to the embedding page ----------------------------------------------------
  const PROTOCOL_VERSION = 1;
  // An unprompted message (ready, resize) goes to the &origins= pages only, when given;
  // otherwise to whichever page frames us (it holds no script and no state).
  function tellParent(msg) {
    if (!framed) return;
    if (fragment.origins === null) window.parent.postMessage(msg, '*');
    else for (const origin of fragment.origins) window.parent.postMessage(msg, origin);
  }
  // Embed mode: the height the playground would like, from the script's length (the
  // editor shows every line, the panels need about 400 CSS pixels), posted when it changes.
  const MIN_HEIGHT = 480, MAX_HEIGHT = 900, LINE_HEIGHT = 17, PANELS_HEIGHT = 400;
  let reportedHeight = 0;
  function reportHeight() {
    if (!fragment.embed || !ready) return;
    const lines = api.script().split('\n').length;
    const height = Math.max(MIN_HEIGHT, Math.min(MAX_HEIGHT, PANELS_HEIGHT + LINE_HEIGHT * lines));
    if (height === reportedHeight) return;
    reportedHeight = height;
    tellParent({type: 'cowlab:resize', height});
  }

  // --- Clipboard --------------------------------------------------------------------------
  // Copy: ImGui's text goes to the system clipboard (async API; execCommand as fallback).
  function copyText(text) {
    if (navigator.clipboard && navigator.clipboard.writeText)
      return navigator.clipboard.writeText(text).then(() => true, () => legacyCopy(text));
    return Promise.resolve(legacyCopy(text));
  }
  function legacyCopy(text) {
    const area = document.createElement('textarea');
    area.value = text;
    area.className = 'visually-hidden';
    document.body.appendChild(area);
    area.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    area.remove();
    return ok;
  }
  // Paste: SDL cancels every Ctrl+key keydown, which would also cancel the browser's
  // paste. So Ctrl+V (Cmd+V) is kept from SDL; the browser then fires `paste` with the
  // system clipboard's text, and cowlab_paste() hands it to ImGui as its Ctrl+V.
  window.addEventListener('keydown', (e) => {
    if (ready && (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.code === 'KeyV')
      e.stopImmediatePropagation();
  }, true);
  // Keyboard: SDL listens on the whole window and cancels every Tab (ImGui's focus moves
  // inside the canvas). Until the canvas has the focus, Tab is left to the browser, so one
  // Tab from a fresh page focuses the canvas. F10 and the other F keys are cancelled by
  // SDL; Shift+F10 would also open the context menu, which is kept closed over the canvas.
  window.addEventListener('keydown', (e) => {
    if (e.key === 'Tab' && document.activeElement !== $('canvas')) e.stopImmediatePropagation();
  }, true);
  $('canvas').addEventListener('contextmenu', (e) => e.preventDefault());
  document.addEventListener('paste', (e) => {
    if (!ready || !e.clipboardData) return;
    const text = e.clipboardData.getData('text/plain');
    withBytes(encoder.encode(text), (ptr, n) => Module._cowlab_paste(ptr, n));
    e.preventDefault();
  });

  // --- window.cowlab ----------------------------------------------------------------------
  function checkScript(script) {
    if (typeof script !== 'string') throw new TypeError('cowlab.load: the script must be a string');
    const bytes = encoder.encode(script);
    if (bytes.length > MAX_SCRIPT_BYTES) throw new RangeError('cowlab.load: the script is larger than 1 MiB');
    return bytes;
  }
  function checkInspect(process, region, page) {
    if (typeof process !== 'string' || process === '')
      throw new TypeError('cowlab.inspect: the process must be a non-empty string (a name of the script, e.g. "C1")');
    if (typeof region !== 'string' || region === '')
      throw new TypeError('cowlab.inspect: the region must be a non-empty string (a name of the script, e.g. "heap")');
    if (process.includes('\0') || region.includes('\0'))
      throw new TypeError('cowlab.inspect: names cannot contain NUL characters');
    if (!Number.isSafeInteger(page) || page < 0 || page > MAX_STEP)
      throw new RangeError('cowlab.inspect: page must be an integer >= 0 (pages count from 0)');
  }
  function checkStep(n) {
    if (!Number.isSafeInteger(n) || n < 0) throw new TypeError('cowlab.step: n must be an integer >= 0');
    return Math.min(n, MAX_STEP);
  }

  const api = {
    get ready() { return ready; },
    get firstFrameMs() { return firstFrameMs; },
    // Loads and runs a script as a #script= link does; resolves with state() when done.
    load(script) {
      let bytes;
      try { bytes = checkScript(script); } catch (e) { return Promise.reject(e); }
      return enqueue(() => { loadBytes(bytes, -1); return computed(); });
    },
    // Moves to just after statement n (0: before the first); resolves with state().
    step(n) {
      let k;
      try { k = checkStep(n); } catch (e) { return Promise.reject(e); }
      return enqueue(() => { Module._cowlab_step(k); return computed(); });
    },
    // Exactly what `cowlab run --json` prints for the current step, without the newline.
    state() { return ready ? str(Module._cowlab_state()) : ''; },
    // One page at the current step, once pending commands are done: a JSON string with the
    // members and values of its entry in `cowlab run --json --pagemap`, plus "explain".
    // Rejects with an Error naming what is wrong (unknown process or region, page out of
    // range, wrong types).
    inspect(process, region, page) {
      try { checkInspect(process, region, page); } catch (e) { return Promise.reject(e); }
      return enqueue(() => {
        const text = withCString(process, (p) => withCString(region, (r) => str(Module._cowlab_inspect(p, r, page))));
        const error = JSON.parse(text).error;
        if (typeof error === 'string') throw new Error('cowlab.inspect: ' + error);
        return text;
      });
    },
    // Helpers for tests and course pages.
    whenReady() { return readyPromise; },
    idle() { return enqueue(() => settle()); },
    busy() { return ready && Module._cowlab_busy() === 1; },
    position() { return ready ? Module._cowlab_position() : 0; },
    headline() { return ready ? str(Module._cowlab_headline()) : ''; },
    caption() { return ready ? str(Module._cowlab_caption()) : ''; },
    script() { return ready ? str(Module._cowlab_script()) : ''; },
    frames() { return Module ? Module._cowlab_frames() : 0; },
    // The WebAssembly memory's size in bytes: it grows and never shrinks (tests/browser/soak.mjs).
    heapBytes() { return Module && Module.HEAP8 ? Module.HEAP8.length : 0; },
    // What the Share menu copied last (a link or embed code), or null.
    lastShared() { return lastShared; },
    // The figure of the current step as SVG text, as `cowlab render --svg FILE --view VIEW`
    // draws it (view: 'step', 'pagemap' or 'physical'; the page's theme); '' while a quiz
    // veils the numbers. lastFigure(): what View > Export figure downloaded last, or null.
    figure(view) { return ready ? withCString(String(view || 'step'), (p) => str(Module._cowlab_figure(p))) : ''; },
    lastFigure() { return lastFigure; },
    // The last file "Download" saved, {name, text}, or null.
    lastDownload() { return lastDownload; },
    // What the editor shows beyond state(): {edited, quiz, asking, step, failed: [{line,
    // process, region, metric, expected, actual}], error} (App::facts_json in web/app.h).
    facts() { return ready ? JSON.parse(str(Module._cowlab_facts())) : null; },
    // Milliseconds per frame: {frame: the whole loop body, ui: App + ImGui without WebGL}.
    frameMs() { return Module ? {frame: Module._cowlab_frame_ms(), ui: Module._cowlab_ui_ms()} : null; },
    // Widgets drawn in the last frame, by App id ("run", "editor", ...) or ImGui label.
    widget(id) {
      if (!ready) return null;
      const r = JSON.parse(withCString(id, (p) => str(Module._cowlab_widget_rect(p))));
      return r.w > 0 ? r : null;
    },
    widgets(label) {
      return ready ? JSON.parse(withCString(label || '', (p) => str(Module._cowlab_widgets(p)))) : [];
    },
  };
  window.cowlab = Object.freeze(api);

  // --- postMessage ------------------------------------------------------------------------
  function originAllowed(origin) {
    return fragment.origins === null ? true : fragment.origins.has(origin);
  }
  function hasOnlyKeys(m, keys) {
    return Object.keys(m).every((k) => keys.includes(k));
  }
  window.addEventListener('message', (e) => {
    if (window.parent === window || e.source !== window.parent) return;
    if (!originAllowed(e.origin)) return;
    const m = e.data;
    if (m === null || typeof m !== 'object' || Object.getPrototypeOf(m) !== Object.prototype) return;
    if (typeof m.type !== 'string' || !m.type.startsWith('cowlab:')) return;
    // An opaque origin ("null": a sandboxed or file: page) can only be answered with '*'.
    const target = e.origin === 'null' ? '*' : e.origin;
    // The request's id, echoed in the answer: a string or a finite number.
    const hasId = 'id' in m;
    const idOk = !hasId || (typeof m.id === 'string' && m.id.length <= MAX_ID_CHARS) ||
        (typeof m.id === 'number' && Number.isFinite(m.id));
    const reply = (msg) => e.source.postMessage(hasId && idOk ? {...msg, id: m.id} : msg, target);
    const refuse = (error) => reply({type: 'cowlab:error', error});
    if (!idOk) return refuse('id must be a string (at most 256 characters) or a finite number');
    const fields = (...keys) => hasOnlyKeys(m, ['type', 'id', ...keys]);
    let work;
    if (m.type === 'cowlab:load') {
      if (!fields('script') || typeof m.script !== 'string')
        return refuse('cowlab:load takes {type, script} with a string script');
      if (m.script.length > MAX_SCRIPT_BYTES || encoder.encode(m.script).length > MAX_SCRIPT_BYTES)
        return refuse('the script is larger than 1 MiB');
      work = api.load(m.script);
    } else if (m.type === 'cowlab:step') {
      if (!fields('n') || !Number.isSafeInteger(m.n) || m.n < 0)
        return refuse('cowlab:step takes {type, n} with an integer n >= 0');
      work = api.step(m.n);
    } else if (m.type === 'cowlab:get') {
      if (!fields()) return refuse('cowlab:get takes {type}');
      work = api.idle();
    } else {
      return refuse('unknown message type');
    }
    if (target !== '*') parentOrigin = target;
    work.then((state) => reply({type: 'cowlab:state', state}),
              (err) => refuse(String(err && err.message)));
  });

  // Embed mode: "Open in cowlab" opens the full page with the editor's script at the
  // current step, in a new tab (the link is made when clicked, by link.h).
  $('cowlab-open').addEventListener('click', (e) => {
    if (!ready) { e.preventDefault(); return; }
    const frag = str(Module._cowlab_link_fragment(Module._cowlab_position()));
    e.currentTarget.href = pageAddress() + frag;
  });

  // A link pasted into the address bar of an open playground changes only the fragment,
  // without a reload: run its script (and &step). Other options take effect on reload.
  // It asks first when the editor holds the visitor's own edits.
  window.addEventListener('hashchange', () => {
    const f = parseFragment(location.hash);
    keeper.forget();
    if (f.problem) notice(f.problem, true);
    else if (f.script) enqueue(() => { loadBytesAs(f.script, f.step, LOAD_ASK, f.show); return settle(); });
  });

  // --- Load failures ----------------------------------------------------------------------
  // A module that cannot be fetched aborts; in a sandboxed frame (an opaque origin, "null")
  // the usual cause is a server that does not allow cross-origin reads of the assets.
  function abortMessage(what) {
    if (!/wasm|fetch|failed to load/i.test(what))
      return 'cowlab stopped unexpectedly (' + what + '). Reloading the page may help.';
    const sandboxed = self.origin === 'null'
        ? ' This page runs in a sandboxed frame: its server must send "Access-Control-Allow-Origin: *" ' +
          'with cowlab\'s files (docs/hosting.md).'
        : '';
    return 'Could not load ' + wasmFile + ' (' + what + ').' + sandboxed;
  }
  // A load that neither finishes nor fails (a stalled download) still ends in a message.
  const SLOW_LOAD_MS = 20000;
  function watchLoading() {
    setTimeout(() => {
      if (ready || !$('cowlab-error').hidden) return;
      $('cowlab-loading-text').textContent = 'cowlab has not started after ' + SLOW_LOAD_MS / 1000 +
          ' s: ' + jsFile + ' or ' + wasmFile + ' may be blocked or unreachable. Still trying\u2026';
    }, SLOW_LOAD_MS);
  }

  // --- Nothing lost: the saved script and the address bar --------------------------------
  // The visitor's own text (facts().edited: not an unedited example, link or quiz) is saved
  // with its step in localStorage, per origin. A bare visit restores it; a link's script
  // wins, with the saved one a click away ("Restore your last script"). The address bar
  // follows the editor and the step (history.replaceState: no new history entries). Each
  // waits until the script and step have rested for a moment. Nothing is saved or restored
  // in embed or read-only mode, and the address bar stays as it is there, in a frame and
  // during a quiz (docs/embedding.md).
  const keeper = (function () {
    const KEY = 'cowlab.script';
    const POLL_MS = 400;
    const storing = !fragment.embed && !fragment.readonly;
    const following = storing && window.top === window;
    const themePart = fragment.theme ? '&theme=' + fragment.theme : '';
    let seen = '', done = '';
    function read() {
      try {
        const v = JSON.parse(localStorage.getItem(KEY) || 'null');
        return v && typeof v.script === 'string' && Number.isSafeInteger(v.step) ? v : null;
      } catch (e) { return null; }
    }
    function write(script, step) {
      try { localStorage.setItem(KEY, JSON.stringify({script, step})); } catch (e) { /* full or blocked */ }
    }
    function offer(saved) {
      const button = $('cowlab-restore');
      button.hidden = false;
      button.addEventListener('click', () => {
        button.hidden = true;
        enqueue(() => { loadBytesAs(encoder.encode(saved.script), saved.step, LOAD_ASK); return settle(); });
      }, {once: true});
    }
    function poll() {
      if (!ready || Module._cowlab_busy()) return;
      const facts = api.facts();
      if (facts.quiz || facts.asking) return;
      const script = api.script(), step = Module._cowlab_position();
      const key = step + '\n' + script;
      if (key !== seen) { seen = key; return; }  // changed since the last look: wait
      if (key === done) return;
      done = key;
      if (storing && facts.edited) write(script, step);
      if (following) history.replaceState(history.state, '', pageAddress() + str(Module._cowlab_link_fragment(step)) + themePart);
    }
    return {
      // The "start" hook: restore the saved script on a bare visit, offer it under a link.
      restoreOnStart() {
        const saved = storing ? read() : null;
        if (!saved) return;
        const linked = fragment.script ? new TextDecoder().decode(fragment.script) : null;
        if (linked === null && !fragment.problem) loadBytesAs(encoder.encode(saved.script), saved.step, LOAD_RESTORE);
        else if (linked !== saved.script) offer(saved);
      },
      // A new link in the address bar: follow the editor again from there.
      forget() { seen = ''; done = ''; },
      start() { if (storing) setInterval(poll, POLL_MS); },
    };
  })();

  // --- Start ------------------------------------------------------------------------------
  const missing = missingFeature();
  if (missing) { fatal(missing); return; }

  const args = ['--theme=' + theme];
  if (fragment.embed) args.push('--embed');
  if (fragment.readonly) args.push('--readonly');
  if (fragment.autoplay) args.push('--autoplay');
  if (fragment.quiz !== null) args.push('--quiz=' + fragment.quiz);
  if (fragment.predict) args.push('--predict');
  if (fragment.step >= 0) args.push('--step=' + fragment.step);
  if (fragment.show >= 1) args.push('--show=' + fragment.show);
  if (fragment.scale !== 1) args.push('--scale=' + fragment.scale);
  if (fragment.present) args.push('--present');

  Module = window.Module = {
    canvas: $('canvas'),
    arguments: args,
    locateFile: (path) => (path.endsWith('.wasm') ? wasmFile : path),
    cowlabHooks: hooks,
    print: (text) => console.log(text),
    printErr: (text) => console.warn(text),
    onAbort: (what) => fatal(abortMessage(String(what))),
  };
  watchLoading();
  const script = document.createElement('script');
  script.src = jsFile;
  script.onerror = () => fatal('Could not download ' + jsFile + '.');
  document.body.appendChild(script);
})();
