#include "server/status_assets.h"

#include <cstdint>
#include <cstdio>

namespace gatewatch::server {
namespace {

constexpr std::string_view kCss =
    R"css(:root{--bg:#fff;--fg:#1b1b1b;--muted:#5c6066;--line:#e1e3e6;--head:#f4f5f7;
--ok:#146c2e;--okbg:#e3f3e7;--bad:#b3261e;--badbg:#fce8e6;--warn:#7a5200;--warnbg:#fdf0cf;
--link:#0b57d0;--spark:#2f6db5;--dns:#8e6cc8;--connect:#d9861c;--tls:#1f9e8f;--ttfb:#3b78d8;
--transfer:#3f9a56;--wait:#a4a9ae}
@media (prefers-color-scheme:dark){:root{--bg:#14161a;--fg:#e4e6e8;--muted:#a3a8ae;--line:#30343a;
--head:#1d2025;--ok:#73d08e;--okbg:#16301f;--bad:#ff8d84;--badbg:#3d1b19;--warn:#f0c35a;
--warnbg:#382d12;--link:#8ab4f8;--spark:#8ab4f8;--wait:#6b7177}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0 auto;padding:1rem;max-width:1400px;background:var(--bg);color:var(--fg);
font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
a{color:var(--link)}
h1{font-size:1.45rem;margin:0 0 .2rem;overflow-wrap:anywhere}
h2{font-size:1.1rem;margin:1.3rem 0 .5rem}
p{margin:.3rem 0}
code{font-size:.9em;overflow-wrap:anywhere}
.meta,.legend,.sub,.url{color:var(--muted)}
.legend{font-size:.9em}
.sub,.url{display:block;font-size:.85em;font-weight:400}
.url,.why{overflow-wrap:break-word}
.why{max-width:34em}
.st{display:inline-block;font-weight:700;padding:0 .35em;border-radius:3px;letter-spacing:.02em}
.st.down{color:var(--bad);background:var(--badbg)}
.st.degraded{color:var(--warn);background:var(--warnbg)}
.st.up{color:var(--ok);background:var(--okbg)}
.st.pending{color:var(--muted);border:1px solid var(--line)}
.n-down{color:var(--bad)}
.n-degraded{color:var(--warn)}
.warn{color:var(--bad);font-weight:600}
.none{color:var(--ok)}
.alerts{list-style:none;padding:0;margin:0}
.alert{border-left:4px solid var(--warn);background:var(--warnbg);padding:.45rem .7rem;
margin:0 0 .5rem;border-radius:3px;overflow-wrap:anywhere}
.alert.firing{border-color:var(--bad);background:var(--badbg)}
.badge{font-weight:700;letter-spacing:.03em}
.firing .badge{color:var(--bad)}
.pending .badge{color:var(--warn)}
.sev{font-size:.85em;border:1px solid currentColor;border-radius:3px;padding:0 .3em}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%}
th,td{padding:.35rem .5rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
thead th{background:var(--head);font-size:.85em;white-space:nowrap}
thead .sub{display:inline;margin-left:.3em}
tbody th{font-weight:600}
td.w,td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
th.w{text-align:right}
.bad{color:var(--bad);font-weight:700}
time{white-space:nowrap}
svg{display:block}
svg.spark{background:var(--head);border-radius:2px}
#now span.sub{display:inline;margin-left:.3em}
.spark .r{fill:var(--bad);fill-opacity:.45}
.spark .l{fill:none;stroke:var(--spark);stroke-width:3;stroke-linecap:round;stroke-linejoin:round}
.wf .dns{fill:var(--dns)}.wf .connect{fill:var(--connect)}.wf .tls{fill:var(--tls)}
.wf .ttfb{fill:var(--ttfb)}.wf .transfer{fill:var(--transfer)}.wf .wait{fill:var(--wait)}
.k{white-space:nowrap}
.k::before{content:"";display:inline-block;width:.8em;height:.8em;margin:0 .25em 0 .4em;
vertical-align:-.05em;border-radius:2px}
.k.dns::before{background:var(--dns)}.k.connect::before{background:var(--connect)}
.k.tls::before{background:var(--tls)}.k.ttfb::before{background:var(--ttfb)}
.k.transfer::before{background:var(--transfer)}.k.wait::before{background:var(--wait)}
.k.r::before{background:var(--bad);width:.45em}
.k.l::before{background:var(--spark);height:3px;vertical-align:.25em}
@media (max-width:720px){
body{padding:.6rem;font-size:14px}
#targets thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
#targets,#targets tbody,#targets tr{display:block}
#targets tr{border:1px solid var(--line);border-radius:6px;margin:0 0 .7rem;padding:.35rem}
#targets th,#targets td{display:block;border:0;padding:.15rem .25rem}
#targets td.w{display:inline-block;text-align:left;min-width:31%}
#targets td.w::before{content:attr(data-w) " 502 \00b7  p99";display:block;font-size:.8em;
color:var(--muted)}
#targets td:empty{display:none}
#targets td.last .sub{display:inline;margin-left:.4em}
}
)css";

// Renders the same markup as server/status_page.cpp, server/target_page.cpp and
// server/page_parts.cpp, from the JSON API. Data goes in with append() of strings (text nodes),
// textContent and setAttribute only: never innerHTML.
constexpr std::string_view kJs = R"js('use strict';
(function () {
  const REFRESH_MS = 10000;
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const body = document.body;
  const kind = body.getAttribute('data-page');
  if (kind !== 'status' && kind !== 'target') return;

  function h(tag, cls, ...kids) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    for (const k of kids) if (k !== null && k !== undefined && k !== '') e.append(k);
    return e;
  }
  function svg(tag, attrs) {
    const e = document.createElementNS(SVG_NS, tag);
    for (const k in attrs) e.setAttribute(k, String(attrs[k]));
    return e;
  }
  const pct = r => (100 * r).toFixed(1) + '%';
  function lat(s) {
    const ms = s * 1000;
    if (ms < 10) return ms.toFixed(1) + ' ms';
    if (ms < 1000) return ms.toFixed(0) + ' ms';
    return s < 10 ? s.toFixed(2) + ' s' : s.toFixed(1) + ' s';
  }
  function age(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) return s + 's';
    if (s < 3600) return Math.floor(s / 60) + 'm ' + (s % 60) + 's';
    if (s < 86400) return Math.floor(s / 3600) + 'h ' + Math.floor(s % 3600 / 60) + 'm';
    return Math.floor(s / 86400) + 'd ' + Math.floor(s % 86400 / 3600) + 'h';
  }
  function timeAgo(iso, now, prefix) {
    const t = h('time', null, prefix + age(now - Date.parse(iso)));
    t.setAttribute('datetime', iso);
    t.title = iso;
    return t;
  }
  function targetLink(name) {
    const a = h('a', null, name);
    a.href = '/target/' + encodeURIComponent(name);
    return a;
  }
  function replaceKids(node, kids) {
    node.replaceChildren(...kids);
  }

