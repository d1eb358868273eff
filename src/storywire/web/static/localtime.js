// Times in the reader's own time zone. The server writes every <time datetime> in UTC
// (what readers without JavaScript see); this rewrites the text in local time and keeps
// the UTC text as the tooltip. It only reads the datetime attribute and writes text.
(function () {
  "use strict";
  var format = new Intl.DateTimeFormat(undefined, {
    year: "numeric", month: "short", day: "numeric",
    hour: "numeric", minute: "2-digit", timeZoneName: "short"
  });
  var times = document.querySelectorAll("time[datetime]");
  for (var i = 0; i < times.length; i++) {
    var el = times[i];
    var when = new Date(el.getAttribute("datetime"));
    if (isNaN(when.getTime())) continue;
    el.title = el.textContent.trim();
    el.textContent = format.format(when);
    el.className += " local";
  }
})();
