// The operator console: plain JavaScript, no library. Every view reads the bridge's JSON endpoints
// (console/v0/..., commands/v0/...) with the session cookie; data is put in the page as text only
// (never as HTML). While "Live updates" is on, the view's data is read again every two seconds and
// redrawn only when it changed; focus stays where it was.
'use strict';

const POLL_MS = 2000;
const STATES = ['Command Queued', 'Command Scheduled', 'Command Initiated', 'Command Acknowledged', 'Command In Progress',
  'Command Success', 'Command Failure', 'Command TimeOut', 'Command Cancelled'];
const SEGMENTS = [
  ['succeeded', 'succeeded', '--succeeded'], ['failed', 'failed', '--failed'], ['timed_out', 'timed out', '--timed-out'],
  ['cancelled', 'cancelled', '--cancelled'], ['in_flight', 'in flight', '--in-flight'], ['queued', 'queued', '--queued'],
  ['invalid', 'invalid', '--invalid'],
];
const SOURCES = [['', 'any source'], ['file', 'file'], ['jms', 'queue'], ['schedule', 'schedule'], ['http', 'API']];
const REQUEST_STATES = [['', 'any state'], ['reading', 'reading'], ['running', 'running'], ['finished', 'finished'], ['refused', 'refused']];

let csrf = null;
let current = null;      // the view on screen: { refresh: async () => void }
let lastData = new Map(); // region id -> JSON text last drawn

