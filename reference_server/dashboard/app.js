// The dashboard: polls /dashboard/api/state once a second and redraws. Every value from the
// server is set as text (never as HTML): captions and remarks are whatever a client sent.
"use strict";

// What a task holds, and the statuses' names, are read from the contract's own document
// (its Task and TaskStats schemas): the page keeps no list of the task's fields.
let STATUS = [];
let TASK_FIELDS = {};
// Each script's options and their defaults, from the same document (its create schemas).
let SCRIPT_DEFAULTS = {};
// How many of a record's options "done lately" shows: the ones that tell it apart.
const TELLING = 3;
const POLL_MS = 1000;
const SCREEN_MS = 2000;
const expanded = new Set();
let lastScreens = 0;

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "";
}

function cell(field, value) {
  if (field === "status") return statusCell(value);
  if (TASK_FIELDS[field]?.format === "date-time") return el("td", { text: when(value) });
  return el("td", { text: value === null || value === undefined ? "" : String(value) });
}

function statusCell(status) {
  const name = STATUS[status] ?? String(status);
  return el("td", {}, el("span", { class: `status ${name}`, text: name }));
}

function renderServer(server) {
  const facts = [
    ["plan", `${server.plan.plan_name}${server.plan.api_enabled ? "" : " (no API)"}`],
    ["devices", server.device_kind],
    ["task store", server.store],
    ["scheduler", server.scheduler ? "running" : "manual"],
    ["adb route", server.adb_route ? "on" : "off"],
    ["faults", String(server.faults.length)],
  ];
  document.getElementById("server").replaceChildren(
    ...facts.map(([name, value]) =>
      el("div", { "data-fact": name }, el("dt", { text: name }), el("dd", { text: value })))
  );
}

function renderStats(stats) {
  const names = ["total", ...STATUS];
  document.getElementById("stats").replaceChildren(
    ...names.map((name) =>
      el("li", { "data-stat": name }, el("b", { text: String(stats[name] ?? 0) }),
        el("span", { class: name === "total" ? "" : `status ${name}`, text: name })))
  );
}

function setOptions(select, values) {
  const chosen = select.value;
  const wanted = ["", ...values];
  const current = [...select.options].map((option) => option.value);
  if (JSON.stringify(current) === JSON.stringify(wanted)) return;
  select.replaceChildren(
    ...wanted.map((value) => el("option", { value, text: value || "any" }))
  );
  select.value = wanted.includes(chosen) ? chosen : "";
}

function renderTasks(data) {
  const body = document.querySelector("#tasks tbody");
  const rows = [];
  const columns = [...document.querySelectorAll("#tasks thead th")].map((th) => th.dataset.field);
  for (const task of data.tasks) {
    const row = el("tr", { class: "task", "data-task-id": String(task.id) },
      ...columns.map((field) => cell(field, task[field])));
    row.addEventListener("click", () => {
      expanded.has(task.id) ? expanded.delete(task.id) : expanded.add(task.id);
      refresh();
    });
    rows.push(row);
    if (expanded.has(task.id)) {
      const details = Object.fromEntries(Object.keys(TASK_FIELDS)
        .filter((field) => field !== "id").map((field) => [field, task[field]]));
      rows.push(el("tr", { class: "details", "data-details-of": String(task.id) },
        el("td", { colspan: String(columns.length) },
          el("pre", { text: JSON.stringify(details, null, 2) }))));
    }
  }
  body.replaceChildren(...rows);
  document.getElementById("count").textContent =
    `${data.tasks.length} of ${data.total} shown (newest first)`;
  const form = document.getElementById("filters");
  setOptions(form.elements.serial, data.devices.map((device) => device.serial));
  setOptions(form.elements.script_name, data.scripts);
}

function holder(device) {
  if (device.task_id !== null) return `running task ${device.task_id}`;
  if (device.lease) return `leased by ${device.lease.label || "a program"}`;
  return device.online ? "idle" : "offline";
}

function mediaText(file) {
  // A virtual phone saw the file's bytes; a simulated device knows only its path on the PC.
  return file.sha256 ? `${file.path} (${file.sha256.slice(0, 12)}…, ${file.size} bytes)` : file.path;
}

function empty(value) {
  return value === "" || value === null || value === undefined ||
    (Array.isArray(value) && !value.length) ||
    (typeof value === "object" && !Array.isArray(value) && !Object.keys(value).length);
}

function shortText(value) {
  if (Array.isArray(value)) return value.map(shortText).join(", ");
  if (typeof value === "object") return "{…}";
  return String(value);
}

function telling(action, options, alreadyShown) {
  // A script's options as a record holds them: only those set away from their default and
  // not already on the line (a post's caption, its media), the first few of them.
  const defaults = SCRIPT_DEFAULTS[action] || {};
  const shown = Object.entries(options).filter(([name, value]) => !empty(value) &&
    JSON.stringify(value) !== JSON.stringify(defaults[name]) &&
    !alreadyShown.has(JSON.stringify(value)));
  const text = shown.slice(0, TELLING).map(([name, value]) => `${name}: ${shortText(value)}`);
  if (shown.length > TELLING) text.push(`${shown.length - TELLING} more`);
  return text.join(", ");
}

