// Today, for a rep: the agenda with each customer's context, completing tasks, visits with the
// steps of the visit process, and a need captured in two taps.
import { addDays, api, dateTime, errorBox, field, formData, h, isoDate, money, mount,
  problemText, segmentName, select, state, t, toast } from "./core.js";

const PURPOSES = ["bond", "sell", "ask_help", "solve_problem"];
// Two taps: "+ need", then one of these. Each is a need class with a ready description.
const QUICK_NEEDS = [
  ["product", "qn_product"], ["positively_correlated", "qn_training"],
  ["positively_correlated", "qn_service"], ["restrictive", "qn_delivery"],
  ["restrictive", "qn_price"], ["special", "qn_special"]];
const STEPS = ["step_purpose", "step_preparation", "step_appointment", "step_result", "step_next"];

export async function renderToday(view) {
  const span = sessionStorage.getItem("guanxi.span") || "day";
  const [day, visits] = await Promise.all([
    api("/agenda", { query: { span } }),
    api("/engagement/visits", { query: { status: "planned", limit: 100 } })]);
  const agenda = day.tasks || { start: day.start, items: [] };
  const customers = new Map(agenda.items.filter((i) => i.customer)
    .map((i) => [i.customer.id, i.customer]));
  const spanTabs = h("div", { class: "tabs" }, ["day", "week"].map((s) =>
    h("button", { type: "button", class: s === span ? "active" : null, onclick: () => {
      sessionStorage.setItem("guanxi.span", s);
      renderToday(view);
    } }, t(`span_${s}`))));
  const mine = visits.items.filter((v) => v.owner_id === state.user.id || state.user.role !== "rep");
  mount(view,
    h("div", { class: "row spread" }, h("h1", {}, t("today_title", { date: agenda.start })), spanTabs),
    day.partial ? h("div", { class: "notice" }, t("partial_view", { parts: day.unavailable.join(", ") })) : null,
    h("section", { id: "agenda" },
      h("h2", {}, t("agenda"), " ", h("span", { class: "pill" }, agenda.items.length)),
      agenda.items.length ? agenda.items.map((item) => agendaCard(item, view))
        : h("p", { class: "muted card" }, t("agenda_empty"))),
    dueList("care-steps", t("care_steps"), day.care_steps, t("care_empty"), (step) =>
      dueCard(step, customers, view, { title: step.title, kind: t(`kind_${step.kind}`),
        actions: [["done", t("step_done")], ["skipped", t("step_skip")]],
        save: (status) => api(`/needs/care-steps/${step.id}/done`, { method: "POST",
          body: { status }, headers: { "If-Match": `"${step.id}.${step.version}"` } }),
        saved: t("step_saved") })),
    dueList("promises", t("promises"), day.promises, t("promises_empty"), (promise) =>
      dueCard(promise, customers, view, { title: promise.promise, kind: t("promises"),
        actions: [["kept", t("keep_promise")]],
        save: () => api(`/needs/commitments/${promise.id}/keep`, { method: "POST", body: {},
          headers: { "If-Match": `"${promise.id}.${promise.version}"` } }),
        saved: t("promise_kept") })),
    h("section", { id: "visits" },
      h("div", { class: "row spread" }, h("h2", {}, t("visits")),
        h("button", { type: "button", id: "plan-visit", onclick: (ev) => {
          ev.currentTarget.replaceWith(visitForm(customers, view));
        } }, t("plan_visit"))),
      mine.length ? mine.map((v) => visitCard(v, customers.get(v.customer_id), view))
        : h("p", { class: "muted" }, t("no_visits"))));
}

// Care steps (experience maps) and promises due by the end of the span, overdue ones first.
function dueList(id, title, items, empty, card) {
  if (items === null || items === undefined) return null;  // needs did not answer: see notice
  return h("section", { id },
    h("h2", {}, title, " ", h("span", { class: "pill" }, items.length)),
    items.length ? items.map(card) : h("p", { class: "muted card" }, empty));
}

function dueCard(item, customers, view, { title, kind, actions, save, saved }) {
  const note = h("div");
  const known = customers.get(item.customer_id);
  const late = item.due_on < isoDate(new Date());
  return h("article", { class: "card due-item", "data-id": item.id },
    h("div", { class: "row spread" },
      h("div", {}, h("span", { class: "pill kind" }, kind), h("strong", {}, title)),
      h("span", { class: late ? "pill warn" : "muted small" }, late ? `${t("overdue")} ${item.due_on}` : item.due_on)),
    h("div", { class: "small" }, h("a", { href: `#/customer/${encodeURIComponent(item.customer_id)}` },
      known ? known.name : t("open_customer"))),
    h("div", { class: "row" }, actions.map(([value, label], i) => h("button", { type: "button",
      class: i === 0 ? "primary" : null, "data-action": value, onclick: async () => {
        try {
          await save(value);
          toast(saved);
          renderToday(view);
        } catch (err) { mount(note, errorBox(err)); }
      } }, label))), note);
}

