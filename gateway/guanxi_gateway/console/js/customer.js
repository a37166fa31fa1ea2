// Customers: search, then one customer's profile, contacts, purchases, value card, needs,
// opportunities with MAN advice, complaints, the timeline, and an edit guarded by If-Match.
import { ApiError, api, apiWithEtag, dateTime, errorBox, field, formData, h, money, mount, pct,
  segmentName, state, t, table, toast } from "./core.js";
import { quickNeed } from "./today.js";

export async function renderCustomers(view, [query = ""] = []) {
  const q = decodeURIComponent(query);
  const input = h("input", { type: "search", name: "q", value: q, placeholder: t("search_customer") });
  const list = h("div");
  const form = h("form", { class: "row", role: "search", onsubmit: (ev) => {
    ev.preventDefault();
    location.hash = `#/customers/${encodeURIComponent(input.value.trim())}`;
  } }, input, h("button", { type: "submit" }, t("search")));
  mount(view, h("h1", {}, t("nav_customers")), form, list);
  let cursor = null;
  const more = h("button", { type: "button", onclick: () => load() }, t("more"));
  const rows = h("div", { class: "card", id: "customer-list" });
  mount(list, rows, more);
  async function load() {
    const page = await api("/registry/customers", { query: { q: q || null, limit: 50, cursor } });
    for (const c of page.items) {
      rows.append(h("div", { class: "row spread customer-row" },
        h("a", { href: `#/customer/${encodeURIComponent(c.id)}` }, c.name),
        h("span", { class: "muted small" }, [c.region, c.industry, t(`status_${c.status}`)]
          .filter(Boolean).join(" · "))));
    }
    if (!page.items.length && !cursor) rows.append(h("p", { class: "muted" }, t("nothing_found")));
    cursor = page.next_cursor;
    more.hidden = !cursor;
  }
  await load();
}

export async function renderCustomer(view, id) {
  const enc = encodeURIComponent(id);
  const [full, record, complaints, visits, gifts, tasks] = await Promise.all([
    api(`/customers/${enc}/360`),
    apiWithEtag(`/registry/customers/${enc}`),
    api("/needs/complaints", { query: { customer_id: id, limit: 50 } }).catch(() => ({ items: [] })),
    api("/engagement/visits", { query: { customer_id: id, limit: 50 } }).catch(() => ({ items: [] })),
    api("/engagement/gifts/log", { query: { customer_id: id } }).catch(() => []),
    api("/engagement/tasks", { query: { customer_id: id, status: "done", limit: 50 } })
      .catch(() => ({ items: [] }))]);
  const p = full.parts;
  const customer = record.data;
  const tabs = ["profile", "contacts", "purchases", "value", "relationship", "needs",
    "opportunities", "complaints", "timeline"];
  const panel = h("div", { id: "customer-panel" });
  const tabBar = h("div", { class: "tabs", role: "tablist" });
  const show = (name) => {
    for (const b of tabBar.children) b.classList.toggle("active", b.dataset.tab === name);
    mount(panel, sections[name]());
  };
  const sections = {
    profile: () => profile(customer, record.etag, view, id),
    contacts: () => contacts(p.contacts?.items || []),
    purchases: () => purchases(p.recent_purchases?.items || []),
    value: () => valueCard(p.value),
    relationship: () => h("div", {}, loyaltyCard(p.loyalty), balanceCard(p.relationship_balance)),
    needs: () => needs(p.open_needs || [], id),
    opportunities: () => opportunities(p.opportunities?.items || []),
    complaints: () => complaintList(complaints.items),
    timeline: () => timeline({ purchases: p.recent_purchases?.items || [],
      messages: p.recent_touches?.items || [], visits: visits.items, gifts,
      tasks: tasks.items, complaints: complaints.items }),
  };
  mount(tabBar, tabs.map((name) => h("button", { type: "button", role: "tab", dataset: { tab: name },
    onclick: () => show(name) }, t(`tab_${name}`))));
  const value = p.value;
  mount(view,
    h("div", { class: "row spread" }, h("h1", {}, customer.name),
      h("span", {}, value?.segment ? h("span", { class: "pill" }, segmentName(value.segment.name)) : null,
        value?.tier ? h("span", { class: "pill" }, t(`tier_${value.tier.name}`)) : null,
        value?.at_risk ? h("span", { class: "pill warn" }, t("at_risk")) : null)),
    full.partial ? h("div", { class: "notice" }, t("partial_view", { parts: full.unavailable.join(", ") })) : null,
    tabBar, panel);
  show("profile");
}

