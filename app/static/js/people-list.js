// The list of people offered under a text box, shared by mentions.js (the "@" in a Markdown box)
// and recipients.js (the names on the new-message form): PeopleList.attach(box, options) puts a
// listbox and a polite live region after the box, asks the lookup (JSON {people: [{name,
// collective, organisation}]}) a moment after the last key, shows who was found (and says how
// many), and lets arrows move, Enter or Tab choose, Escape close, or a click choose. The box keeps
// focus (aria-controls and aria-activedescendant; with options.combobox also role=combobox and
// aria-expanded). What is typed and what a choice writes stay with the caller.
//   options: id, className, label (of the list), combobox, choose(person) (when one is chosen;
//   it closes the list and says what happened), escape() (before the list closes on Escape).
//   Returns: want(query, url) to ask for `query` (at `url`) unless it is shown or asked already,
//   close(), say(text).
(function () {
  "use strict";

  var WAIT = 200; // ms after the last key before asking

  function attach(box, options) {
    var id = options.id;
    var list = document.createElement("ul");
    list.id = id;
    list.className = options.className;
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", options.label);
    list.hidden = true;
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    box.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    if (options.combobox) { box.setAttribute("role", "combobox"); }
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-controls", id);
    expanded(false);

    var people = [];
    var active = -1;
    var asked = null; // the query the list shows (or is being fetched)
    var timer = null;
    var request = null;
    var hinted = false;

    function expanded(open) {
      if (options.combobox) { box.setAttribute("aria-expanded", open ? "true" : "false"); }
    }

    function say(text) { status.textContent = text; }

    function close() {
      clearTimeout(timer);
      if (request) { request.abort(); request = null; }
      asked = null;
      people = [];
      active = -1;
      list.hidden = true;
      list.textContent = "";
      expanded(false);
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
      expanded(found.length > 0);
      if (found.length) {
        say(found.length + (found.length === 1 ? " persoon" : " personen") + " gevonden" +
          (hinted ? "" : ". Kies met pijltje omlaag en Enter; Escape sluit de lijst."));
        hinted = true;
      } else if (wasOpen) {
        say("Niemand gevonden.");
      }
    }

    function fetchPeople(url) {
      if (request) { request.abort(); }
      var mine = request = new AbortController();
      fetch(url, {
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

    function want(query, url) {
      if (query === asked) { return; }
      asked = query;
      clearTimeout(timer);
      timer = setTimeout(function () { fetchPeople(url); }, WAIT);
    }

    function choose(index) { options.choose(people[index]); }

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
        if (options.escape) { options.escape(); }
        close();
      }
    });
    // A click chooses; pressing the mouse does not take focus from the box.
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) { choose(Array.prototype.indexOf.call(list.children, option)); }
    });

    return { want: want, close: close, say: say };
  }

  window.PeopleList = { attach: attach };
})();
