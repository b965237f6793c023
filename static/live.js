// Casebook live desk: queues and ticket pages follow the server's event stream (/events).
// Progressive: without JavaScript every page works as before (reload to see new work). When an
// update cannot be shown in place, a "New activity — reload" note appears instead.
(function () {
  "use strict";
  var root = document.querySelector("[data-live]");
  if (!root || !window.EventSource || !window.fetch || !window.DOMParser) return;
  var mode = root.getAttribute("data-live");
  var note = document.getElementById("live-note");
  var csrfInput = document.querySelector('input[name="csrf"]');
  var csrf = csrfInput ? csrfInput.value : "";
  var tr = window.casebookText || function (k, f) { return f; };

  function showNote(text, reload) {
    if (!note) return;
    note.textContent = text + " ";
    if (reload) {
      var a = document.createElement("a");
      a.href = location.href;
      a.textContent = tr("js-reload", "Reload");
      note.appendChild(a);
    }
    note.hidden = false;
  }

  function fetchPage() {
    return fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.text();
      })
      .then(function (html) { return new DOMParser().parseFromString(html, "text/html"); });
  }

  // Re-renders times the way casebook.js does for the first load.
  var full = window.Intl ? new Intl.DateTimeFormat(document.documentElement.lang || undefined, { dateStyle: "medium", timeStyle: "short" }) : null;
  function localTimes(el) {
    if (!full) return;
    el.querySelectorAll("time[datetime]:not([data-date-only])").forEach(function (t) {
      var d = new Date(t.getAttribute("datetime"));
      if (!isNaN(d)) { t.title = t.textContent; t.textContent = full.format(d); }
    });
  }

  // Runs `work` at most once per 400 ms however many events arrive.
  function debounced(work) {
    var timer = null, again = false, busy = false;
    function run() {
      timer = null;
      if (busy) { again = true; return; }
      busy = true;
      Promise.resolve(work()).catch(function () {
        showNote(tr("js-new-activity", "New activity."), true);
      }).then(function () {
        busy = false;
        if (again) { again = false; schedule(); }
      });
    }
    function schedule() { if (!timer) timer = setTimeout(run, 400); }
    return schedule;
  }

  // ---- Queues: rows appear, change and leave in place; counts follow.
  function patchQueue() {
    return fetchPage().then(function (doc) {
      var counts = document.getElementById("queue-counts");
      var newCounts = doc.getElementById("queue-counts");
      if (counts && newCounts) counts.innerHTML = newCounts.innerHTML;
      var list = document.getElementById("queue-list");
      var newList = doc.getElementById("queue-list");
      if (!list || !newList) throw new Error("no queue");
      var body = list.querySelector("table.tickets tbody");
      var newBody = newList.querySelector("table.tickets tbody");
      if (!body || !newBody) {
        // The queue became empty, or its first ticket arrived: take the new list as a whole.
        var keep = document.getElementById("live-note");
        list.innerHTML = newList.innerHTML;
        note = document.getElementById("live-note") || keep;
        localTimes(list);
        return;
      }
      var wanted = Array.prototype.slice.call(newBody.rows);
      var have = {};
      Array.prototype.forEach.call(body.rows, function (tr) { have[tr.id] = tr; });
      var keepIds = {};
      var before = null;
      for (var i = wanted.length - 1; i >= 0; i--) {
        var w = wanted[i];
        keepIds[w.id] = true;
        var cur = have[w.id];
        var node;
        if (!cur) {
          node = document.importNode(w, true);
          node.classList.add("live-new");
          localTimes(node);
        } else if (cur.getAttribute("data-version") !== w.getAttribute("data-version") ||
                   cur.textContent !== w.textContent) {
          node = document.importNode(w, true);
          node.classList.add("live-changed");
          localTimes(node);
          // A row the agent selected stays selected, with the version the agent saw: a bulk
          // change then reports it as changed by someone else instead of overwriting it.
          var oldBox = cur.querySelector("input[type=checkbox][form=bulk]");
          var newBox = node.querySelector("input[type=checkbox][form=bulk]");
          if (oldBox && newBox && oldBox.checked) { newBox.checked = true; newBox.value = oldBox.value; }
          body.replaceChild(node, cur);
        } else {
          node = cur;
        }
        if (node.parentNode !== body || node.nextSibling !== before) body.insertBefore(node, before);
        before = node;
      }
      Array.prototype.slice.call(body.rows).forEach(function (tr) {
        if (!keepIds[tr.id]) tr.parentNode.removeChild(tr);
      });
    });
  }

  // ---- Ticket page: new messages, status and history appear; presence; stale forms flagged.
  var ticketId = root.getAttribute("data-ticket-id");
  var myId = root.getAttribute("data-agent-id");
  var version = parseInt(root.getAttribute("data-version"), 10) || 0;
  var sidebar = document.getElementById("ticket-update");

  function sidebarTouched() {
    if (!sidebar) return false;
    function was(name) {
      var el = sidebar.querySelector('input[name="' + name + '_was"]');
      return el ? el.value : null;
    }
    function now(name) {
      var el = sidebar.querySelector('[name="' + name + '"]');
      return el ? el.value : null;
    }
    return now("status") !== was("status") || now("priority") !== was("priority") ||
      now("assignee_id") !== was("assignee");
  }

  function patchTicket(changes) {
    return fetchPage().then(function (doc) {
      ["messages", "history", "ticket-meta"].forEach(function (id) {
        var el = document.getElementById(id), fresh = doc.getElementById(id);
        if (el && fresh) { el.innerHTML = fresh.innerHTML; localTimes(el); }
      });
      var freshRoot = doc.querySelector("[data-live]");
      var newVersion = freshRoot ? parseInt(freshRoot.getAttribute("data-version"), 10) : version;
      var freshSidebar = doc.getElementById("ticket-update");
      var reply = document.querySelector("form.reply");
      if (sidebar && freshSidebar) {
        if (sidebarTouched()) {
          showNote(tr("js-changed-while-editing", "This ticket changed while you were editing it (%changes%). Pressing Update will show you what changed first.",
            { changes: changes.join(tr("js-list-separator", ", ")) }), false);
        } else {
          sidebar.innerHTML = freshSidebar.innerHTML;
          if (window.casebookTextDirection) window.casebookTextDirection(sidebar);
        }
      }
      // The reply box keeps its text; the conversation above now shows what arrived.
      if (reply) {
        var v = reply.querySelector('input[name="version"]');
        var body = reply.querySelector("textarea");
        if (v) v.value = String(newVersion);
        if (body && body.value.trim() !== "" && changes.length) {
          showNote(tr("js-new-while-writing", "New activity while you were writing: %changes% (shown above).",
            { changes: changes.join(tr("js-list-separator", ", ")) }), false);
        }
      }
      version = newVersion;
      root.setAttribute("data-version", String(newVersion));
    });
  }

  function describe(ev) {
    var who = ev.agent_name || (ev.actor_kind === "customer" ? tr("js-the-customer", "The customer") : "Casebook");
    var what = (ev.fields || []).map(function (f) {
      if (f.field === "message") return tr("js-a-message", "a message");
      if (f.field === "note") return tr("js-an-internal-note", "an internal note");
      if (f.field === "ticket") return tr("js-the-ticket", "the ticket");
      var field = f.field.replace(/_id$/, "");
      var value = f.new === null ? tr("js-none", "none") : tr("js-value-" + f.new, String(f.new));
      return tr("js-field-change", "%field% → %value%", { field: tr("js-field-" + field, field), value: value });
    });
    return tr("js-who-what", "%who%: %what%", { who: who, what: what.join(tr("js-list-separator", ", ")) });
  }

  // Presence: say every few seconds that this agent is here, and whether they are writing.
  var lastTyped = 0;
  function sendPresence(state) {
    if (!ticketId) return;
    var data = new URLSearchParams();
    data.set("csrf", csrf);
    data.set("state", state);
    var url = "/tickets/" + ticketId + "/presence";
    if (state === "left" && navigator.sendBeacon) {
      navigator.sendBeacon(url, data);
      return;
    }
    fetch(url, { method: "POST", body: data, credentials: "same-origin", keepalive: true }).catch(function () {});
  }
  var others = {};
  function renderPresence() {
    var el = document.getElementById("presence");
    if (!el) return;
    el.textContent = "";
    Object.keys(others).forEach(function (id) {
      var p = others[id];
      var span = document.createElement("span");
      span.className = "who";
      span.setAttribute("data-agent-name", p.agent_name);
      span.setAttribute("data-state", p.state);
      span.setAttribute("data-agent-id", String(p.agent_id));
      span.textContent = p.state === "replying"
        ? tr("js-replying", "%name% is replying…", { name: p.agent_name })
        : tr("js-viewing", "%name% is viewing", { name: p.agent_name });
      el.appendChild(span);
    });
  }
  function onPresence(p) {
    if (String(p.ticket_id) !== ticketId || String(p.agent_id) === myId) return;
    if (p.state === "left") delete others[p.agent_id]; else others[p.agent_id] = p;
    renderPresence();
  }

  var pending = [];
  var scheduleTicket = debounced(function () {
    var changes = pending;
    pending = [];
    return patchTicket(changes);
  });
  var scheduleQueue = debounced(patchQueue);

  // A queue hears once per moment which tickets changed; a ticket page hears that ticket only.
  var es = new EventSource(mode === "ticket" ? "/events?ticket=" + encodeURIComponent(ticketId) : "/events?view=queue");
  es.addEventListener("tickets", function () {
    if (mode === "queue") scheduleQueue();
  });
  es.addEventListener("ticket", function (m) {
    var ev;
    try { ev = JSON.parse(m.data); } catch (e) { return; }
    if (mode === "ticket" && String(ev.ticket_id) === ticketId && ev.version > version) {
      if (String(ev.agent_id) !== myId) pending.push(describe(ev));
      scheduleTicket();
    }
  });
  es.addEventListener("presence", function (m) {
    try { onPresence(JSON.parse(m.data)); } catch (e) { /* ignore */ }
  });
  es.addEventListener("notification", function (m) {
    var n;
    try { n = JSON.parse(m.data); } catch (e) { return; }
    if (typeof n.unread === "number") {
      if (window.casebookSetUnread) {
        window.casebookSetUnread(n.unread);
      } else {
        var count = document.getElementById("unread-count");
        if (count) { count.textContent = "(" + n.unread + ")"; count.hidden = n.unread === 0; }
      }
    }
    if (window.casebookNotify && n.body) window.casebookNotify("Casebook", n.body, n.url || "/notifications");
  });

  if (mode === "ticket" && ticketId) {
    document.querySelectorAll("#presence .who").forEach(function (s) {
      others[s.getAttribute("data-agent-id")] = {
        agent_id: s.getAttribute("data-agent-id"),
        agent_name: s.getAttribute("data-agent-name") || s.textContent.replace(/ is (viewing|replying…)$/, ""),
        state: s.getAttribute("data-state") || (/replying/.test(s.textContent) ? "replying" : "viewing")
      };
    });
    var box = document.querySelector("form.reply textarea");
    if (box) box.addEventListener("input", function () {
      var was = Date.now() - lastTyped < 8000;
      lastTyped = Date.now();
      if (!was) sendPresence("replying");
    });
    var beat = function () { sendPresence(Date.now() - lastTyped < 8000 ? "replying" : "viewing"); };
    beat();
    setInterval(beat, 5000);
    window.addEventListener("pagehide", function () { sendPresence("left"); });
  }
})();
