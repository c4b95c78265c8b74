// The Accounts screen's script: plain JavaScript, no framework, no build
// step. It calls the API at /api/v1/ with the session cookie the page set,
// and sends the X-MultiLine-Portal header on every call that changes
// something (the server's CSRF guard).
"use strict";

const API = "/api/v1";

// What the Content-Security-Policy refused on this page (the tests read it).
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => window.cspViolations.push(e.violatedDirective + " " + e.blockedURI));

const STATUS = {
  not_invited: "Not Invited",
  invited: "Invited",
  invitation_failed: "Invitation Failed",
  activated: "Activated",
  suspended: "Suspended",
};

const APPS = { mobile: "MultiLine Mobile", desktop: "MultiLine Desktop", ms_teams: "MultiLine for MS Teams", intune: "Intune" };
const FEATURES = { ms_teams_calling: "MS Teams Calling", call_recording: "Call recording", sms_recording: "SMS recording" };

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

// ApiError is a problem+json answer (RFC 9457) or a network failure.
class ApiError extends Error {
  constructor(status, problem) {
    super((problem && problem.detail) || "The request failed (" + status + ").");
    this.status = status;
    this.problem = problem || {};
  }
}

// api calls the API and answers the parsed JSON body (or null).
async function api(method, path, body, headers = {}) {
  const opts = { method, headers: { ...headers }, credentials: "same-origin" };
  if (method !== "GET" && method !== "HEAD") opts.headers["X-MultiLine-Portal"] = "1";
  if (body instanceof FormData) {
    opts.body = body;
  } else if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(API + path, opts);
  } catch (e) {
    throw new ApiError(0, { detail: "The server cannot be reached." });
  }
  const type = res.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await res.json() : null;
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

// listAll follows next_cursor to the end (at most 20 pages).
async function listAll(path) {
  const items = [];
  let cursor = "";
  for (let i = 0; i < 20; i++) {
    const sep = path.includes("?") ? "&" : "?";
    const page = await api("GET", path + sep + "limit=500" + (cursor ? "&cursor=" + encodeURIComponent(cursor) : ""));
    items.push(...(page.items || []));
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  return items;
}

function orgs() {
  return JSON.parse($("#orgs").textContent || "[]") || [];
}

function orgName(id) {
  const o = orgs().find((o) => o.id === id);
  return o ? o.name : id;
}

function say(el, text, isError) {
  el.textContent = text;
  el.classList.toggle("error", !!isError);
}

// showErrors puts each field error next to the field it names (fieldMap
// maps an API field to the id of its error element), and the rest in the
// form's alert.
function showErrors(form, err, fieldMap = {}) {
  clearErrors(form);
  const general = $(".form-error", form.closest("section, main") || document);
  const p = err.problem || {};
  const rest = [];
  for (const fe of p.errors || []) {
    const id = fieldMap[fe.field] || fe.field;
    const el = document.getElementById("err-" + id);
    if (el) {
      el.textContent = fe.message;
      const input = document.getElementById(id);
      if (input) input.setAttribute("aria-invalid", "true");
    } else {
      rest.push(fe.message);
    }
  }
  if (!(p.errors || []).length || rest.length) {
    general.textContent = rest.length ? rest.join(" ") : err.message;
    general.hidden = false;
    general.focus && general.setAttribute("tabindex", "-1");
  }
  const first = $(".error:not(:empty)", form.closest("section, main") || document);
  const target = first && first.id.startsWith("err-") ? document.getElementById(first.id.slice(4)) : null;
  if (target && target.focus) target.focus();
  else if (!general.hidden) general.focus();
}

function clearErrors(form) {
  const root = form.closest("section, main") || document;
  $$(".error", root).forEach((e) => {
    if (e.classList.contains("form-error")) e.hidden = true;
    e.textContent = "";
  });
  $$("[aria-invalid]", root).forEach((e) => e.removeAttribute("aria-invalid"));
}

function fillOrgChoices(orgID, box, values, labels, name, checked) {
  box.textContent = "";
  if (!values.length) {
    const p = document.createElement("p");
    p.className = "hint";
    p.textContent = "None enabled for " + orgName(orgID) + ".";
    box.append(p);
    return;
  }
  for (const v of values) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "checkbox";
    input.name = name;
    input.value = v;
    input.checked = checked(v);
    label.append(input, " " + (labels[v] || v));
    box.append(label);
  }
}

