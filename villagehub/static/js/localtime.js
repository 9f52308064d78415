// Adds the visitor's own time next to an event's time, when it differs from the event's
// time zone. Without JavaScript the event's own time zone is shown, which is always right.
(function () {
  "use strict";
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var lang = document.documentElement.lang || undefined;
  document.querySelectorAll("time[datetime]").forEach(function (el) {
    var start = new Date(el.getAttribute("datetime"));
    if (isNaN(start)) { return; }
    var options = { dateStyle: "long", timeStyle: "short", timeZone: zone };
    var text = new Intl.DateTimeFormat(lang, options).format(start);
    var endAttr = el.getAttribute("data-local-end");
    if (endAttr) {
      var end = new Date(endAttr);
      if (!isNaN(end)) { text += " – " + new Intl.DateTimeFormat(lang, options).format(end); }
    }
    if (el.textContent.indexOf(zone) !== -1) { return; }
    var note = document.createElement("span");
    note.className = "small local-time";
    note.textContent = " (" + text + ", " + zone + ")";
    el.after(note);
  });
})();
