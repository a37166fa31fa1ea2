// Import a phone export (CSV or vCard): a dry run first, row by row, then the real import.
import { api, errorBox, field, h, mount, t, table, toast } from "./core.js";

export function renderImport(view) {
  const file = h("input", { type: "file", name: "file", accept: ".csv,.vcf,.vcard,text/csv,text/vcard",
    required: true });
  const out = h("div", { id: "import-report" });
  const form = h("form", { class: "card", id: "import-form", onsubmit: async (ev) => {
    ev.preventDefault();
    const chosen = file.files[0];
    if (!chosen) return;
    mount(out, h("p", { class: "muted" }, t("loading")));
    try {
      const report = await send(chosen, true);
      mount(out, summary(report), confirmButton(chosen, out), rowsTable(report));
    } catch (err) { mount(out, errorBox(err)); }
  } },
  h("p", { class: "muted" }, t("import_hint")), field(t("import_file"), file),
  h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, t("dry_run"))));
  mount(view, h("h1", {}, t("nav_import")), form, out);
}

function send(chosen, dryRun) {
  const vcard = /\.(vcf|vcard)$/i.test(chosen.name);
  return api("/registry/imports", { method: "POST", body: chosen,
    query: { dry_run: dryRun, filename: chosen.name, format: vcard ? "vcard" : "csv" },
    headers: { "Content-Type": vcard ? "text/vcard" : "text/csv" } });
}

function summary(report) {
  const counts = ["created", "updated", "merged", "rejected"].filter((k) => k in report);
  return h("div", { class: "card", id: "import-summary" },
    h("strong", {}, report.dry_run ? t("dry_run_report") : t("import_done")), " ",
    counts.map((k) => h("span", { class: k === "rejected" ? "pill warn" : "pill ok" },
      `${t(`imp_${k}`)} ${report[k]}`)));
}

function confirmButton(chosen, out) {
  return h("button", { type: "button", class: "primary", id: "confirm-import", onclick: async (ev) => {
    ev.currentTarget.disabled = true;
    try {
      const report = await send(chosen, false);
      toast(t("import_done"));
      mount(out, summary(report), rowsTable(report));
    } catch (err) { mount(out, errorBox(err)); }
  } }, t("confirm_import"));
}

function rowsTable(report) {
  const rows = (report.rows || []).slice(0, 2000);
  return h("div", { class: "card" }, table([
    { key: "line", label: t("line"), num: true },
    { key: "outcome", label: t("outcome_col"), fmt: (v) => h("span",
      { class: v === "rejected" ? "pill warn" : "pill ok" }, t(`imp_${v}`)) },
    { key: "name", label: t("name") }, { key: "reason", label: t("reason") }], rows),
  report.rows && report.rows.length > rows.length
    ? h("p", { class: "muted" }, t("rows_shown", { n: rows.length, total: report.rows.length })) : null);
}
