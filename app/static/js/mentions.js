// Mentions: typing "@" and two letters in a Markdown box offers the people who can read the place
// (the lookup of app/blueprints/mentions, its address with the place on this script's tag), in a
// list under the box: arrows to move, Enter or Tab to choose, Escape to close, or a click. The
// box keeps focus (a textbox with aria-autocomplete, aria-controls and aria-activedescendant; the
// list a listbox of options) and a polite live region says how many people were found. Without
// this script "@Full Name" typed by hand works the same: names are resolved on the server.
(function () {
  "use strict";

  var script = document.currentScript;
  var lookup = script && script.getAttribute("data-lookup");
  if (!lookup || !window.fetch || !window.AbortController) { return; }

  var WAIT = 200; // ms after the last key before asking
  // "@" at the start or after a space or bracket, then up to four words of a name up to the caret.
  var TOKEN = /(^|[\s(])@([^\s@()<>"`*_~#=+|\\\/\[\]{},;:!?][^@()<>"`*_~#=+|\\\/\[\]{},;:!?\n]{1,59})$/;
  var count = 0;

  function setUp(box) {
    count += 1;
    var id = (box.id || "tekst") + "-personen-" + count;
    var list = document.createElement("ul");
    list.id = id;
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Personen om te noemen");
    list.hidden = true;
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    box.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-controls", id);

    var people = [];
    var active = -1;
    var at = -1; // where the "@" of the name being completed is
    var closedAt = -1; // an "@" chosen from or closed with Escape: not offered again
    var asked = null; // the query the list shows (or is being fetched)
    var timer = null;
    var request = null;
    var hinted = false;

    function say(text) { status.textContent = text; }

    function close() {
      clearTimeout(timer);
      if (request) { request.abort(); request = null; }
      asked = null;
      people = [];
      active = -1;
      list.hidden = true;
      list.textContent = "";
      box.removeAttribute("aria-activedescendant");
    }

    function mark(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index < 0) {
        box.removeAttribute("aria-activedescendant");
      } else {
        box.setAttribute("aria-activedescendant", id + "-" + index);
        list.children[index].scrollIntoView({ block: "nearest" });
      }
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
      if (found.length) {
        say(found.length + (found.length === 1 ? " persoon" : " personen") + " gevonden" +
          (hinted ? "" : ". Kies met pijltje omlaag en Enter; Escape sluit de lijst."));
        hinted = true;
      } else if (wasOpen) {
        say("Niemand gevonden.");
      }
    }

    function fetchPeople(query) {
      if (request) { request.abort(); }
      var mine = request = new AbortController();
      fetch(lookup + "&q=" + encodeURIComponent(query), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: mine.signal
      }).then(function (response) {
        return response.ok ? response.json() : { people: [] };
      }).then(function (data) {
        if (request !== mine) { return; } // a newer question is on its way
        request = null;
        show(data.people || []);
      }).catch(function () {
        if (request === mine) { request = null; close(); }
      });
    }

    function check() {
      var caret = box.selectionStart;
      var match = box.selectionEnd === caret && TOKEN.exec(box.value.slice(0, caret));
      var query = match ? match[2] : "";
      var start = match ? caret - query.length - 1 : -1;
      if (start !== closedAt) { closedAt = -1; }
      if (!match || start === closedAt || query.split(" ").length > 4 ||
          query.replace(/\s+$/, "").length < 2) {
        close();
        return;
      }
      at = start;
      if (query === asked) { return; }
      asked = query;
      clearTimeout(timer);
      timer = setTimeout(function () { fetchPeople(query); }, WAIT);
    }

    function choose(index) {
      var name = people[index].name;
      var text = "@" + name + " ";
      var caret = box.selectionStart;
      box.value = box.value.slice(0, at) + text + box.value.slice(caret);
      box.setSelectionRange(at + text.length, at + text.length);
      closedAt = at;
      close();
      say(name + " genoemd.");
      box.dispatchEvent(new Event("input", { bubbles: true })); // drafts.js saves the change
    }

    box.addEventListener("input", check);
    box.addEventListener("click", check);
    box.addEventListener("keyup", function (event) {
      if (/^(ArrowLeft|ArrowRight|Home|End)$/.test(event.key)) { check(); }
    });
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
        closedAt = at;
        close();
      }
    });
    // A click chooses; pressing the mouse does not take focus from the box.
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) { choose(Array.prototype.indexOf.call(list.children, option)); }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("textarea[data-mentions]"), setUp);
})();
