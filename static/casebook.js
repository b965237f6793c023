// Casebook progressive enhancement: times in the viewer's own time zone and the page's
// language, and a menu button for the top bar on narrow screens.
// Pages work without it (times are then shown in UTC, the top bar wraps).
(function () {
  "use strict";
  var lang = document.documentElement.lang || undefined;
  var full = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
  var day = new Intl.DateTimeFormat(lang, { dateStyle: "medium" });
  document.querySelectorAll("time[datetime]").forEach(function (el) {
    var d = new Date(el.getAttribute("datetime"));
    if (isNaN(d)) return;
    el.title = el.textContent;
    el.textContent = (el.hasAttribute("data-date-only") ? day : full).format(d);
  });

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
