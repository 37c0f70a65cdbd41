// Mentions: typing "@" and two letters in a Markdown box offers the people who can read the place
// (the lookup of app/blueprints/mentions, its address with the place on this script's tag), in a
// list under the box: arrows to move, Enter or Tab to choose, Escape to close, or a click. The
// box keeps focus (a textbox with aria-autocomplete, aria-controls and aria-activedescendant; the
// list a listbox of options) and a polite live region says how many people were found. Without
// this script "@Full Name" typed by hand works the same: names are resolved on the server.
// The list itself is people-list.js's, loaded before this script.
(function () {
  "use strict";

  var script = document.currentScript;
  var lookup = script && script.getAttribute("data-lookup");
  if (!lookup || !window.fetch || !window.AbortController || !window.PeopleList) { return; }

  // "@" at the start or after a space or bracket, then up to four words of a name up to the caret.
  var TOKEN = /(^|[\s(])@([^\s@()<>"`*_~#=+|\\\/\[\]{},;:!?][^@()<>"`*_~#=+|\\\/\[\]{},;:!?\n]{1,59})$/;
  var count = 0;

  function setUp(box) {
    count += 1;
    var at = -1; // where the "@" of the name being completed is
    var closedAt = -1; // an "@" chosen from or closed with Escape: not offered again
    var list = window.PeopleList.attach(box, {
      id: (box.id || "tekst") + "-personen-" + count,
      className: "mention-list",
      label: "Personen om te noemen",
      choose: choose,
      escape: function () { closedAt = at; }
    });

    function check() {
      var caret = box.selectionStart;
      var match = box.selectionEnd === caret && TOKEN.exec(box.value.slice(0, caret));
      var query = match ? match[2] : "";
      var start = match ? caret - query.length - 1 : -1;
      if (start !== closedAt) { closedAt = -1; }
      if (!match || start === closedAt || query.split(" ").length > 4 ||
          query.replace(/\s+$/, "").length < 2) {
        list.close();
        return;
      }
      at = start;
      list.want(query, lookup + "&q=" + encodeURIComponent(query));
    }

    function choose(person) {
      var name = person.name;
      var text = "@" + name + " ";
      var caret = box.selectionStart;
      box.value = box.value.slice(0, at) + text + box.value.slice(caret);
      box.setSelectionRange(at + text.length, at + text.length);
      closedAt = at;
      list.close();
      list.say(name + " genoemd.");
      box.dispatchEvent(new Event("input", { bubbles: true })); // drafts.js saves the change
    }

    box.addEventListener("input", check);
    box.addEventListener("click", check);
    box.addEventListener("keyup", function (event) {
      if (/^(ArrowLeft|ArrowRight|Home|End)$/.test(event.key)) { check(); }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("textarea[data-mentions]"), setUp);
})();
