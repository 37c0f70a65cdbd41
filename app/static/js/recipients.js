// Recipients by name on the new-message form: typing two letters of a name in "Naam toevoegen"
// offers the people the writer may write to (GET /berichten/personen, on this script's tag) in a
// list under the box: arrows to move, Enter or Tab to choose, Escape to close, or a click. The
// chosen name replaces the part being typed (names are separated by commas) and "Toevoegen" adds
// them. The box keeps focus (a combobox with aria-expanded, aria-controls and
// aria-activedescendant; the list a listbox) and a polite live region says how many were found.
// Without this script the same names typed by hand work: the server looks them up.
(function () {
  "use strict";

  var script = document.currentScript;
  var lookup = script && script.getAttribute("data-lookup");
  var box = script && document.getElementById(script.getAttribute("data-field"));
  if (!lookup || !box || !window.fetch || !window.AbortController) { return; }

  var WAIT = 200; // ms after the last key before asking
  var id = box.id + "-suggesties";
  var list = document.createElement("ul");
  list.id = id;
  list.className = "mention-list recipient-list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Mensen aan wie je kunt schrijven");
  list.hidden = true;
  var status = document.createElement("div");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  box.insertAdjacentElement("afterend", list);
  list.insertAdjacentElement("afterend", status);
  box.setAttribute("role", "combobox");
  box.setAttribute("aria-autocomplete", "list");
  box.setAttribute("aria-controls", id);
  box.setAttribute("aria-expanded", "false");

  var people = [];
  var active = -1;
  var asked = null;
  var timer = null;
  var request = null;
  var hinted = false;

  function say(text) { status.textContent = text; }

  // The name being typed: after the last comma before the caret.
  function part() {
    var before = box.value.slice(0, box.selectionStart);
    var start = before.lastIndexOf(",") + 1;
    return { start: start, text: before.slice(start).replace(/^\s+/, "") };
  }

  function close() {
    clearTimeout(timer);
    if (request) { request.abort(); request = null; }
    asked = null;
    people = [];
    active = -1;
    list.hidden = true;
    list.textContent = "";
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
  }

  function mark(index) {
    active = index;
    Array.prototype.forEach.call(list.children, function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    box.setAttribute("aria-activedescendant", id + "-" + index);
    list.children[index].scrollIntoView({ block: "nearest" });
  }

  function show(found) {
    var wasOpen = !list.hidden;
    people = found;
    active = -1;
    list.textContent = "";
    box.removeAttribute("aria-activedescendant");
    found.forEach(function (person, i) {
      var option = document.createElement("li");
      option.id = id + "-" + i;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      var name = document.createElement("span");
      name.className = "mention-list-name";
      name.textContent = person.name;
      option.appendChild(name);
      var where = person.collective || person.organisation;
      if (where) {
        var detail = document.createElement("span");
        detail.className = "mention-list-where";
        detail.textContent = " · " + where;
        option.appendChild(detail);
      }
      list.appendChild(option);
    });
    list.hidden = !found.length;
    box.setAttribute("aria-expanded", found.length ? "true" : "false");
    if (found.length) {
      say(found.length + (found.length === 1 ? " persoon" : " personen") + " gevonden" +
        (hinted ? "" : ". Kies met pijltje omlaag en Enter; Escape sluit de lijst."));
      hinted = true;
    } else if (wasOpen) {
      say("Niemand gevonden.");
    }
  }

  function ask(query) {
    if (request) { request.abort(); }
    var mine = request = new AbortController();
    fetch(lookup + "?q=" + encodeURIComponent(query), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      signal: mine.signal
    }).then(function (response) {
      return response.ok ? response.json() : { people: [] };
    }).then(function (data) {
      if (request !== mine) { return; }
      request = null;
      show(data.people || []);
    }).catch(function () {
      if (request === mine) { request = null; close(); }
    });
  }

  function check() {
    var query = part().text.replace(/\s+$/, "");
    if (query.length < 2 || query.length > 60) { close(); return; }
    if (query === asked) { return; }
    asked = query;
    clearTimeout(timer);
    timer = setTimeout(function () { ask(query); }, WAIT);
  }

  function choose(index) {
    var name = people[index].name;
    var typed = part();
    var after = box.value.slice(box.selectionStart);
    var rest = after.indexOf(",") >= 0 ? after.slice(after.indexOf(",") + 1) : "";
    var head = box.value.slice(0, typed.start) + (typed.start ? " " : "") + name + ", ";
    box.value = head + rest.replace(/^\s+/, "");
    box.setSelectionRange(head.length, head.length);
    close();
    say(name + " gekozen. Kies ‘Toevoegen’ of typ nog een naam.");
  }

  box.addEventListener("input", check);
  box.addEventListener("blur", function () { close(); });
  box.addEventListener("keydown", function (event) {
    if (list.hidden) { return; }
    var size = people.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      mark(active < 0 ? (step > 0 ? 0 : size - 1) : (active + step + size) % size);
    } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  });
  list.addEventListener("mousedown", function (event) { event.preventDefault(); });
  list.addEventListener("click", function (event) {
    var option = event.target.closest("[role=option]");
    if (option) { choose(Array.prototype.indexOf.call(list.children, option)); }
  });
})();
