// jobworker console: plain JavaScript, no build step. Polls the JSON API, renders the overview,
// the cluster panel and one service's page (#/service/<name>), and runs confirmed actions.
"use strict";

(function () {
  const $ = (sel) => document.querySelector(sel);
  const state = { config: null, snapshot: null, detail: null, sort: { key: "worker", dir: 1 }, timer: null, loading: false };

  // The token arrives once as ?token=...; keep it for this tab only and take it out of the address bar.
  const params = new URLSearchParams(location.search);
  if (params.has("token")) {
    sessionStorage.setItem("jobworker-token", params.get("token"));
    history.replaceState(null, "", location.pathname + location.hash);
  }
  const token = sessionStorage.getItem("jobworker-token");

  async function api(path, options) {
    const headers = { Accept: "application/json" };
    if (token) headers.Authorization = "Bearer " + token;
    if (options && options.body) headers["Content-Type"] = "application/json";
    const res = await fetch(path, Object.assign({}, options, { headers }));
    let body;
    try { body = await res.json(); } catch (e) { body = { error: res.status + " " + res.statusText }; }
    if (!res.ok) {
      const err = new Error(body.error || res.status + " " + res.statusText);
      err.status = res.status;
      err.throttled = Boolean(body.throttled);
      throw err;
    }
    return body;
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "text") node.textContent = String(v);
      else if (k === "className") node.className = v;
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const child of children || []) node.append(child);
    return node;
  }
  const dash = (v) => (v === undefined || v === null ? "—" : String(v));
  function age(seconds) {
    if (seconds === undefined || seconds === null) return "—";
    if (seconds < 120) return Math.round(seconds) + "s";
    if (seconds < 7200) return Math.round(seconds / 60) + "m";
    return (seconds / 3600).toFixed(1) + "h";
  }

  function showErrors(messages) {
    const box = $("#errors");
    box.hidden = messages.length === 0;
    box.textContent = messages.join("\n");
  }
  function showMessage(text, isError) {
    const box = $("#message");
    box.hidden = false;
    box.className = isError ? "banner error" : "banner";
    box.textContent = text;
  }

  const sortValue = {
    worker: (r) => r.worker,
    serviceStatus: (r) => r.serviceStatus,
    desired: (r) => r.desired,
    running: (r) => r.running,
    pending: (r) => r.pending,
    visible: (r) => (r.queue ? r.queue.visible : -1),
    inFlight: (r) => (r.queue ? r.queue.inFlight : -1),
    dlqDepth: (r) => (r.dlqDepth === undefined ? -1 : r.dlqDepth),
    oldest: (r) => (r.oldestMessageAgeSeconds === undefined ? -1 : r.oldestMessageAgeSeconds),
    alarms: (r) => r.alarms.filter((a) => a.state === "ALARM").length,
    attention: (r) => r.attention.length,
  };

  function renderOverview() {
    const snap = state.snapshot;
    if (!snap) return;
    const filter = $("#filter").value.trim().toLowerCase();
    const onlyAttention = $("#attention-only").checked;
    const get = sortValue[state.sort.key];
    const rows = snap.workers
      .filter((r) => !filter || r.worker.toLowerCase().includes(filter) || r.serviceName.toLowerCase().includes(filter))
      .filter((r) => !onlyAttention || r.attention.length > 0)
      .sort((a, b) => {
        const x = get(a), y = get(b);
        const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
        return c * state.sort.dir || a.worker.localeCompare(b.worker);
      });
    const tbody = $("#overview tbody");
    tbody.replaceChildren(
      ...rows.map((r) =>
        el("tr", { className: r.attention.length ? "attention" : "", "data-service": r.serviceName, "data-worker": r.worker }, [
          el("td", {}, [el("a", { href: "#/service/" + encodeURIComponent(r.serviceName), text: r.worker })]),
          el("td", { text: r.serviceStatus }),
          el("td", { className: "num", "data-col": "desired", text: r.desired }),
          el("td", { className: "num", "data-col": "running", text: r.running }),
          el("td", { className: "num", "data-col": "pending", text: r.pending }),
          el("td", { className: "num", "data-col": "visible", text: dash(r.queue && r.queue.visible) }),
          el("td", { className: "num", "data-col": "inFlight", text: dash(r.queue && r.queue.inFlight) }),
          el("td", { className: "num", "data-col": "dlq", text: dash(r.dlqDepth) }),
          el("td", { className: "num", "data-col": "oldest", text: age(r.oldestMessageAgeSeconds) }),
          el("td", {}, r.alarms.map((a) => el("span", { className: "alarm-" + a.state, title: a.name, text: a.state + " " })) ),
          el("td", { className: "reasons", "data-col": "attention", text: r.attention.join("; ") }),
        ]),
      ),
    );
    const needing = snap.workers.filter((r) => r.attention.length > 0).length;
    $("#summary").textContent = rows.length + " of " + snap.workers.length + " services shown · " + needing + " need attention";
    for (const th of document.querySelectorAll("#overview th[data-sort]")) {
      th.classList.toggle("sorted-asc", th.dataset.sort === state.sort.key && state.sort.dir === 1);
      th.classList.toggle("sorted-desc", th.dataset.sort === state.sort.key && state.sort.dir === -1);
    }
  }

  function renderCluster() {
    const snap = state.snapshot;
    if (!snap) return;
    const p = snap.clusterPanel;
    const stat = (label, value) => el("div", {}, [el("b", { text: value }), document.createTextNode(label)]);
    const fleets = p.fleets.map((f) => stat("fleet " + f.id + " (" + f.state + ") fulfilled / target vCPU", f.fulfilledVcpus + " / " + f.targetVcpus));
    const types = Object.entries(p.instanceTypes).map(([t, n]) => t + " ×" + n).join(", ") || "—";
    $("#cluster-stats").replaceChildren(
      stat("active instances", p.active),
      stat("draining", p.draining),
      stat("stale registrations", p.stale.length),
      ...fleets,
      stat("instance types in use", types),
    );
    $("#instances tbody").replaceChildren(
      ...p.instances.map((i) =>
        el("tr", { className: i.stale ? "stale" : "", "data-instance": i.id }, [
          el("td", { text: i.id }),
          el("td", { text: dash(i.ec2InstanceId) }),
          el("td", { text: dash(i.instanceType) }),
          el("td", { text: i.status }),
          el("td", { text: i.agentConnected ? "connected" : "disconnected" }),
          el("td", { text: dash(i.ec2State) }),
          el("td", { className: "num", text: i.runningTasks + (i.pendingTasks ? " (+" + i.pendingTasks + " pending)" : "") }),
          el("td", { text: i.stale || "" }),
          el("td", {}, i.stale ? [actionButton("Deregister", "deregister-instance", { containerInstanceArn: i.arn }, "Deregister stale container instance " + i.id + "?")] : []),
        ]),
      ),
    );
  }

  function actionButton(label, action, body, question) {
    const b = el("button", { type: "button", className: "danger", "data-action": action, text: label });
    b.addEventListener("click", () => runAction(action, body, question));
    return b;
  }

  async function runAction(action, body, question) {
    if (!window.confirm(question + (state.config && state.config.readOnly ? "\n\n(The console is read-only; the server will refuse.)" : ""))) return;
    try {
      const result = await api("/api/actions/" + action, { method: "POST", body: JSON.stringify(Object.assign({ confirm: true }, body)) });
      showMessage(result.message, false);
    } catch (err) {
      showMessage(action + " failed: " + err.message, true);
    }
    await refresh();
  }

  function renderService() {
    const d = state.detail;
    if (!d) return;
    const r = d.row;
    $("#service-title").textContent = r.worker + (r.worker !== r.serviceName ? " (" + r.serviceName + ")" : "");
    const stat = (label, value) => el("div", {}, [el("b", { text: value }), document.createTextNode(label)]);
    $("#service-stats").replaceChildren(
      stat("status", r.serviceStatus),
      stat("desired / running / pending", r.desired + " / " + r.running + " / " + r.pending),
      stat("queue visible / in flight", r.queue ? r.queue.visible + " / " + r.queue.inFlight : "—"),
      stat("DLQ", dash(r.dlqDepth)),
      stat("oldest message", age(r.oldestMessageAgeSeconds)),
      stat("task definition", r.taskDefinition || "—"),
      stat("needs attention", r.attention.join("; ") || "no"),
    );
    const logs = $("#logs-link");
    logs.hidden = !d.logsUrl;
    if (d.logsUrl) logs.href = d.logsUrl;
    $("#redrive").disabled = r.dlqDepth === undefined;
    $("#tasks tbody").replaceChildren(
      ...d.tasks.map((t) =>
        el("tr", { "data-task": t.taskId }, [
          el("td", { text: t.taskId }),
          el("td", { text: t.taskDefinition }),
          el("td", { text: t.desiredStatus }),
          el("td", { text: t.lastStatus }),
          el("td", { text: dash(t.startedAt || t.createdAt) }),
          el("td", { text: dash(t.instance) }),
          el("td", {}, [actionButton("Stop", "stop-task", { service: r.serviceName, taskArn: t.taskArn }, "Stop task " + t.taskId + " of " + r.serviceName + "?")]),
        ]),
      ),
    );
    $("#events").replaceChildren(...(d.events.length ? d.events.map((e) => el("li", { text: (e.at ? e.at + "  " : "") + e.message })) : [el("li", { className: "muted", text: "no events" })]));
  }

  function currentService() {
    const m = /^#\/service\/(.+)$/.exec(location.hash);
    return m ? decodeURIComponent(m[1]) : null;
  }

  async function refresh() {
    if (state.loading) return;
    state.loading = true;
    clearTimeout(state.timer);
    const problems = [];
    try {
      const service = currentService();
      $("#overview-view").hidden = Boolean(service);
      $("#service-view").hidden = !service;
      if (service) {
        state.detail = await api("/api/services/" + encodeURIComponent(service));
        for (const e of state.detail.errors || []) problems.push(e.source + ": " + (e.throttled ? "throttled, " : "") + e.message);
        renderService();
      } else {
        state.snapshot = await api("/api/overview");
        for (const e of state.snapshot.errors) problems.push(e.source + ": " + (e.throttled ? "throttled, " : "") + e.message);
        renderOverview();
        renderCluster();
      }
      $("#updated").textContent = "updated " + new Date().toLocaleTimeString();
      document.body.dataset.loaded = String(Date.now());
    } catch (err) {
      problems.push((err.throttled ? "AWS throttled the console: " : "refresh failed: ") + err.message);
    } finally {
      showErrors(problems);
      state.loading = false;
      const seconds = state.config ? state.config.refreshSeconds : 10;
      state.timer = setTimeout(refresh, seconds * 1000);
    }
  }

  async function start() {
    try {
      state.config = await api("/api/config");
    } catch (err) {
      showErrors(["cannot load the console's configuration: " + err.message]);
      return;
    }
    $("#where").textContent = "cluster " + state.config.cluster + " · " + state.config.region;
    const mode = $("#mode");
    mode.textContent = state.config.readOnly ? "READ-ONLY" : "ACTIONS ENABLED";
    mode.className = "badge " + (state.config.readOnly ? "read-only" : "actions");
    $("#filter").addEventListener("input", renderOverview);
    $("#attention-only").addEventListener("change", renderOverview);
    for (const th of document.querySelectorAll("#overview th[data-sort]")) {
      th.addEventListener("click", () => {
        state.sort = { key: th.dataset.sort, dir: state.sort.key === th.dataset.sort ? -state.sort.dir : 1 };
        renderOverview();
      });
    }
    $("#stop-all").addEventListener("click", () => {
      const s = currentService();
      runAction("stop-service-tasks", { service: s }, "Stop all tasks of " + s + "? The service starts new ones to meet its desired count.");
    });
    $("#set-desired").addEventListener("click", () => {
      const s = currentService();
      const n = Number($("#desired-input").value);
      runAction("set-desired-count", { service: s, desiredCount: n }, "Set the desired count of " + s + " to " + n + "?");
    });
    $("#redrive").addEventListener("click", () => {
      const s = currentService();
      runAction("redrive-dlq", { service: s }, "Move every message of the DLQ of " + s + " back to its queue?");
    });
    window.addEventListener("hashchange", () => { state.detail = null; $("#message").hidden = true; refresh(); });
    await refresh();
  }

  start();
})();
