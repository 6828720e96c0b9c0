// jobworker console: plain JavaScript, no build step. Polls the JSON API, renders the overview,
// the cluster panel and one service's page (#/service/<name>), and runs confirmed actions.
"use strict";

(function () {
  const $ = (sel) => document.querySelector(sel);
  const state = {
    config: null,
    snapshot: null,
    detail: null,
    sort: { key: "attention", dir: -1 },
    timer: null,
    loading: false,
    lastGoodAt: null,
    fetchFailed: false,
  };

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
    try {
      body = await res.json();
    } catch (e) {
      body = { error: res.status + " " + res.statusText };
    }
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

  // Times carry their date and zone: an operator comparing with CloudWatch or a colleague's page
  // must not guess either. Shown in UTC, as AWS's consoles can be set to.
  function when(iso) {
    if (!iso) return "—";
    const d = new Date(iso);
    if (isNaN(d.getTime())) return String(iso);
    return d.toISOString().slice(0, 19).replace("T", " ") + " UTC";
  }
  function ageOf(iso) {
    return age(Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000));
  }
  const readOnly = () => !state.config || state.config.readOnly;

  // The queue's and the DLQ's sparklines of a row (empty until CloudWatch answered once).
  function historyCell(h) {
    const empty = (series) => !series || series.every((v) => v === null);
    // No datapoint in 3 h for either queue (SQS reports nothing on a queue nobody touches): a dash, not an empty box.
    if (!h || (empty(h.backlog) && empty(h.dlq))) return [document.createTextNode("—")];
    const span = (h.backlog.length * h.periodSeconds) / 3600 + " h from " + when(h.start);
    const spark = window.jobworkerSparkline.sparklineSvg;
    const out = [spark(document, h.backlog, { label: "queue visible", span, className: "backlog" })];
    if (h.dlq) out.push(spark(document, h.dlq, { label: "DLQ visible", span, className: "dlq" }));
    return out;
  }
  function logsLink(url) {
    return url ? [el("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: "logs" })] : [document.createTextNode("—")];
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
    serviceName: (r) => r.serviceName,
    serviceStatus: (r) => r.serviceStatus,
    desired: (r) => r.desired,
    running: (r) => r.running,
    pending: (r) => r.pending,
    visible: (r) => (r.queue ? r.queue.visible : -1),
    inFlight: (r) => (r.queue ? r.queue.inFlight : -1),
    dlqDepth: (r) => (r.dlqDepth === undefined ? -1 : r.dlqDepth),
    oldest: (r) => (r.oldestMessageAgeSeconds === undefined ? -1 : r.oldestMessageAgeSeconds),
    scaling: (r) => r.scaling,
    alarms: (r) => r.alarms.filter((a) => a.role === "notify" && a.state === "ALARM").length,
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
        const x = get(a),
          y = get(b);
        const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
        return c * state.sort.dir || a.worker.localeCompare(b.worker) || a.serviceName.localeCompare(b.serviceName);
      });
    const tbody = $("#overview tbody");
    tbody.replaceChildren(
      ...rows.map((r) =>
        el(
          "tr",
          {
            className: (r.attention.length ? "attention" : "") + (r.staleSince ? " stale-row" : ""),
            "data-service": r.serviceName,
            "data-worker": r.worker,
          },
          [
            el("td", {}, [el("a", { href: "#/service/" + encodeURIComponent(r.serviceName), text: r.worker })]),
            el("td", { "data-col": "service", text: r.serviceName }),
            el("td", { "data-col": "status", text: r.serviceStatus === "ACTIVE" ? r.scaling : r.serviceStatus + " · " + r.scaling }),
            el("td", { className: "num", "data-col": "desired", text: r.desired }),
            el("td", { className: "num", "data-col": "running", text: r.running }),
            el("td", { className: "num", "data-col": "pending", text: r.pending }),
            el("td", { className: "num", "data-col": "visible", text: dash(r.queue && r.queue.visible) }),
            el("td", { className: "num", "data-col": "inFlight", text: dash(r.queue && r.queue.inFlight) }),
            el("td", { className: "num", "data-col": "dlq", text: dash(r.dlqDepth) }),
            el("td", { className: "num", "data-col": "oldest", text: age(r.oldestMessageAgeSeconds) }),
            el("td", { className: "history", "data-col": "history" }, historyCell(r.history)),
            el("td", { "data-col": "alarms" }, alarmCell(r.alarms)),
            el("td", { className: "reasons", "data-col": "attention", text: r.attention.join("; ") }),
          ],
        ),
      ),
    );
    const needing = snap.workers.filter((r) => r.attention.length > 0).length;
    const summary = $("#summary");
    if (snap.unavailable) {
      summary.textContent = "no data: the services could not be read (the errors are above); nothing is known to be well";
    } else {
      let text = rows.length + " of " + snap.workers.length + " services shown · " + needing + " need attention";
      const staleSince = state.fetchFailed ? state.lastGoodAt : snap.stale.length ? snap.dataAsOf : null;
      if (staleSince)
        text +=
          " · STALE: data from " +
          when(staleSince) +
          " (" +
          ageOf(staleSince) +
          " old)" +
          (state.fetchFailed ? ", the console cannot be reached" : ", " + snap.stale.length + " AWS read(s) failing");
      summary.textContent = text;
    }
    summary.className = snap.unavailable || state.fetchFailed || snap.stale.length ? "stale" : "muted";
    for (const th of document.querySelectorAll("#overview th[data-sort]")) {
      th.classList.toggle("sorted-asc", th.dataset.sort === state.sort.key && state.sort.dir === 1);
      th.classList.toggle("sorted-desc", th.dataset.sort === state.sort.key && state.sort.dir === -1);
    }
  }

  // Notifying alarms in ALARM by name (that is what fired); the rest as a count.
  function alarmCell(alarms) {
    const fired = alarms.filter((a) => a.role === "notify" && a.state === "ALARM");
    const quiet = alarms.length - fired.length;
    const out = fired.map((a) => el("span", { className: "alarm-ALARM", title: "in ALARM since " + when(a.since), text: a.name }));
    if (quiet > 0) out.push(el("span", { className: "muted", text: (fired.length ? " +" : "") + quiet + " ok/scaling" }));
    return out.length ? out : [document.createTextNode("—")];
  }

  function renderCluster() {
    const snap = state.snapshot;
    if (!snap) return;
    const p = snap.clusterPanel;
    const stat = (label, value) => el("div", {}, [el("b", { text: value }), document.createTextNode(label)]);
    const fleets = p.fleets.flatMap((f) => [
      stat("fleet " + f.id + " (" + f.state + ") fulfilled / target vCPU", f.fulfilledVcpus + " / " + f.targetVcpus),
      ...(f.onDemandTargetVcpus
        ? [
            stat(
              "on-demand fulfilled / target vCPU (Spot fallback when above the base), fleet " + f.id,
              (f.onDemandFulfilledVcpus || 0) + " / " + f.onDemandTargetVcpus,
            ),
          ]
        : []),
      el("div", { "data-fleet": f.id, className: "interruptions" }, [
        el("b", { text: f.interruptions ? String(f.interruptions.count) : "—" }),
        document.createTextNode(
          "Spot interruptions in " +
            (f.interruptions ? f.interruptions.windowHours : 24) +
            " h, fleet " +
            f.id +
            (f.interruptions && f.interruptions.last ? " (last " + when(f.interruptions.last) + ")" : ""),
        ),
      ]),
    ]);
    const types =
      Object.entries(p.instanceTypes)
        .map(([t, n]) => t + " ×" + n)
        .join(", ") || "—";
    const pct = (x) => (x.registered ? Math.round((100 * x.reserved) / x.registered) + "%" : "—");
    $("#cluster-stats").replaceChildren(
      stat(
        "CPU units reserved / registered",
        p.capacity.cpu.reserved + " / " + p.capacity.cpu.registered + " (" + pct(p.capacity.cpu) + ")",
      ),
      stat(
        "memory MiB reserved / registered",
        p.capacity.memory.reserved + " / " + p.capacity.memory.registered + " (" + pct(p.capacity.memory) + ")",
      ),
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
          el(
            "td",
            {},
            i.stale
              ? [
                  actionButton(
                    "Deregister",
                    "deregister-instance",
                    { containerInstanceArn: i.arn },
                    "Deregister stale container instance " + i.id + "?",
                  ),
                ]
              : [],
          ),
        ]),
      ),
    );
  }

  // Read-only mode shows no live action: the buttons are not rendered (static ones are hidden) and
  // a note says how to enable them.
  function actionButton(label, action, body, question) {
    if (readOnly()) return document.createTextNode("");
    const b = el("button", { type: "button", className: "danger", "data-action": action, text: label });
    b.addEventListener("click", () => runAction(action, body, question));
    return b;
  }

  async function runAction(action, body, question) {
    if (readOnly()) return;
    if (!window.confirm(question)) return;
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
    const dep = r.deployment;
    $("#service-stats").replaceChildren(
      stat("service", r.serviceName),
      stat("status", r.serviceStatus + " · " + r.scaling),
      stat("max tasks", dash(r.maxTasks)),
      stat(
        "deployment",
        dep
          ? (dep.rolloutState || "—") +
              (dep.failedTasks ? " · " + dep.failedTasks + " failed task(s)" : "") +
              " · circuit breaker " +
              dep.circuitBreaker
          : "—",
      ),
      stat("desired / running / pending", r.desired + " / " + r.running + " / " + r.pending),
      stat("queue visible / in flight", r.queue ? r.queue.visible + " / " + r.queue.inFlight : "—"),
      stat("DLQ", dash(r.dlqDepth)),
      stat("oldest message", age(r.oldestMessageAgeSeconds)),
      el("div", { id: "service-history", className: "history" }, [
        ...historyCell(r.history),
        document.createTextNode("queue / DLQ visible, 3 h"),
      ]),
      stat("task definition", r.taskDefinition || "—"),
      stat(
        "alarms in ALARM",
        r.alarms
          .filter((a) => a.state === "ALARM")
          .map((a) => a.name + (a.role === "notify" ? "" : " (" + a.role + ")"))
          .join(", ") || "none",
      ),
      stat("needs attention", r.attention.join("; ") || "no"),
    );
    const logs = $("#logs-link");
    logs.hidden = !d.logsUrl;
    if (d.logsUrl) logs.href = d.logsUrl;
    const redrive = $("#redrive");
    redrive.disabled = !r.dlqDepth;
    redrive.title =
      r.dlqDepth === undefined
        ? "this worker's queue has no DLQ"
        : r.dlqDepth === 0
          ? "the DLQ is empty"
          : "move " + r.dlqDepth + " message(s) back to " + (r.queue ? r.queue.name : "the queue");
    $("#tasks tbody").replaceChildren(
      ...d.tasks.map((t) =>
        el("tr", { "data-task": t.taskId }, [
          el("td", { text: t.taskId }),
          el("td", { text: t.taskDefinition }),
          el("td", { text: t.desiredStatus }),
          el("td", { text: t.lastStatus }),
          el("td", { text: when(t.startedAt || t.createdAt) }),
          el("td", { text: dash(t.instance) }),
          el("td", { "data-col": "logs" }, logsLink(t.logsUrl)),
          el("td", {}, [
            actionButton(
              "Stop",
              "stop-task",
              { service: r.serviceName, taskArn: t.taskArn },
              "Stop task " + t.taskId + " of " + r.serviceName + "?",
            ),
          ]),
        ]),
      ),
    );
    $("#stopped tbody").replaceChildren(
      ...(d.stoppedTasks.length
        ? d.stoppedTasks.map((t) =>
            el(
              "tr",
              {
                "data-task": t.taskId,
                className: t.stopCode === "TaskFailedToStart" || (t.exitCode !== undefined && t.exitCode !== 0) ? "failed" : "",
              },
              [
                el("td", { text: t.taskId }),
                el("td", { text: t.taskDefinition }),
                el("td", { "data-col": "stoppedAt", text: when(t.stoppedAt) }),
                el("td", { "data-col": "stopCode", text: dash(t.stopCode) }),
                el("td", { "data-col": "exitCode", className: "num", text: dash(t.exitCode) }),
                el("td", { "data-col": "stoppedReason", className: "reasons", text: dash(t.stoppedReason) }),
                el("td", { "data-col": "logs" }, logsLink(t.logsUrl)),
              ],
            ),
          )
        : [el("tr", {}, [el("td", { colspan: 7, className: "muted", text: "no task stopped in the last hour" })])]),
    );
    $("#events").replaceChildren(
      ...(d.events.length
        ? d.events.map((e) => el("li", { text: (e.at ? when(e.at) + "  " : "") + e.message }))
        : [el("li", { className: "muted", text: "no events" })]),
    );
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
        state.fetchFailed = false;
        if (!state.snapshot.unavailable) state.lastGoodAt = state.snapshot.dataAsOf;
        for (const e of state.snapshot.errors) problems.push(e.source + ": " + (e.throttled ? "throttled, " : "") + e.message);
        renderOverview();
        renderCluster();
        const dashboard = $("#dashboard-link");
        dashboard.hidden = !state.snapshot.dashboardUrl;
        if (state.snapshot.dashboardUrl) dashboard.href = state.snapshot.dashboardUrl;
      }
      const asOf = state.snapshot && !service ? state.snapshot.dataAsOf : new Date().toISOString();
      $("#updated").textContent = "data as of " + when(asOf);
      document.body.dataset.loaded = String(Date.now());
    } catch (err) {
      problems.push((err.throttled ? "AWS throttled the console: " : "refresh failed: ") + err.message);
      // Keep what was shown, marked stale: a failed refresh is not an empty cluster.
      if (state.snapshot && !currentService()) {
        state.fetchFailed = true;
        renderOverview();
      }
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
    document.body.classList.toggle("read-only", state.config.readOnly);
    const note = $("#read-only-note");
    note.hidden = !state.config.readOnly;
    note.textContent =
      "Read-only: actions are off. To enable them, " + (state.config.enableActions || "restart the console with --allow-actions") + ".";
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
      runAction(
        "stop-service-tasks",
        { service: s },
        "Stop all tasks of " + s + "? The service starts new ones to meet its desired count.",
      );
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
    window.addEventListener("hashchange", () => {
      state.detail = null;
      $("#message").hidden = true;
      refresh();
    });
    await refresh();
  }

  start();
})();
