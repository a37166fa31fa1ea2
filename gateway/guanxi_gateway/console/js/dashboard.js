// The manager's dashboard. Each panel draws one chart (ECharts, loaded on this page only) with
// its table one click away and a CSV export of exactly the rows the chart shows.
import { addDays, api, downloadCsv, errorBox, h, money, mount, pct, segmentName, select, state,
  t, table } from "./core.js";

let echartsReady = null;
function loadECharts() {
  if (!echartsReady) {
    echartsReady = new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = "/console/vendor/echarts.min.js";
      s.onload = () => resolve(window.echarts);
      s.onerror = () => reject(new Error("echarts failed to load"));
      document.head.append(s);
    });
  }
  return echartsReady;
}

const charts = new Set();
window.addEventListener("resize", () => charts.forEach((c) => c.resize()));

// A panel: title, optional controls, a chart and a table view of the same rows, and CSV.
function panel(id, title, { controls = null, note = null } = {}) {
  const body = h("div", { class: "panel-body" });
  const card = h("section", { class: "card panel", id }, h("div", { class: "row spread" },
    h("h2", {}, title), h("div", { class: "row" }, controls,
      h("button", { type: "button", class: "link", "data-action": "toggle" }, t("show_table")),
      h("button", { type: "button", class: "link", "data-action": "csv" }, "CSV"))), note, body);
  let mode = "chart";
  let current = null;
  const toggle = card.querySelector("[data-action=toggle]");
  const draw = () => {
    if (!current) return;
    toggle.textContent = mode === "chart" ? t("show_table") : t("show_chart");
    if (mode === "table") {
      mount(body, table(current.columns, current.rows, current), current.below || null);
      return;
    }
    const el = h("div", { class: current.tall ? "chart tall" : "chart", role: "img",
      "aria-label": title });
    mount(body, el, current.below || null);
    const chart = window.echarts.init(el, null, { renderer: "canvas" });
    charts.add(chart);
    chart.setOption({ animation: false, tooltip: { trigger: current.tooltip || "axis" },
      grid: { left: 56, right: 24, top: 36, bottom: 40, containLabel: true }, ...current.option });
    if (current.onClick) chart.on("click", current.onClick);
  };
  toggle.addEventListener("click", () => { mode = mode === "chart" ? "table" : "chart"; draw(); });
  card.querySelector("[data-action=csv]").addEventListener("click", () => {
    if (current) downloadCsv(`${id}.csv`, current.columns, current.rows);
  });
  return { card, body, show(spec) { current = spec; draw(); },
    fail(err) { mount(body, errorBox(err)); } };
}

export async function renderDashboard(view) {
  const echarts = loadECharts();
  const panels = {
    retention: panel("retention", t("p_retention")),
    funnel: panel("funnel", t("p_funnel")),
    heat: panel("rfm-heat", t("p_heat")),
    pareto: panel("pareto", t("p_pareto")),
    migration: panel("migration", t("p_migration")),
    churn: panel("churn", t("p_churn")),
    renewals: panel("renewals", t("p_renewals")),
    pipeline: panel("pipeline", t("p_pipeline")),
    risk: panel("at-risk", t("p_risk")),
  };
  mount(view, h("h1", {}, t("nav_dashboard")),
    h("div", { class: "grid two" }, Object.values(panels).map((p) => p.card)));
  await echarts;
  const today = new Date();
  const from = addDays(-364, today);
  const to = addDays(0, today);
  const jobs = [
    api("/segmentation/retention", { query: { from, to, period: "month" } }).then((rows) => {
      panels.retention.show(retention(rows));
      panels.funnel.show(funnel(rows));
    }, (err) => { panels.retention.fail(err); panels.funnel.fail(err); }),
    api("/segmentation/rfm/grid").then((grid) => heat(panels.heat, grid), (e) => panels.heat.fail(e)),
    api("/segmentation/pareto").then((r) => panels.pareto.show(pareto(r)), (e) => panels.pareto.fail(e)),
    api("/segmentation/snapshots").then((s) => migration(panels.migration, s),
      (e) => panels.migration.fail(e)),
    api("/segmentation/churn", { query: { from, to: addDays(1, today), period: "month" } })
      .then((r) => panels.churn.show(churn(r)), (e) => panels.churn.fail(e)),
    api("/engagement/renewals/report", { query: { from, to, period: "month" } })
      .then((r) => panels.renewals.show(renewals(r)), (e) => panels.renewals.fail(e)),
    api("/needs/pipeline", { query: { group_by: "stage" } })
      .then((r) => panels.pipeline.show(pipeline(r)), (e) => panels.pipeline.fail(e)),
    atRisk().then((r) => panels.risk.show(r), (e) => panels.risk.fail(e)),
  ];
  await Promise.all(jobs);
}

