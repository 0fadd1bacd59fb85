// <cowlab-playground>: the cowlab playground in a course page, in one line.
//   <script src="https://example.org/cowlab/cowlab-embed.js" defer></script>
//   <cowlab-playground src="https://example.org/cowlab/" script="spawn P1&#10;P1 mmap heap 8"
//                      step="3" embed readonly theme="light" title="..."></cowlab-playground>
//   (show="N" opens at the N-th `show` instead of a step; predict: predict, then reveal)
// The element holds an <iframe> (loading=lazy) of the playground and talks to it with
// postMessage (docs/embedding.md):
//   el.load(text), el.step(n), el.state()   Promises of the state string (cowlab run --json);
//                                           calls made before the playground is ready wait
//   events: `ready`, `change` (detail.state: after a load or step, or the visitor's own step)
// Works under a strict Content-Security-Policy: no eval, no inline styles (a constructed
// stylesheet in a shadow root, and the iframe's height attribute). Served from dist/
// under this exact name (not content-hashed) with a short cache lifetime.
'use strict';
(function () {
  if (typeof customElements === 'undefined' || customElements.get('cowlab-playground')) return;

  const DEFAULT_HEIGHT = 520;
  const ATTRIBUTES = ['src', 'script', 'step', 'show', 'embed', 'readonly', 'theme', 'predict', 'title', 'height'];

  // base64url of the UTF-8 bytes: the plain #script= form of a playground link.
  function base64url(text) {
    let bin = '';
    for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function makeSheet() {
    const css = ':host{display:block}iframe{display:block;width:100%;border:0}';
    if (typeof CSSStyleSheet !== 'function' || !('replaceSync' in CSSStyleSheet.prototype)) return null;
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    return sheet;
  }
  const sheet = makeSheet();

  class CowlabPlayground extends HTMLElement {
    static get observedAttributes() { return ATTRIBUTES; }

    constructor() {
      super();
      const root = this.attachShadow({mode: 'open'});
      if (sheet) root.adoptedStyleSheets = [sheet];
      this._frame = document.createElement('iframe');
      this._frame.setAttribute('loading', 'lazy');
      this._frame.setAttribute('allow', 'clipboard-write');
      root.appendChild(this._frame);
      this._ready = false;
      this._queue = [];            // requests waiting for `ready`
      this._pending = new Map();   // id -> {resolve, reject}, posted and not yet answered
      this._nextId = 1;
      this._origin = null;
      this._src = '';
      this._onMessage = this._onMessage.bind(this);
    }

    connectedCallback() {
      window.addEventListener('message', this._onMessage);
      this._render();
    }
    disconnectedCallback() { window.removeEventListener('message', this._onMessage); }
    attributeChangedCallback() { if (this.isConnected) this._render(); }

    get ready() { return this._ready; }
    // Loads and runs a script; resolves with the state once it has run.
    load(script) {
      if (typeof script !== 'string') return Promise.reject(new TypeError('load: the script must be a string'));
      return this._request({type: 'cowlab:load', script});
    }
    // Moves to just after statement n (0: before the first).
    step(n) {
      if (!Number.isSafeInteger(n) || n < 0) return Promise.reject(new TypeError('step: n must be an integer >= 0'));
      return this._request({type: 'cowlab:step', n});
    }
    // The current state, changing nothing.
    state() { return this._request({type: 'cowlab:get'}); }

    // The iframe's address from the attributes; a new one reloads the playground.
    _render() {
      const title = this.getAttribute('title') || 'cowlab playground';
      this._frame.title = title;
      const height = Number(this.getAttribute('height'));
      this._frame.height = String(height > 0 ? height : this._frame.height > 0 ? this._frame.height : DEFAULT_HEIGHT);
      let base;
      try { base = new URL(this.getAttribute('src') || '', document.baseURI); } catch (e) { return; }
      base.hash = '';
      let frag = '';
      const add = (key, value) => { frag += (frag ? '&' : '#') + key + '=' + value; };
      if (this.hasAttribute('script')) add('script', base64url(this.getAttribute('script')));
      const step = this.getAttribute('step');
      if (step !== null && /^[0-9]{1,10}$/.test(step)) add('step', step);
      const show = this.getAttribute('show');
      if (show !== null && /^[1-9][0-9]{0,9}$/.test(show)) add('show', show);
      if (this.hasAttribute('embed')) add('embed', '1');
      if (this.hasAttribute('readonly')) add('readonly', '1');
      const theme = this.getAttribute('theme');
      if (theme === 'light' || theme === 'dark') add('theme', theme);
      if (this.hasAttribute('predict')) add('predict', '1');
      if (location.origin !== 'null') add('origins', encodeURIComponent(location.origin));
      const src = base.href + frag;
      if (src === this._src) return;
      this._src = src;
      this._origin = base.origin;
      this._ready = false;
      for (const {reject} of this._pending.values()) reject(new Error('the playground was reloaded'));
      this._pending.clear();
      this._frame.src = src;
    }

    _request(message) {
      return new Promise((resolve, reject) => {
        const id = 'cowlab-' + this._nextId++;
        this._queue.push({message: {...message, id}, resolve, reject});
        if (this._ready) this._flush();
      });
    }
    _flush() {
      for (const {message, resolve, reject} of this._queue.splice(0)) {
        this._pending.set(message.id, {resolve, reject, type: message.type});
        this._frame.contentWindow.postMessage(message, this._origin);
      }
    }

    _onMessage(e) {
      if (e.source !== this._frame.contentWindow || e.origin !== this._origin) return;
      const m = e.data;
      if (m === null || typeof m !== 'object' || typeof m.type !== 'string') return;
      const waiting = 'id' in m ? this._pending.get(m.id) : undefined;
      if (waiting) this._pending.delete(m.id);
      if (m.type === 'cowlab:ready') {
        this._ready = true;
        this._flush();
        this.dispatchEvent(new Event('ready'));
      } else if (m.type === 'cowlab:resize') {
        if (!this.hasAttribute('height') && Number.isFinite(m.height) && m.height > 0)
          this._frame.height = String(Math.round(m.height));
      } else if (m.type === 'cowlab:state' && typeof m.state === 'string') {
        if (waiting) waiting.resolve(m.state);
        if (!waiting || waiting.type !== 'cowlab:get')
          this.dispatchEvent(new CustomEvent('change', {detail: {state: m.state}}));
      } else if (m.type === 'cowlab:error' && waiting) {
        waiting.reject(new Error(String(m.error)));
      }
    }
  }

  customElements.define('cowlab-playground', CowlabPlayground);
})();
