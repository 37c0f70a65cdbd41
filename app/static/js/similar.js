// Similar questions on the ask form: while someone types a title (3 characters or more, 400 ms
// after the last key) the lab's questions like it are fetched from the address on this script's
// tag and listed under the title field; a polite live region says how many were found. Focus
// stays in the field; the links open in the same tab. Without this script "Voorbeeld" shows the
// same list above the form.
(function () {
  "use strict";

  var script = document.currentScript;
  var url = script && script.getAttribute("data-url");
  var field = script && document.getElementById(script.getAttribute("data-veld"));
  var box = script && document.getElementById(script.getAttribute("data-lijst"));
  if (!url || !field || !box || !window.fetch || !window.AbortController) { return; }

  var status = box.querySelector("[role=status]");
  var list = box.querySelector("ul");
  var timer = null;
  var request = null;
  var asked = null;

  function show(questions) {
    list.textContent = "";
    questions.forEach(function (question) {
      var item = document.createElement("li");
      item.className = "mb-1";
      var link = document.createElement("a");
      link.href = question.url;
      link.textContent = question.titel;
      var about = document.createElement("span");
      about.className = "text-muted";
      about.textContent = " · " + question.status + " · " + question.datum;
      item.appendChild(link);
      item.appendChild(about);
      list.appendChild(item);
    });
    var n = questions.length;
    status.textContent = n === 0 ? "" : n === 1 ? "1 vergelijkbare vraag gevonden"
      : n + " vergelijkbare vragen gevonden";
  }

  function ask() {
    var title = field.value.trim();
    if (title === asked) { return; }
    if (request) { request.abort(); request = null; }
    if (title.length < 3) { asked = null; show([]); return; }
    asked = title;
    request = new AbortController();
    fetch(url + "?titel=" + encodeURIComponent(title.slice(0, 150)), {
      credentials: "same-origin", headers: { "Accept": "application/json" }, signal: request.signal
    }).then(function (response) {
      return response.ok ? response.json() : { vragen: [] };
    }).then(function (data) {
      request = null;
      show(Array.isArray(data.vragen) ? data.vragen : []);
    }).catch(function () { /* aborted or offline: the list stays as it was */ });
  }

  field.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 400);
  });
}());