// ---- Accounts list ----

function accountsPage() {
  const tbody = $("#accounts tbody");
  const status = $("#status");
  let rows = [];

  const selected = () => $$("tbody input[type=checkbox]:checked").map((c) => c.value);

  let loadSeq = 0;
  async function load() {
    const seq = ++loadSeq;
    const org = $("#f-org").value;
    const st = $("#f-status").value;
    const q = $("#f-q").value.trim();
    const params = new URLSearchParams();
    if (st) params.set("status", st);
    if (q) params.set("q", q);
    const qs = params.toString() ? "?" + params.toString() : "";
    try {
      const ids = org ? [org] : orgs().map((o) => o.id);
      const got = [];
      for (const id of ids) got.push(...(await listAll("/orgs/" + encodeURIComponent(id) + "/accounts" + qs)));
      if (seq !== loadSeq) return; // a newer filter is loading
      rows = got;
      // An organization's list may hold its sub-organizations' accounts too.
      const seen = new Set();
      rows = rows.filter((a) => !seen.has(a.id) && seen.add(a.id));
      // The same filter on the page, for an API that does not filter yet.
      const lq = q.toLowerCase();
      rows = rows.filter((a) => (!st || a.status === st) &&
        (!lq || [a.first_name, a.last_name, a.username, a.account_id, a.number].some((f) => (f || "").toLowerCase().startsWith(lq))));
      render();
    } catch (e) {
      say(status, e.message, true);
    }
  }

  function render() {
    const keep = new Set(selected());
    tbody.textContent = "";
    for (const a of rows) {
      const tr = document.createElement("tr");
      const name = (a.first_name + " " + a.last_name).trim() || a.username;
      const cb = document.createElement("input");
      cb.type = "checkbox";
      cb.value = a.id;
      cb.checked = keep.has(a.id);
      cb.setAttribute("aria-label", "Select " + name);
      const cells = [cb, name, a.username, orgName(a.org), STATUS[a.status] || a.status];
      cells.forEach((c, i) => {
        const td = document.createElement(i === 1 ? "th" : "td");
        if (i === 1) td.scope = "row";
        if (c instanceof Node) td.append(c);
        else td.textContent = c;
        if (i === 4) td.className = "st st-" + a.status;
        if (i > 0) td.dataset.label = ["", "Name", "Username", "Organization", "Status"][i];
        tr.append(td);
      });
      tr.dataset.id = a.id;
      tbody.append(tr);
    }
    $("#empty").hidden = rows.length > 0;
    selectionChanged();
  }

  let checkSeq = 0;
  async function selectionChanged() {
    const ids = selected();
    $("#selected-count").textContent = ids.length + " selected";
    for (const b of ["#resend", "#suspend", "#reactivate", "#delete"]) $(b).disabled = ids.length === 0;
    $("#select-all").checked = ids.length > 0 && ids.length === rows.length;
    const move = $("#move");
    const to = $("#move-to").value;
    const note = $("#move-note");
    move.disabled = true;
    move.removeAttribute("title");
    note.textContent = "";
    if (!ids.length || !to) return;
    const seq = ++checkSeq;
    try {
      await api("POST", "/accounts/move/check", { ids, to });
      if (seq !== checkSeq) return;
      move.disabled = false;
      move.title = "Move " + ids.length + " account(s) to " + orgName(to);
    } catch (e) {
      if (seq !== checkSeq) return;
      move.disabled = true;
      move.title = e.message;
      note.textContent = e.message;
    }
  }

  async function act(button, path, body, done) {
    const ids = selected();
    if (!ids.length) return;
    button.disabled = true;
    say(status, "Working…");
    try {
      await api("POST", path, body(ids));
      await load();
      say(status, done(ids.length));
    } catch (e) {
      say(status, e.message, true);
      selectionChanged();
    }
  }

  const consent = () => $(".sms-consent").checked;
  $("#resend").addEventListener("click", (e) =>
    act(e.currentTarget, "/accounts/resend", (ids) => (consent() ? { ids, sms_consent: true } : { ids }),
      (n) => "Invitation sent again to " + n + " account(s)."));
  $("#suspend").addEventListener("click", (e) =>
    act(e.currentTarget, "/accounts/suspend", (ids) => ({ ids }), (n) => n + " account(s) suspended."));
  $("#reactivate").addEventListener("click", (e) =>
    act(e.currentTarget, "/accounts/reactivate", (ids) => ({ ids }), (n) => n + " account(s) reactivated."));
  $("#delete").addEventListener("click", (e) => {
    if (!window.confirm("Delete " + selected().length + " account(s)? Their numbers go back to the pool.")) return;
    act(e.currentTarget, "/accounts/delete", (ids) => ({ ids }), (n) => n + " account(s) deleted.");
  });
  $("#move").addEventListener("click", (e) => {
    const to = $("#move-to").value;
    act(e.currentTarget, "/accounts/move", (ids) => ({ ids, to }), (n) => n + " account(s) moved to " + orgName(to) + ".");
  });
  $("#move-to").addEventListener("change", selectionChanged);
  tbody.addEventListener("change", selectionChanged);
  $("#select-all").addEventListener("change", (e) => {
    $$("tbody input[type=checkbox]").forEach((c) => (c.checked = e.currentTarget.checked));
    selectionChanged();
  });
  $("#filters").addEventListener("submit", (e) => {
    e.preventDefault();
    load();
  });
  $("#f-org").addEventListener("change", load);
  $("#f-status").addEventListener("change", load);
  load();
}

