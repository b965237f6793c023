// Casebook progressive enhancement: times in the viewer's own time zone and the page's
// language, and a menu button for the top bar on narrow screens.
// Pages work without it (times are then shown in UTC, the top bar wraps).
(function () {
  "use strict";
  // The page's messages for scripts, in its language (rendered by the server).
  var texts = {};
  try { texts = JSON.parse(document.getElementById("casebook-i18n").textContent); } catch (e) { /* English */ }
  window.casebookText = function (key, fallback, args) {
    var s = texts[key] || fallback;
    Object.keys(args || {}).forEach(function (k) { s = s.split("%" + k + "%").join(String(args[k])); });
    return s;
  };
  var lang = document.documentElement.lang || undefined;
  var full = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
  var day = new Intl.DateTimeFormat(lang, { dateStyle: "medium" });
  document.querySelectorAll("time[datetime]").forEach(function (el) {
    var d = new Date(el.getAttribute("datetime"));
    if (isNaN(d)) return;
    el.title = el.textContent;
    el.textContent = (el.hasAttribute("data-date-only") ? day : full).format(d);
  });

  // Free text follows the script typed into it (an Arabic name in the English interface, an
  // English product name in the Arabic one); the stylesheet does the same without JavaScript.
  window.casebookTextDirection = function (root) {
    (root || document).querySelectorAll("textarea:not([dir]), input:not([dir]):not([type]), input[type=text]:not([dir]), input[type=search]:not([dir])")
      .forEach(function (el) { el.setAttribute("dir", "auto"); });
  };
  window.casebookTextDirection();

  // A box that scrolls sideways (a wide table on a phone) can be scrolled from the keyboard.
  function focusableScrollers() {
    document.querySelectorAll("main table, .table-wrap, .table-scroll, .chart").forEach(function (el) {
      var scrolls = el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== "visible";
      if (scrolls && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
        el.setAttribute("data-scroll-focus", "");
      } else if (!scrolls && el.hasAttribute("data-scroll-focus")) {
        el.removeAttribute("tabindex");
        el.removeAttribute("data-scroll-focus");
      }
    });
  }
  focusableScrollers();
  window.addEventListener("resize", focusableScrollers);

  var bar = document.querySelector(".topbar");
  var toggle = bar && bar.querySelector(".menu-toggle");
  if (toggle) {
    bar.classList.add("collapsible");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = bar.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && bar.classList.contains("open")) {
        bar.classList.remove("open");
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
      }
    });
  }
})();
