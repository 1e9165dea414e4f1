// Ferry's admin page: reads /stats, acts through nsqd's /topic/* and /channel/* endpoints.
// Plain browser JavaScript, no libraries; everything it shows comes from the broker it is served by.
"use strict";

(function () {
  const REFRESH_MS = 2000;
  const NODES_MS = 10000;
  const HISTORY = 30;
  const params = new URLSearchParams(location.search);
  const topicName = location.pathname === "/admin/topic" ? params.get("topic") : null;
  const history = new Map(); // topic -> [{t, count}]
  let timer = null;
  let nodesTimer = null;

  const $ = (id) => document.getElementById(id);

  function text(tag, value, cls) {
    const el = document.createElement(tag);
    el.textContent = value;
    if (cls) el.className = cls;
    return el;
  }

  function num(value, field) {
    const td = text("td", Number(value || 0).toLocaleString("en-US"), "num");
    td.dataset.field = field;
    td.dataset.value = String(value || 0);
    return td;
  }

  function status(message, ok) {
    const el = $("status");
    el.textContent = message || "";
    el.hidden = !message;
    el.className = ok ? "status ok" : "status";
  }

  function secret() {
    return sessionStorage.getItem("ferry-secret") || "";
  }

  function askSecret() {
    return new Promise((resolve) => {
      const dialog = $("secret-dialog");
      $("secret-input").value = secret();
      dialog.onclose = () => {
        if (dialog.returnValue === "ok") {
          sessionStorage.setItem("ferry-secret", $("secret-input").value);
          resolve(true);
        } else {
          resolve(false);
        }
      };
      dialog.showModal();
    });
  }

  function confirmAction(message) {
    return new Promise((resolve) => {
      const dialog = $("confirm");
      $("confirm-text").textContent = message;
      dialog.onclose = () => resolve(dialog.returnValue === "ok");
      dialog.returnValue = "";
      dialog.showModal();
    });
  }

  async function act(path, query, retried) {
    const headers = {};
    if (secret()) headers.Authorization = "Bearer " + secret();
    const response = await fetch(path + "?" + new URLSearchParams(query), { method: "POST", headers });
    if ((response.status === 401 || response.status === 403) && !retried) {
      if (await askSecret()) return act(path, query, true);
    }
    if (!response.ok) {
      let code = response.status + "";
      try {
        code = (await response.json()).message || code;
      } catch (e) {
        // the body was not JSON: keep the status
      }
      status("The broker refused " + path + ": " + code);
      return false;
    }
    status("");
    return true;
  }

  function rateOf(name, count, now) {
    let points = history.get(name);
    if (!points) {
      points = [];
      history.set(name, points);
    }
    points.push({ t: now, count: count });
    if (points.length > HISTORY + 1) points.shift();
    const rates = [];
    for (let i = 1; i < points.length; i++) {
      const dt = (points[i].t - points[i - 1].t) / 1000;
      rates.push(dt > 0 ? Math.max(0, (points[i].count - points[i - 1].count) / dt) : 0);
    }
    return rates;
  }

  function sparkline(rates) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("class", "spark");
    svg.setAttribute("viewBox", "0 0 100 20");
    svg.setAttribute("preserveAspectRatio", "none");
    const max = Math.max(1, ...rates);
    const step = 100 / Math.max(1, HISTORY - 1);
    const start = 100 - step * (rates.length - 1);
    const line = document.createElementNS(ns, "polyline");
    line.setAttribute("points", rates.map((r, i) => (start + i * step).toFixed(1) + "," + (19 - (r / max) * 18).toFixed(1)).join(" "));
    svg.appendChild(line);
    return svg;
  }

  function sum(channels, key) {
    return channels.reduce((total, c) => total + (c[key] || 0), 0);
  }

  // Puts the rows into the table body in order, keeping the row and the cells that did not change, so
  // that a refresh neither flickers nor swaps a button away under the pointer.
  function reconcile(body, rows) {
    const old = new Map();
    for (const tr of Array.from(body.rows)) old.set(tr.dataset.key, tr);
    const keep = new Set();
    for (const fresh of rows) {
      const current = old.get(fresh.dataset.key);
      let tr = fresh;
      if (current && current.cells.length === fresh.cells.length) {
        tr = current;
        const cells = Array.from(fresh.cells);
        cells.forEach((cell, i) => {
          if (current.cells[i].innerHTML !== cell.innerHTML) current.replaceChild(cell, current.cells[i]);
        });
      }
      keep.add(tr);
      body.appendChild(tr);
    }
    for (const tr of Array.from(body.rows)) if (!keep.has(tr)) tr.remove();
  }

  function renderTopics(stats, now) {
    const rows = [];
    const topics = stats.topics || [];
    $("no-topics").hidden = topics.length > 0;
    for (const t of topics) {
      const rates = rateOf(t.topic_name, t.message_count, now);
      const tr = document.createElement("tr");
      tr.dataset.topic = t.topic_name;
      tr.dataset.key = t.topic_name;
      const name = document.createElement("td");
      const link = text("a", t.topic_name);
      link.href = "/admin/topic?topic=" + encodeURIComponent(t.topic_name);
      name.appendChild(link);
      if (t.paused) name.append(" ", text("span", "paused", "badge"));
      const channels = t.channels || [];
      const rateCell = text("td", rates.length ? rates[rates.length - 1].toFixed(1) : "–", "num");
      rateCell.dataset.field = "rate";
      const spark = document.createElement("td");
      spark.appendChild(sparkline(rates));
      tr.append(
        name,
        num(t.depth + sum(channels, "depth"), "depth"),
        num(sum(channels, "in_flight_count"), "in_flight_count"),
        num(sum(channels, "deferred_count"), "deferred_count"),
        num(t.message_count, "message_count"),
        rateCell,
        spark,
        num(channels.length, "channels")
      );
      rows.push(tr);
    }
    reconcile($("topics").tBodies[0], rows);
  }

  function actionButton(label, onClick, cls) {
    const b = text("button", label, cls);
    b.type = "button";
    b.dataset.action = label.toLowerCase();
    b.addEventListener("click", onClick);
    return b;
  }

  function renderTopic(stats, now) {
    const t = (stats.topics || []).find((x) => x.topic_name === topicName);
    if (!t) {
      status("The topic " + topicName + " no longer exists.");
      $("topic-view").hidden = true;
      return;
    }
    $("topic-view").hidden = false;
    const channels = t.channels || [];
    const rates = rateOf(t.topic_name, t.message_count, now);
    $("topic-name").textContent = t.topic_name;
    $("topic-paused").hidden = !t.paused;
    $("topic-pause").textContent = t.paused ? "Unpause" : "Pause";
    const summary = $("topic-summary");
    summary.replaceChildren();
    const figures = [
      ["Depth", t.depth, "depth"],
      ["Messages", t.message_count, "message_count"],
      ["Rate /s", rates.length ? rates[rates.length - 1].toFixed(1) : "–", "rate"],
      ["Channels", channels.length, "channels"],
    ];
    for (const [label, value, field] of figures) {
      const div = document.createElement("div");
      const b = text("b", typeof value === "number" ? value.toLocaleString("en-US") : value);
      b.dataset.field = field;
      b.dataset.value = String(value);
      div.append(text("span", label, "muted"), b);
      summary.appendChild(div);
    }
    const spark = document.createElement("div");
    spark.appendChild(sparkline(rates));
    summary.appendChild(spark);

    const rows = [];
    $("no-channels").hidden = channels.length > 0;
    const clients = [];
    for (const c of channels) {
      const tr = document.createElement("tr");
      tr.dataset.channel = c.channel_name;
      tr.dataset.key = c.channel_name;
      const name = text("td", c.channel_name);
      if (c.paused) name.append(" ", text("span", "paused", "badge"));
      const actions = document.createElement("div");
      actions.className = "actions";
      const query = { topic: t.topic_name, channel: c.channel_name };
      actions.append(
        actionButton(c.paused ? "Unpause" : "Pause", () => run("/channel/" + (c.paused ? "unpause" : "pause"), query)),
        actionButton("Empty", () => confirmThen("Empty channel " + c.channel_name + "? Its messages are dropped.", "/channel/empty", query), "danger"),
        actionButton("Delete", () => confirmThen("Delete channel " + c.channel_name + " and its messages?", "/channel/delete", query), "danger")
      );
      const cell = document.createElement("td");
      cell.appendChild(actions);
      tr.append(
        name,
        num(c.depth, "depth"),
        num(c.in_flight_count, "in_flight_count"),
        num(c.deferred_count, "deferred_count"),
        num(c.requeue_count, "requeue_count"),
        num(c.timeout_count, "timeout_count"),
        num(c.message_count, "message_count"),
        num((c.clients || []).length, "client_count"),
        cell
      );
      rows.push(tr);
      for (const client of c.clients || []) clients.push([c.channel_name, client]);
    }

    reconcile($("channels").tBodies[0], rows);
    const clientRows = [];
    $("no-clients").hidden = clients.length > 0;
    for (const [channel, k] of clients) {
      const tr = document.createElement("tr");
      tr.dataset.key = channel + " " + (k.remote_address || k.client_id || "");
      tr.append(
        text("td", channel),
        text("td", k.remote_address || k.hostname || ""),
        text("td", k.user_agent || ""),
        num(k.ready_count, "ready_count"),
        num(k.in_flight_count, "in_flight_count"),
        text("td", k.tls ? (k.tls_version || "yes") : "no"),
        num(k.finish_count, "finish_count"),
        num(k.requeue_count, "requeue_count")
      );
      clientRows.push(tr);
    }
    reconcile($("clients").tBodies[0], clientRows);
  }

  async function run(path, query) {
    if (await act(path, query)) await refresh();
  }

  async function confirmThen(message, path, query) {
    if (await confirmAction(message)) await run(path, query);
  }

  async function refresh() {
    try {
      const response = await fetch("/stats?format=json&include_clients=true");
      if (!response.ok) throw new Error("/stats answered " + response.status);
      const json = await response.json();
      const stats = json.data || json;
      $("node").textContent = "version " + (stats.version || "?");
      const now = Date.now();
      if (topicName) {
        renderTopic(stats, now);
      } else {
        $("topics-view").hidden = false;
        renderTopics(stats, now);
      }
      document.body.dataset.refreshed = String(now);
      if ($("status").textContent.startsWith("Cannot reach")) status("");
    } catch (e) {
      status("Cannot reach the broker: " + e.message);
    }
  }

  async function refreshNodes() {
    try {
      const response = await fetch("/admin/nodes");
      if (!response.ok) return;
      const nodes = await response.json();
      $("nodes-view").hidden = nodes.lookupds.length === 0;
      const list = $("lookupds");
      list.replaceChildren();
      for (const l of nodes.lookupds) {
        list.appendChild(text("li", "lookupd " + l.address + (l.error ? ": " + l.error : ": answering")));
      }
      const body = $("nodes").tBodies[0];
      body.replaceChildren();
      for (const p of nodes.producers) {
        const tr = document.createElement("tr");
        tr.append(
          text("td", p.hostname || ""),
          text("td", p.broadcast_address || ""),
          num(p.tcp_port, "tcp_port"),
          num(p.http_port, "http_port"),
          text("td", p.version || ""),
          text("td", (p.topics || []).join(", "))
        );
        body.appendChild(tr);
      }
    } catch (e) {
      // the cluster view is optional; the page works without it
    }
  }

  function schedule() {
    clearInterval(timer);
    clearInterval(nodesTimer);
    if ($("live").checked) {
      timer = setInterval(refresh, REFRESH_MS);
      nodesTimer = setInterval(refreshNodes, NODES_MS);
    }
  }

  function init() {
    if (topicName) {
      document.title = topicName + " · Ferry admin";
      const q = () => ({ topic: topicName });
      $("topic-pause").addEventListener("click", () =>
        run($("topic-pause").textContent === "Pause" ? "/topic/pause" : "/topic/unpause", q()));
      $("topic-empty").addEventListener("click", () =>
        confirmThen("Empty topic " + topicName + "? What it holds for a first channel is dropped.", "/topic/empty", q()));
      $("topic-delete").addEventListener("click", async () => {
        if (await confirmAction("Delete topic " + topicName + " with its channels and messages?")) {
          if (await act("/topic/delete", q())) location.href = "/admin/";
        }
      });
    }
    $("live").addEventListener("change", schedule);
    $("secret-button").addEventListener("click", askSecret);
    refresh();
    refreshNodes();
    schedule();
  }

  init();
})();
