// Casebook keyboard shortcuts for agents. "?" shows them. Keys are never taken while the agent
// types in a field (Escape leaves the field), nor with Ctrl, Alt or Cmd held.
(function () {
  "use strict";
  var text = window.casebookText || function (k, f) { return f; };
  var KEYS = [
    ["j / k", text("js-key-walk", "next / previous ticket (in a list: move the selection)")],
    ["o, Enter", text("js-key-open", "open the selected ticket")],
    ["x", text("js-key-tick", "tick the selected ticket for a bulk change")],
    ["r", text("js-key-reply", "write a public reply")],
    ["n", text("js-key-note", "write an internal note")],
    ["a", text("js-key-assign", "assign the ticket to me")],
    ["s", text("js-key-solve", "solve the ticket")],
    ["m", text("js-key-macro", "insert a saved reply")],
    ["g → i / u / o / p / s / a", text("js-key-go", "go to Mine, Unassigned, Open, Pending, Solved, All")],
    ["/", text("js-key-search", "search")],
    ["?", text("js-key-help", "show or hide this list")],
    ["Esc", text("js-key-escape", "leave a field, close this list")]
  ];
  var QUEUES = { i: "mine", u: "unassigned", o: "open", p: "pending", s: "solved", a: "all" };
  var LIST_KEY = "casebook.list";

  var queueRoot = document.querySelector("[data-live=queue]");
  var ticketRoot = document.querySelector("[data-live=ticket]");

  // A list remembers its tickets, so j / k on a ticket page walk the list it was opened from.
  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("table.tickets tbody tr[id^=ticket-]"));
  }
  if (queueRoot) {
    try {
      sessionStorage.setItem(LIST_KEY, JSON.stringify({
        url: location.pathname + location.search,
        ids: rows().map(function (tr) { return tr.id.replace("ticket-", ""); })
      }));
    } catch (e) { /* storage off: j / k work in the list only */ }
  }

  var selected = -1;
  function select(i) {
    var all = rows();
    if (!all.length) return;
    selected = Math.max(0, Math.min(all.length - 1, i));
    all.forEach(function (tr, k) { tr.classList.toggle("kb-selected", k === selected); });
    var link = all[selected].querySelector("td.subject a") || all[selected].querySelector("a");
    if (link) link.focus({ preventScroll: false });
  }

  function walk(step) {
    if (queueRoot) { select(selected < 0 ? 0 : selected + step); return; }
    if (!ticketRoot) return;
    var list;
    try { list = JSON.parse(sessionStorage.getItem(LIST_KEY) || "null"); } catch (e) { list = null; }
    if (!list || !list.ids) return;
    var at = list.ids.indexOf(ticketRoot.getAttribute("data-ticket-id"));
    var next = list.ids[at + step];
    if (at >= 0 && next) location.href = "/tickets/" + next;
    else if (at >= 0) location.href = list.url;
  }

  function compose(kind) {
    var body = document.getElementById("body");
    if (!body) return;
    var radio = document.querySelector("form.reply input[name=visibility][value=" + kind + "]");
    if (radio) radio.checked = true;
    body.focus();
  }

  function sidebar(field, value) {
    var form = document.getElementById("ticket-update");
    var select = form && form.querySelector("[name=" + field + "]");
    if (!select) return;
    var option = Array.prototype.find.call(select.options, function (o) { return o.value === value; });
    if (!option || option.disabled) return;
    select.value = value;
    form.requestSubmit ? form.requestSubmit() : form.submit();
  }

  var overlay = null;
  function toggleHelp() {
    if (overlay) { overlay.remove(); overlay = null; return; }
    overlay = document.createElement("div");
    overlay.className = "kb-help";
    overlay.setAttribute("role", "dialog");
    overlay.setAttribute("aria-label", text("js-shortcuts-title", "Keyboard shortcuts"));
    var h = document.createElement("h2");
    h.textContent = text("js-shortcuts-title", "Keyboard shortcuts");
    overlay.appendChild(h);
    var dl = document.createElement("dl");
    KEYS.forEach(function (k) {
      var dt = document.createElement("dt");
      dt.textContent = k[0];
      var dd = document.createElement("dd");
      dd.textContent = k[1];
      dl.appendChild(dt);
      dl.appendChild(dd);
    });
    overlay.appendChild(dl);
    document.body.appendChild(overlay);
  }

  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return el.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  var pendingG = false;
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "Escape") {
      if (overlay) { toggleHelp(); e.preventDefault(); return; }
      if (typing(document.activeElement)) document.activeElement.blur();
      return;
    }
    if (typing(e.target)) return;
    if (pendingG) {
      pendingG = false;
      if (QUEUES[e.key]) { location.href = "/tickets?queue=" + QUEUES[e.key]; e.preventDefault(); }
      return;
    }
    var handled = true;
    switch (e.key) {
      case "?": toggleHelp(); break;
      case "j": walk(1); break;
      case "k": walk(-1); break;
      case "o":
      case "Enter":
        if (queueRoot && selected >= 0) {
          var link = rows()[selected] && rows()[selected].querySelector("a");
          if (link) location.href = link.href;
        } else handled = false;
        break;
      case "x":
        var tr = rows()[selected];
        var box = tr && tr.querySelector("input[type=checkbox]");
        if (box) box.checked = !box.checked; else handled = false;
        break;
      case "r": compose("public"); break;
      case "n": compose("internal"); break;
      case "a":
        if (ticketRoot) sidebar("assignee_id", ticketRoot.getAttribute("data-agent-id")); else handled = false;
        break;
      case "s": if (ticketRoot) sidebar("status", "solved"); else handled = false; break;
      case "m":
        var q = document.getElementById("reply_q");
        if (q) q.focus(); else handled = false;
        break;
      case "g": pendingG = true; break;
      case "/":
        var search = document.querySelector("form.search-form input[name=q]");
        if (search) search.focus(); else location.href = "/search";
        break;
      default: handled = false;
    }
    if (handled) e.preventDefault();
  });
})();
