// The weekly availability grid: drag (mouse or touch) or use the keyboard to mark half-hour cells
// in your own time zone. It writes the same text a person can type ("Mon 18:00-21:00; Sat
// 10:00-12:30") into the answer's textarea, which stays the source of truth and is what is saved.
(function () {
  "use strict";

  var DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
  var SLOTS = 48; // half hours in a day

  function clock(slot) {
    var minutes = slot * 30;
    var hours = Math.floor(minutes / 60);
    return (hours < 10 ? "0" : "") + hours + ":" + (minutes % 60 === 0 ? "00" : "30");
  }

  function parse(text) {
    var marked = DAYS.map(function () { return new Array(SLOTS).fill(false); });
    text.split(/[;\n]/).forEach(function (part) {
      var match = /^\s*([A-Za-z]{3})[a-z]*\s+(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$/.exec(part);
      if (!match) return;
      var day = DAYS.map(function (d) { return d.toLowerCase(); }).indexOf(match[1].toLowerCase());
      if (day < 0) return;
      var start = (parseInt(match[2], 10) * 60 + parseInt(match[3], 10)) / 30;
      var end = (parseInt(match[4], 10) * 60 + parseInt(match[5], 10)) / 30;
      for (var slot = Math.floor(start); slot < Math.min(end, SLOTS); slot++) marked[day][slot] = true;
    });
    return marked;
  }

  function format(marked) {
    var parts = [];
    marked.forEach(function (slots, day) {
      var start = null;
      for (var slot = 0; slot <= SLOTS; slot++) {
        var on = slot < SLOTS && slots[slot];
        if (on && start === null) start = slot;
        if (!on && start !== null) {
          parts.push(DAYS[day] + " " + clock(start) + "-" + (slot === SLOTS ? "24:00" : clock(slot)));
          start = null;
        }
      }
    });
    return parts.join("; ");
  }

  function build(container) {
    var textarea = document.getElementById(container.dataset.target);
    if (!textarea) return;
    var marked = parse(textarea.value);
    var painting = null; // true while marking, false while clearing, null when not dragging

    var table = document.createElement("table");
    table.className = "availability-grid";
    table.setAttribute("role", "grid");
    table.setAttribute("aria-label", "Weekly availability, half-hour cells, in your time zone");
    var head = table.createTHead().insertRow();
    head.appendChild(document.createElement("th"));
    DAYS.forEach(function (day) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = day;
      head.appendChild(th);
    });
    var body = table.createTBody();
    var cells = [];
    for (var slot = 0; slot < SLOTS; slot++) {
      var row = body.insertRow();
      var label = document.createElement("th");
      label.scope = "row";
      label.textContent = slot % 2 === 0 ? clock(slot) : "";
      row.appendChild(label);
      cells.push([]);
      for (var day = 0; day < DAYS.length; day++) {
        var td = row.insertCell();
        var button = document.createElement("button");
        button.type = "button";
        button.className = "slot";
        button.dataset.day = String(day);
        button.dataset.slot = String(slot);
        button.tabIndex = slot === 36 && day === 0 ? 0 : -1; // Monday 18:00 takes the focus first
        button.setAttribute("aria-label", DAYS[day] + " " + clock(slot) + "–" + clock(slot + 1));
        td.appendChild(button);
        cells[slot].push(button);
      }
    }

    function render() {
      cells.forEach(function (row, slot) {
        row.forEach(function (button, day) {
          button.setAttribute("aria-pressed", marked[day][slot] ? "true" : "false");
        });
      });
    }

    function commit() {
      textarea.value = format(marked);
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
      textarea.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function setCell(button, value) {
      marked[+button.dataset.day][+button.dataset.slot] = value;
      button.setAttribute("aria-pressed", value ? "true" : "false");
    }

    table.addEventListener("pointerdown", function (event) {
      var button = event.target.closest && event.target.closest("button.slot");
      if (!button) return;
      event.preventDefault();
      painting = !marked[+button.dataset.day][+button.dataset.slot];
      setCell(button, painting);
      button.focus();
    });
    table.addEventListener("pointerover", function (event) {
      if (painting === null) return;
      var button = event.target.closest && event.target.closest("button.slot");
      if (button) setCell(button, painting);
    });
    // Touch pointers are captured by the first element; follow the finger by position instead.
    table.addEventListener("pointermove", function (event) {
      if (painting === null || event.pointerType === "mouse") return;
      var element = document.elementFromPoint(event.clientX, event.clientY);
      var button = element && element.closest && element.closest("button.slot");
      if (button && table.contains(button)) setCell(button, painting);
    });
    document.addEventListener("pointerup", function () {
      if (painting === null) return;
      painting = null;
      commit();
    });
    table.addEventListener("keydown", function (event) {
      var button = event.target.closest && event.target.closest("button.slot");
      if (!button) return;
      var day = +button.dataset.day, slot = +button.dataset.slot;
      var moves = { ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] };
      if (moves[event.key]) {
        event.preventDefault();
        var nextDay = Math.max(0, Math.min(DAYS.length - 1, day + moves[event.key][0]));
        var nextSlot = Math.max(0, Math.min(SLOTS - 1, slot + moves[event.key][1]));
        button.tabIndex = -1;
        var next = cells[nextSlot][nextDay];
        next.tabIndex = 0;
        next.focus();
      } else if (event.key === " " || event.key === "Enter") {
        event.preventDefault();
        setCell(button, !marked[day][slot]);
        commit();
      }
    });
    // Typing in the text box redraws the grid.
    textarea.addEventListener("input", function (event) {
      if (event.isTrusted) { marked = parse(textarea.value); render(); }
    });

    render();
    container.appendChild(table);
    // Open on the evening, where most people have time, rather than at midnight.
    var evening = cells[34][0].closest("tr").getBoundingClientRect().top;
    container.scrollTop = evening - table.getBoundingClientRect().top - table.tHead.offsetHeight;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-availability-grid]").forEach(build);
  });
})();