function agendaCard(item, view) {
  const { task, customer } = item;
  const body = h("div");
  const card = h("article", { class: "card agenda-item", "data-task": task.id },
    h("div", { class: "row spread" },
      h("div", {}, h("span", { class: "pill kind" }, t(`kind_${task.kind}`)),
        h("strong", {}, task.title)),
      h("span", { class: "muted small" }, task.due_on)),
    customer ? context(customer) : null,
    h("div", { class: "row" },
      h("button", { type: "button", class: "primary", "data-action": "complete", onclick: () =>
        mount(body, completeForm(task, view)) }, t("complete")),
      h("button", { type: "button", "data-action": "need", onclick: () =>
        mount(body, quickNeed(task.customer_id, task.contact_id, body)) }, t("add_need"))),
    body);
  return card;
}

function context(c) {
  return h("div", { class: "context small" },
    h("div", {}, h("a", { href: `#/customer/${encodeURIComponent(c.id)}` }, h("strong", {}, c.name)),
      " ", c.segment ? h("span", { class: "pill" }, segmentName(c.segment)) : null,
      c.tier ? h("span", { class: "pill" }, t(`tier_${c.tier}`)) : null),
    h("div", { class: "muted" }, t("last_purchase"), ": ",
      c.last_purchase_on ? `${c.last_purchase_on} · ${money(c.last_purchase_amount)}` : "—"),
    h("div", { class: "muted" }, t("last_touch"), ": ",
      c.last_touch_on ? `${c.last_touch_on} · ${t(`touch_${c.last_touch_kind}`)}` : "—"),
    c.contacts.length ? h("ul", {}, c.contacts.slice(0, 4).map((p) => h("li", {},
      h("strong", {}, p.name), p.role ? ` (${t(`role_${p.role}`)})` : "",
      p.cares_about.length ? ` · ${t("cares_about")}: ${p.cares_about.join("、")}` : ""))) : null,
    c.open_needs.length ? h("div", {}, t("open_needs"), ": ", c.open_needs.join("；")) : null,
    (c.upcoming_occasions || []).length ? h("div", {}, t("upcoming"), ": ",
      c.upcoming_occasions.map((o) => `${t(`occ_${o.kind}`)} ${o.on}`).join("；")) : null);
}

function completeForm(task, view) {
  const outcome = h("textarea", { name: "outcome", required: true, maxlength: 2000 });
  const check = h("input", { name: "result_check", maxlength: 2000 });
  const note = h("div");
  const form = h("form", { class: "complete-form", onsubmit: async (ev) => {
    ev.preventDefault();
    const data = formData(form);
    try {
      await api(`/engagement/tasks/${task.id}/complete`, { method: "POST",
        body: { outcome: data.outcome, result_check: data.result_check || null } });
      toast(t("task_done"));
      renderToday(view);
    } catch (err) { mount(note, errorBox(err)); }
  } }, field(t("outcome"), outcome), field(t("result_check"), check), note,
  h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, t("save"))));
  setTimeout(() => outcome.focus(), 0);
  return form;
}

export function quickNeed(customerId, contactId, holder) {
  const note = h("div");
  return h("div", { class: "quick-need" },
    h("div", { class: "small muted" }, t("need_pick")),
    h("div", { class: "chips" }, QUICK_NEEDS.map(([needClass, key]) =>
      h("button", { type: "button", "data-need": key, onclick: async () => {
        try {
          await api("/needs/needs", { method: "POST", body: { customer_id: customerId,
            contact_id: contactId || null, need_class: needClass, source: "sales",
            description: t(key) } });
          toast(t("need_saved", { need: t(key) }));
          mount(holder);
        } catch (err) { mount(note, errorBox(err)); }
      } }, t(key)))), note);
}

