// Drafts: keeps what someone types in a writing form on the server (a few seconds after a change,
// and when the page is hidden or left), says so quietly, and asks before leaving unsaved text.
// Without this script the form still keeps drafts with its "Concept opslaan" button
// (app/blueprints/drafting.py). A page with two forms loads the script twice: each form is set
// up once.
(function () {
  "use strict";

  var WAIT = 3000; // at most one save every three seconds while typing
  var KEEPALIVE_MAX = 60000; // browsers refuse larger keepalive bodies

  function setUp(form) {
    var fields = {};
    form.getAttribute("data-concept-velden").split(" ").forEach(function (pair) {
      var names = pair.split("=");
      if (form.elements[names[1]]) { fields[names[0]] = form.elements[names[1]]; }
    });
    var status = form.querySelector("[data-concept-status]");
    var discard = form.querySelector("[data-concept-verwijderen]");
    var saveButton = form.querySelector("[data-concept-opslaan]");
    var token = form.elements.csrf_token ? form.elements.csrf_token.value : "";
    var timer = null;
    var pending = null;
    var leaving = false;

    function current() {
      var values = {};
      Object.keys(fields).forEach(function (part) { values[part] = fields[part].value; });
      return JSON.stringify(values);
    }

    // The text as last saved (or as the page showed it); null: the page shows unsaved text.
    var saved = form.hasAttribute("data-concept-onbewaard") ? null : current();

    function say(text) { if (status) { status.textContent = text; } }

    function save(closing, always) {
      clearTimeout(timer);
      timer = null;
      var text = current();
      if (text === saved && !always) { return; }
      var payload = JSON.parse(text);
      payload.plek = form.getAttribute("data-concept-plek");
      var body = JSON.stringify(payload);
      var request = fetch(form.getAttribute("data-concept"), {
        method: "POST",
        credentials: "same-origin",
        keepalive: Boolean(closing) && body.length < KEEPALIVE_MAX,
        headers: { "Content-Type": "application/json", "X-CSRFToken": token },
        body: body
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (!response.ok) { throw new Error(data.fout || ""); }
          saved = text;
          if (discard) { discard.hidden = !data.opgeslagen; }
          say(data.opgeslagen ? "Concept opgeslagen om " + data.tijd
            : "Geen concept bewaard: het formulier is leeg.");
        });
      }).catch(function (error) {
        say("Concept niet opgeslagen. " + (error.message ||
          "We proberen het opnieuw bij je volgende wijziging."));
      }).then(function () {
        if (pending === request) { pending = null; }
      });
      pending = request;
    }

    form.addEventListener("input", function () {
      if (!timer) { timer = setTimeout(save, WAIT); }
    });

    form.addEventListener("submit", function (event) {
      if (saveButton && event.submitter === saveButton) {
        event.preventDefault(); // saved here, without leaving the page
        save(false, true);
        return;
      }
      if (pending && form.requestSubmit) {
        // Let a save on its way arrive first: it must not bring back a draft just posted.
        event.preventDefault();
        var submitter = event.submitter;
        pending.then(function () { form.requestSubmit(submitter || undefined); });
        return;
      }
      clearTimeout(timer);
      timer = null;
      leaving = true;
    });

    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden" && !leaving) { save(true); }
    });
    window.addEventListener("pagehide", function () {
      if (!leaving) { save(true); }
    });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) { leaving = false; } // back from the browser's cache
    });
    window.addEventListener("beforeunload", function (event) {
      if (leaving || current() === saved) { return; }
      event.preventDefault();
      event.returnValue = "";
    });

    if (saved === null) { save(); }
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-concept]"), function (form) {
    if (form.hasAttribute("data-concept-actief")) { return; }
    form.setAttribute("data-concept-actief", "1");
    setUp(form);
  });
})();
