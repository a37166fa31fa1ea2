// The product catalogue: each product's USP and FFAB sheet (产品呈现), its launches, and a
// launch's ranked call list (宣传式) with what came of each call. Managers launch; a rep sees
// the calls of their own customers.
import { api, dateTime, errorBox, h, money, mount, select, state, t, table, toast } from "./core.js";

const CALL_STATUSES = ["to_call", "called", "interested", "not_interested"];

export async function renderProducts(view, [productId = ""] = []) {
  const products = await api("/needs/products", { query: { limit: 200 } });
  const detail = h("div", { id: "product-detail" });
  mount(view, h("h1", {}, t("products_title")),
    h("div", { class: "card", id: "product-list" }, table([
      { key: "name", label: t("name") },
      { key: "line", label: t("product_line") },
      { key: "lifecycle", label: t("lifecycle"), fmt: (v) => t(`lc_${v}`) },
      { key: "price_from", label: t("price_band"),
        fmt: (v, p) => `${money(p.price_from, p.currency)} – ${money(p.price_to, p.currency)}` }],
    products.items, { onRow: (p) => { location.hash = `#/products/${encodeURIComponent(p.id)}`; } })),
    detail);
  const chosen = products.items.find((p) => p.id === decodeURIComponent(productId));
  if (!chosen) {
    mount(detail, h("p", { class: "muted" }, t("pick_product")));
    return;
  }
  await showProduct(detail, chosen, view);
}

async function showProduct(holder, p, view) {
  const launches = await api("/needs/launches", { query: { product_id: p.id, limit: 50 } });
  const calls = h("div", { id: "call-list" });
  const note = h("div");
  const manager = ["manager", "admin"].includes(state.user.role);
  const kind = select("kind", [["launch", t("lk_launch")], ["upgrade", t("lk_upgrade")]],
    p.lifecycle === "new" ? "launch" : "upgrade");
  mount(holder, h("article", { class: "card", "data-product": p.id },
    h("h2", {}, p.name, " ", h("span", { class: "pill" }, t(`lc_${p.lifecycle}`))),
    p.usp ? [h("h3", {}, t("usp")), h("p", { class: "usp" }, p.usp.statement),
      h("ul", {}, p.usp.points.map((pt) => h("li", {}, pt.claim)))] : null,
    p.ffab.length ? table(["feature", "function", "advantage", "benefit"].map((k) =>
      ({ key: k, label: t(`ffab_${k}`) })), p.ffab) : null,
    h("h3", {}, t("pitch")), h("pre", { class: "pitch" }, p.pitch),
    h("h3", {}, t("launches")),
    launches.items.length ? h("ul", { class: "launches" }, launches.items.map((l) => h("li", {},
      h("button", { type: "button", class: "link", "data-launch": l.id,
        onclick: () => showCalls(calls, l) },
      `${l.launched_on} · ${t(`lk_${l.kind}`)} · ${t("calls_n", { n: l.calls })}`))))
      : h("p", { class: "muted" }, t("none")),
    manager && p.lifecycle !== "retired" ? h("div", { class: "row" }, kind,
      h("button", { type: "button", class: "primary", id: "launch", onclick: async () => {
        try {
          const made = await api(`/needs/products/${p.id}/launches`, { method: "POST",
            body: { kind: kind.value } });
          toast(t("launched"));
          await showProduct(holder, { ...p, launched_on: made.launched_on }, view);
          await showCalls(holder.querySelector("#call-list"), made);
        } catch (err) { mount(note, errorBox(err)); }
      } }, t("launch_now"))) : null, note),
  calls);
  if (launches.items.length) await showCalls(calls, launches.items[0]);
}

async function showCalls(holder, launch) {
  const page = await api(`/needs/launches/${launch.id}/calls`, { query: { limit: 100 } });
  mount(holder, h("div", { class: "card", "data-launch": launch.id },
    h("h3", {}, t("call_list"), " · ", launch.launched_on, " ", h("span", { class: "pill" },
      page.items.length)),
    page.items.length ? table([
      { key: "position", label: t("position"), num: true },
      { key: "customer_name", label: t("customer"), fmt: (v, c) =>
        h("a", { href: `#/customer/${encodeURIComponent(c.customer_id)}` }, v) },
      { key: "score", label: t("score"), num: true },
      { key: "reasons", label: t("why"), fmt: (v) => v.map((r) => r.detail).join("；") },
      { key: "status", label: t("call_status"), fmt: (v, c) => outcome(holder, launch, c) },
      { key: "called_at", label: t("date"), fmt: dateTime }], page.items)
      : h("p", { class: "muted" }, t("none"))));
}

function outcome(holder, launch, call) {
  const choice = select("status", CALL_STATUSES.map((s) => [s, t(`cs_${s}`)]), call.status);
  choice.dataset.call = call.customer_id;
  choice.addEventListener("change", async () => {
    try {
      await api(`/needs/launches/${launch.id}/calls/${encodeURIComponent(call.customer_id)}`, {
        method: "PATCH", body: { status: choice.value },
        headers: { "If-Match": `"${launch.id}.${call.customer_id}.${call.version}"` } });
      toast(t("call_saved"));
      await showCalls(holder, launch);
    } catch (err) { choice.value = call.status; toast(err.message, true); }
  });
  return choice;
}