function retention(rows) {
  return {
    rows,
    columns: [{ key: "period", label: t("period") }, { key: "buyers", label: t("buyers"), num: true },
      { key: "return_rate", label: t("return_rate"), num: true, fmt: pct },
      { key: "repeat_rate", label: t("repeat_rate"), num: true, fmt: pct },
      { key: "revenue", label: t("revenue"), num: true, fmt: (v) => money(v) }],
    option: {
      legend: { top: 0 },
      xAxis: { type: "category", data: rows.map((r) => r.period) },
      yAxis: { type: "value", axisLabel: { formatter: (v) => `${Math.round(v * 100)}%` } },
      series: [
        { name: t("return_rate"), type: "line", data: rows.map((r) => r.return_rate) },
        { name: t("repeat_rate"), type: "line", data: rows.map((r) => r.repeat_rate) }],
    },
  };
}

function funnel(rows) {
  const kinds = ["new", "retained", "won_back", "lost"];
  return {
    rows,
    columns: [{ key: "period", label: t("period") },
      ...kinds.map((k) => ({ key: k, label: t(`fn_${k}`), num: true }))],
    option: {
      legend: { top: 0 },
      xAxis: { type: "category", data: rows.map((r) => r.period) },
      yAxis: { type: "value" },
      series: kinds.map((k) => ({ name: t(`fn_${k}`), type: "bar", stack: k === "lost" ? "out" : "in",
        data: rows.map((r) => (k === "lost" ? -r[k] : r[k])) })),
    },
  };
}

function heat(p, grid) {
  // 125 R×F×M cells summed over M: the 5×5 grid a manager reads.
  const cells = new Map();
  for (const c of grid.cells) {
    const key = `${c.r}-${c.f}`;
    const cell = cells.get(key) || { r: c.r, f: c.f, customers: 0, revenue: 0 };
    cell.customers += c.customers;
    cell.revenue += Number(c.revenue);
    cells.set(key, cell);
  }
  const rows = [...cells.values()].sort((a, b) => b.r - a.r || b.f - a.f);
  let measure = "customers";
  const drill = h("div", { id: "heat-drill" });
  const switcher = select("measure", [["customers", t("by_count")], ["revenue", t("by_revenue")]], measure);
  switcher.addEventListener("change", () => { measure = switcher.value; p.show(spec()); });
  const open = async (r, f) => {
    mount(drill, h("p", { class: "muted" }, t("loading")));
    try {
      const page = await api("/segmentation/customers", { query: { r_score: r, f_score: f, limit: 100 } });
      mount(drill, h("h3", {}, t("cell_customers", { r, f, n: page.items.length })),
        table([{ key: "name", label: t("customer"), fmt: (v, row) =>
          h("a", { href: `#/customer/${encodeURIComponent(row.customer_id)}` }, v) },
        { key: "segment", label: t("segment"), fmt: segmentName },
        { key: "monetary", label: t("revenue"), num: true, fmt: (v) => money(v) },
        { key: "recency_days", label: t("recency_days"), num: true }], page.items));
    } catch (err) { mount(drill, errorBox(err)); }
  };
  const spec = () => {
    const max = Math.max(1, ...rows.map((c) => c[measure]));
    return {
      rows, tall: true, tooltip: "item", below: drill,
      columns: [{ key: "r", label: "R", num: true }, { key: "f", label: "F", num: true },
        { key: "customers", label: t("customers"), num: true },
        { key: "revenue", label: t("revenue"), num: true, fmt: (v) => money(v) }],
      onRow: (row) => open(row.r, row.f),
      onClick: (ev) => open(ev.data[0] + 1, ev.data[1] + 1),
      option: {
        grid: { left: 56, right: 24, top: 24, bottom: 72, containLabel: true },
        xAxis: { type: "category", name: "R", data: ["1", "2", "3", "4", "5"] },
        yAxis: { type: "category", name: "F", data: ["1", "2", "3", "4", "5"] },
        visualMap: { min: 0, max, calculable: true, orient: "horizontal", left: "center", bottom: 0,
          inRange: { color: ["#f4f6f9", "#f7b267", "#c0392b"] } },
        series: [{ type: "heatmap", name: measure === "customers" ? t("customers") : t("revenue"),
          data: rows.map((c) => [c.r - 1, c.f - 1, measure === "revenue" ? Math.round(c.revenue) : c.customers]),
          label: { show: true }, emphasis: { itemStyle: { borderColor: "#222", borderWidth: 1 } } }],
      },
    };
  };
  p.card.querySelector(".row .row").prepend(switcher);
  p.show(spec());
}

