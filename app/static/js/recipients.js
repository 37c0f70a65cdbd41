// Recipients by name on the new-message form: typing two letters of a name in "Naam toevoegen"
// offers the people the writer may write to (GET /berichten/personen, on this script's tag) in a
// list under the box: arrows to move, Enter or Tab to choose, Escape to close, or a click. The
// chosen name replaces the part being typed (names are separated by commas) and "Toevoegen" adds
// them. The box keeps focus (a combobox with aria-expanded, aria-controls and
// aria-activedescendant; the list a listbox) and a polite live region says how many were found.
// Without this script the same names typed by hand work: the server looks them up.
// The list itself is people-list.js's, loaded before this script.
(function () {
  "use strict";

  var script = document.currentScript;
  var lookup = script && script.getAttribute("data-lookup");
  var box = script && document.getElementById(script.getAttribute("data-field"));
  if (!lookup || !box || !window.fetch || !window.AbortController || !window.PeopleList) { return; }

  var list = window.PeopleList.attach(box, {
    id: box.id + "-suggesties",
    className: "mention-list recipient-list",
    label: "Mensen aan wie je kunt schrijven",
    combobox: true,
    choose: choose
  });

  // The name being typed: after the last comma before the caret.
  function part() {
    var before = box.value.slice(0, box.selectionStart);
    var start = before.lastIndexOf(",") + 1;
    return { start: start, text: before.slice(start).replace(/^\s+/, "") };
  }

  function check() {
    var query = part().text.replace(/\s+$/, "");
    if (query.length < 2 || query.length > 60) { list.close(); return; }
    list.want(query, lookup + "?q=" + encodeURIComponent(query));
  }

  function choose(person) {
    var name = person.name;
    var typed = part();
    var after = box.value.slice(box.selectionStart);
    var rest = after.indexOf(",") >= 0 ? after.slice(after.indexOf(",") + 1) : "";
    var head = box.value.slice(0, typed.start) + (typed.start ? " " : "") + name + ", ";
    box.value = head + rest.replace(/^\s+/, "");
    box.setSelectionRange(head.length, head.length);
    list.close();
    list.say(name + " gekozen. Kies ‘Toevoegen’ of typ nog een naam.");
  }

  box.addEventListener("input", check);
})();
