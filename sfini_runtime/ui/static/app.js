// The web view's page: the list of executions, and one execution's graph, events and states.
// Plain JavaScript, no dependencies; it reads the JSON under /api/ and never writes.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const STATUSES = ["not reached", "running", "succeeded", "retried", "caught", "failed"];
const EXECUTION_STATUSES = ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"];
const LIST_REFRESH_MS = 3000;
const EXECUTION_REFRESH_MS = 700;
const MARGIN = 16;
const EVENTS_PER_PAGE = 500;

let timer = null;

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined) continue;
    if (key === "onclick" || key === "onchange") node[key] = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function svg(tag, attributes) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
  return node;
}

async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  const body = await response.json();
  if (!response.ok) {
    const error = new Error(body.message || response.statusText);
    error.code = body.error;
    throw error;
  }
  return body;
}

function executionHref(arn) {
  return "/execution/" + encodeURIComponent(arn);
}

function formatTime(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return isNaN(date) ? iso : date.toLocaleString();
}

function formatDuration(seconds) {
  if (seconds === null || seconds === undefined) return "";
  if (seconds < 1) return Math.round(seconds * 1000) + " ms";
  if (seconds < 60) return seconds.toFixed(1) + " s";
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return minutes + " min " + Math.round(seconds % 60) + " s";
  return Math.floor(minutes / 60) + " h " + (minutes % 60) + " min";
}

function durationOf(item) {
  if (item.durationSeconds !== null && item.durationSeconds !== undefined) return item.durationSeconds;
  if (item.startDate && !item.stopDate) return (Date.now() - new Date(item.startDate)) / 1000;
  return null;
}

function badge(status) {
  return el("span", { class: "badge " + (status || "") }, status || "");
}

function pretty(text) {
  if (text === null || text === undefined) return "";
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch (_) {
    return String(text);
  }
}

function showError(container, error) {
  container.replaceChildren(el("p", { class: "error", id: "error" }, error.message || String(error)));
}

// -- the list ---------------------------------------------------------------------------------

async function showList() {
  const app = document.getElementById("app");
  const params = new URLSearchParams(location.search);
  const machineSelect = el("select", { id: "machine-filter" }, el("option", { value: "" }, "all state machines"));
  const statusSelect = el("select", { id: "status-filter" }, el("option", { value: "" }, "any status"));
  for (const status of EXECUTION_STATUSES) statusSelect.append(el("option", { value: status }, status));
  statusSelect.value = params.get("status") || "";
  const table = el("table", { id: "executions" });
  const machines = el("table", { id: "state-machines" });
  app.replaceChildren(
    el("h1", {}, "Executions"),
    el("div", { class: "controls" },
      el("label", {}, "State machine ", machineSelect),
      el("label", {}, "Status ", statusSelect)),
    table,
    el("h2", {}, "State machines"),
    machines,
  );
  const onFilter = () => {
    const next = new URLSearchParams();
    if (machineSelect.value) next.set("stateMachineArn", machineSelect.value);
    if (statusSelect.value) next.set("status", statusSelect.value);
    history.replaceState(null, "", next.toString() ? "?" + next : "/");
    refreshList(machineSelect.value, statusSelect.value, table);
  };
  machineSelect.onchange = onFilter;
  statusSelect.onchange = onFilter;
  try {
    const answer = await getJSON("/api/state-machines");
    for (const machine of answer.stateMachines) {
      machineSelect.append(el("option", { value: machine.arn }, machine.name));
    }
    machineSelect.value = params.get("stateMachineArn") || "";
    machines.replaceChildren(
      el("tr", {}, el("th", {}, "Name"), el("th", {}, "Type"), el("th", {}, "Created"), el("th", {}, "ARN")),
      ...answer.stateMachines.map((machine) => el("tr", {},
        el("td", {}, el("a", { href: "/?stateMachineArn=" + encodeURIComponent(machine.arn) }, machine.name)),
        el("td", {}, machine.type || ""),
        el("td", {}, formatTime(machine.creationDate)),
        el("td", {}, machine.arn))),
    );
    if (!answer.stateMachines.length) machines.replaceChildren(el("tr", {}, el("td", { class: "empty" }, "No state machines.")));
  } catch (error) {
    showError(machines, error);
  }
  await refreshList(machineSelect.value, statusSelect.value, table);
}