// ---- Add Account ----

function tabs() {
  const list = $$("[role=tab]");
  function select(tab) {
    for (const t of list) {
      const on = t === tab;
      t.setAttribute("aria-selected", on ? "true" : "false");
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
    }
    tab.focus();
    history.replaceState(null, "", tab.id === "tab-multiple" ? "#multiple" : "#single");
  }
  list.forEach((t, i) => {
    t.addEventListener("click", () => select(t));
    t.addEventListener("keydown", (e) => {
      const d = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
      if (d) select(list[(i + d + list.length) % list.length]);
      if (e.key === "Home") select(list[0]);
      if (e.key === "End") select(list[list.length - 1]);
    });
  });
  if (location.hash === "#multiple") select($("#tab-multiple"));
}

function addPage() {
  tabs();
  const form = $("#single");
  const orgSel = $("#org");

  async function orgChanged() {
    const o = orgs().find((o) => o.id === orgSel.value) || { applications: [], features: [] };
    const checkedApps = new Set($$("input[name=applications]:checked").map((c) => c.value));
    fillOrgChoices(o.id, $("#applications-choices"), o.applications || [], APPS, "applications",
      (v) => checkedApps.has(v) || (checkedApps.size === 0 && v === "mobile"));
    fillOrgChoices(o.id, $("#features-choices"), o.features || [], FEATURES, "features", () => false);
    // The pool: Available numbers and the tags of Reserved ones.
    const list = $("#pool");
    list.textContent = "";
    try {
      const nums = await listAll("/orgs/" + encodeURIComponent(o.id) + "/numbers");
      const tags = new Set();
      for (const n of nums) {
        if (n.state === "Available") list.append(new Option(n.number + (n.tag ? " (" + n.tag + ")" : ""), n.number));
        if (n.state === "Reserved" && n.tag) tags.add(n.tag);
      }
      for (const t of tags) list.append(new Option("tag " + t, t));
    } catch (e) {
      /* the datalist is a help only */
    }
  }
  orgSel.addEventListener("change", orgChanged);
  orgChanged();

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const invite = e.submitter && e.submitter.value === "invite";
    const dest = $("#destination").value.trim();
    const isEmail = dest.includes("@");
    const body = {
      first_name: $("#first_name").value,
      last_name: $("#last_name").value,
      account_id: $("#account_id").value,
      applications: $$("input[name=applications]:checked").map((c) => c.value),
      features: $$("input[name=features]:checked").map((c) => c.value),
    };
    if (isEmail) body.email = dest;
    else body.device = dest;
    for (const f of ["assign_number", "profile", "forwarding_number", "language"]) {
      const v = $("#" + f).value.trim();
      if (v) body[f] = v;
    }
    if (invite) {
      body.invite = true;
      if (!isEmail && $(".sms-consent", form).checked) body.sms_consent = true;
    }
    clearErrors(form);
    const done = $("#single-done");
    done.textContent = "";
    for (const b of $$("button[type=submit]", form)) b.disabled = true;
    try {
      const a = await api("POST", "/orgs/" + encodeURIComponent(orgSel.value) + "/accounts", body);
      done.textContent = (invite ? "Saved and invited: " : "Saved: ") + a.username + " (" + (STATUS[a.status] || a.status) + ")" +
        (a.number ? ", number " + a.number : "") + ".";
      for (const id of ["first_name", "last_name", "account_id", "destination", "assign_number", "forwarding_number"]) $("#" + id).value = "";
      $("#first_name").focus();
      orgChanged();
    } catch (err) {
      showErrors(form, err, { email: "destination", device: "destination", username: "destination", number: "assign_number" });
    } finally {
      for (const b of $$("button[type=submit]", form)) b.disabled = false;
    }
  });

  multiplePanel();
}