function describe(record) {
  // The one shape of a device's record: action, platform, task_id, account, media, details.
  const { action, platform, task_id: taskId, account, media, ...details } = record;
  const parts = [];
  const alreadyShown = new Set();
  if (taskId !== null) parts.push(`task ${taskId}`);
  if (account) parts.push(account);
  if (media.length) {
    parts.push(`media: ${media.map(mediaText).join(", ")}`);
    alreadyShown.add(JSON.stringify(media.map((file) => file.path)));
  }
  const nested = [];
  for (const [name, value] of Object.entries(details)) {
    if (empty(value)) continue;
    if (typeof value === "object" && !Array.isArray(value)) { nested.push(value); continue; }
    parts.push(`${name}: ${shortText(value)}`);
    alreadyShown.add(JSON.stringify(value));
  }
  for (const options of nested) {
    const text = telling(action, options, alreadyShown);
    if (text) parts.push(text);
  }
  return `${action}${platform ? ` (${platform})` : ""}${parts.length ? " · " + parts.join(" · ") : ""}`;
}

function renderDevices(devices, refreshScreens) {
  const box = document.getElementById("devices");
  const cards = devices.map((device) => {
    const card = el("article", { class: "device", "data-serial": device.serial },
      el("h3", { text: device.serial }),
      el("div", {}, el("span", { class: "tag", text: device.kind }),
        el("span", { class: "tag", "data-holder": "", text: holder(device) })));
    if (device.accounts.length) {
      card.append(el("div", { class: "muted", text:
        "accounts: " + device.accounts.map((a) => `${a.username} (${a.platform})`).join(", ") }));
    }
    const activity = device.activity;
    if (activity) {
      const old = box.querySelector(`article[data-serial="${CSS.escape(device.serial)}"] a.screen`);
      const src = `/dashboard/api/screen/${encodeURIComponent(device.serial)}.png`;
      const screen = old && !refreshScreens ? old : el("a", {
        class: "screen", href: src, target: "_blank", rel: "noopener",
        title: "open the screen at full size",
      }, el("img", { src: `${src}?t=${Date.now()}`, alt: `the screen of ${device.serial}` }));
      const figure = el("figure", {}, screen,
        el("figcaption", { "data-screen": "", text: activity.screen }));
      const list = el("div", { class: "activity" },
        el("div", { class: "muted", text: "done lately" }),
        el("ul", { "data-records": "" }, ...(activity.records.length
          ? activity.records.map((r) => el("li", { text: describe(r) }))
          : [el("li", { class: "muted", text: "nothing yet" })])));
      if (activity.shell.length) {
        list.append(el("div", { class: "muted", text: "shell" }),
          el("ul", { "data-shell": "" }, ...activity.shell.map((line) => el("li", { text: line }))));
      }
      card.append(el("div", { class: "phone" }, figure, list));
    }
    return card;
  });
  box.replaceChildren(...cards);
}

function renderFaults(faults) {
  const list = document.getElementById("faults");
  list.replaceChildren(...(faults.length
    ? faults.map((f) => el("li", { text: `${f.method} ${f.path}: ${f.code ?? ""} ${f.message ?? ""} (latency ${f.latency} s)` }))
    : [el("li", { class: "muted", text: "none" })]));
}

function showStatus(text, className) {
  const status = document.getElementById("connection");
  status.textContent = text;
  status.className = className;
}

async function refresh() {
  const query = new URLSearchParams({ page_size: "100" });
  for (const [name, value] of new FormData(document.getElementById("filters"))) {
    if (value) query.set(name, value);
  }
  let answer;
  try {
    answer = await fetch(`/dashboard/api/state?${query}`, { cache: "no-store" });
  } catch (error) {
    showStatus(`cannot reach the server (${error.message}); retrying`, "down");
    return;
  }
  let body;
  try {
    body = await answer.json();
  } catch (error) {
    showStatus(`the server answered HTTP ${answer.status} with something that is not the ` +
      "API's JSON (a proxy's page?); retrying", "down");
    return;
  }
  if (body.code !== 0) {
    showStatus(`the server answered an error: ${body.code} ${body.message}; retrying`, "down");
    return;
  }
  try {
    const data = body.data;
    const refreshScreens = Date.now() - lastScreens >= SCREEN_MS;
    if (refreshScreens) lastScreens = Date.now();
    renderServer(data.server);
    renderStats(data.stats);
    renderTasks(data);
    renderDevices(data.devices, refreshScreens);
    document.getElementById("devices-count").textContent = data.devices_total > data.devices.length
      ? `the first ${data.devices.length} of ${data.devices_total} devices, by serial` : "";
    renderFaults(data.server.faults);
    showStatus(`updated ${new Date().toLocaleTimeString()}`, "");
  } catch (error) {
    // The server answered; this page could not draw what it said. Say so, and tell the console.
    console.error("the dashboard could not draw the server's answer", error);
    showStatus(`this page could not draw the server's answer (${error.message}): ` +
      "a bug in the dashboard; please report it", "down");
  }
}

async function readContract() {
  const schemas = (await (await fetch("/api/v1/openapi.json")).json()).components.schemas;
  TASK_FIELDS = schemas.Task.properties;
  // The counts after the total are the statuses' names, in the order of their codes.
  STATUS = Object.keys(schemas.TaskStats.properties).filter((name) => name !== "total");
  const byName = (ref) => schemas[ref.split("/").pop()];
  for (const [script, ref] of Object.entries(schemas.CreateTask.discriminator?.mapping ?? {})) {
    const config = byName(ref).properties?.script_config ?? {};
    const options = (config.$ref ? byName(config.$ref) : config).properties ?? {};
    SCRIPT_DEFAULTS[script] = Object.fromEntries(
      Object.entries(options).map(([name, option]) => [name, option.default]));
  }
}

document.getElementById("filters").addEventListener("change", refresh);
readContract().catch((error) => console.error("the contract could not be read", error))
  .finally(() => { refresh(); setInterval(refresh, POLL_MS); });
