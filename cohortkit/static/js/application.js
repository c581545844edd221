// Keeps an application's unsaved text safe: every change is copied to this browser's storage
// before the autosave request goes out, so a closed tab, an expired login or a lost connection
// never loses what was typed. The server's copy stays the one that counts.
(function () {
  "use strict";

  function snapshot(form) {
    var answers = {};
    new FormData(form).forEach(function (value, name) {
      if (name.indexOf("answer-") !== 0) return;
      answers[name] = answers[name] === undefined ? [value] : answers[name].concat([value]);
    });
    return answers;
  }

  function restore(form, answers) {
    Object.keys(answers).forEach(function (name) {
      var values = answers[name];
      form.querySelectorAll('[name="' + name + '"]').forEach(function (field) {
        if (field.type === "checkbox" || field.type === "radio") {
          field.checked = values.indexOf(field.value) !== -1;
        } else {
          field.value = values[0];
        }
      });
    });
  }

  function setup(form) {
    var key = "cohortkit:" + form.dataset.autosaveKey;
    var revision = function () { return parseInt(form.querySelector("#revision").value, 10) || 0; };
    var saved = null;
    try { saved = JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { saved = null; }

    // Unsaved text from this browser, based on the version the server still has: put it back.
    if (saved && saved.pending && saved.revision === revision() && !form.querySelector("fieldset[disabled]")) {
      restore(form, saved.answers);
      var notice = document.createElement("p");
      notice.className = "message";
      notice.setAttribute("role", "status");
      notice.dataset.testid = "restored";
      notice.textContent = "We restored answers you typed in this browser that had not been saved yet. Saving them now…";
      form.insertBefore(notice, form.firstChild);
      window.setTimeout(function () { form.dispatchEvent(new Event("change", { bubbles: true })); }, 50);
    }

    function remember(pending) {
      try {
        window.localStorage.setItem(key, JSON.stringify({ answers: snapshot(form), revision: revision(), pending: pending }));
      } catch (e) { /* storage full or disabled: the server copy still counts */ }
    }

    form.addEventListener("input", function () { remember(true); });
    form.addEventListener("change", function () { remember(true); });
    form.addEventListener("htmx:afterRequest", function (event) {
      var xhr = event.detail.xhr;
      if (event.detail.successful) {
        remember(false);
      } else if (xhr && xhr.status === 403) {
        // The deadline passed while typing: the server kept the last saved version; stop editing.
        var fieldset = form.querySelector("fieldset.questions");
        if (fieldset) fieldset.disabled = true;
        form.querySelectorAll(".form-actions button").forEach(function (button) { button.disabled = true; });
      }
    });
    form.addEventListener("submit", function () { remember(true); });
    // An explicit submit that renders the page again means the server has everything.
    if (!form.querySelector(".has-error") && saved && !saved.pending) {
      try { window.localStorage.removeItem(key); } catch (e) { /* ignore */ }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-autosave-key]").forEach(setup);
  });
})();
