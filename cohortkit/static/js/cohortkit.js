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

  // A list of zones where nothing is chosen yet starts at the browser's own zone. The lists hold
  // canonical names only; an old name the browser reports (Chromium says Asia/Calcutta) is found
  // among an option's data-aliases. The server checks whatever is sent.
  function browserZoneDefaults() {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!zone) return;
    document.querySelectorAll('select[data-zone-default="browser"]').forEach(function (select) {
      var match = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var aliases = (option.dataset.aliases || "").split(" ");
        if (option.value === zone || (!match && aliases.indexOf(zone) !== -1)) match = option;
      });
      if (match) select.value = match.value;
    });
  }

  // A box above a long list of time zones narrows it as one types ("kolkata", "new york").
  function zoneFilters() {
    document.querySelectorAll("input[data-zone-filter]").forEach(function (box) {
      var select = document.getElementById(box.dataset.zoneFilter);
      if (!select) return;
      box.hidden = false;
      box.addEventListener("input", function () {
        var words = box.value.toLowerCase().replace(/[\s_]+/g, " ").trim();
        var firstMatch = null;
        Array.prototype.forEach.call(select.options, function (option) {
          var text = (option.value + " " + option.textContent + " " + (option.dataset.aliases || "")).toLowerCase().replace(/[_/]+/g, " ");
          var matches = !words || text.indexOf(words) !== -1;
          option.hidden = !matches;
          if (matches && firstMatch === null) firstMatch = option;
        });
        // Show the first match as the choice, so the list and the box agree.
        if (words && firstMatch && select.selectedOptions[0] && select.selectedOptions[0].hidden) {
          select.value = firstMatch.value;
          if (!select.classList.contains("js-autosubmit")) select.dispatchEvent(new Event("change", { bubbles: true }));
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    reportBrowserTimeZone();
    browserZoneDefaults();
    zoneFilters();
    autosubmit();
    tickCountdowns();
    window.setInterval(tickCountdowns, 1000);
  });
})();
