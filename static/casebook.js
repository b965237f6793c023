// Casebook progressive enhancement: show times in the viewer's own time zone.
// Pages work without it (times are then shown in UTC).
(function () {
  "use strict";
  var fmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  document.querySelectorAll("time[datetime]").forEach(function (el) {
    var d = new Date(el.getAttribute("datetime"));
    if (!isNaN(d)) { el.title = el.textContent; el.textContent = fmt.format(d); }
  });
})();