  function stateOf(t) {
    if (!t.last) return 'pending';
    if (!t.up) return 'down';
    if (t.windows.length && t.windows[0].failed > 0) return 'degraded';
    return 'up';
  }
  const ORDER = {down: 0, degraded: 1, pending: 2, up: 3};

  function lastAnswer(t) {
    if (!t.last) return ['\u2013'];
    const out = [t.last.status ? String(t.last.status) : t.last.reason];
    if (t.responder) {
      out.push(h('span', 'sub', t.responder.display + ' (' + t.responder.origin + ')'));
    }
    return out;
  }
  function whyText(t) {
    return t.last && !t.last.success ? (t.diagnosis || t.last.detail) : '';
  }

  const LINE_MIN = 20 * Math.log(1.2e6) / 254;
  function spark(s) {
    const e = svg('svg',
                  {class: 'spark', viewBox: '0 0 240 28', width: 120, height: 28, role: 'img'});
    let lo = Infinity, hi = -Infinity, worst = 0;
    s.latency_seconds.forEach((v, i) => {
      if (v === null) return;
      lo = Math.min(lo, Math.log(v));
      hi = Math.max(hi, Math.log(v));
      if (s.ratio_502[i]) worst = Math.max(worst, s.ratio_502[i]);
    });
    let label = 'last ' + s.span;
    if (hi < lo) {
      e.setAttribute('aria-label', label + ': no probes');
      return e;
    }
    label += worst > 0 ? ': up to ' + pct(worst) + ' answered 502' : ': no 502s';
    e.setAttribute('aria-label', label + ', slowest probe ' + lat(Math.exp(hi)));
    if (worst > 0) {
      let d = '';
      s.ratio_502.forEach((r, i) => {
        if (!r) return;
        const bar = Math.max(1, Math.round(r * 26));
        d += 'M' + i * 8 + ' 28v-' + bar + 'h6v' + bar + 'z';
      });
      e.append(svg('path', {class: 'r', d: d}));
    }
    if (hi - lo < LINE_MIN) {
      const mid = (lo + hi) / 2;
      lo = mid - LINE_MIN / 2;
      hi = mid + LINE_MIN / 2;
    }
    let d = '';
    const v = s.latency_seconds;
    for (let i = 0; i < v.length; ++i) {
      if (v[i] === null) continue;
      const x = i * 8 + 3, y = 25 - Math.round((Math.log(v[i]) - lo) * 22 / (hi - lo));
      const drawing = i > 0 && v[i - 1] !== null;
      const alone = !drawing && (i + 1 === v.length || v[i + 1] === null);
      d += alone ? 'M' + (x - 1) + ' ' + y + 'h2' : (drawing ? 'L' : 'M') + x + ' ' + y;
    }
    e.append(svg('path', {class: 'l', d: d}));
    return e;
  }

