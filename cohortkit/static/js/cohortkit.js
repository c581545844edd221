// Small page helpers; no inline scripts anywhere, so a strict Content-Security-Policy holds.
(function () {
  "use strict";

  // Until the server knows the visitor's zone it renders UTC; tell it the browser's zone once.
  function reportBrowserTimeZone() {
    var body = document.body;
    if (!body || body.dataset.timeZoneKnown === "true") return;
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!zone || document.cookie.indexOf("tz=") !== -1) return;
    document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
    if (zone !== body.dataset.timeZone) window.location.reload();
  }

  function describe(seconds) {
    if (seconds <= 0) return "passed";
    var units = [[86400, "day"], [3600, "hour"], [60, "minute"], [1, "second"]];
    var parts = [];
    for (var i = 0; i < units.length && parts.length < 2; i++) {
      var value = Math.floor(seconds / units[i][0]);
      if (value > 0) {
        parts.push(value + " " + units[i][1] + (value === 1 ? "" : "s"));
        seconds -= value * units[i][0];
      }
    }
    return "in " + parts.join(", ");
  }

  function tickCountdowns() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-until]").forEach(function (element) {
      var until = Date.parse(element.dataset.until);
      if (!isNaN(until)) element.textContent = describe(Math.floor((until - now) / 1000));
    });
  }

  function autosubmit() {
    document.querySelectorAll("select.js-autosubmit").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    reportBrowserTimeZone();
    autosubmit();
    tickCountdowns();
    window.setInterval(tickCountdowns, 1000);
  });
})();