// ---------------------------------------------------------------- small helpers

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'text') node.textContent = value;
    else if (key === 'style') for (const [prop, v] of Object.entries(value)) node.style.setProperty(prop, v); // CSSOM: allowed by the CSP
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function time(iso) {
  if (!iso) return el('span', { class: 'muted' }, '-');
  const d = new Date(iso);
  return el('time', { datetime: iso, title: iso }, d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' }));
}

function seconds(s) {
  if (s === null || s === undefined) return '-';
  if (s < 60) return (Math.round(s * 10) / 10) + ' s';
  return Math.floor(s / 60) + ' min ' + Math.round(s % 60) + ' s';
}

function stateClass(label) {
  return 'state state-' + String(label || '').replace(/^Command /, '').toLowerCase().replace(/\s+/g, '-');
}

function announce(text) {
  const region = document.getElementById('announce');
  region.textContent = '';
  window.setTimeout(() => { region.textContent = text; }, 50);
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.method && options.method !== 'GET') headers['X-CSRF-Token'] = csrf;
  const answer = await fetch(path, {
    method: options.method || 'GET', credentials: 'same-origin', cache: 'no-store', headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  if (answer.status === 401) { // the session ended: the login page
    window.location.reload();
    throw new Error('logged out');
  }
  const body = await answer.json().catch(() => ({ message: 'HTTP ' + answer.status }));
  if (!answer.ok) throw new Error(body.message || ('HTTP ' + answer.status));
  return body.content;
}

/** Draws data into a region only when it differs from what is drawn; keeps focus on the element with the same data-key. */
function draw(region, data, build) {
  const text = JSON.stringify(data);
  if (lastData.get(region.id) === text) return;
  lastData.set(region.id, text);
  const focused = region.contains(document.activeElement) ? document.activeElement.getAttribute('data-key') : null;
  region.replaceChildren(build(data));
  if (focused) {
    const again = region.querySelector('[data-key="' + CSS.escape(focused) + '"]');
    if (again) again.focus();
  }
}

function table(caption, columns, rows, empty) {
  const head = el('tr', {}, columns.map(([label, cls]) => el('th', { scope: 'col', class: cls }, label)));
  const body = rows.length ? rows : [el('tr', {}, el('td', { colspan: columns.length, class: 'muted' }, empty))];
  return el('table', {}, el('caption', {}, caption), el('thead', {}, head), el('tbody', {}, body));
}

function progressBar(progress, total) {
  const parts = SEGMENTS.filter(([key]) => progress[key] > 0);
  const all = Math.max(1, SEGMENTS.reduce((n, [key]) => n + (progress[key] || 0), 0));
  const done = (progress.succeeded || 0) + (progress.failed || 0) + (progress.timed_out || 0) + (progress.cancelled || 0);
  const words = parts.map(([key, label]) => progress[key] + ' ' + label).join(', ') || 'no commands yet';
  const bar = el('div', { class: 'bar', role: 'img', 'aria-label': done + ' of ' + total + ' done: ' + words, title: words },
    parts.map(([key]) => el('span', { class: 'seg-' + key, style: { width: (100 * progress[key] / all) + '%' } })));
  return el('div', { class: 'progress' }, bar, el('span', { class: 'figures' }, done + ' / ' + total + ' done · ' + words));
}

function legend() {
  return el('ul', { class: 'legend', 'aria-label': 'Colours of the progress bars' },
    SEGMENTS.map(([key, label, colour]) => el('li', { style: { '--c': 'var(' + colour + ')' } }, label)));
}

function select(id, label, options, value) {
  return el('label', { for: id }, label,
    el('select', { id, name: id }, options.map(([v, text]) => el('option', { value: v, selected: v === (value || '') }, text))));
}

function input(id, label, value, attrs = {}) {
  return el('label', { for: id }, label, el('input', Object.assign({ id, name: id, type: 'text', value: value || '' }, attrs)));
}

// ---------------------------------------------------------------- cancel, with a confirmation

function confirmCancel({ title, text, yesLabel, forceAllowed, action }) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('force-row').hidden = !forceAllowed;
  document.getElementById('confirm-force').checked = false;
  document.getElementById('confirm-error').textContent = '';
  const yes = document.getElementById('confirm-yes');
  yes.textContent = yesLabel;
  const no = document.getElementById('confirm-no');
  const opener = document.activeElement;
  const close = () => { dialog.close(); if (opener && opener.isConnected) opener.focus(); };
  no.onclick = close;
  yes.onclick = async () => {
    yes.disabled = true;
    try {
      const message = await action(document.getElementById('confirm-force').checked);
      close();
      announce(message);
      await refreshNow();
    } catch (e) {
      document.getElementById('confirm-error').textContent = e.message;
    } finally {
      yes.disabled = false;
    }
  };
  dialog.showModal();
  no.focus();
}

function cancelCommandButton(command) {
  if (command.cancel === 'no') return null;
  return el('button', {
    type: 'button', class: 'small', 'data-key': 'cancel-' + command.id,
    'aria-label': 'Cancel the command on ' + command.device,
    onclick: () => confirmCancel({
      title: 'Cancel this command?',
      yesLabel: 'Cancel the command',
      text: 'The ' + command.kind + ' command on device ' + command.device + ' (' + command.state + ') will be Command Cancelled.'
        + (command.cancel === 'with force' ? ' It was already sent to its cloud: cancelling needs force.' : ''),
      forceAllowed: command.cancel === 'with force',
      action: async (force) => {
        await api('commands/v0/status/' + encodeURIComponent(command.id) + '/',
          { method: 'PUT', body: { state: 'Command Cancelled', force } });
        return 'Command on ' + command.device + ' cancelled.';
      },
    }),
  }, 'Cancel…');
}

// ---------------------------------------------------------------- views

function requestsView(params) {
  const region = el('div', { id: 'requests-data' });
  const form = el('form', { class: 'filters', 'aria-label': 'Filter the requests' },
    select('f-state', 'State', REQUEST_STATES, params.get('state')),
    select('f-source', 'Source', SOURCES, params.get('source')),
    el('button', { type: 'submit' }, 'Apply'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    location.hash = '#/requests' + query({ state: form.elements['f-state'].value, source: form.elements['f-source'].value });
  });
  const main = document.getElementById('main');
  main.replaceChildren(el('h1', {}, 'Requests'), form, legend(), region);
  const before = params.get('before');
  return {
    refresh: async () => {
      const data = await api('console/v0/requests' + query({ state: params.get('state'), source: params.get('source'), before }));
      draw(region, data, (d) => {
        const rows = d.items.map((r) => el('tr', {},
          el('td', {}, el('a', { href: '#/request/' + encodeURIComponent(r.request_id), 'data-key': 'r-' + r.request_id }, r.request_id)),
          el('td', {}, r.source_label),
          el('td', { class: 'reason' }, r.name || ''),
          el('td', {}, el('span', { class: stateClass(r.state) }, r.state)),
          el('td', {}, progressBar(r.progress, r.commands + r.progress.invalid)),
          el('td', {}, time(r.created_at)),
          el('td', {}, time(r.finished_at))));
        const pager = el('div', { class: 'pager' },
          before ? el('a', { href: '#/requests' + query({ state: params.get('state'), source: params.get('source') }) }, 'Newest') : null,
          d.next_before ? el('a', { href: '#/requests' + query({ state: params.get('state'), source: params.get('source'), before: d.next_before }) }, 'Older requests') : null);
        return el('div', {}, table('Requests, newest first', [['Request'], ['Source'], ['Name'], ['State'], ['Progress'], ['Started'], ['Finished']],
          rows, 'No requests match.'), pager);
      });
    },
  };
}

function requestView(id, params) {
  const head = el('div', { id: 'request-head' });
  const region = el('div', { id: 'request-commands' });
  const f = (name) => params.get(name) || '';
  const form = el('form', { class: 'filters', 'aria-label': 'Filter the commands' },
    select('c-state', 'State', [['', 'any state']].concat(STATES.map((s) => [s, s])), f('state')),
    input('c-device', 'Device', f('device')),
    input('c-kind', 'Kind', f('kind'), { size: 10 }),
    input('c-vendor', 'Vendor status', f('vendor_status'), { size: 12 }),
    input('c-reason', 'Reason contains', f('reason')),
    el('button', { type: 'submit' }, 'Apply'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = (n) => form.elements[n].value.trim();
    location.hash = '#/request/' + encodeURIComponent(id) + query({ state: v('c-state'), device: v('c-device'), kind: v('c-kind'),
      vendor_status: v('c-vendor'), reason: v('c-reason') });
  });
  document.getElementById('main').replaceChildren(
    el('p', {}, el('a', { href: '#/requests' }, '← All requests')), head, el('h2', {}, 'Commands'), form, region);
  const from = params.get('from') || '';
  const limit = 50;
  return {
    refresh: async () => {
      const data = await api('console/v0/requests/' + encodeURIComponent(id) + query({ state: f('state'), device: f('device'),
        kind: f('kind'), vendor_status: f('vendor_status'), reason: f('reason'), limit, from }));
      const page = data.commands_page;
      delete data.commands_page;
      draw(head, data, (r) => el('div', {},
        el('h1', {}, 'Request ', el('span', { class: 'mono' }, r.request_id)),
        el('dl', { class: 'facts' },
          el('dt', {}, 'Source'), el('dd', {}, r.source_label + (r.name ? ' · ' + r.name : '')),
          el('dt', {}, 'State'), el('dd', {}, el('span', { class: stateClass(r.state), id: 'request-state' }, r.state)),
          el('dt', {}, 'Records read'), el('dd', {}, String(r.records_read)),
          r.refused_reason ? [el('dt', {}, 'Refused'), el('dd', { class: 'error' }, r.refused_reason)] : null,
          el('dt', {}, 'Started'), el('dd', {}, time(r.created_at)),
          el('dt', {}, 'Finished'), el('dd', {}, time(r.finished_at)),
          el('dt', {}, 'Progress'), el('dd', {}, progressBar(r.progress, r.commands + r.progress.invalid), legend())),
        r.finished_at ? null : el('div', { class: 'actions' }, el('button', {
          type: 'button', class: 'danger', 'data-key': 'cancel-request',
          onclick: () => confirmCancel({
            title: 'Cancel the whole request?',
            yesLabel: 'Cancel the request',
            text: 'Every command of request ' + r.request_id + ' that is not final yet will be Command Cancelled, by the same rules as '
              + 'cancelling each one (commands already sent to their cloud only with force).',
            forceAllowed: true,
            action: async (force) => {
              const done = await api('console/v0/requests/' + encodeURIComponent(r.request_id) + '/cancel', { method: 'POST', body: { force } });
              return done.cancelled + ' commands cancelled, ' + done.refused + ' refused.';
            },
          }),
        }, 'Cancel request…'))));
      draw(region, page, (p) => {
        const rows = p.items.map((c) => el('tr', {},
          el('td', {}, el('a', { href: '#/command/' + c.id, 'data-key': 'c-' + c.id }, c.device)),
          el('td', {}, c.kind),
          el('td', {}, el('span', { class: stateClass(c.state) }, c.state)),
          el('td', {}, c.vendor_status || ''),
          el('td', { class: 'reason' }, c.reason || ''),
          el('td', {}, time(c.created_at)),
          el('td', {}, time(c.updated_at)),
          el('td', {}, time(c.finished_at)),
          el('td', {}, cancelCommandButton(c))));
        const to = (place) => '#/request/' + encodeURIComponent(id) + query({ state: f('state'), device: f('device'), kind: f('kind'),
          vendor_status: f('vendor_status'), reason: f('reason'), from: place });
        const pager = el('nav', { class: 'pager', 'aria-label': 'Pages of commands' },
          el('span', {}, p.items.length ? p.items.length + (p.items.length === 1 ? ' command' : ' commands') + (p.from !== '0:0' ? ' from record ' + p.from.split(':')[0] : '') : 'No commands'),
          p.from !== '0:0' ? el('a', { href: to('') }, 'First page') : null,
          p.from !== '0:0' ? el('a', { href: '#', onclick: (e) => { e.preventDefault(); history.back(); } }, 'Previous page') : null,
          p.next_from ? el('a', { href: to(p.next_from) }, 'Next page') : null);
        return el('div', {}, table('Commands in batch order', [['Device'], ['Kind'], ['State'], ['Vendor status'], ['Reason'],
          ['Created'], ['Updated'], ['Finished'], ['Action']], rows, 'No commands match.'), pager);
      });
    },
  };
}

function commandView(id) {
  const region = el('div', { id: 'command-data' });
  document.getElementById('main').replaceChildren(region);
  return {
    refresh: async () => {
      const c = await api('console/v0/commands/' + encodeURIComponent(id));
      draw(region, c, (d) => el('div', {},
        el('p', {}, el('a', { href: '#/request/' + encodeURIComponent(d.request_id) }, '← Request ' + d.request_id)),
        el('h1', {}, 'Command on ', el('span', { class: 'mono' }, d.device)),
        el('dl', { class: 'facts' },
          el('dt', {}, 'Command id'), el('dd', { class: 'mono' }, d.id),
          el('dt', {}, 'Kind'), el('dd', {}, d.kind),
          el('dt', {}, 'State'), el('dd', {}, el('span', { class: stateClass(d.state), id: 'command-state' }, d.state)),
          el('dt', {}, 'Vendor status'), el('dd', {}, d.vendor_status || '-'),
          el('dt', {}, 'Reason'), el('dd', { id: 'command-reason' }, d.reason || '-'),
          el('dt', {}, 'Record'), el('dd', {}, d.record || '-'),
          d.action_id ? [el('dt', {}, 'Action id'), el('dd', {}, d.action_id)] : null,
          d.vendor_ref ? [el('dt', {}, 'Cloud action'), el('dd', { class: 'mono' }, d.vendor_ref)] : null,
          d.not_before ? [el('dt', {}, 'Not before'), el('dd', {}, time(d.not_before))] : null,
          el('dt', {}, 'Deadline'), el('dd', {}, time(d.deadline_at)),
          el('dt', {}, 'Created'), el('dd', {}, time(d.created_at)),
          el('dt', {}, 'Finished'), el('dd', {}, time(d.finished_at)),
          el('dt', {}, 'Attempts, polls'), el('dd', {}, d.attempts + ', ' + d.polls)),
        el('div', { class: 'actions' }, cancelCommandButton(d)),
        el('h2', {}, 'Transitions'),
        table('State changes, oldest first', [['At'], ['From'], ['To'], ['Vendor status'], ['Vendor request id'], ['Reason']],
          d.transitions.map((t) => el('tr', {}, el('td', {}, time(t.at)), el('td', {}, t.from || '-'),
            el('td', {}, el('span', { class: stateClass(t.to) }, t.to)), el('td', {}, t.vendor_status || ''),
            el('td', { class: 'mono' }, t.vendor_request_id || ''), el('td', { class: 'reason' }, t.reason || ''))), 'None.'),
        el('h2', {}, 'Cloud calls'),
        table('Calls made for this command, oldest first', [['At'], ['Cloud'], ['Operation'], ['HTTP status', 'num'], ['Duration', 'num'],
          ['Vendor request id'], ['Error']],
          d.calls.map((k) => el('tr', {}, el('td', {}, time(k.at)), el('td', {}, k.cloud), el('td', {}, k.operation),
            el('td', { class: 'num' }, k.http_status === null ? 'no answer' : String(k.http_status)),
            el('td', { class: 'num' }, k.duration_ms + ' ms'), el('td', { class: 'mono' }, k.vendor_request_id || ''),
            el('td', { class: 'reason' }, k.error || ''))), 'No call made for it (yet).')));
    },
  };
}

function cloudsView() {
  const region = el('div', { id: 'clouds-data' });
  document.getElementById('main').replaceChildren(el('h1', {}, 'Clouds'), region);
  return {
    refresh: async () => {
      const data = await api('console/v0/clouds');
      draw(region, data, (d) => {
        const rows = d.clouds.map((c) => {
          const rl = c.rate_limit;
          const r = c.recent;
          return el('tr', {},
            el('th', { scope: 'row' }, c.cloud),
            el('td', {}, c.configured ? c.kind : c.kind + ' (not configured)'),
            el('td', { class: 'num' }, String(c.waiting)),
            el('td', { class: 'num' }, String(c.started)),
            el('td', {}, rl ? rl.in_use + ' of ' + rl.limit + ' calls per ' + rl.window_seconds + ' s' : 'no limit'),
            el('td', {}, rl ? (rl.calls_needed ? rl.calls_needed + ' calls, last in ' + seconds(rl.eta_seconds) : 'nothing queued') : '-'),
            el('td', { class: 'num' }, String(r.calls)),
            el('td', { class: 'num' }, r.p50_ms === null ? '-' : r.p50_ms + ' ms'),
            el('td', { class: 'num' }, r.p95_ms === null ? '-' : r.p95_ms + ' ms'),
            el('td', { class: 'num' }, r.error_rate === null ? '-' : (Math.round(r.error_rate * 1000) / 10) + ' % (' + r.errors + ')'),
            el('td', {}, time(r.last_at)));
        });
        return el('div', {},
          table('Work and calls per cloud', [['Cloud'], ['Kind'], ['Queued', 'num'], ['Started', 'num'], ['Rate limit in use'], ['Queued work ETA'],
            ['Recent calls', 'num'], ['Latency p50', 'num'], ['Latency p95', 'num'], ['Error rate', 'num'], ['Last call']], rows, 'No clouds.'),
          el('p', { class: 'muted' }, 'Queued: commands nothing was sent for yet; started: commands with a step under way. Recent calls: '
            + 'among the bridge\'s last ' + d.recent_calls_window + ' calls; errors are calls without an answer or with HTTP 400 and above. '
            + 'The ETA is the best case under the rate limit (the budget in use now and later arrivals not counted).'),
          el('p', {}, 'Device inbox (commands devices pull): ' + d.inbox.waiting + ' queued, ' + d.inbox.started + ' delivered and not final.'));
      });
    },
  };
}

function fanoutView() {
  const region = el('div', { id: 'fanout-data' });
  document.getElementById('main').replaceChildren(el('h1', {}, 'Webhooks and event streams'), region);
  return {
    refresh: async () => {
      const data = await api('console/v0/fanout');
      draw(region, data, (d) => el('div', {},
        table('Readers of the state-change log', [['Name'], ['Type'], ['URL'], ['Cursor', 'num'], ['Lag', 'num'], ['Last delivery'],
          ['Last status', 'num'], ['Failed attempts', 'num'], ['Recent failures', 'num'], ['Next attempt'], ['Paused until'], ['Last error']],
          d.items.map((s) => el('tr', {},
            el('th', { scope: 'row' }, s.name), el('td', {}, s.type), el('td', { class: 'reason mono' }, s.url || ''),
            el('td', { class: 'num' }, String(s.cursor)), el('td', { class: 'num' }, String(s.lag)), el('td', {}, time(s.last_delivered_at)),
            el('td', { class: 'num' }, s.last_status === null ? '-' : String(s.last_status)), el('td', { class: 'num' }, String(s.attempts)),
            el('td', { class: 'num' }, String(s.recent_failures)), el('td', {}, time(s.next_attempt_at)), el('td', {}, time(s.paused_until)),
            el('td', { class: 'reason' }, s.last_error || ''))),
          'No webhook subscribers or event streams are configured.'),
        el('p', { class: 'muted' }, 'Newest state change: ' + d.newest_transition_id + '. Lag: state changes after the cursor. '
          + 'Recent failures: events that failed at least once, last tried within the last ' + d.recent_failures_window_minutes + ' minutes.')));
    },
  };
}

// ---------------------------------------------------------------- routing and live updates

function route() {
  const hash = location.hash || '#/requests';
  const [path, search] = hash.slice(1).split('?');
  const params = new URLSearchParams(search || '');
  const parts = path.split('/').filter(Boolean);
  lastData = new Map();
  let view = 'requests';
  if (parts[0] === 'request' && parts[1]) { view = 'requests'; current = requestView(decodeURIComponent(parts[1]), params); }
  else if (parts[0] === 'command' && parts[1]) { view = 'requests'; current = commandView(decodeURIComponent(parts[1])); }
  else if (parts[0] === 'clouds') { view = 'clouds'; current = cloudsView(); }
  else if (parts[0] === 'fanout') { view = 'fanout'; current = fanoutView(); }
  else current = requestsView(params);
  document.querySelectorAll('header nav a').forEach((a) => {
    if (a.dataset.view === view) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  });
  const main = document.getElementById('main');
  refreshNow().then(() => { main.setAttribute('aria-busy', 'false'); });
  main.focus({ preventScroll: true });
}

let refreshing = false;
async function refreshNow() {
  if (!current || refreshing) return;
  refreshing = true;
  const view = current;
  try {
    await view.refresh();
    document.getElementById('updated').textContent = 'Updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    if (view === current) {
      document.getElementById('updated').textContent = 'Not updated: ' + e.message;
    }
  } finally {
    refreshing = false;
  }
}

async function start() {
  csrf = (await api('console/v0/session')).csrf;
  document.getElementById('logout').addEventListener('click', async () => {
    await fetch('console/logout', { method: 'POST', credentials: 'same-origin' });
    window.location.reload();
  });
  window.addEventListener('hashchange', route);
  window.setInterval(() => {
    if (document.getElementById('live').checked && !document.hidden && !document.getElementById('confirm').open) refreshNow();
  }, POLL_MS);
  route();
}

start();
