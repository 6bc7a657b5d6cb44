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

  function draw(root) {
    var charts = (root || document).querySelectorAll("[data-figure]");
    Array.prototype.forEach.call(charts, function (el) {
      if (drawn.has(el) || !el.isConnected) return;
      drawn.add(el);
      var figure = JSON.parse(el.getAttribute("data-figure"));
      var layout = figure.layout || {};
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