const EDITABLE = ["name", "phone", "email", "region", "industry", "address", "website", "wechat"];

function profile(c, etag, view, id) {
  const dl = h("dl", { class: "kv" }, ["kind", "status", "owner_id", "team_id", ...EDITABLE,
    "employee_count", "founded_on", "credit_code", "legal_representative", "tags"].flatMap((k) => [
    h("dt", {}, t(`f_${k}`)), h("dd", { "data-field": k },
      Array.isArray(c[k]) ? c[k].join("、") || "—"
        : k === "kind" || k === "status" ? t(`${k}_${c[k]}`) : c[k] ?? "—")]));
  const holder = h("div");
  const canEdit = state.user.role !== "analyst";
  return h("div", { class: "card" }, dl,
    canEdit ? h("div", { class: "actions" }, h("button", { type: "button", id: "edit-customer",
      onclick: () => mount(holder, editForm(c, etag, view, id, holder)) }, t("edit"))) : null,
    holder);
}

function editForm(c, etag, view, id, holder) {
  const note = h("div");
  const inputs = EDITABLE.map((k) => h("input", { name: k, value: c[k] ?? "",
    required: k === "name" }));
  const form = h("form", { id: "customer-edit", onsubmit: async (ev) => {
    ev.preventDefault();
    const data = formData(form);
    const changes = {};
    for (const k of EDITABLE) {
      const was = c[k] ?? "";
      if (data[k] !== was) changes[k] = data[k] === "" ? null : data[k];
    }
    if (!Object.keys(changes).length) { mount(holder); return; }
    try {
      await api(`/registry/customers/${encodeURIComponent(id)}`, { method: "PATCH", body: changes,
        headers: { "If-Match": etag } });
      toast(t("saved"));
      renderCustomer(view, id);
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) {
        const now = await api(`/registry/customers/${encodeURIComponent(id)}`);
        mount(note, h("div", { class: "error", role: "alert", id: "conflict" },
          h("strong", {}, t("conflict_title")), h("p", {}, t("conflict_text")),
          table([{ key: "field", label: t("field") }, { key: "mine", label: t("yours") },
            { key: "theirs", label: t("theirs") }],
          Object.keys(changes).map((k) => ({ field: t(`f_${k}`), mine: changes[k] ?? "—",
            theirs: now[k] ?? "—" }))),
          h("button", { type: "button", onclick: () => renderCustomer(view, id) }, t("reload"))));
      } else mount(note, errorBox(err));
    }
  } }, EDITABLE.map((k, i) => field(t(`f_${k}`), inputs[i])), note,
  h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, t("save")),
    h("button", { type: "button", onclick: () => mount(holder) }, t("cancel"))));
  return form;
}

function birthday(ct) {
  if (ct.birthday_calendar === "lunar" && ct.lunar_birthday_month) {
    return t("lunar_birthday", { leap: ct.lunar_birthday_leap ? t("leap") : "",
      m: ct.lunar_birthday_month, d: ct.lunar_birthday_day });
  }
  return ct.birthday || "—";
}

