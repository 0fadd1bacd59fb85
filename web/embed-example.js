// The example course page (web/embed-example.html): the first playground is a
// <cowlab-playground> element (cowlab-embed.js) driven through its methods; the second a
// plain iframe pointed at index.html with its script in the URL fragment. Shows both ways
// a course page embeds cowlab; the browser tests use it too.
'use strict';
(function () {
  // base64url of the UTF-8 bytes, as #script= expects.
  function base64url(text) {
    let bin = '';
    for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  const playgroundUrl = new URL('index.html', location.href).href;
  const origin = location.origin;
  for (const frame of document.querySelectorAll('iframe.playground')) {
    let fragment = '#script=' + base64url(frame.dataset.script) + '&embed=1';
    if (frame.dataset.step) fragment += '&step=' + encodeURIComponent(frame.dataset.step);
    // Only this page may drive the playground (a file: page has no origin to name).
    if (origin !== 'null') fragment += '&origins=' + encodeURIComponent(origin);
    frame.src = playgroundUrl + fragment;
  }

  const first = document.getElementById('lesson-fork');
  const out = document.getElementById('shared');
  function show(state) {
    try {
      const system = JSON.parse(state).system;
      out.textContent = system ? String(system.frames_shared) : '(no system state)';
    } catch (err) {
      out.textContent = '(unreadable state)';
    }
  }
  const drive = (promise) => promise.then(show, (err) => { out.textContent = 'error: ' + err.message; });
  document.getElementById('step-0').addEventListener('click', () => drive(first.step(0)));
  document.getElementById('step-4').addEventListener('click', () => drive(first.step(4)));
  document.getElementById('step-end').addEventListener('click', () => drive(first.step(1000000)));
  // The visitor's own steps in the playground.
  first.addEventListener('change', (e) => show(e.detail.state));

  // For the browser tests: every message the first playground sent, and a way to send it
  // a raw one (as a page without the element would).
  const answers = [];
  const frameOf = () => first.shadowRoot && first.shadowRoot.querySelector('iframe');
  window.addEventListener('message', (e) => {
    const frame = frameOf();
    if (frame && e.source === frame.contentWindow && e.data && typeof e.data === 'object') answers.push(e.data);
  });
  const target = origin === 'null' ? '*' : origin;
  window.courseDemo = {answers, send: (message) => frameOf().contentWindow.postMessage(message, target)};
})();
