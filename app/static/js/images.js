// Images in a writing form: chosen with "Afbeeldingen toevoegen", dropped on the text box or
// pasted into it, each is uploaded at once (POST /afbeeldingen), its writer is asked to describe
// it, and its Markdown goes into the text at the cursor. Messages go to a live region.
// Without this script the file field is sent with the form (app/blueprints/images/form_images.py).
// A page with two forms loads the script twice: each field is set up once.
(function () {
  "use strict";

  var TYPES = ["image/jpeg", "image/png", "image/webp"];
  var MAX_BYTES = 5 * 1024 * 1024;
  var MAX_PER_POST = 10;
  var REFERENCE = /!\[[^\]\n]*\]\(\s*\/afbeeldingen\/(\d+)/g;
  var counter = 0;

  function setUp(box) {
    var text = document.getElementById(box.getAttribute("data-tekstvak"));
    var input = box.querySelector("input[type=file]");
    var status = box.querySelector("[data-afbeeldingen-status]");
    var form = input && input.form;
    if (!text || !form) { return; }
    var url = box.getAttribute("data-afbeeldingen");
    var token = form.elements.csrf_token ? form.elements.csrf_token.value : "";
    var waiting = []; // uploaded images whose description is still to be asked
    var busy = 0;
    var panel = null;

    function say(message) { status.textContent = message; }

    function shown() {
      var ids = {};
      text.value.replace(REFERENCE, function (match, id) { ids[id] = true; return match; });
      return Object.keys(ids).length;
    }

    function refusal(response, data) {
      if (data && data.fout) { return data.fout; }
      if (response.status === 413) { return "Deze afbeelding is te groot: hoogstens 5 MB."; }
      if (response.status === 429) { return "Je hebt in korte tijd veel afbeeldingen toegevoegd. Wacht een paar minuten."; }
      if (response.status === 400) { return "Het formulier is verlopen. Laad de pagina opnieuw en probeer het nog eens."; }
      if (response.status === 401) { return "Je bent niet meer ingelogd. Log opnieuw in en probeer het nog eens."; }
      return "Het toevoegen van de afbeelding is niet gelukt. Probeer het nog eens.";
    }

    function upload(file) {
      var name = file.name && file.name !== "image.png" ? "“" + file.name + "”" : "De afbeelding";
      if (TYPES.indexOf(file.type) < 0) {
        say(name + " is geen JPEG-, PNG- of WebP-afbeelding."); return;
      }
      if (file.size > MAX_BYTES) { say(name + " is groter dan 5 MB. Verklein haar eerst."); return; }
      if (shown() + busy + waiting.length >= MAX_PER_POST) {
        say("Een bericht kan hoogstens " + MAX_PER_POST + " afbeeldingen tonen."); return;
      }
      var body = new FormData();
      body.append("afbeelding", file, file.name || "afbeelding");
      busy += 1;
      say(name + " wordt toegevoegd…");
      fetch(url, { method: "POST", body: body, credentials: "same-origin",
                   headers: { "X-CSRFToken": token, "Accept": "application/json" } })
        .then(function (response) {
          var json = (response.headers.get("Content-Type") || "").indexOf("json") >= 0;
          return (json ? response.json() : Promise.resolve(null)).then(function (data) {
            if (!response.ok || !data || !data.url) { throw { fout: refusal(response, data) }; }
            waiting.push(data);
            ask();
          });
        })
        .catch(function (error) {
          say(error && error.fout ? error.fout : "Geen verbinding met de server. Probeer het nog eens.");
        })
        .then(function () { busy -= 1; });
    }

    function uploadAll(files) {
      Array.prototype.forEach.call(files, upload);
    }

    // The question about the description: a small field under the file field, one image at a time.
    function ask() {
      if (panel || !waiting.length) { return; }
      var image = waiting[0];
      var id = "afbeelding-beschrijving-" + (++counter);
      panel = document.createElement("div");
      panel.className = "post-images-alt border rounded p-2 mt-2";
      panel.setAttribute("role", "group");
      panel.setAttribute("aria-label", "Nieuwe afbeelding");
      var preview = document.createElement("img");
      preview.src = image.thumbnail;
      preview.alt = "";
      preview.width = image.width;
      preview.height = image.height;
      var label = document.createElement("label");
      label.className = "form-label d-block";
      label.htmlFor = id;
      label.textContent = "Beschrijf deze afbeelding voor wie haar niet kan zien";
      var field = document.createElement("input");
      field.type = "text";
      field.id = id;
      field.className = "form-control";
      field.maxLength = 300;
      field.setAttribute("aria-describedby", id + "-hulp");
      var help = document.createElement("p");
      help.className = "form-text";
      help.id = id + "-hulp";
      help.textContent = "Bijvoorbeeld: “Zonnepanelen op het dak van het dorpshuis”. Leeg laten kan: dan staat er “" +
        image.alt + "”. Enter voegt de afbeelding in.";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-primary btn-sm";
      button.textContent = "Afbeelding invoegen";
      panel.appendChild(preview);
      panel.appendChild(label);
      panel.appendChild(field);
      panel.appendChild(help);
      panel.appendChild(button);
      box.appendChild(panel);
      say("De afbeelding is geüpload. Beschrijf haar en voeg haar in.");
      field.focus();

      function done() { insert(image, field.value); }
      button.addEventListener("click", done);
      field.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); done(); }
        if (event.key === "Escape") { event.preventDefault(); insert(image, ""); }
      });
    }

    function insert(image, description) {
      var alt = (description || "").replace(/[\[\]\\\r\n]+/g, " ").trim();
      var markdown = "![" + alt + "](" + image.url + ")";
      var start = text.selectionStart || 0;
      var end = text.selectionEnd || start;
      var before = text.value.slice(0, start);
      var after = text.value.slice(end);
      var lead = before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? "\n" : "\n\n") : "";
      var tail = after && !/^\n/.test(after) ? "\n\n" : "";
      text.value = before + lead + markdown + tail + after;
      var caret = (before + lead + markdown).length;
      waiting.shift();
      box.removeChild(panel);
      panel = null;
      text.focus();
      text.setSelectionRange(caret, caret);
      text.dispatchEvent(new Event("input", { bubbles: true }));
      say("Afbeelding ingevoegd in de tekst" + (alt ? ": " + alt : "") + ".");
      ask();
    }

    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files || []);
      input.value = ""; // uploaded now: not sent again with the form
      uploadAll(files);
    });

    function hasFiles(event) {
      var types = event.dataTransfer && event.dataTransfer.types;
      return types && Array.prototype.indexOf.call(types, "Files") >= 0;
    }
    text.addEventListener("dragover", function (event) {
      if (!hasFiles(event)) { return; }
      event.preventDefault();
      text.classList.add("post-images-drop");
    });
    text.addEventListener("dragleave", function () { text.classList.remove("post-images-drop"); });
    text.addEventListener("drop", function (event) {
      text.classList.remove("post-images-drop");
      if (!hasFiles(event)) { return; }
      event.preventDefault();
      uploadAll(event.dataTransfer.files);
    });
    text.addEventListener("paste", function (event) {
      var items = (event.clipboardData && event.clipboardData.items) || [];
      var files = [];
      Array.prototype.forEach.call(items, function (item) {
        if (item.kind === "file" && TYPES.indexOf(item.type) >= 0) { files.push(item.getAsFile()); }
      });
      if (!files.length) { return; }
      event.preventDefault();
      uploadAll(files);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-afbeeldingen]"), function (box) {
    if (box.hasAttribute("data-afbeeldingen-klaar")) { return; }
    box.setAttribute("data-afbeeldingen-klaar", "");
    setUp(box);
  });
})();