  function windowCell(w, span) {
    const td = h('td', 'w');
    td.setAttribute('data-w', span);
    if (!w || !w.samples) {
      td.append('\u2013');
      return td;
    }
    if (w.status_502 > 0) td.className = 'w bad';
    const p99 = w.latency_seconds && w.latency_seconds['0.99'];
    td.append(pct(w.ratios['502']),
              h('span', 'sub', typeof p99 === 'number' ? lat(p99) : '\u2013'));
    return td;
  }

  function targetRow(t, spans, now) {
    const st = stateOf(t);
    const name = h('th', null, targetLink(t.name), h('span', 'url', t.url));
    name.scope = 'row';
    const labels = Object.keys(t.labels).map(k => k + '=' + t.labels[k]).join(', ');
    if (labels) name.append(h('span', 'sub', labels));
    const state = h('td', null, h('span', 'st ' + st, st.toUpperCase()));
    if (t.last) state.append(' ', timeAgo(t.state_since, now, 'for '));
    const tr = h('tr', st, name, state, h('td', 'last', ...lastAnswer(t)),
                 h('td', 'why', whyText(t)));
    for (const span of spans) tr.append(windowCell(t.windows.find(w => w.window === span), span));
    tr.append(h('td', 'trend', spark(t.sparkline)));
    return tr;
  }

  const SIGNALS = {
    '502_ratio': '502 ratio', '5xx_ratio': '5xx ratio', failure_ratio: 'failure ratio',
    latency_p50: 'p50 latency', latency_p90: 'p90 latency', latency_p99: 'p99 latency',
    consecutive_failures: 'consecutive failures', burn_rate: 'burn rate'};
  function signalValue(signal, v) {
    if (/_ratio$/.test(signal)) return pct(v);
    if (/^latency_/.test(signal)) return lat(v);
    if (signal === 'burn_rate') return v.toFixed(2) + 'x';
    return v.toFixed(0);
  }
  function alertItem(a, now, link) {
    const firing = a.state === 'firing';
    const li = h('li', 'alert ' + (firing ? 'firing' : 'pending'),
                 h('span', 'badge', firing ? 'FIRING' : 'PENDING'), ' ', h('strong', null, a.alert),
                 ' on ', link ? targetLink(a.target) : a.target);
    if (a.severity) li.append(' ', h('span', 'sev', a.severity));
    const sub = h('span', 'sub', SIGNALS[a.signal] || a.signal);
    if (a.value !== null) {
      sub.append(' ', h('b', null, signalValue(a.signal, a.value)), ' above ');
    } else {
      sub.append(': too few samples to judge; threshold ');
    }
    sub.append(signalValue(a.signal, a.threshold), ' \u00b7 ',
               timeAgo(firing && a.fired_at ? a.fired_at : a.since, now,
                       firing ? 'firing for ' : 'pending for '));
    if (a.held) sub.append(' \u00b7 held: the agent is saturated');
    li.append(sub);
    return li;
  }
  function alertList(alerts, now, link, emptyText) {
    const active = alerts.filter(a => a.state === 'firing' || a.state === 'pending');
    if (!active.length) return emptyText ? [h('p', 'none', emptyText)] : [];
    return [h('ul', 'alerts', ...active.map(a => alertItem(a, now, link)))];
  }

  function count(n, what, cls) {
    const text = n + ' ' + what;
    return n > 0 && cls ? h('b', 'n-' + cls, text) : text;
  }

