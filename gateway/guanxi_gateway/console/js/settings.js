// Settings, for admins: users and API keys, engagement rules and templates, gift taboos, and
// the segmentation policy. Every change goes through the same public API as any client's.
import { ApiError, api, apiWithEtag, errorBox, field, formData, h, mount, select, t, table,
  toast } from "./core.js";

const TABS = ["users", "keys", "rules", "templates", "taboos", "policy"];

export async function renderSettings(view, [tab = "users"] = []) {
  const body = h("div", { id: "settings-body" });
  mount(view, h("h1", {}, t("nav_settings")),
    h("div", { class: "tabs" }, TABS.map((name) => h("button", { type: "button",
      class: name === tab ? "active" : null, dataset: { tab: name },
      onclick: () => { location.hash = `#/settings/${name}`; } }, t(`set_${name}`)))), body);
  const render = { users, keys, rules, templates, taboos, policy }[tab] || users;
  await render(body, () => renderSettings(view, [tab]));
}

async function collect(path, query = {}) {
  const items = [];
  let cursor = null;
  do {
    const page = await api(path, { query: { ...query, limit: 200, cursor } });
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < 2000);
  return items;
}

const ifMatch = (row) => ({ "If-Match": `"${row.id}.${row.version}"` });

function toggle(path, row, key, again) {
  return h("input", { type: "checkbox", checked: row[key], "aria-label": key, onchange: async (ev) => {
    try {
      await api(`${path}/${row.id}`, { method: "PATCH", body: { [key]: ev.target.checked },
        headers: ifMatch(row) });
      toast(t("saved"));
      again();
    } catch (err) { ev.target.checked = !ev.target.checked; toast(err.message, true); }
  } });
}

function createForm(id, title, inputs, submit, again) {
  const note = h("div");
  const form = h("form", { class: "card", id, onsubmit: async (ev) => {
    ev.preventDefault();
    try { await submit(formData(form), note); toast(t("saved")); if (!note.dataset.keep) again(); }
    catch (err) { mount(note, errorBox(err)); }
  } }, h("h3", {}, title), inputs, note,
  h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, t("create"))));
  return form;
}

async function users(body, again) {
  const rows = await collect("/users");
  mount(body, table([{ key: "username", label: t("username") }, { key: "name", label: t("name") },
    { key: "role", label: t("role"), fmt: (v) => t(`role_${v}`) }, { key: "team_id", label: t("team") },
    { key: "active", label: t("active"), fmt: (v, row) => toggle("/users", row, "active", again) }], rows),
  createForm("user-form", t("new_user"), [
    field(t("username"), h("input", { name: "username", required: true, pattern: "[A-Za-z0-9_.@-]+" })),
    field(t("name"), h("input", { name: "name" })),
    field(t("password"), h("input", { name: "password", type: "password", minlength: 10, required: true,
      autocomplete: "new-password" })),
    field(t("role"), select("role", ["rep", "manager", "analyst", "admin"].map((r) => [r, t(`role_${r}`)]), "rep")),
    field(t("team"), h("input", { name: "team_id" }))],
  (d) => api("/users", { method: "POST", body: { ...d, team_id: d.team_id || null } }), again));
}

async function keys(body, again) {
  const rows = await collect("/api-keys");
  mount(body, table([{ key: "name", label: t("name") }, { key: "prefix", label: t("prefix") },
    { key: "scopes", label: t("scopes"), fmt: (v) => v.join(" ") },
    { key: "last_used_at", label: t("last_used"), fmt: (v) => (v ? String(v).slice(0, 16) : "—") },
    { key: "id", label: "", fmt: (v) => h("button", { type: "button", class: "link", onclick: async () => {
      if (!window.confirm(t("revoke_confirm"))) return;
      try { await api(`/api-keys/${v}`, { method: "DELETE" }); again(); }
      catch (err) { toast(err.message, true); }
    } }, t("revoke")) }], rows.filter((k) => !k.revoked_at)),
  createForm("key-form", t("new_key"), [
    field(t("name"), h("input", { name: "name", required: true })),
    field(t("scopes"), h("input", { name: "scopes", required: true, value: "registry:read" }))],
  async (d, note) => {
    const key = await api("/api-keys", { method: "POST", body: { name: d.name,
      scopes: d.scopes.split(/[\s,]+/).filter(Boolean) } });
    note.dataset.keep = "1";
    mount(note, h("div", { class: "notice", id: "new-key" }, t("key_once"), " ",
      h("code", {}, key.key)));
  }, again));
}

