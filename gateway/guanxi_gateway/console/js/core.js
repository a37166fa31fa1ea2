// The console's core: language, DOM building, the API client and the session.
// The access token lives only in this module's memory; the refresh token is an HttpOnly cookie
// that no script can read (see guanxi_gateway/api/console.py).
import { DICT } from "./i18n.js";

export const state = { lang: localStorage.getItem("guanxi.lang") === "en" ? "en" : "zh",
  user: null };
let accessToken = null;
let refreshTimer = null;
let refreshing = null;
let onSignedOut = () => {};

export function t(key, vars) {
  let text = (DICT[state.lang] && DICT[state.lang][key]) ?? DICT.zh[key] ?? key;
  for (const [k, v] of Object.entries(vars || {})) text = text.replaceAll(`{${k}}`, String(v));
  return text;
}

export function setLang(lang) {
  state.lang = lang;
  localStorage.setItem("guanxi.lang", lang);
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
}

// h("div", {class: "card", onclick: fn}, child, "text", [more]) builds elements; text is
// always text (never parsed as HTML), so names and notes from the API cannot inject markup.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function toast(message, bad = false) {
  const box = document.getElementById("toast");
  box.textContent = message;
  box.className = bad ? "show bad" : "show";
  clearTimeout(box._timer);
  box._timer = setTimeout(() => { box.className = ""; }, 3500);
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

// ---- session -------------------------------------------------------------------------
async function consoleAuth(path, body) {
  const resp = await fetch(`/console/auth/${path}`, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-Guanxi-Console": "1" },
    body: body ? JSON.stringify(body) : null });
  if (resp.status === 204) return null;
  const data = await resp.json().catch(() => null);
  if (!resp.ok) throw new ApiError(resp.status, data);
  return data;
}

function startSession(data) {
  accessToken = data.access_token;
  state.user = data.user;
  clearTimeout(refreshTimer);
  // Renew a minute before the access token expires, so calls rarely meet a 401.
  const wait = Math.max(10, data.expires_in - 60) * 1000;
  refreshTimer = setTimeout(() => refresh().catch(() => {}), wait);
}

export function onSessionEnd(fn) { onSignedOut = fn; }

export async function login(username, password) {
  startSession(await consoleAuth("login", { username, password }));
}

// One refresh at a time: the refresh token rotates, and presenting a spent one would end
// every session of the user (the gateway's theft detection).
export function refresh() {
  if (!refreshing) {
    refreshing = consoleAuth("refresh").then((data) => {
      if (!data) throw new ApiError(401, { detail: t("session_expired") });  // no session
      startSession(data);
    }).finally(() => { refreshing = null; });
  }
  return refreshing;
}

export async function logout() {
  try { await consoleAuth("logout"); } finally {
    endSession();
  }
}

function endSession() {
  accessToken = null;
  state.user = null;
  clearTimeout(refreshTimer);
}

// ---- API -----------------------------------------------------------------------------
// api("/registry/customers", {query: {q: "x"}}) calls /api/v1/registry/customers?q=x.
export async function api(path, { method = "GET", query, body, headers = {}, raw = false,
  retried = false } = {}) {
  const url = new URL(`/api/v1${path}`, location.origin);
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== null && v !== undefined && v !== "") url.searchParams.set(k, v);
  }
  const init = { method, headers: { ...headers }, credentials: "omit" };
  if (accessToken) init.headers.Authorization = `Bearer ${accessToken}`;
  if (body !== undefined) {
    if (typeof body === "string" || body instanceof Blob) init.body = body;
    else { init.body = JSON.stringify(body); init.headers["Content-Type"] = "application/json"; }
  }
  const resp = await fetch(url, init);
  if (resp.status === 401 && !retried) {
    try { await refresh(); } catch (err) {
      endSession();
      onSignedOut();
      throw new ApiError(401, { detail: t("session_expired") });
    }
    return api(path, { method, query, body, headers, raw, retried: true });
  }
  if (raw) return resp;
  const type = resp.headers.get("content-type") || "";
  const data = resp.status === 204 ? null
    : type.includes("json") ? await resp.json() : await resp.text();
  if (!resp.ok) throw new ApiError(resp.status, typeof data === "object" ? data : { detail: data });
  return data;
}

