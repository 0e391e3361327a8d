// The image service's page: plain DOM, no framework, no build step. Everything shown is set as
// text (never parsed as HTML); the bearer token stays in this tab (sessionStorage) and goes only
// into the Authorization header of same-origin API calls, never into a URL.
'use strict';
(function () {
  const POLL_MS = 1000;
  const TERMINAL = new Set(['done', 'failed', 'expired']);
  const $ = (id) => document.getElementById(id);
  let token = sessionStorage.getItem('image-service-token') || '';
  const rows = new Map(); // image id -> <tr>
  let timer;

  function show(text, ok) {
    const m = $('message');
    m.textContent = text;
    m.className = ok ? 'ok' : '';
    m.hidden = !text;
  }

  class ApiError extends Error {}

  // One call to the API; a refusal becomes its one line (and hint), as the API words it.
  async function api(method, path, body, contentType) {
    const headers = { authorization: 'Bearer ' + token };
    if (body !== undefined) headers['content-type'] = contentType || 'application/json';
    const res = await fetch(path, { method, headers, body, cache: 'no-store', credentials: 'omit' });
    const text = await res.text();
    let json = {};
    try { json = text ? JSON.parse(text) : {}; } catch { json = { error: 'the service answered ' + res.status + ' with no JSON' }; }
    if (!res.ok) {
      if (res.status === 401) signOut();
      throw new ApiError((json.error || 'the service answered ' + res.status) + (json.hint ? ' (' + json.hint + ')' : ''));
    }
    return json;
  }

  function cell(tr, cls, text) {
    const td = document.createElement('td');
    td.className = cls;
    td.textContent = text;
    tr.appendChild(td);
    return td;
  }

  function row(id) {
    let tr = rows.get(id);
    if (tr) return tr;
    tr = document.createElement('tr');
    tr.dataset.id = id;
    cell(tr, 'name', id.slice(0, 8));
    cell(tr, 'status', 'queued');
    const p = cell(tr, 'progress', '');
    const bar = document.createElement('progress');
    bar.max = 1;
    bar.value = 0;
    p.appendChild(bar);
    p.appendChild(document.createElement('span'));
    cell(tr, 'size', '');
    cell(tr, 'sha', '');
    cell(tr, 'download', '');
    $('jobs').tBodies[0].prepend(tr);
    rows.set(id, tr);
    return tr;
  }

  function safeUrl(u) {
    try {
      const url = new URL(u, location.href);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : '';
    } catch { return ''; }
  }

  function render(img) {
    const tr = row(String(img.id));
    const status = String(img.status);
    tr.dataset.status = status;
    tr.querySelector('.name').textContent = String(img.name);
    const st = tr.querySelector('.status');
    st.textContent = status;
    st.title = img.error ? String(img.error) : '';
    if (img.error) st.textContent = status + ': ' + String(img.error);
    const progress = Math.max(0, Math.min(1, Number(img.progress) || 0));
    tr.querySelector('.progress progress').value = progress;
    tr.querySelector('.progress span').textContent = ' ' + Math.round(progress * 100) + ' %';
    tr.querySelector('.size').textContent = typeof img.size === 'number' ? (img.size / 1048576).toFixed(1) + ' MiB' : '';
    tr.querySelector('.sha').textContent = img.sha256 ? String(img.sha256).slice(0, 12) + '…' : '';
    tr.querySelector('.sha').title = img.sha256 ? String(img.sha256) : '';
    const dl = tr.querySelector('.download');
    dl.replaceChildren();
    const href = img.download ? safeUrl(String(img.download.url)) : '';
    if (href) {
      const a = document.createElement('a');
      a.href = href;
      a.download = String(img.name) + '.img.xz';
      a.rel = 'noreferrer';
      a.textContent = String(img.name) + '.img.xz';
      a.title = 'good until ' + String(img.download.expiresAt);
      dl.appendChild(a);
    }
  }

  async function poll() {
    timer = undefined;
    const open = [...rows.entries()].filter(([, tr]) => !TERMINAL.has(tr.dataset.status));
    try {
      for (const [id] of open) render(await api('GET', '/v1/images/' + encodeURIComponent(id)));
    } catch (e) {
      show(e.message);
    }
    schedule();
  }

  function schedule() {
    if (timer || !token) return;
    if ([...rows.values()].some((tr) => !TERMINAL.has(tr.dataset.status))) timer = setTimeout(poll, POLL_MS);
  }

  async function load() {
    const [{ bases }, { images }] = await Promise.all([api('GET', '/v1/bases'), api('GET', '/v1/images')]);
    const select = $('base');
    const was = select.value;
    select.replaceChildren();
    for (const b of bases) {
      const o = document.createElement('option');
      o.value = String(b.sha256);
      o.textContent = String(b.name) + ' (' + String(b.kind) + (b.grade ? ', ' + String(b.grade) : '') + ', ' + String(b.sha256).slice(0, 12) + '…)';
      select.appendChild(o);
    }
    if (was) select.value = was;
    if (!bases.length) show('no base is registered yet: POST /v1/bases (docs/images.md)');
    images.sort((a, b) => String(a.created).localeCompare(String(b.created))).forEach(render);
    $('work').hidden = false;
    $('forget').hidden = false;
    schedule();
  }

  function signOut() {
    token = '';
    sessionStorage.removeItem('image-service-token');
    $('forget').hidden = true;
    $('work').hidden = true;
  }

  // The device form as the API's device object: empty fields are absent.
  function device(form) {
    const f = new FormData(form);
    const d = {};
    const put = (key, value) => {
      const v = String(value || '').trim();
      if (!v) return;
      const [a, b] = key.split('.');
      if (b) d[a] = Object.assign(d[a] || {}, { [b]: v });
      else d[a] = v;
    };
    put('name', f.get('name'));
    const identity = f.get('identity');
    if (identity === 'connectionString') put('connectionString', f.get('connectionString'));
    if (identity === 'dps') ['dps.idScope', 'dps.registrationId', 'dps.globalEndpoint'].forEach((k) => put(k, f.get(k)));
    put('hostname', f.get('hostname'));
    put('wifi.ssid', f.get('wifi.ssid'));
    put('wifi.passphrase', f.get('wifi.passphrase'));
    return d;
  }

  function guarded(fn) {
    return (ev) => {
      ev.preventDefault();
      fn(ev).catch((e) => show(e instanceof ApiError ? e.message : 'the page failed: ' + e.message));
    };
  }

  $('token-form').addEventListener('submit', guarded(async () => {
    token = $('token').value.trim();
    $('token').value = '';
    show('');
    await load();
    sessionStorage.setItem('image-service-token', token);
  }));
  $('forget').addEventListener('click', () => { signOut(); show('the token is forgotten', true); });
  $('reload').addEventListener('click', guarded(async () => { show(''); await load(); }));

  document.querySelectorAll('input[name=identity]').forEach((r) => r.addEventListener('change', () => {
    const chosen = document.querySelector('input[name=identity]:checked').value;
    document.querySelectorAll('[data-identity]').forEach((div) => { div.hidden = div.dataset.identity !== chosen; });
  }));

  $('device-form').addEventListener('submit', guarded(async (ev) => {
    const d = device(ev.target);
    const { id } = await api('POST', '/v1/images', JSON.stringify({ base: $('base').value, device: d }));
    render({ id, name: d.name, status: 'queued', progress: 0 });
    show('image ' + d.name + ' queued', true);
    ev.target.reset();
    document.querySelectorAll('[data-identity]').forEach((div) => { div.hidden = div.dataset.identity !== 'connectionString'; });
    schedule();
  }));

  $('batch-form').addEventListener('submit', guarded(async (ev) => {
    const file = $('batch-file').files[0];
    if (!file) return;
    const text = await file.text();
    const base = $('base').value;
    let r;
    if (/\.csv$/i.test(file.name) || file.type === 'text/csv') {
      r = await api('POST', '/v1/batches?base=' + encodeURIComponent(base), text, 'text/csv');
    } else {
      let doc;
      try { doc = JSON.parse(text); } catch (e) { throw new ApiError(file.name + ' is neither CSV (by its name) nor JSON: ' + e.message); }
      const body = Array.isArray(doc) ? { base, devices: doc } : Object.assign({ base }, doc);
      r = await api('POST', '/v1/batches', JSON.stringify(body));
    }
    r.images.forEach((id) => render({ id, name: String(id).slice(0, 8), status: 'queued', progress: 0 }));
    show('batch of ' + r.images.length + ' queued', true);
    ev.target.reset();
    schedule();
  }));

  if (token) load().catch((e) => { signOut(); show(e.message); });
})();
