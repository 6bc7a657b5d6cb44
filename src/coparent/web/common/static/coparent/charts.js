/* Draw the page's Plotly charts: on load, and after each HTMX swap once it has settled.
 *
 * Each chart arrives as <div class="plotly-graph-div" data-figure='{data, layout, config}'>
 * (coparent.charts.fragment), never as an inline script. Drawing at htmx:afterSettle
 * matters: htmx copies the old element's class and style onto a new element with the
 * same id during the swap and restores them at settle, which stripped Plotly's
 * js-plotly-plot class from charts drawn by inline scripts (their titles and labels
 * then fell onto the tables below), and the swapped DOM is only laid out by then.
 * Charts that a swap removes are purged first, so nothing of them lingers.
 */
(function () {
  "use strict";

  var drawn = new WeakSet();
  var CHAR = 0.58; // a generous average glyph width, in em, of the charts' system font

  // A title wider than its chart (a phone) is wrapped at spaces, and the chart grows by the
  // lines it adds, so the title stays whole, inside the chart, and clear of the plot.
  function fitTitle(layout, width) {
    var title = layout.title;
    if (!title || !title.text || !width) return;
    var size = (title.font && title.font.size) || 15;
    var room = Math.max(12, Math.floor((width - 16) / (size * CHAR)));
    var words = String(title.text).split(" ");
    var lines = [];
    var line = "";
    words.forEach(function (word) {
      if (line && (line + " " + word).length > room) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    if (line) lines.push(line);
    if (lines.length < 2) return;
    var extra = Math.ceil((lines.length - 1) * size * 1.3);
    layout.margin = layout.margin || {};
    layout.margin.t = (layout.margin.t || 56) + extra;
    if (layout.height) layout.height += extra;
    // the first line's top a few pixels below the chart's top edge, the rest below it
    title.text = lines.join("<br>");
    title.yref = "container";
    title.yanchor = "top";
    title.y = 1;
    title.pad = { t: 20 };
  }

  function draw(root) {
    var charts = (root || document).querySelectorAll("[data-figure]");
    Array.prototype.forEach.call(charts, function (el) {
      if (drawn.has(el) || !el.isConnected) return;
      drawn.add(el);
      var figure = JSON.parse(el.getAttribute("data-figure"));
      var layout = figure.layout || {};
      fitTitle(layout, el.clientWidth || (el.parentElement && el.parentElement.clientWidth));
      if (layout.height) el.style.height = layout.height + "px";
      el.replaceChildren(); // e.g. a copy restored from htmx's history cache
      window.Plotly.newPlot(el, figure.data || [], layout, figure.config || {});
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    draw(document);
  });
  document.addEventListener("htmx:afterSettle", function () {
    draw(document);
  });
  document.addEventListener("htmx:historyRestore", function () {
    draw(document);
  });
  document.addEventListener("htmx:beforeCleanupElement", function (event) {
    var el = event.target;
    if (el && el._fullLayout && window.Plotly) window.Plotly.purge(el);
  });
})();
