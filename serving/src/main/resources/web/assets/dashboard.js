/* Tandem dashboard: reads only the public API (/api/v1/...), draws with uPlot. */
(function () {
  'use strict';
  const H = 3600e3, D = 24 * H;
  const PALETTE = ['#2f6fed', '#e8773d', '#1f9d55', '#a855f7', '#d64545', '#0ea5a4', '#c2410c', '#64748b'];
  const charts = {};
  let timer = null;
  let refreshes = 0;

  const $ = (id) => document.getElementById(id);
  const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');
  const hourLabel = (s) => s ? s.replace(':00:00Z', 'Z').replace('T', ' ') : '—';
  const fmt = (n) => n == null ? '—' : Number(n).toLocaleString('en-US');
  const pct = (x) => x == null ? '—' : (100 * x).toFixed(2) + ' %';
  const money = (minor) => (minor / 100).toLocaleString('en-US', {minimumFractionDigits: 2, maximumFractionDigits: 2});

  function age(seconds) {
    if (seconds == null) return '—';
    const s = Math.max(0, seconds);
    if (s < 90) return s + ' s';
    if (s < 5400) return Math.round(s / 60) + ' min';
    if (s < 172800) return Math.floor(s / 3600) + ' h ' + Math.round((s % 3600) / 60) + ' min';
    return Math.round(s / 86400) + ' days';
  }

  async function getJson(url) {
    const r = await fetch(url, {headers: {Accept: 'application/json'}});
    const body = await r.json();
    if (!r.ok) throw new Error((body && body.detail) || ('HTTP ' + r.status + ' for ' + url));
    return body;
  }

  function setText(id, text, cls) {
    const el = $(id);
    el.textContent = text;
    el.classList.remove('ok', 'warn', 'bad');
    if (cls) el.classList.add(cls);
  }

  function renderStatus(s) {
    const b = s.batch, rt = s.realtime, c = s.coverage;
    setText('status-batch-run', b.run || 'none published', b.run ? null : 'warn');
    $('status-batch-run').title = b.run ? (b.engine + ' · ' + b.mode + ' · created ' + b.created_at) : '';
    setText('status-batch-cutoff', hourLabel(b.cutoff));
    setText('status-batch-age', age(b.age_seconds));
    setText('status-speed', rt.ready ? 'live' : 'replaying…', rt.ready ? 'ok' : 'warn');
    setText('status-speed-lag', fmt(rt.lag_records));
    setText('status-speed-tags', rt.oldest_tag ? hourLabel(rt.oldest_tag) + ' → ' + hourLabel(rt.newest_tag) : 'none');
    const states = {complete: 'ok', gap: 'bad', 'batch-only': 'warn', 'realtime-only': 'warn', empty: 'warn'};
    setText('status-coverage', c.state === 'gap' ? 'gap of ' + c.gap.hours + ' h' : c.state, states[c.state]);
    $('status-coverage').dataset.state = c.state;
    setText('status-coverage-detail', c.gap
      ? 'ingest hours ' + hourLabel(c.gap.from) + ' → ' + hourLabel(c.gap.to) + ' missing'
      : (c.state === 'complete' ? 'batch < H, speed layer ≥ H' : 'see warnings'));
    setText('status-freshest', hourLabel(s.freshest_ingest_tag));
  }

  function renderWarnings(list) {
    const uniq = [...new Set(list)];
    const box = $('warnings');
    box.replaceChildren(...uniq.map((w) => { const d = document.createElement('div'); d.textContent = '⚠ ' + w; return d; }));
    box.hidden = uniq.length === 0;
  }

  /** uPlot plugin: the batch/realtime boundary at cutoff H (and a coverage gap, if any). */
  function boundaryPlugin(boundary) {
    return {
      hooks: {
        draw: [(u) => {
          if (!boundary || boundary.cutoff == null) return;
          const ctx = u.ctx, top = u.bbox.top, height = u.bbox.height, left = u.bbox.left, right = left + u.bbox.width;
          const x = Math.round(u.valToPos(boundary.cutoff / 1000, 'x', true));
          ctx.save();
          if (x < right) {
            ctx.fillStyle = 'rgba(47, 111, 237, 0.07)';
            ctx.fillRect(Math.max(x, left), top, right - Math.max(x, left), height);
          }
          if (boundary.gapTo != null) {
            const g0 = Math.max(left, u.valToPos(boundary.cutoff / 1000, 'x', true));
            const g1 = Math.min(right, u.valToPos(boundary.gapTo / 1000, 'x', true));
            if (g1 > g0) { ctx.fillStyle = 'rgba(214, 69, 69, 0.15)'; ctx.fillRect(g0, top, g1 - g0, height); }
          }
          if (x >= left && x <= right) {
            ctx.strokeStyle = '#2f6fed'; ctx.lineWidth = 1.5 * devicePixelRatio;
            ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
            ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + height); ctx.stroke();
            ctx.setLineDash([]);
            ctx.font = (11 * devicePixelRatio) + 'px system-ui, sans-serif'; ctx.fillStyle = '#2f6fed';
            ctx.textAlign = 'right'; ctx.fillText('batch  ', x, top + 14 * devicePixelRatio);
            ctx.textAlign = 'left'; ctx.fillText('  realtime', x, top + 14 * devicePixelRatio);
          }
          ctx.restore();
        }],
      },
    };
  }

  function draw(id, xs, series, boundary, yFmt, axisFmt) {
    const el = $(id);
    if (charts[id]) { charts[id].destroy(); delete charts[id]; }
    const width = Math.max(300, el.clientWidth || 600);
    const opts = {
      width, height: 260,
      plugins: [boundaryPlugin(boundary)],
      scales: {x: {time: true}},
      axes: [{stroke: '#6b7385', grid: {stroke: '#eef1f5'}},
             {stroke: '#6b7385', grid: {stroke: '#eef1f5'}, size: 64, values: (u, vals) => vals.map(axisFmt || yFmt || ((v) => fmt(v)))}],
      series: [{}].concat(series.map((s, i) => ({
        label: s.label, stroke: s.color || PALETTE[i % PALETTE.length], width: 2,
        fill: s.fill ? (s.color || PALETTE[i % PALETTE.length]) + '22' : undefined,
        spanGaps: false, points: {show: false}, value: (u, v) => v == null ? '—' : (yFmt ? yFmt(v) : fmt(v)),
      }))),
      legend: {live: true},
    };
    charts[id] = new uPlot(opts, [xs].concat(series.map((s) => s.data)), el);
    el.dataset.boundary = boundary && boundary.cutoff != null ? iso(boundary.cutoff) : '';
    el.dataset.points = String(xs.length);
  }

  function hourly(from, to) {
    const xs = [];
    for (let t = from; t < to; t += H) xs.push(t / 1000);
    return xs;
  }

  function dense(rows, xs, keyOf, valueOf, fillZero) {
    const idx = new Map(xs.map((x, i) => [x, i]));
    const out = new Map();
    for (const r of rows) {
      const k = keyOf(r);
      if (!out.has(k)) out.set(k, xs.map(() => fillZero ? 0 : null));
      const i = idx.get(Date.parse(r.bucket_start) / 1000);
      if (i != null) out.get(k)[i] = valueOf(r);
    }
    return out;
  }

  async function refresh() {
    try {
      const status = await getJson('/api/v1/status');
      renderStatus(status);
      const hours = Number($('range').value);
      const to = status.freshest_ingest_tag ? Date.parse(status.freshest_ingest_tag) + H : Math.floor(Date.now() / H) * H + H;
      const from = to - hours * H;
      const dayFrom = Math.floor(from / D) * D, dayTo = Math.ceil(to / D) * D;
      document.body.dataset.from = iso(from);
      document.body.dataset.to = iso(to);
      $('range-label').textContent = hourLabel(iso(from)) + ' → ' + hourLabel(iso(to));
      const q = 'from=' + iso(from) + '&to=' + iso(to);
      const [traffic, topCampaigns, revenue, revenueTop, terms] = await Promise.all([
        getJson('/api/v1/views/campaign_hourly/series?' + q + '&groupBy=&metrics=impressions,clicks,attributed_clicks'),
        getJson('/api/v1/views/campaign_hourly/top?' + q + '&by=impressions&limit=10'),
        getJson('/api/v1/views/region_revenue_hourly/series?' + q + '&metrics=orders,revenue_minor'),
        getJson('/api/v1/views/region_revenue_hourly/top?' + q + '&by=revenue_minor&limit=50'),
        getJson('/api/v1/views/search_terms_daily/top?from=' + iso(dayFrom) + '&to=' + iso(dayTo) + '&by=occurrences&limit=20'),
      ]);
      const top5 = topCampaigns.rows.slice(0, 5).map((r) => r.campaign_id);
      const ctr = top5.length
        ? await getJson('/api/v1/views/campaign_hourly/series?' + q + '&campaign_id=' + top5.map(encodeURIComponent).join(',') + '&metrics=ctr')
        : {rows: [], warnings: []};

      const cutoff = status.batch.cutoff ? Date.parse(status.batch.cutoff) : null;
      const boundary = {cutoff, gapTo: status.coverage.gap ? Date.parse(status.coverage.gap.to) : null};
      const xs = hourly(from, to);

      // KPIs
      const sum = (rows, m) => rows.reduce((a, r) => a + (r[m] || 0), 0);
      const imp = sum(traffic.rows, 'impressions'), attributed = sum(traffic.rows, 'attributed_clicks');
      setText('kpi-impressions', fmt(imp));
      setText('kpi-clicks', fmt(sum(traffic.rows, 'clicks')));
      setText('kpi-attributed', fmt(attributed));
      setText('kpi-ctr', imp ? pct(attributed / imp) : '—');
      setText('kpi-orders', fmt(sum(revenue.rows, 'orders')));
      const byCurrency = {};
      for (const r of revenue.rows) byCurrency[r.currency] = (byCurrency[r.currency] || 0) + r.revenue_minor;
      $('kpi-revenue').replaceChildren(...Object.keys(byCurrency).sort().map((c) => {
        const d = document.createElement('div'); d.textContent = c + ' ' + money(byCurrency[c]); return d;
      }));

      // charts
      const t = dense(traffic.rows, xs, () => 'all', (r) => r, false).get('all');
      const pick = (m) => xs.map((x, i) => (t && t[i]) ? t[i][m] : 0);
      draw('chart-traffic', xs, [
        {label: 'impressions', data: pick('impressions'), fill: true},
        {label: 'clicks', data: pick('clicks')},
        {label: 'attributed clicks', data: pick('attributed_clicks')},
      ], boundary);
      const ctrBy = dense(ctr.rows, xs, (r) => r.campaign_id, (r) => r.ctr, false);
      draw('chart-ctr', xs, top5.filter((c) => ctrBy.has(c)).map((c) => ({label: c, data: ctrBy.get(c)})), boundary, pct,
        (v) => v == null ? '' : Math.round(100 * v) + ' %');
      const revBy = dense(revenue.rows, xs, (r) => r.region + ' · ' + r.currency, (r) => r.revenue_minor / 100, true);
      draw('chart-revenue', xs, [...revBy.keys()].sort().map((k) => ({label: k, data: revBy.get(k)})), boundary,
        (v) => Number(v).toLocaleString('en-US', {maximumFractionDigits: 0}));

      // tables
      $('table-campaigns').tBodies[0].replaceChildren(...topCampaigns.rows.map((r) => row(
        [r.campaign_id, fmt(r.impressions), fmt(r.clicks), fmt(r.attributed_clicks), pct(r.ctr), fmt(r.unique_users)])));
      const revRows = revenueTop.rows.slice().sort((a, b) => a.region.localeCompare(b.region) || a.currency.localeCompare(b.currency));
      $('table-revenue').tBodies[0].replaceChildren(...revRows.map((r) => row(
        [r.region, r.currency, fmt(r.orders), money(r.revenue_minor), fmt(r.unique_buyers)])));
      const max = terms.rows.length ? terms.rows[0].occurrences : 1;
      $('terms').replaceChildren(...terms.rows.map((r) => {
        const li = document.createElement('li');
        li.innerHTML = '<span class="term"></span><span class="bar"></span><span class="count"></span>';
        li.querySelector('.term').textContent = r.term;
        li.querySelector('.term').title = r.term;
        li.querySelector('.bar').style.width = Math.max(2, 100 * r.occurrences / max) + '%';
        li.querySelector('.count').textContent = fmt(r.occurrences);
        return li;
      }));

      renderWarnings([].concat(status.warnings, traffic.warnings, revenue.warnings, terms.warnings, ctr.warnings));
      $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
      refreshes += 1;
      document.body.dataset.refreshes = String(refreshes);
      document.body.dataset.state = 'ready';
    } catch (e) {
      document.body.dataset.state = 'error';
      renderWarnings(['dashboard could not refresh: ' + e.message]);
    }
  }

  function row(cells) {
    const tr = document.createElement('tr');
    for (const c of cells) { const td = document.createElement('td'); td.textContent = c; tr.appendChild(td); }
    return tr;
  }

  function schedule() {
    if (timer) clearInterval(timer);
    timer = $('auto').checked ? setInterval(refresh, 15000) : null;
  }

  $('refresh').addEventListener('click', refresh);
  $('range').addEventListener('change', refresh);
  $('auto').addEventListener('change', schedule);
  let resizeTimer = null;
  window.addEventListener('resize', () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(refresh, 250); });
  schedule();
  refresh();
})();