function contacts(items) {
  if (!items.length) return h("p", { class: "muted" }, t("none"));
  return h("div", {}, items.map((ct) => h("div", { class: "card contact" },
    h("div", { class: "row spread" }, h("strong", {}, ct.name),
      ct.role ? h("span", { class: "pill" }, t(`role_${ct.role}`)) : null),
    h("dl", { class: "kv" },
      h("dt", {}, t("f_job_title")), h("dd", {}, ct.job_title || "—"),
      h("dt", {}, t("f_birthday")), h("dd", { class: "birthday" }, birthday(ct)),
      h("dt", {}, t("f_phone")), h("dd", {}, ct.primary_phone || "—"),
      h("dt", {}, t("f_hobbies")), h("dd", {}, ct.hobbies.join("、") || "—"),
      h("dt", {}, t("cares_about")), h("dd", {},
        [...ct.cares_about_people, ...ct.cares_about_things].join("；") || "—"),
      ct.left_on ? [h("dt", {}, t("f_left")), h("dd", {}, `${ct.left_on} → ${ct.went_to || "?"}`)] : null))));
}

function purchases(items) {
  if (!items.length) return h("p", { class: "muted" }, t("none"));
  return table([{ key: "purchased_on", label: t("date") },
    { key: "amount", label: t("amount"), num: true, fmt: (v, r) => money(v, r.currency) },
    { key: "channel", label: t("channel") }, { key: "external_ref", label: t("reference") }], items);
}

function valueCard(v) {
  if (!v) return h("p", { class: "muted" }, t("none"));
  const rows = [
    ["rfm_cell", v.rfm ? `R${v.rfm.r} F${v.rfm.f} M${v.rfm.m}` : "—"],
    ["segment", v.segment ? segmentName(v.segment.name) : "—"],
    ["tier", v.tier ? t(`tier_${v.tier.name}`) : "—"],
    ["total_spend", money(v.total_spend)], ["purchase_count", v.purchase_count],
    ["clv_simple", money(v.clv_simple)], ["clv_model", money(v.clv_model)],
    ["p_alive", pct(v.p_alive)],
    ["at_risk_reasons", (v.at_risk_reasons || []).join("；") || "—"]];
  return h("div", { class: "card", id: "value-card" }, h("dl", { class: "kv" },
    rows.flatMap(([k, val]) => [h("dt", {}, t(`v_${k}`)), h("dd", { "data-value": k }, val)])),
  v.segment?.strategy ? h("p", { class: "small muted" }, v.segment.strategy) : null);
}

// Loyalty as the course measures it: attitude, behaviour, value, and the group they give.
function loyaltyCard(l) {
  if (!l) return h("div", { class: "card", id: "loyalty-card" }, h("h3", {}, t("loyalty")),
    h("p", { class: "muted" }, t("no_loyalty")));
  const rows = [
    ["l_group", t(`grp_${l.group}`)],
    ["l_attitude", l.attitude_score === null ? "—" : Number(l.attitude_score).toFixed(0)],
    ["l_behaviour", t(l.behaviour_high ? "behaviour_high" : "behaviour_low")
      + ` · ${money(l.previous_12)} → ${money(l.last_12)}`],
    ["l_share_of_wallet", pct(l.share_of_wallet)],
    ["l_value", t(`value_${l.value}`)],
    ["l_tenure", l.tenure_years]];
  return h("div", { class: "card", id: "loyalty-card" }, h("h3", {}, t("loyalty")),
    h("dl", { class: "kv" }, rows.flatMap(([k, val]) => [h("dt", {}, t(k)),
      h("dd", { "data-loyalty": k }, val)])),
    h("p", { class: "small" }, l.advice),
    l.benefits.length ? [h("h4", {}, t("l_benefits")), h("ul", { class: "benefits" },
      l.benefits.map((b) => h("li", {}, b.description)))] : null);
}

