// Casebook desktop notifications: an opt-in button on /notifications asks the browser for
// permission and remembers the answer. The live desk calls window.casebookNotify(title, body, url)
// to show one, and window.casebookSetUnread(n) to update the count in the menu.
(function () {
  "use strict";
  var tr = window.casebookText || function (k, f) { return f; };
  var KEY = "casebook.desktopNotifications";
  var supported = "Notification" in window;

  function enabled() {
    try {
      return supported && Notification.permission === "granted" && localStorage.getItem(KEY) === "on";
    } catch (e) {
      return false;
    }
  }

  window.casebookNotify = function (title, body, url) {
    if (!enabled()) return null;
    var n = new Notification(String(title || "Casebook"), { body: String(body || ""), tag: url || undefined });
    if (url && url.charAt(0) === "/" && url.charAt(1) !== "/") {
      n.onclick = function () {
        window.focus();
        window.location.href = url;
        n.close();
      };
    }
    return n;
  };

  window.casebookSetUnread = function (count) {
    var el = document.getElementById("unread-count");
    if (!el) return;
    var n = Math.max(0, parseInt(count, 10) || 0);
    el.setAttribute("data-count", String(n));
    el.textContent = "(" + n + ")";
    el.hidden = n === 0;
  };

  var button = document.getElementById("desktop-notifications");
  if (!button || !supported) return;
  function label() {
    if (enabled()) {
      button.textContent = tr("js-notify-on", "Desktop notifications are on (turn off)");
    } else if (Notification.permission === "denied") {
      button.textContent = tr("js-notify-blocked", "Desktop notifications are blocked in this browser");
      button.disabled = true;
    } else {
      button.textContent = tr("js-notify-show", "Show desktop notifications");
    }
  }
  button.hidden = false;
  label();
  button.addEventListener("click", function () {
    if (enabled()) {
      localStorage.setItem(KEY, "off");
      label();
      return;
    }
    Notification.requestPermission().then(function (permission) {
      try {
        localStorage.setItem(KEY, permission === "granted" ? "on" : "off");
      } catch (e) {}
      label();
    });
  });
})();
