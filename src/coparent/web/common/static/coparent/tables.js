/* Tables on a phone: each row becomes a card of "column: value" lines (app.css, max-width 640px),
 * so no column hides behind a sideways scroll. This names every cell after its column header
 * (data-label), on load and after each HTMX swap; cells that already have a label keep it.
 */
(function () {
  "use strict";

  function headers(table) {
    var head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!head) return null;
    var names = [];
    Array.prototype.forEach.call(head.cells, function (cell) {
      var text = (cell.textContent || "").trim();
      for (var i = 0; i < (cell.colSpan || 1); i++) names.push(text);
    });
    return names;
  }

  function label(root) {
    var tables = (root || document).querySelectorAll("table");
    Array.prototype.forEach.call(tables, function (table) {
      var names = headers(table);
      if (!names) return;
      var bodies = Array.prototype.slice.call(table.tBodies);
      if (table.tFoot) bodies.push(table.tFoot);
      bodies.forEach(function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          var column = 0;
          Array.prototype.forEach.call(row.cells, function (cell) {
            var name = names[column];
            var mine = cell.parentNode.parentNode === table.tFoot && column === 0;
            if (name && !mine && !cell.hasAttribute("data-label")) {
              cell.setAttribute("data-label", name);
            }
            column += cell.colSpan || 1;
          });
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    label(document);
  });
  document.addEventListener("htmx:afterSettle", function () {
    label(document);
  });
})();