async function refreshList(machine, status, table) {
  clearTimeout(timer);
  const query = new URLSearchParams();
  if (machine) query.set("stateMachineArn", machine);
  if (status) query.set("status", status);
  try {
    const answer = await getJSON("/api/executions?" + query);
    const rows = answer.executions.map((item) => el("tr", { class: "execution-row", "data-status": item.status },
      el("td", {}, el("a", { href: executionHref(item.arn) }, item.name)),
      el("td", {}, item.stateMachineName),
      el("td", {}, badge(item.status)),
      el("td", {}, formatTime(item.startDate)),
      el("td", { class: "num" }, formatDuration(durationOf(item)))));
    table.replaceChildren(
      el("tr", {}, el("th", {}, "Execution"), el("th", {}, "State machine"), el("th", {}, "Status"),
        el("th", {}, "Started"), el("th", {}, "Duration")),
      ...(rows.length ? rows : [el("tr", {}, el("td", { class: "empty", colspan: "5" }, "No executions."))]),
    );
  } catch (error) {
    showError(table, error);
  }
  timer = setTimeout(() => refreshList(machine, status, table), LIST_REFRESH_MS);
}

// -- one execution ----------------------------------------------------------------------------

function drawLayout(layout, onSelect) {
  const width = layout.width + 2 * MARGIN;
  const height = layout.height + 2 * MARGIN;
  const root = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, id: "graph-svg" });
  const defs = svg("defs");
  const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
  marker.append(svg("path", { d: "M0 0L10 5L0 10z", fill: "#6b7280" }));
  defs.append(marker);
  root.append(defs);
  const group = svg("g", { transform: `translate(${MARGIN},${MARGIN})` });
  root.append(group);
  for (const node of layout.nodes) {
    if (node.kind === "start" || node.kind === "end") {
      const r = node.width / 2;
      group.append(svg("circle", { class: "terminal", cx: node.x + r, cy: node.y + r, r }));
    } else if (node.kind === "branch") {
      group.append(svg("rect", { class: "branch", x: node.x, y: node.y, width: node.width, height: node.height, rx: 4 }));
      const title = svg("text", { class: "branch-title", x: node.x + 5, y: node.y + 12 });
      title.textContent = node.label;
      group.append(title);
    } else {
      const state = svg("g", { class: "state", "data-state": node.name, "data-status": "not reached", tabindex: 0 });
      state.append(svg("rect", { x: node.x, y: node.y, width: node.width, height: node.height, rx: 6 }));
      const nameY = node.container ? node.y + 18 : node.y + node.height / 2 - 2;
      const name = svg("text", { x: node.x + node.width / 2, y: nameY, "text-anchor": "middle" });
      name.textContent = node.label;
      const type = svg("text", { class: "type", x: node.x + node.width / 2, y: nameY + 13, "text-anchor": "middle" });
      type.textContent = node.type || "";
      state.append(name, type);
      state.addEventListener("click", () => onSelect(node.name));
      state.addEventListener("keydown", (event) => { if (event.key === "Enter") onSelect(node.name); });
      group.append(state);
    }
  }
  for (const edge of layout.edges) {
    const points = edge.points.map((p) => p.join(",")).join(" ");
    group.append(svg("polyline", { class: edge.dashed ? "edge dashed" : "edge", points, "marker-end": "url(#arrow)" }));
    if (edge.label && edge.points.length > 1) {
      const i = Math.floor((edge.points.length - 1) / 2);
      const [x0, y0] = edge.points[i];
      const [x1, y1] = edge.points[i + 1];
      const label = svg("text", { class: "edge-label", x: (x0 + x1) / 2 + 4, y: (y0 + y1) / 2 });
      label.textContent = edge.label.length > 40 ? edge.label.slice(0, 39) + "…" : edge.label;
      group.append(label);
    }
  }
  return root;
}

function legend() {
  return el("div", { class: "legend" }, ...STATUSES.map((status) =>
    el("span", {}, el("i", { class: status.replace(" ", "-") }), status)));
}

function stateDetails(name, run) {
  const panel = [el("h2", { id: "state-name" }, name)];
  if (!run) {
    panel.push(el("p", { id: "state-status" }, "not reached"));
    return panel;
  }
  panel.push(el("p", { id: "state-status" }, run.status,
    run.entered > 1 ? ` (entered ${run.entered} times)` : "",
    run.retries ? `, ${run.retries} ${run.retries === 1 ? "retry" : "retries"}` : ""));
  if (run.error) panel.push(el("p", { class: "error", id: "state-error" }, run.error, run.cause ? ": " + run.cause : ""));
  panel.push(el("h3", {}, "Input"), el("pre", { id: "state-input" }, pretty(run.input)));
  panel.push(el("h3", {}, "Output"), el("pre", { id: "state-output" }, run.output === null ? "(none yet)" : pretty(run.output)));
  return panel;
}

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const MAX_DETAILS = 400;