function visitForm(customers, view) {
  const customerSelect = h("select", { name: "customer_id", required: true },
    h("option", { value: "" }, t("choose_customer")),
    [...customers.values()].map((c) => h("option", { value: c.id }, c.name)));
  const search = h("input", { type: "search", placeholder: t("search_customer") });
  search.addEventListener("change", async () => {
    if (!search.value.trim()) return;
    const found = await api("/registry/customers", { query: { q: search.value.trim(), limit: 20 } });
    mount(customerSelect, h("option", { value: "" }, t("choose_customer")),
      found.items.map((c) => h("option", { value: c.id }, c.name)));
  });
  const when = h("input", { type: "datetime-local", name: "appointment_at", required: true,
    value: `${addDays(1)}T10:00` });
  const prep = h("textarea", { name: "checklist" }, t("default_checklist"));
  const note = h("div");
  const form = h("form", { class: "card", id: "visit-form", onsubmit: async (ev) => {
    ev.preventDefault();
    const data = formData(form);
    try {
      await api("/engagement/visits", { method: "POST", body: {
        customer_id: data.customer_id, purpose: data.purpose,
        appointment_at: new Date(data.appointment_at).toISOString(),
        checklist: data.checklist.split("\n").map((s) => s.trim()).filter(Boolean)
          .map((item) => ({ item, done: false })) } });
      toast(t("visit_planned"));
      renderToday(view);
    } catch (err) { mount(note, errorBox(err)); }
  } },
  h("h3", {}, t("plan_visit")),
  field(t("search_customer"), search), field(t("customer"), customerSelect),
  field(t("step_purpose"), select("purpose", PURPOSES.map((p) => [p, t(`purpose_${p}`)]), "bond")),
  field(t("step_appointment"), when),
  field(t("step_preparation"), prep), note,
  h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, t("save"))));
  return form;
}

function visitCard(visit, customer, view) {
  // The rep's own preparation items (background, materials, gifts) make the preparation step;
  // the company's checklist (the 21 visiting mistakes) is ticked beside them.
  const own = visit.checklist.filter((c) => !c.mistake && (c.phase || "before") === "before");
  const prepared = own.length > 0 && own.every((c) => c.done);
  const current = prepared ? 3 : 1;
  const result = h("textarea", { name: "result", required: true, maxlength: 4000 });
  const next = h("input", { type: "date", name: "next_appointment_on", min: isoDate(new Date()) });
  const noNext = h("input", { name: "no_follow_up_reason", maxlength: 500,
    placeholder: t("no_follow_up_hint") });
  const note = h("div");
  const tick = (item) => h("label", { class: "pill" },
    h("input", { type: "checkbox", checked: item.done, onchange: async (ev) => {
      const checklist = visit.checklist.map((x) => (x === item ? { ...x, done: ev.target.checked } : x));
      try {
        await api(`/engagement/visits/${visit.id}`, { method: "PATCH", body: { checklist },
          headers: { "If-Match": `"${visit.id}.${visit.version}"` } });
        renderToday(view);
      } catch (err) { ev.target.checked = !ev.target.checked; toast(problemText(err), true); }
    } }), " ", state.lang === "en" && item.item_en ? item.item_en : item.item);
  const company = visit.checklist.filter((c) => c.mistake && (c.phase || "before") === "before");
  return h("article", { class: "card visit", "data-visit": visit.id,
    "data-version": visit.version },
    h("div", { class: "row spread" },
      h("strong", {}, customer ? customer.name : visit.customer_id),
      h("span", { class: "muted small" }, dateTime(visit.appointment_at))),
    h("div", { class: "steps" }, STEPS.map((s, i) => h("span", {
      class: i < current ? "done" : i === current ? "current" : null }, t(s)))),
    h("div", { class: "small" }, t("step_purpose"), ": ", t(`purpose_${visit.purpose}`)),
    h("div", { class: "small" }, t("step_preparation"), ":"),
    h("div", { class: "chips own-items" }, own.map(tick)),
    company.length ? h("details", { class: "small" }, h("summary", {}, t("company_checklist",
      { done: company.filter((c) => c.done).length, n: company.length })),
    h("div", { class: "chips" }, company.map(tick))) : null,
    h("form", { class: "visit-result", onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        await api(`/engagement/visits/${visit.id}/complete`, { method: "POST", body: {
          result: result.value.trim(), next_appointment_on: next.value || null,
          ...(next.value ? {} : { no_follow_up_reason: noNext.value.trim() || null }) } });
        toast(t("visit_done"));
        renderToday(view);
      } catch (err) { mount(note, errorBox(err)); }
    } }, field(t("step_result"), result), field(t("step_next"), next),
    field(t("no_follow_up"), noNext), note,
    h("div", { class: "actions" },
      h("button", { class: "primary", type: "submit" }, t("complete_visit")))));
}
