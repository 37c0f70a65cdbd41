// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";

  // Move keyboard focus to the error summary of a form that came back with errors.
  var summary = document.getElementById("formulierfouten");
  if (summary) { summary.focus(); }

  // Escape closes the phone menu and puts focus back on its button (Bootstrap's collapse does not).
  var menu = document.getElementById("hoofdmenu");
  var toggler = document.querySelector('[data-bs-target="#hoofdmenu"]');
  if (menu && toggler && window.bootstrap) {
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || !menu.classList.contains("show")) { return; }
      // An open account dropdown inside the menu handles Escape itself first.
      if (menu.querySelector(".dropdown-menu.show")) { return; }
      window.bootstrap.Collapse.getOrCreateInstance(menu, { toggle: false }).hide();
      toggler.focus();
    });
  }

  // Data tables: label every cell with its column header, so that on a phone the CSS can show each
  // row as a block ("Hoe lang: ...") instead of columns squeezed to a few letters. Explicit roles
  // keep the table semantics for screen readers once the display is no longer "table".
  var tables = document.querySelectorAll(".table-responsive > table");
  Array.prototype.forEach.call(tables, function (table) {
    var headers = table.querySelectorAll("thead th");
    if (!headers.length) { return; }
    var labels = Array.prototype.map.call(headers, function (th) { return th.textContent.trim(); });
    table.setAttribute("role", "table");
    Array.prototype.forEach.call(table.querySelectorAll("thead, tbody, tfoot"), function (group) {
      group.setAttribute("role", "rowgroup");
    });
    Array.prototype.forEach.call(table.querySelectorAll("tr"), function (row) {
      row.setAttribute("role", "row");
      Array.prototype.forEach.call(row.children, function (cell, index) {
        if (cell.tagName === "TH") {
          cell.setAttribute("role", cell.closest("thead") ? "columnheader" : "rowheader");
        } else {
          cell.setAttribute("role", "cell");
          if (labels[index]) { cell.setAttribute("data-label", labels[index]); }
        }
      });
    });
    table.classList.add("table-stack");
  });
})();