function pareto(r) {
  const rows = r.curve;
  return {
    rows,
    columns: [{ key: "customer_share", label: t("customer_share"), num: true, fmt: pct },
      { key: "value_share", label: t("value_share"), num: true, fmt: pct }],
    below: h("p", { class: "small", id: "top20" }, t("top20", { share: pct(r.top_20_percent_share),
      n: r.customers })),
    option: {
      xAxis: { type: "value", min: 0, max: 1, axisLabel: { formatter: (v) => `${v * 100}%` } },
      yAxis: { type: "value", min: 0, max: 1, axisLabel: { formatter: (v) => `${v * 100}%` } },
      series: [{ type: "line", name: t("value_share"), showSymbol: false,
        data: rows.map((p) => [p.customer_share, p.value_share]),
        markLine: { symbol: "none", data: [{ xAxis: 0.2 }],
          label: { formatter: `20% → ${pct(r.top_20_percent_share)}` } } }],
    },
  };
}

function migration(p, snapshots) {
  const dates = snapshots.map((s) => s.snapshot_date);
  if (dates.length < 2) {
    p.show({ rows: [], columns: [], option: {}, below: null });
    mount(p.body, h("p", { class: "muted" }, t("need_two_snapshots", { n: dates.length })));
    return;
  }
  const a = select("from", dates.map((d) => [d, d]), dates[dates.length - 1]);
  const b = select("to", dates.map((d) => [d, d]), dates[0]);
  const load = async () => {
    try {
      const m = await api("/segmentation/snapshots/migration", { query: { from: a.value, to: b.value } });
      const names = [...new Set(m.cells.flatMap((c) => [c.from, c.to]))].sort();
      const labels = names.map(segmentName);
      p.show({
        rows: m.cells, tall: true, tooltip: "item",
        columns: [{ key: "from", label: t("from"), fmt: segmentName },
          { key: "to", label: t("to"), fmt: segmentName },
          { key: "customers", label: t("customers"), num: true }],
        below: h("p", { class: "small" }, t("moved_stayed", { moved: m.moved, stayed: m.stayed })),
        option: {
          grid: { left: 110, right: 24, top: 24, bottom: 90, containLabel: true },
          xAxis: { type: "category", name: t("to"), data: labels, axisLabel: { rotate: 30 } },
          yAxis: { type: "category", name: t("from"), data: labels },
          visualMap: { min: 0, max: Math.max(1, ...m.cells.map((c) => c.customers)), show: false,
            inRange: { color: ["#eef3fb", "#1f6feb"] } },
          series: [{ type: "heatmap", data: m.cells.map((c) => [names.indexOf(c.to),
            names.indexOf(c.from), c.customers]), label: { show: true } }],
        },
      });
    } catch (err) { p.fail(err); }
  };
  a.addEventListener("change", load);
  b.addEventListener("change", load);
  p.card.querySelector(".row .row").prepend(a, b);
  return load();
}

// A reason of the company's list, in the console's language (older answers carry only a name).
function reasonLabel(r) {
  return (state.lang === "zh" ? r.label_zh : r.label_en) || r.label_zh || r.name || r.code;
}

// Churn (segmentation) and renewal (engagement) reasons share one shape: per period, each
// reason's count and percent, and the controllable share.
function reasons(periods, { total, totalLabel, stack }) {
  const names = [...new Set(periods.flatMap((p) => p.reasons.map(reasonLabel)))];
  const rows = periods.flatMap((p) => p.reasons.map((r) => ({ period: p.period, total: total(p),
    reason: reasonLabel(r), count: r.count, percent: r.percent })));
  return {
    rows,
    columns: [{ key: "period", label: t("period") }, { key: "total", label: totalLabel, num: true },
      { key: "reason", label: t("reason") }, { key: "count", label: t("count"), num: true },
      { key: "percent", label: "%", num: true, fmt: (v) => `${Number(v).toFixed(1)}%` }],
    option: {
      legend: { top: 0, type: "scroll" },
      xAxis: { type: "category", data: periods.map((p) => p.period) },
      yAxis: { type: "value", name: t("count") },
      series: names.map((name) => ({ name, type: "bar", stack,
        data: periods.map((p) => p.reasons.find((r) => reasonLabel(r) === name)?.count || 0) })),
    },
  };
}