async function rules(body, again) {
  const rows = await collect("/engagement/rules");
  mount(body, table([{ key: "name", label: t("name") },
    { key: "trigger", label: t("trigger") }, { key: "occasion", label: t("occasion") },
    { key: "channel", label: t("channel") }, { key: "every_days", label: t("every_days"), num: true },
    { key: "active", label: t("active"), fmt: (v, row) => toggle("/engagement/rules", row, "active", again) }],
  rows));
}

async function templates(body) {
  const rows = await collect("/engagement/templates");
  mount(body, table([{ key: "name", label: t("name") },
    { key: "subject", label: t("subject"), fmt: (v) => Object.values(v || {}).join(" / ") },
    { key: "body", label: t("body"), fmt: (v) => Object.entries(v || {}).map(([k, x]) => `${k}: ${x}`).join("\n") }],
  rows));
}

async function taboos(body, again) {
  const rows = await collect("/engagement/gifts/taboos");
  mount(body, table([{ key: "category", label: t("category") }, { key: "reason", label: t("reason") },
    { key: "block", label: t("block"), fmt: (v) => (v ? t("block") : t("warn_only")) },
    { key: "regions", label: t("f_region"), fmt: (v) => v.join("、") || t("everyone") },
    { key: "active", label: t("active"), fmt: (v, row) => toggle("/engagement/gifts/taboos", row, "active", again) }],
  rows),
  createForm("taboo-form", t("new_taboo"), [
    field(t("category"), h("input", { name: "category", required: true, placeholder: "clock" })),
    field(t("reason"), h("input", { name: "reason", required: true, placeholder: "送钟 = 送终" })),
    field(t("f_region"), h("input", { name: "regions", placeholder: "上海" }))],
  (d) => api("/engagement/gifts/taboos", { method: "POST", body: { category: d.category,
    reason: d.reason, regions: d.regions ? d.regions.split(/[,，\s]+/).filter(Boolean) : [] } }), again));
}

const POLICY_NUMBERS = ["margin_rate", "expected_lifetime_years", "acquisition_cost",
  "at_risk_gap_factor", "falling_spend_ratio"];

async function policy(body, again) {
  const { data, etag } = await apiWithEtag("/segmentation/policies");
  const note = h("div");
  const form = h("form", { class: "card", id: "policy-form", onsubmit: async (ev) => {
    ev.preventDefault();
    const d = formData(form);
    const next = { ...data, binning: d.binning };
    for (const k of POLICY_NUMBERS) if (k in data) next[k] = Number(d[k]);
    try {
      await api("/segmentation/policies", { method: "PUT", body: next,
        headers: etag ? { "If-Match": etag } : {} });
      toast(t("saved"));
      again();
    } catch (err) {
      mount(note, err instanceof ApiError && err.status === 412
        ? h("div", { class: "error" }, t("conflict_text")) : errorBox(err));
    }
  } },
  field(t("binning"), select("binning", [["quintiles", t("quintiles")], ["fixed", t("fixed_bins")]], data.binning)),
  POLICY_NUMBERS.filter((k) => k in data).map((k) => field(t(`pol_${k}`),
    h("input", { name: k, type: "number", step: "any", value: data[k] }))),
  note, h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, t("save"))));
  mount(body, form, h("h3", {}, t("segment_rules")), table([
    { key: "name", label: t("name") }, { key: "label", label: t("label") },
    { key: "r_scores", label: "R", fmt: (v) => (v || []).join(",") },
    { key: "fm_scores", label: "FM", fmt: (v) => (v || []).join(",") },
    { key: "strategy", label: t("strategy") }], data.segment_rules || []));
}