function multiplePanel() {
  const form = $("#multiple");
  const dlg = $("#progress");
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    const mode = e.submitter && e.submitter.value === "invite" ? "invite" : "import";
    const file = $("#file").files[0];
    if (!file) {
      $("#err-file").textContent = "Choose the CSV file to upload.";
      $("#file").focus();
      return;
    }
    const params = new URLSearchParams({ mode });
    const profile = $("#b-profile").value;
    if (profile) params.set("profile", profile);
    if (mode === "invite" && $(".sms-consent", form).checked) params.set("sms_consent", "true");
    const fd = new FormData();
    fd.append("file", file);
    const key = crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random();
    let rec;
    try {
      rec = await api("POST", "/orgs/" + encodeURIComponent($("#b-org").value) + "/batches?" + params, fd, { "Idempotency-Key": key });
    } catch (err) {
      showErrors(form, err, {});
      return;
    }
    $("#progress-title").textContent = mode === "invite" ? "Importing and inviting" : "Importing";
    $("#report-link").hidden = true;
    $("#progress-summary").textContent = "";
    $("#progress-close").disabled = true;
    dlg.showModal();
    await watch(rec);
  });

  async function watch(rec) {
    const bar = $("#progress-bar");
    const text = $("#progress-text");
    for (;;) {
      const total = rec.rows_total || 0;
      const pct = total ? Math.floor((rec.rows_done * 100) / total) : 0;
      bar.value = pct;
      text.textContent = rec.rows_done + " / " + total + " rows · " + pct + " %";
      if (rec.status !== "running") break;
      await new Promise((r) => setTimeout(r, 250));
      try {
        rec = await api("GET", "/batches/" + encodeURIComponent(rec.id));
      } catch (err) {
        text.textContent = err.message;
        break;
      }
    }
    const s = rec.summary || {};
    $("#progress-title").textContent = "Batch " + rec.status;
    $("#progress-summary").textContent = "Imported " + s.imported + ", invited " + s.invited + ", failed " + s.failed + " of " + s.total + " rows.";
    const link = $("#report-link");
    link.href = API + "/batches/" + encodeURIComponent(rec.id) + "/report";
    link.hidden = !rec.id;
    const close = $("#progress-close");
    close.disabled = false;
    (rec.id ? link : close).focus();
  }
}

// ---- Batch Operation Reports ----

