/* A click on a funnel or bridge bar opens the rows behind it, as the links beside it do.
 *
 * Funnel bars carry their stage (customdata: mql, accepted, opportunity, won,
 * coparent.charts.funnel_figure), bridge bars their factor (waterfall_figure: the current
 * period's rows of that stage); the card holds one drill-down link per stage or factor,
 * each inside an element with data-stage. Charts are drawn by charts.js on load and
 * after each HTMX swap has settled; this script, loaded after it, listens to the same
 * events and attaches a click handler once per chart. A stage without a link (no data)
 * opens nothing.
 */
(function () {
  "use strict";

  var hooked = new WeakSet();

  function hook(root) {
    var charts = (root || document).querySelectorAll("[data-drill-chart] .js-plotly-plot");
    Array.prototype.forEach.call(charts, function (el) {
      if (hooked.has(el) || typeof el.on !== "function") return;
      hooked.add(el);
      el.style.cursor = "pointer";
      el.on("plotly_click", function (event) {
        var point = event && event.points && event.points[0];
        if (!point || point.customdata == null) return;
        var card = el.closest("[data-drill-chart]");
        var link = card && card.querySelector(
          '[data-stage="' + String(point.customdata) + '"] a.drill'
        );
        if (link) window.location.assign(link.href);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    hook(document);
  });
  document.addEventListener("htmx:afterSettle", function () {
    hook(document);
  });
  document.addEventListener("htmx:historyRestore", function () {
    hook(document);
  });
})();