  function renderStatus(targets, alerts) {
    const now = Date.parse(targets.generated);
    const list = targets.targets.map((t, i) => ({t: t, st: stateOf(t), i: i}));
    list.sort((a, b) => ORDER[a.st] - ORDER[b.st] || a.i - b.i);
    const n = {down: 0, degraded: 0, pending: 0, up: 0};
    for (const x of list) n[x.st]++;
    const firing = alerts.alerts.filter(a => a.state === 'firing').length;
    const pending = alerts.alerts.filter(a => a.state === 'pending').length;
    replaceKids(document.getElementById('summary'), [
      list.length + (list.length === 1 ? ' target: ' : ' targets: '), count(n.down, 'down', 'down'),
      ', ', count(n.degraded, 'degraded', 'degraded'), ', ', count(n.pending, 'pending', ''),
      ', ', count(n.up, 'up', ''), ' \u00b7 ',
      count(firing, firing === 1 ? 'alert firing' : 'alerts firing', 'down'), ', ',
      count(pending, 'pending', 'degraded')]);
    let title = 'gatewatch';
    if (n.down) title += ': ' + n.down + ' down';
    if (firing) title += (n.down ? ', ' : ': ') + firing + ' firing';
    document.title = title;
    replaceKids(document.getElementById('alerts'),
                alertList(alerts.alerts, now, true, 'No alert is firing or pending.'));

    const spans = [];
    for (const t of targets.targets) {
      for (const w of t.windows) if (!spans.includes(w.window)) spans.push(w.window);
    }
    const table = document.getElementById('targets');
    const head = h('tr', null);
    for (const text of ['Target', 'State', 'Last answer', 'Why it fails']) {
      head.append(h('th', null, text));
    }
    for (const span of spans) head.append(h('th', 'w', span, h('span', 'sub', '502 \u00b7 p99')));
    head.append(h('th', null, 'Trend'));
    for (const th of head.children) th.scope = 'col';
    replaceKids(table.tHead, [head]);
    const rows = document.createDocumentFragment();
    for (const x of list) rows.append(targetRow(x.t, spans, now));
    replaceKids(table.tBodies[0], [rows]);
  }

  function cell(cls, ...kids) {
    return h('td', cls, ...kids);
  }
  function renderNow(t, now) {
    const st = stateOf(t);
    const first = h('p', null, h('span', 'st ' + st, st.toUpperCase()));
    if (t.last) {
      first.append(' ', timeAgo(t.state_since, now, 'for '), ' \u00b7 last answer ',
                   ...lastAnswer(t));
      if (t.consecutive_failures > 0) {
        first.append(' \u00b7 ' + t.consecutive_failures +
                     (t.consecutive_failures === 1 ? ' failure in a row' : ' failures in a row'));
      }
    } else {
      first.append(' not probed yet');
    }
    const out = [first];
    if (t.last && !t.last.success) {
      out.push(h('p', 'why', whyText(t)));
      if (t.responder && t.responder.evidence) {
        out.push(h('p', 'sub', 'evidence: ' + t.responder.evidence));
      }
      if (t.last.detail && t.diagnosis) out.push(h('p', 'sub', 'detail: ' + t.last.detail));
    }
    const facts = h('p', 'sub', 'every ' + t.interval + ', timeout ' + t.timeout + ' \u00b7 ' +
                    t.probes_total + ' probes');
    if (t.last && t.last.trace_id) {
      facts.append(' \u00b7 last trace id ', h('code', null, t.last.trace_id));
    }
    for (const k of Object.keys(t.labels)) facts.append(' \u00b7 ' + k + '=' + t.labels[k]);
    out.push(facts);
    return out;
  }
  function windowRow(w) {
    const th = h('th', null, w.window);
    th.scope = 'row';
    const share = (part, ratio) =>
        cell(part > 0 ? 'n bad' : 'n', w.samples ? pct(ratio) : '\u2013');
    const q = k => cell('n', w.latency_seconds && typeof w.latency_seconds[k] === 'number'
                                ? lat(w.latency_seconds[k]) : '\u2013');
    return h('tr', null, th, cell('n', String(w.samples)), cell('n', String(w.failed)),
             share(w.status_502, w.ratios['502']), share(w.status_5xx, w.ratios['5xx']),
             q('0.5'), q('0.9'), q('0.99'));
  }
  const PHASES = ['dns', 'connect', 'tls', 'ttfb', 'transfer'];
  function waterfall(r, scale) {
    const e = svg('svg', {class: 'wf', viewBox: '0 0 200 12', width: 200, height: 12,
                          'aria-hidden': 'true'});
    const perSecond = 200 / scale;
    let x = 0, measured = 0;
    for (const p of PHASES) {
      const v = r.phases[p];
      if (typeof v !== 'number') continue;
      measured += v;
      const w = Math.max(0.5, v * perSecond);
      e.append(svg('rect', {class: p, x: x.toFixed(1), y: 1, width: w.toFixed(1), height: 10}));
      x += w;
    }
    const rest = (r.latency_seconds - measured) * perSecond;
    if (rest >= 1) {
      e.append(svg('rect', {class: 'wait', x: x.toFixed(1), y: 1, width: rest.toFixed(1),
                            height: 10}));
    }
    return e;
  }
  function resultRow(r, scale, now) {
    const ok = r.success;
    const started = cell(null, timeAgo(r.started, now, ''), ' ago');
    const row = h('tr', ok ? 'up' : 'down', started,
                  cell(null, h('span', ok ? 'st up' : 'st down', ok ? 'OK' : 'FAIL'),
                       ' ' + r.summary),
                  cell('n', lat(r.latency_seconds)), cell(null, waterfall(r, scale)));
    for (const p of PHASES) {
      row.append(cell('n', typeof r.phases[p] === 'number' ? lat(r.phases[p]) : '\u2013'));
    }
    return row;
  }

