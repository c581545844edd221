// Keeps an application's unsaved text safe: every change is copied to this browser's storage
// before the autosave request goes out, so a closed tab, an expired login or a lost connection
// never loses what was typed. The server's copy stays the one that counts.
//
// The status line says "Saved" only once the server has acknowledged exactly the text now in the
// fields; while newer text is not yet there it says "Unsaved changes" or "Saving…".
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

  // The same answers whatever the order they were collected in.
  function fingerprint(answers) {
    return JSON.stringify(Object.keys(answers || {}).sort().map(function (name) {
      return [name, answers[name]];
    }));
  }

  function restore(form, answers) {
    Object.keys(answers).forEach(function (name) {
      var values = answers[name];
      form.querySelectorAll('[name="' + name + '"]').forEach(function (field) {
        if (field.type === "checkbox" || field.type === "radio") {
          field.checked = values.indexOf(field.value) !== -1;
        } else if (field.type !== "hidden") {
          field.value = values[0];
        }
      });
    });
    // Radio groups and tick boxes absent from the copy were empty when it was taken.
    form.querySelectorAll('input[type="radio"][name^="answer-"], input[type="checkbox"][name^="answer-"]').forEach(function (field) {
      if (answers[field.name] === undefined) field.checked = false;
    });
  }

  function setup(form) {
    var key = "cohortkit:" + form.dataset.autosaveKey;
    var revision = function () {
      var input = form.querySelector("#revision");
      return input ? parseInt(input.value, 10) || 0 : 0;
    };
    var editable = !form.querySelector("fieldset[disabled]");
    // What the server has: the fields as rendered, unless the page shows text it refused.
    var pageIsServerCopy = form.dataset.unsaved !== "true";
    var acknowledged = pageIsServerCopy ? fingerprint(snapshot(form)) : null;
    var sending = null;
    var inFlight = false;

    function setStatus(text, problem) {
      var status = document.getElementById("save-status");
      if (!status) return;
      status.textContent = text;
      status.classList.toggle("problem", Boolean(problem));
      status.dataset.state = problem ? "problem" : text === "Saving…" ? "saving" : "unsaved";
    }

    function hasUnsaved() { return fingerprint(snapshot(form)) !== acknowledged; }

    function remember(pending) {
      try {
        window.localStorage.setItem(key, JSON.stringify({ answers: snapshot(form), revision: revision(), pending: pending }));
      } catch (e) { /* storage full or disabled: the server copy still counts */ }
    }

    function forget() {
      try { window.localStorage.removeItem(key); } catch (e) { /* ignore */ }
    }

    var saved = null;
    try { saved = JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { saved = null; }

    // Unsaved text from this browser, based on the version the server still has and different
    // from it: put it back and save it. A copy the server already has is simply dropped.
    if (saved && saved.pending && saved.revision === revision() && editable &&
        fingerprint(saved.answers) !== fingerprint(snapshot(form))) {
      restore(form, saved.answers);
      var notice = document.createElement("p");
      notice.className = "message";
      notice.setAttribute("role", "status");
      notice.dataset.testid = "restored";
      notice.textContent = "We restored answers you typed in this browser that had not been saved yet. Saving them now…";
      form.insertBefore(notice, form.firstChild);
      setStatus("Unsaved changes");
      window.setTimeout(function () { form.dispatchEvent(new Event("change", { bubbles: true })); }, 50);
    } else if (saved && pageIsServerCopy && (!saved.pending || saved.revision !== revision() ||
               fingerprint(saved.answers) === fingerprint(snapshot(form)))) {
      forget();
    }

    function changed() {
      remember(hasUnsaved());
      if (!editable) return;
      if (hasUnsaved()) setStatus(inFlight ? "Saving…" : "Unsaved changes");
    }

    form.addEventListener("input", changed);
    form.addEventListener("change", changed);

    var submitting = false;
    form.addEventListener("htmx:beforeRequest", function (event) {
      if (event.detail.elt !== form) return;
      // The explicit submit sends the same text: an autosave behind it would only race it.
      if (submitting) { event.preventDefault(); return; }
      inFlight = true;
      sending = fingerprint(snapshot(form));
      setStatus("Saving…");
    });

    // After the server's status line is swapped in: it is true only if the fields still hold
    // what was sent.
    form.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.elt !== form) return;
      inFlight = false;
      var xhr = event.detail.xhr;
      if (event.detail.successful) {
        acknowledged = sending;
        if (hasUnsaved()) {
          // Typed while the request was out: the queued save sends it.
          setStatus("Unsaved changes");
          remember(true);
        } else {
          var status = document.getElementById("save-status");
          if (status) status.dataset.state = "saved";
          remember(false);
        }
      } else if (xhr && xhr.status === 403) {
        // The deadline passed while typing: the server kept the last saved version; stop editing.
        var fieldset = form.querySelector("fieldset.questions");
        if (fieldset) fieldset.disabled = true;
        editable = false;
        form.querySelectorAll(".form-actions button").forEach(function (button) { button.disabled = true; });
      }
      sending = null;
    });

    form.addEventListener("submit", function () { submitting = true; remember(true); });
    // Back to this page from the browser's cache: it is being edited again.
    window.addEventListener("pageshow", function () { submitting = false; });
  }

  // Conditional questions: a question marked data-shown-when="mode" is shown only while the
  // question "mode" has one of its data-shown-when-answers picked (and is itself shown). Hidden
  // means the hidden attribute, so it leaves the page, the tab order and what screen readers
  // read; its text stays in the field, and the server, which applies the same rule, does not keep
  // it. Without this script every question is shown and the server decides alone.
  function conditionalQuestions(form) {
    var questions = form.querySelectorAll(".question[data-shown-when]");
    if (!questions.length) return;

    function picked(key) {
      var values = [];
      form.querySelectorAll('[name="answer-' + key + '"]').forEach(function (field) {
        if ((field.type === "radio" || field.type === "checkbox") && !field.checked) return;
        if (field.value) values.push(field.value);
      });
      return values;
    }

    function update() {
      var hiddenKeys = {};
      // In page order, so a question that depends on a hidden one is hidden too.
      questions.forEach(function (question) {
        var answers = [];
        try { answers = JSON.parse(question.dataset.shownWhenAnswers || "[]"); } catch (e) { answers = []; }
        var controller = question.dataset.shownWhen;
        var shown = !hiddenKeys[controller] && picked(controller).some(function (value) {
          return answers.indexOf(value) !== -1;
        });
        question.hidden = !shown;
        if (!shown) hiddenKeys[question.dataset.questionKey] = true;
      });
    }

    form.addEventListener("change", update);
    form.addEventListener("input", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.application").forEach(conditionalQuestions);
    document.querySelectorAll("form[data-autosave-key]").forEach(setup);
  });
})();
