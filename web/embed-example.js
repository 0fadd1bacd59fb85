// The example course page (web/embed-example.html): points each playground iframe at
// index.html with its script in the URL fragment, and drives the first one with
// postMessage. Shows how a course page embeds cowlab; the browser tests use it too.
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
  const target = origin === 'null' ? '*' : origin;
  const send = (message) => first.contentWindow.postMessage(message, target);

  // Answers from the playground: check who sent them and what they hold, then use them.
  const answers = [];
  window.addEventListener('message', (e) => {
    if (e.source !== first.contentWindow) return;
    const m = e.data;
    if (!m || typeof m !== 'object' || typeof m.type !== 'string') return;
    answers.push(m);
    const out = document.getElementById('shared');
    if (m.type === 'cowlab:state' && typeof m.state === 'string') {
      try {
        const system = JSON.parse(m.state).system;
        out.textContent = system ? String(system.frames_shared) : '(no system state)';
      } catch (err) {
        out.textContent = '(unreadable state)';
      }
    } else if (m.type === 'cowlab:error') {
      out.textContent = 'error: ' + String(m.error);
    }
  });

  document.getElementById('step-0').addEventListener('click', () => send({type: 'cowlab:step', n: 0}));
  document.getElementById('step-4').addEventListener('click', () => send({type: 'cowlab:step', n: 4}));
  document.getElementById('step-end').addEventListener('click', () => send({type: 'cowlab:step', n: 1000000}));

  // For the browser tests: the messages received so far, and a way to send one.
  window.courseDemo = {answers, send};
})();
