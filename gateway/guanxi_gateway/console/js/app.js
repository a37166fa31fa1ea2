// Boot, sign-in, role-aware navigation and the hash router.
import { ApiError, errorBox, field, h, login, logout, mount, onSessionEnd, problemText, refresh,
  setLang, state, t } from "./core.js";
import { renderToday } from "./today.js";
import { renderCustomers, renderCustomer } from "./customer.js";
import { renderDashboard } from "./dashboard.js";
import { renderEvents } from "./events.js";
import { renderImport } from "./import.js";
import { renderProducts } from "./products.js";
import { renderSettings } from "./settings.js";

// Which pages each role may open; a page missing here is not in the menu and not reachable.
const PAGES = [
  { id: "today", roles: ["rep", "manager", "admin"], render: renderToday },
  { id: "customers", roles: ["rep", "manager", "admin", "analyst"], render: renderCustomers },
  { id: "dashboard", roles: ["manager", "admin", "analyst"], render: renderDashboard },
  { id: "products", roles: ["rep", "manager", "admin"], render: renderProducts },
  { id: "events", roles: ["rep", "manager", "admin"], render: renderEvents },
  { id: "import", roles: ["rep", "manager", "admin"], render: renderImport },
  { id: "settings", roles: ["admin"], render: renderSettings },
];

const view = document.getElementById("view");

function allowed() {
  return PAGES.filter((p) => state.user && p.roles.includes(state.user.role));
}

function drawChrome() {
  const bar = document.getElementById("bar");
  bar.hidden = !state.user;
  document.getElementById("lang").textContent = state.lang === "zh" ? "English" : "中文";
  document.getElementById("logout").textContent = t("logout");
  if (!state.user) return;
  document.getElementById("who").textContent =
    `${state.user.name || state.user.id} · ${t(`role_${state.user.role}`)}`;
  const here = location.hash.split("/")[1] || "";
  mount(document.getElementById("nav"), allowed().map((p) =>
    h("a", { href: `#/${p.id}`, class: here === p.id || (here === "customer" && p.id === "customers")
      ? "active" : null, "data-page": p.id }, t(`nav_${p.id}`))));
}

async function route() {
  drawChrome();
  if (!state.user) return showLogin();
  document.getElementById("nav").classList.remove("open");
  const [, page = "", ...rest] = location.hash.split("/");
  const pages = allowed();
  if (page === "customer" && rest[0]) {
    return run(() => renderCustomer(view, decodeURIComponent(rest[0])));
  }
  const target = pages.find((p) => p.id === page);
  if (!target) {
    if (page && PAGES.some((p) => p.id === page)) {
      mount(view, h("div", { class: "error" }, t("no_access")));
      view.dataset.ready = location.hash;
      return;
    }
    location.replace(`#/${pages[0].id}`);
    return;
  }
  return run(() => target.render(view, rest));
}

// view.dataset.ready names the route once its page has drawn (tests and screen readers wait
// for it); an error is drawn in place of the page.
async function run(render) {
  const hash = location.hash;
  delete view.dataset.ready;
  mount(view, h("p", { class: "muted", "data-loading": "1" }, t("loading")));
  try { await render(); } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
    mount(view, errorBox(err));
  }
  if (location.hash === hash) view.dataset.ready = hash;
}

function showLogin(message) {
  drawChrome();
  const user = h("input", { name: "username", autocomplete: "username", required: true });
  const pass = h("input", { name: "password", type: "password", autocomplete: "current-password",
    required: true });
  const note = h("div");
  if (message) mount(note, h("div", { class: "notice" }, message));
  const form = h("form", { class: "card login", id: "login-form", onsubmit: async (ev) => {
    ev.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await login(user.value.trim(), pass.value);
      pass.value = "";
      route();
    } catch (err) {
      mount(note, h("div", { class: "error", role: "alert" },
        err instanceof ApiError && err.status === 401 ? t("login_failed") : problemText(err)));
    } finally { button.disabled = false; }
  } },
  h("h1", {}, t("sign_in_title")),
  h("p", { class: "muted" }, t("sign_in_hint")),
  field(t("username"), user), field(t("password"), pass), note,
  h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, t("sign_in"))),
  h("p", { class: "small muted" }, h("a", { href: "/docs" }, t("api_docs"))));
  mount(view, form);
  user.focus();
}

document.getElementById("lang").addEventListener("click", () => {
  setLang(state.lang === "zh" ? "en" : "zh");
  route();
});
document.getElementById("logout").addEventListener("click", async () => {
  try { await logout(); } catch { /* the cookie is gone either way */ }
  location.hash = "";
  showLogin(t("signed_out"));
});
document.getElementById("menu-toggle").addEventListener("click", (ev) => {
  const nav = document.getElementById("nav");
  nav.classList.toggle("open");
  ev.currentTarget.setAttribute("aria-expanded", nav.classList.contains("open"));
});
window.addEventListener("hashchange", route);
onSessionEnd(() => showLogin(t("session_expired")));

setLang(state.lang);
refresh().then(route, () => showLogin());
