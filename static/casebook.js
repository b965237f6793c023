// Casebook progressive enhancement: show times in the viewer's own time zone.
// Pages work without it (times are then shown in UTC).
(function () {
  "use strict";
  var full = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  var day = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
  document.querySelectorAll("time[datetime]").forEach(function (el) {
    var d = new Date(el.getAttribute("datetime"));
    if (isNaN(d)) return;
    el.title = el.textContent;
    el.textContent = (el.hasAttribute("data-date-only") ? day : full).format(d);
  });
})();