function reportsPage() {
  const tbody = $("#batches tbody");
  const status = $("#status");
  async function load() {
    try {
      const items = await listAll("/orgs/" + encodeURIComponent($("#r-org").value) + "/batches");
      tbody.textContent = "";
      for (const b of items) {
        const tr = document.createElement("tr");
        const s = b.summary || {};
        const cells = [new Date(b.created).toLocaleString(), { import: "Import", invite: "Import & Invite", validate: "Validate" }[b.mode] || b.mode,
          b.status.charAt(0).toUpperCase() + b.status.slice(1), b.rows_done + " / " + b.rows_total, s.imported, s.invited, s.failed];
        const labels = ["Uploaded", "Mode", "Status", "Rows", "Imported", "Invited", "Failed"];
        cells.forEach((c, i) => {
          const td = document.createElement("td");
          td.textContent = c;
          td.dataset.label = labels[i];
          tr.append(td);
        });
        const rep = document.createElement("td");
        rep.dataset.label = "Report";
        const a = document.createElement("a");
        a.href = API + "/batches/" + encodeURIComponent(b.id) + "/report";
        a.setAttribute("download", "");
        a.textContent = "Download";
        a.setAttribute("aria-label", "Download the report of the batch uploaded " + cells[0]);
        rep.append(a);
        const un = document.createElement("td");
        un.dataset.label = "Undo";
        const btn = document.createElement("button");
        btn.type = "button";
        btn.className = "undo";
        btn.textContent = "Undo";
        btn.setAttribute("aria-label", "Undo the batch uploaded " + cells[0]);
        btn.disabled = !(b.status === "finished" || b.status === "interrupted") || !b.id;
        btn.addEventListener("click", async () => {
          if (!window.confirm("Undo this batch? Its accounts that have not activated are deleted.")) return;
          btn.disabled = true;
          try {
            const u = await api("POST", "/batches/" + encodeURIComponent(b.id) + "/undo");
            say(status, "Batch undone: " + (u.deleted || []).length + " account(s) deleted, " + (u.kept || []).length + " kept (activated).");
            await load();
          } catch (e) {
            say(status, e.message, true);
            btn.disabled = false;
          }
        });
        un.append(btn);
        tr.append(rep, un);
        tbody.append(tr);
      }
      $("#empty").hidden = items.length > 0;
    } catch (e) {
      say(status, e.message, true);
    }
  }
  $("#r-org").addEventListener("change", load);
  load();
}

// ---- Activation (the end user) ----

function activatePage() {
  const token = decodeURIComponent(location.pathname.split("/").pop() || "");
  const path = "/activation/" + encodeURIComponent(token);
  const err = $("#activate-error");
  const form = $("#activate");
  function fail(e) {
    $("#loading").hidden = true;
    err.textContent = e.message;
    err.hidden = false;
  }
  api("GET", path).then((offer) => {
    $("#loading").hidden = true;
    const list = offer.short_list || [];
    if (list.length) {
      const box = $("#shortlist-choices");
      list.forEach((n, i) => {
        const label = document.createElement("label");
        const input = document.createElement("input");
        input.type = "radio";
        input.name = "choice";
        input.value = n;
        input.required = true;
        if (i === 0) input.checked = true;
        label.append(input, " " + n);
        box.append(label);
      });
      $("#shortlist").hidden = false;
    } else {
      $("#has-number").hidden = false;
    }
    form.hidden = false;
  }, fail);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    err.hidden = true;
    $("#err-choice").textContent = "";
    const c = $("input[name=choice]:checked");
    const btn = $("#activate-button");
    btn.disabled = true;
    try {
      const r = await api("POST", path, c ? { choice: c.value } : {});
      form.hidden = true;
      $("#done-username").textContent = r.username;
      $("#done-number").textContent = r.number;
      $("#done").hidden = false;
      $("#done-title").focus();
    } catch (x) {
      const fe = ((x.problem && x.problem.errors) || []).find((f) => f.field === "choice");
      if (fe) $("#err-choice").textContent = fe.message;
      else fail(x);
      btn.disabled = false;
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const page = document.body.dataset.page;
  ({ accounts: accountsPage, add: addPage, reports: reportsPage, activate: activatePage }[page] || (() => {}))();
});
