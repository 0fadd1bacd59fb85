// The processes table for screen readers: the numbers the canvas's processes panel shows,
// as a real HTML table (#cowlab-processes: hidden visually, not from assistive technology),
// rebuilt after every step (the `cowlab-step` event of web/cowlab-host.js) from
// cowlab.wasm's cowlab_processes() JSON:
//   {caption, columns: [...], rows: [[process, state, Rss, Pss, ...], ...]}
// Cells are set with textContent only: a process name from a script never becomes HTML.
'use strict';
(function () {
  const table = document.getElementById('cowlab-processes');
  if (!table) return;
  let shown = '';                    // the JSON the table was last built from

  function cell(tag, text, scope) {
    const el = document.createElement(tag);
    el.textContent = String(text);
    if (scope) el.setAttribute('scope', scope);
    return el;
  }

  function build(data) {
    const caption = document.createElement('caption');
    caption.textContent = String(data.caption || 'Processes');
    const head = document.createElement('thead');
    const headRow = document.createElement('tr');
    for (const c of data.columns) headRow.appendChild(cell('th', c, 'col'));
    head.appendChild(headRow);
    const body = document.createElement('tbody');
    for (const row of data.rows) {
      const tr = document.createElement('tr');
      row.forEach((value, i) => tr.appendChild(i === 0 ? cell('th', value, 'row') : cell('td', value)));
      body.appendChild(tr);
    }
    table.replaceChildren(caption, head, body);
    // A table of headers without data would be reported as broken: none until a process runs.
    table.hidden = data.rows.length === 0;
  }

  document.addEventListener('cowlab-step', () => {
    const Module = window.Module;
    if (!Module || typeof Module._cowlab_processes !== 'function') return;
    const json = Module.UTF8ToString(Module._cowlab_processes());
    if (json === shown) return;
    shown = json;
    let data;
    try { data = JSON.parse(json); } catch (e) { return; }
    if (data && Array.isArray(data.columns) && Array.isArray(data.rows)) build(data);
  });
})();