// The relationship balance (情感银行): care deposits, failures withdraw.
function balanceCard(b) {
  if (!b) return null;
  return h("div", { class: "card", id: "balance-card" },
    h("div", { class: "row spread" }, h("h3", {}, t("balance")),
      h("strong", { class: b.overdrawn ? "pill warn" : "pill ok", "data-balance": b.balance },
        b.balance, b.overdrawn ? ` · ${t("overdrawn")}` : "")),
    h("div", { class: "small muted" }, `${t("b_deposits")} ${b.deposits} · ${t("b_withdrawals")} ${b.withdrawals}`),
    b.recent.length ? [h("h4", {}, t("recent_entries")),
      table([{ key: "occurred_at", label: t("date"), fmt: dateTime },
        { key: "kind", label: t("kind"), fmt: (v) => t(`bk_${v}`) },
        { key: "points", label: "±", num: true },
        { key: "note", label: t("note") }], b.recent)] : null);
}

function needs(items, customerId) {
  const holder = h("div");
  return h("div", {}, h("button", { type: "button", onclick: () =>
    mount(holder, quickNeed(customerId, null, holder)) }, t("add_need")), holder,
  items.length ? table([{ key: "description", label: t("need") },
    { key: "need_class", label: t("need_class"), fmt: (v) => t(`nc_${v}`) },
    { key: "urgency", label: t("urgency"), fmt: (v) => t(`urg_${v}`) },
    { key: "status", label: t("status") }], items) : h("p", { class: "muted" }, t("none")));
}

function opportunities(items) {
  if (!items.length) return h("p", { class: "muted" }, t("none"));
  return h("div", {}, items.map((o) => h("div", { class: "card opportunity" },
    h("div", { class: "row spread" }, h("strong", {}, o.title),
      h("span", { class: "pill" }, t(`stage_${o.stage}`))),
    h("div", { class: "row" }, ["money", "authority", "need"].map((k) =>
      h("span", { class: o[k] ? "pill ok" : "pill warn" }, `${o[k] ? "✓" : "✗"} ${t(`man_${k}`)}`))),
    h("p", { class: "man-advice" }, t("man_advice"), ": ", o.advice),
    h("div", { class: "small muted" }, money(o.expected_amount, o.currency), " · ",
      pct(o.probability), o.expected_close_on ? ` · ${o.expected_close_on}` : ""))));
}

function complaintList(items) {
  if (!items.length) return h("p", { class: "muted" }, t("none"));
  return table([{ key: "opened_at", label: t("date"), fmt: dateTime },
    { key: "summary", label: t("summary") }, { key: "severity", label: t("severity") },
    { key: "status", label: t("status") },
    { key: "overdue", label: t("overdue"), fmt: (v) => (v ? "⚠" : "") }], items);
}

function timeline(src) {
  const events = [
    ...src.purchases.map((x) => ({ at: x.purchased_on, kind: "purchase", text: money(x.amount, x.currency) })),
    ...src.messages.map((x) => ({ at: x.sent_at || x.occurs_on, kind: "message",
      text: `${x.channel} · ${x.occasion || x.kind} · ${x.status}` })),
    ...src.visits.map((x) => ({ at: x.appointment_at, kind: "visit",
      text: `${t(`purpose_${x.purpose}`)}${x.result ? ` · ${x.result}` : ""}` })),
    ...src.gifts.map((x) => ({ at: x.given_on, kind: "gift", text: `${x.occasion || ""} ${money(x.cost)}` })),
    ...src.tasks.map((x) => ({ at: x.updated_at, kind: "task", text: `${x.title} · ${x.outcome || ""}` })),
    ...src.complaints.map((x) => ({ at: x.opened_at, kind: "complaint", text: x.summary })),
  ].filter((e) => e.at).sort((a, b) => String(b.at).localeCompare(String(a.at)));
  if (!events.length) return h("p", { class: "muted" }, t("none"));
  return h("ul", { class: "timeline", id: "timeline" }, events.map((e) => h("li", {},
    h("span", { class: "pill kind" }, t(`tl_${e.kind}`)), " ",
    h("span", { class: "muted small" }, String(e.at).slice(0, 10)), " ", e.text)));
}