function escapeHTML(text) {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

// Rows as one HTML string: thousands of events render in one go.
function eventRows(events, start) {
  return events.map((event) => {
    const elapsed = start && event.timestamp ? (new Date(event.timestamp) - start) / 1000 : null;
    let details = event.details ? JSON.stringify(event.details) : "";
    if (details.length > MAX_DETAILS) details = details.slice(0, MAX_DETAILS - 1) + "…";
    return `<tr data-event-id="${escapeHTML(event.id)}"><td class="num">${escapeHTML(event.id)}</td>`
      + `<td>${escapeHTML(event.type)}</td><td>${escapeHTML(event.state || "")}</td>`
      + `<td class="num">${elapsed === null ? "" : formatDuration(elapsed)}</td>`
      + `<td><code>${escapeHTML(details)}</code></td></tr>`;
  }).join("");
}

async function showExecution(arn) {
  const app = document.getElementById("app");
  let selected = null;
  let latest = null;
  let drawn = false;
  let shownEvents = 0;
  const allEvents = [];
  let rendered = 0;
  let eventLimit = EVENTS_PER_PAGE;
  const title = el("h1", {}, arn.split(":").pop());
  const summary = el("div", { class: "summary", id: "summary" });
  const graph = el("div", { id: "graph" });
  const details = el("aside", { id: "details" }, el("p", { class: "empty" }, "Click a state to see its input and output."));
  const events = el("tbody");
  const eventTable = el("table", { class: "events", id: "events" },
    el("thead", {}, el("tr", {}, el("th", {}, "#"), el("th", {}, "Type"), el("th", {}, "State"), el("th", {}, "Elapsed"), el("th", {}, "Details"))),
    events);
  const more = el("button", { id: "more-events", hidden: "" });
  const eventTitle = el("h2", { id: "events-title" }, "Events");
  let start = null;
  const renderEvents = () => {
    const upTo = Math.min(eventLimit, allEvents.length);
    events.insertAdjacentHTML("beforeend", eventRows(allEvents.slice(rendered, upTo), start));
    rendered = Math.max(rendered, upTo);
    const left = allEvents.length - rendered;
    more.hidden = left <= 0;
    more.textContent = `Show ${Math.min(left, EVENTS_PER_PAGE)} more of ${left} events`;
  };
  more.onclick = () => {
    eventLimit += EVENTS_PER_PAGE;
    renderEvents();
  };
  app.replaceChildren(title, summary, legend(), el("div", { class: "execution" }, graph, details),
    eventTitle, eventTable, more);

  const select = (name) => {
    selected = name;
    for (const node of graph.querySelectorAll(".state")) node.classList.toggle("selected", node.dataset.state === name);
    details.replaceChildren(...stateDetails(name, latest && latest.states[name]));
  };

  const refresh = async () => {
    let answer;
    try {
      answer = await getJSON("/api/execution?arn=" + encodeURIComponent(arn) + "&after=" + shownEvents);
    } catch (error) {
      showError(summary, error);
      timer = setTimeout(refresh, EXECUTION_REFRESH_MS * 3);
      return;
    }
    latest = answer;
    const execution = answer.execution;
    document.title = execution.name + " - sfini";
    title.textContent = execution.name;
    summary.replaceChildren(...[
      el("span", {}, "Status ", badge(execution.status)),
      el("span", {}, "State machine ", el("b", {}, el("a", { href: "/?stateMachineArn=" + encodeURIComponent(execution.stateMachineArn) }, execution.stateMachineName))),
      el("span", {}, "Started ", el("b", {}, formatTime(execution.startDate))),
      el("span", {}, "Duration ", el("b", { id: "duration" }, formatDuration(durationOf(execution)))),
      execution.error ? el("span", { class: "error" }, execution.error + (execution.cause ? ": " + execution.cause : "")) : null,
    ].filter(Boolean));
    if (!drawn) {
      drawn = true;
      if (answer.layout) graph.replaceChildren(drawLayout(answer.layout, select));
      else graph.replaceChildren(el("p", { class: "notice", id: "layout-error" }, answer.layoutError || "No graph."));
    }
    for (const node of graph.querySelectorAll(".state")) {
      const run = answer.states[node.dataset.state];
      node.dataset.status = run ? run.status : "not reached";
    }
    start = execution.startDate ? new Date(execution.startDate) : null;
    const fresh = answer.events.filter((event) => event.id > shownEvents);
    allEvents.push(...fresh);
    if (fresh.length) shownEvents = fresh[fresh.length - 1].id;
    renderEvents();
    eventTitle.textContent = `Events (${allEvents.length})`;
    if (selected) select(selected);
    if (execution.status === "RUNNING") timer = setTimeout(refresh, EXECUTION_REFRESH_MS);
  };
  await refresh();
}

function route() {
  clearTimeout(timer);
  const prefix = "/execution/";
  if (location.pathname.startsWith(prefix)) {
    return showExecution(decodeURIComponent(location.pathname.slice(prefix.length)));
  }
  return showList();
}

document.addEventListener("DOMContentLoaded", () => {
  route().catch((error) => showError(document.getElementById("app"), error));
});
