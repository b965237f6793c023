// Casebook progressive enhancement: the reply being written on a ticket is saved on the server
// (PUT /tickets/{id}/draft) a moment after typing stops, before any other form on the page is
// submitted, and when the page is hidden or left. Inserting a saved reply or a solved ticket's
// answer puts it at the cursor instead of reloading the page. Without this script the reply form
// works as before and the server shows the saved draft.
(function () {
  "use strict";
  var tr = window.casebookText || function (k, f) { return f; };
  var form = document.querySelector("form.reply[data-draft-url]");
  if (!form || !window.fetch || !window.URLSearchParams) return;
  var box = form.querySelector("textarea[name=body]");
  var csrfField = form.querySelector("input[name=csrf]");
  if (!box || !csrfField) return;
  var url = form.getAttribute("data-draft-url");
  var csrf = csrfField.value;
  var status = document.getElementById("draft-status");
  var DELAY_MS = 800;
  // keepalive requests may carry 64 KiB at most; bigger drafts go without it.
  var KEEPALIVE_MAX = 60000;

  function visibility() {
    var checked = form.querySelector("input[name=visibility]:checked");
    return checked ? checked.value : "public";
  }
  function snapshot() {
    return { body: box.value, visibility: visibility() };
  }
  function same(a, b) {
    return !!a && !!b && a.body === b.body && a.visibility === b.visibility;
  }
  function show(text) {
    if (status) status.textContent = text;
  }

  // What the server has, as far as this page knows (null: the box shows something it lacks).
  var stored = box.hasAttribute("data-draft-unsaved") ? null : snapshot();
  var timer = null;
  var queue = Promise.resolve();
  var pending = 0;
  var sending = false;

  function request(snap, keepalive) {
    var params = new URLSearchParams();
    params.set("body", snap.body);
    params.set("visibility", snap.visibility);
    return fetch(url, {
      method: "PUT",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
        "X-CSRF-Token": csrf
      },
      body: params.toString(),
      keepalive: keepalive && params.toString().length < KEEPALIVE_MAX
    }).then(function (resp) {
      if (resp.status === 204) {
        stored = snap;
        show(snap.body.trim() ? tr("js-draft-saved", "Draft saved") : tr("js-draft-discarded", "Draft discarded"));
      } else {
        show(tr("js-draft-not-saved", "Draft not saved (%status%)", { status: resp.status }));
      }
    }, function () {
      show(tr("js-draft-unreachable", "Draft not saved: the server could not be reached"));
    });
  }

  // Saves what the box holds now, after any save already on its way (so the server sees them in
  // order). `leaving`: the page is going away; send at once, with keepalive.
  function save(leaving) {
    clearTimeout(timer);
    timer = null;
    if (sending) return queue;
    var snap = snapshot();
    if (same(snap, stored)) return queue;
    if (leaving) return request(snap, true);
    pending += 1;
    queue = queue.then(function () {
      return same(snap, stored) ? null : request(snap, false);
    }).then(function () {
      pending -= 1;
    });
    return queue;
  }

  function later() {
    clearTimeout(timer);
    show("");
    timer = setTimeout(save, DELAY_MS);
  }

  function dirty() {
    return timer !== null || pending > 0 || !same(snapshot(), stored);
  }

  box.addEventListener("input", later);
  form.querySelectorAll("input[name=visibility]").forEach(function (radio) {
    radio.addEventListener("change", later);
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") save(true);
  });
  window.addEventListener("pagehide", function () {
    save(true);
  });

  // Waits for the save, but never longer than a few seconds: navigation must not hang.
  function flushThen(next) {
    var done = false;
    function go() {
      if (!done) {
        done = true;
        next();
      }
    }
    save(false).then(go, go);
    setTimeout(go, 3000);
  }

  document.addEventListener(
    "submit",
    function (e) {
      var f = e.target;
      if (f.__draftFlushed) {
        f.__draftFlushed = false;
        return;
      }
      if (f.hasAttribute && f.hasAttribute("data-macro-apply")) {
        // A macro: its changes are made on the server, its text goes in at the cursor here.
        e.preventDefault();
        applyMacro(f);
        return;
      }
      if (f === form) {
        // Sending: the server deletes the draft once the reply is saved, so nothing more may
        // be saved after this; a save already on its way finishes first.
        clearTimeout(timer);
        timer = null;
        if (pending > 0) {
          e.preventDefault();
          queue.then(function () {
            sending = true;
            form.submit();
          });
        } else {
          sending = true;
        }
        return;
      }
      if (!dirty()) return;
      // Any other form (sidebar Update, saved-reply search, ...) leaves the page: save first.
      e.preventDefault();
      var submitter = e.submitter;
      flushThen(function () {
        f.__draftFlushed = true;
        if (f.requestSubmit) {
          f.requestSubmit(submitter && submitter.form === f ? submitter : undefined);
        } else {
          f.submit();
        }
      });
    },
    true
  );

  // Puts `text` at the cursor (or after the draft when the box was never used), with a blank
  // line on either side, then saves.
  var used = false;
  box.addEventListener("focus", function () {
    used = true;
  });
  function insert(text) {
    var value = box.value;
    var start = used ? box.selectionStart : value.length;
    var end = used ? box.selectionEnd : value.length;
    var head = value.slice(0, start).replace(/\s+$/, "");
    var tail = value.slice(end).replace(/^\s+/, "");
    box.value = (head ? head + "\n\n" : "") + text + (tail ? "\n\n" + tail : "");
    var caret = (head ? head.length + 2 : 0) + text.length;
    box.focus();
    box.setSelectionRange(caret, caret);
    box.scrollIntoView({ block: "center" });
    save(false);
  }

  // Applies a macro without leaving the page first: the server makes its changes and answers
  // with its reply text, which goes in at the cursor; once the draft holding it is saved, the
  // page reloads to show the ticket's new state. Without an answer, the form is sent as usual.
  function applyMacro(f) {
    var params = new URLSearchParams(new FormData(f));
    fetch(f.action, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
        "X-CSRF-Token": csrf
      },
      body: params.toString()
    })
      .then(function (resp) {
        if (!resp.ok) throw new Error(resp.status);
        return resp.json();
      })
      .then(
        function (data) {
          if (data.reply_text) insert(data.reply_text);
          return save(false).then(function () {
            location.reload();
          });
        },
        function () {
          flushThen(function () {
            f.submit();
          });
        }
      );
  }

  var ticketPath = url.replace(/\/draft$/, "");
  document.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest("a[href]") : null;
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    var target = new URL(a.href, location.href);
    if (target.origin !== location.origin || target.pathname !== ticketPath) return;
    var which = ["saved_reply", "answer_from"].filter(function (k) {
      return target.searchParams.has(k);
    })[0];
    if (!which) return;
    e.preventDefault();
    var q = new URLSearchParams();
    q.set(which, target.searchParams.get(which));
    fetch(ticketPath + "/draft/insert?" + q.toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (resp) {
        if (!resp.ok) throw new Error(resp.status);
        return resp.json();
      })
      .then(
        function (data) {
          insert(data.text);
        },
        function () {
          // The server-side way: it adds the text after the saved draft.
          flushThen(function () {
            location.href = a.href;
          });
        }
      );
  });

  // Opened with ?saved_reply= or ?answer_from= (the server already added the text): keep the
  // result and drop the parameter, so that reloading does not add it again.
  var here = new URL(location.href);
  var inserted = ["saved_reply", "answer_from"].filter(function (k) {
    return here.searchParams.has(k);
  });
  if (inserted.length && window.history && history.replaceState) {
    inserted.forEach(function (k) {
      here.searchParams.delete(k);
    });
    history.replaceState(history.state, "", here.toString());
  }
  if (stored === null) save(false);
})();