function churn(periods) {
  return reasons(periods, { total: (p) => p.lost, totalLabel: t("fn_lost"), stack: "lost" });
}

function renewals(report) {
  const spec = reasons(report.rows, { total: (p) => p.due.contracts, totalLabel: t("due"),
    stack: "not_renewed" });
  spec.below = h("p", { class: "small", id: "renewal-total" }, t("renewal_summary", {
    due: report.total.due.contracts, renewed: report.total.renewed.contracts,
    amount: money(report.total.renewed.amount), rate: pct(report.total.renewal_rate) }));
  return spec;
}

const STAGES = ["prospecting", "qualified", "proposal", "negotiation", "won", "lost"];

function pipeline(r) {
  const rows = r.rows.map((x) => ({ ...x, stage: x.key }))
    .sort((a, b) => STAGES.indexOf(a.stage) - STAGES.indexOf(b.stage));
  return {
    rows,
    columns: [{ key: "stage", label: t("stage"), fmt: (v) => t(`stage_${v}`) },
      { key: "opportunities", label: t("opportunities"), num: true },
      { key: "amount", label: t("amount"), num: true, fmt: (v) => money(v) },
      { key: "weighted", label: t("weighted"), num: true, fmt: (v) => money(v) }],
    below: h("p", { class: "small" }, t("pipeline_summary", { open: r.open_opportunities,
      forecast: money(r.weighted_forecast), win: pct(r.win_rate) })),
    option: {
      legend: { top: 0 },
      xAxis: { type: "category", data: rows.map((x) => t(`stage_${x.stage}`)) },
      yAxis: { type: "value" },
      series: [{ name: t("amount"), type: "bar", data: rows.map((x) => Number(x.amount)) },
        { name: t("weighted"), type: "bar", data: rows.map((x) => Number(x.weighted)) }],
    },
  };
}

// At-risk and neglected customers per rep: the at-risk list (visible to this manager) grouped
// by owner, beside segmentation's neglect summary (no touch for longer than the tier allows).
async function atRisk() {
  const names = new Map();
  try {  // a manager may list the users of their team; others see the owner's id
    const users = await api("/users", { query: { limit: 500 } });
    for (const u of users.items) names.set(u.id, u.name || u.username);
  } catch { /* no directory for this role */ }
  const items = [];
  let cursor = null;
  do {
    const page = await api("/segmentation/customers", { query: { at_risk: true, limit: 500, cursor } });
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < 5000);
  const byOwner = new Map();
  for (const c of items) {
    const key = c.owner_id ? names.get(c.owner_id) || c.owner_id : t("unassigned");
    const row = byOwner.get(key) || { owner: key, at_risk: 0, neglected: 0, revenue: 0 };
    row.at_risk += 1;
    row.revenue += Number(c.monetary);
    byOwner.set(key, row);
  }
  for (const g of await api("/segmentation/neglect/summary", { query: { by: "owner" } })) {
    if (!g.neglected) continue;
    const key = g.id ? names.get(g.id) || g.id : t("unassigned");
    const row = byOwner.get(key) || { owner: key, at_risk: 0, neglected: 0, revenue: 0 };
    row.neglected = g.neglected;
    byOwner.set(key, row);
  }
  const rows = [...byOwner.values()].sort((a, b) => b.at_risk - a.at_risk);
  return {
    rows,
    columns: [{ key: "owner", label: t("owner") }, { key: "at_risk", label: t("at_risk"), num: true },
      { key: "neglected", label: t("neglected"), num: true },
      { key: "revenue", label: t("revenue_at_risk"), num: true, fmt: (v) => money(v) }],
    option: {
      legend: { top: 0 },
      xAxis: { type: "category", data: rows.map((r) => r.owner) },
      yAxis: { type: "value" },
      series: [{ name: t("at_risk"), type: "bar", data: rows.map((r) => r.at_risk) },
        { name: t("neglected"), type: "bar", data: rows.map((r) => r.neglected) }],
    },
  };
}
