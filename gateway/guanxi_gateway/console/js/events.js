// Customer events (VIP 联谊, 客户会): the list, then one event's guests with their RSVP and
// attendance. Managers invite a tier; reps record their customers' answers.
import { api, dateTime, errorBox, h, mount, select, state, t, table, toast } from "./core.js";

const ANSWERS = ["yes", "maybe", "no"];
const TIERS = ["invest", "keep", "reconsider"];

export async function renderEvents(view, [eventId = ""] = []) {
  const events = await api("/engagement/customer-events", { query: { limit: 100 } });
  const detail = h("div", { id: "event-detail" });
  mount(view, h("h1", {}, t("events_title")),
    events.items.length ? h("div", { id: "event-list" }, events.items.map((e) =>
      h("article", { class: "card customer-event", "data-event": e.id },
        h("div", { class: "row spread" },
          h("a", { href: `#/events/${encodeURIComponent(e.id)}` }, h("strong", {}, e.name)),
          h("span", { class: "pill" }, t(`ek_${e.kind}`))),
        h("div", { class: "small muted" }, dateTime(e.starts_at), e.location ? ` · ${e.location}` : ""),
        h("div", { class: "small" }, t("ev_counts", e.counts)))))
      : h("p", { class: "muted card" }, t("no_events")),
    detail);
  const chosen = events.items.find((e) => e.id === decodeURIComponent(eventId));
  if (chosen) await showGuests(detail, chosen);
}

async function showGuests(holder, event) {
  const guests = await api(`/engagement/customer-events/${event.id}/invitations`,
    { query: { limit: 200 } });
  const note = h("div");
  const manager = ["manager", "admin"].includes(state.user.role);
  const tier = select("tier", TIERS.map((x) => [x, t(`tier_${x}`)]), "invest");
  mount(holder, h("section", { class: "card", id: "guests", "data-event": event.id },
    h("h2", {}, event.name, " · ", t("invitations")),
    h("p", { class: "small" }, event.invitation_text),
    manager && event.status !== "cancelled" ? h("div", { class: "row" }, h("span", {}, t("invite_tier")), tier,
      h("button", { type: "button", id: "invite", onclick: async () => {
        try {
          const done = await api(`/engagement/customer-events/${event.id}/invitations`, {
            method: "POST", body: { tiers: [tier.value] } });
          toast(t("invited_n", { n: done.invited }));
          await showGuests(holder, event);
        } catch (err) { mount(note, errorBox(err)); }
      } }, t("invite"))) : null, note,
    guests.items.length ? table([
      { key: "contact_name", label: t("guest"), fmt: (v, g) =>
        h("a", { href: `#/customer/${encodeURIComponent(g.customer_id)}` }, v || g.contact_id) },
      { key: "announcement", label: t("announcement"), fmt: (v) => v || "—" },
      { key: "rsvp", label: t("rsvp"), fmt: (v, g) => rsvp(holder, event, g, note) },
      { key: "attended", label: t("attended"), fmt: (v) => (v ? "✓" : "") }], guests.items)
      : h("p", { class: "muted" }, t("no_invitations"))));
}

function rsvp(holder, event, guest, note) {
  return h("span", { class: "chips", "data-guest": guest.id, "data-rsvp": guest.rsvp },
    h("span", { class: "pill" }, t(`rsvp_${guest.rsvp}`)),
    ANSWERS.filter((a) => a !== guest.rsvp).map((answer) => h("button", { type: "button",
      class: "link", "data-answer": answer, onclick: async () => {
        try {
          await api(`/engagement/customer-events/${event.id}/invitations/${guest.id}/rsvp`, {
            method: "POST", body: { answer },
            headers: { "If-Match": `"${guest.id}.${guest.version}"` } });
          toast(t("rsvp_saved"));
          await showGuests(holder, event);
        } catch (err) { mount(note, errorBox(err)); }
      } }, t(`rsvp_${answer}`))));
}