// The ETag comes with the body for reads that an edit will send back with If-Match.
export async function apiWithEtag(path) {
  const resp = await api(path, { raw: true });
  const data = await resp.json();
  if (!resp.ok) throw new ApiError(resp.status, data);
  return { data, etag: resp.headers.get("etag") };
}

export function problemText(err) {
  if (!(err instanceof ApiError)) return String(err?.message || err);
  const fields = (err.problem?.errors || []).map((e) => `${(e.loc || []).slice(1).join(".")}: ${e.msg}`);
  return [err.message, ...fields].join(" · ");
}

// ---- small helpers -------------------------------------------------------------------
export function money(value, currency = "CNY") {
  if (value === null || value === undefined) return "—";
  const n = Number(value);
  return `${currency === "CNY" ? "¥" : currency + " "}${n.toLocaleString(state.lang === "zh" ? "zh-CN" : "en-US", { maximumFractionDigits: 0 })}`;
}

// Segment names are codes (champions, loyal ...); the console shows their Chinese or English name.
export function segmentName(name) {
  if (!name) return "—";
  const key = `seg_${name}`;
  const text = t(key);
  return text === key ? name : text;
}

export function pct(value) {
  return value === null || value === undefined ? "—" : `${(Number(value) * 100).toFixed(1)}%`;
}

export function isoDate(d) {
  const z = new Date(d.getTime() - d.getTimezoneOffset() * 60000);
  return z.toISOString().slice(0, 10);
}

export function addDays(days, from = new Date()) {
  const d = new Date(from);
  d.setDate(d.getDate() + days);
  return isoDate(d);
}

export function dateTime(value) {
  if (!value) return "—";
  return new Date(value).toLocaleString(state.lang === "zh" ? "zh-CN" : "en-GB",
    { dateStyle: "medium", timeStyle: "short" });
}

// A table of rows with columns [{key, label, num, fmt}] and its CSV download.
export function table(columns, rows, { onRow } = {}) {
  return h("div", { class: "table-wrap" }, h("table", {},
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { class: c.num ? "num" : null }, c.label)))),
    h("tbody", {}, rows.map((row) => h("tr", { onclick: onRow ? () => onRow(row) : null },
      columns.map((c) => h("td", { class: c.num ? "num" : null },
        c.fmt ? c.fmt(row[c.key], row) : row[c.key] ?? "—")))))));
}

export function csvText(columns, rows) {
  const cell = (v) => {
    let s = v === null || v === undefined ? "" : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;  // never a formula in a spreadsheet
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [columns.map((c) => cell(c.label)).join(","),
    ...rows.map((r) => columns.map((c) => cell(c.csv ? c.csv(r[c.key], r) : r[c.key])).join(","))]
    .join("\r\n") + "\r\n";
}

export function downloadCsv(filename, columns, rows) {
  const blob = new Blob(["\ufeff", csvText(columns, rows)], { type: "text/csv;charset=utf-8" });
  const a = h("a", { href: URL.createObjectURL(blob), download: filename });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

export function errorBox(err) {
  return h("div", { class: "error", role: "alert" }, problemText(err));
}

export function field(label, input) {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  input.id = id;
  return [h("label", { for: id }, label), input];
}

export function select(name, options, value) {
  return h("select", { name }, options.map(([v, label]) =>
    h("option", { value: v, selected: v === value }, label)));
}

export function formData(form) {
  const out = {};
  for (const [k, v] of new FormData(form).entries()) out[k] = typeof v === "string" ? v.trim() : v;
  return out;
}
