// Selects marked data-autosubmit send their form on change (no inline handlers: the CSP forbids them).
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field && field.matches && field.matches("select[data-autosubmit]") && field.form) {
    field.form.submit();
  }
});
