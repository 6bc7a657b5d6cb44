/* Picker forms (dashboards/_pickers.html) ask for exactly the view they show.
 *
 * The form's hx-get is the page's path without its query, so htmx appends the
 * form's fields to a clean path (an empty hx-get would mean location.href, and
 * each change would pile its parameters onto the last ones). Here, fields left
 * empty (e.g. "overall") are dropped, so the pushed URL names only what is chosen.
 */
(function () {
  "use strict";

  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!form || !form.matches || !form.matches("form.pickers")) return;
    var data = event.detail.formData;
    Array.from(data.keys()).forEach(function (name) {
      if (data.getAll(name).every(function (value) { return value === ""; })) {
        data.delete(name);
      }
    });
  });
})();