  function renderTarget(targets, alerts, history) {
    const t = targets.targets[0];
    const now = Date.parse(targets.generated);
    document.title = t.name + ' - gatewatch';
    replaceKids(document.getElementById('now'), renderNow(t, now));
    replaceKids(document.getElementById('alerts'),
                alertList(alerts.alerts.filter(a => a.target === t.name), now, false, ''));
    replaceKids(document.getElementById('windows').tBodies[0], t.windows.map(windowRow));
    if (history) {
      const missing = document.getElementById('recent-missing');
      if (missing) missing.remove();
      const scale = Math.max(1e-6, ...history.results.map(r => r.latency_seconds));
      const hnow = Date.parse(history.generated);
      replaceKids(document.getElementById('recent').tBodies[0],
                  history.results.map(r => resultRow(r, scale, hnow)));
    }
  }

  async function getJson(url) {
    const response = await fetch(url, {cache: 'no-store', headers: {Accept: 'application/json'}});
    if (!response.ok) throw new Error('HTTP ' + response.status);
    return response.json();
  }

  async function refresh() {
    performance.mark('gatewatch-fetch');
    if (kind === 'status') {
      const [targets, alerts] =
          await Promise.all([getJson('/api/v1/targets'), getJson('/api/v1/alerts')]);
      performance.mark('gatewatch-render');
      renderStatus(targets, alerts);
    } else {
      const name = encodeURIComponent(body.getAttribute('data-target'));
      const [targets, alerts, history] = await Promise.all([
        getJson('/api/v1/targets?target=' + name), getJson('/api/v1/alerts'),
        getJson('/api/v1/targets/' + name + '/history').catch(() => null)]);
      performance.mark('gatewatch-render');
      renderTarget(targets, alerts, history);
    }
    performance.measure('gatewatch-refresh', 'gatewatch-render');
  }

  let timer = 0;
  async function tick() {
    clearTimeout(timer);
    if (document.hidden) return;  // resumes on visibilitychange
    const updated = document.getElementById('updated');
    try {
      await refresh();
      updated.removeAttribute('class');
      replaceKids(updated, ['live, updated ' + new Date().toLocaleTimeString()]);
    } catch (e) {
      updated.className = 'warn';
      replaceKids(updated, ['update failed (' + e.message + '); retrying']);
    }
    timer = setTimeout(tick, REFRESH_MS);
  }
  document.addEventListener('visibilitychange', () => { if (!document.hidden) tick(); });
  timer = setTimeout(tick, REFRESH_MS);
})();
)js";

std::string HashedUrl(std::string_view path, std::string_view content) {
  std::uint32_t hash = 2166136261u;
  for (const char c : content) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 16777619u;
  }
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", hash);
  return std::string(path) + "?v=" + hex;
}

}  // namespace

std::string_view StatusCss() { return kCss; }
std::string_view StatusJs() { return kJs; }

const std::string& StatusCssUrl() {
  static const std::string url = HashedUrl(kStatusCssPath, kCss);
  return url;
}

const std::string& StatusJsUrl() {
  static const std::string url = HashedUrl(kStatusJsPath, kJs);
  return url;
}

}  // namespace gatewatch::server
