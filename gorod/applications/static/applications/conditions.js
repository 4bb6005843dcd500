// Conditional fields of an application's step, shown and hidden as the citizen answers.
// Without JavaScript the page works as well: the step drawn again after saving shows the
// fields whose condition now holds.
(function () {
  "use strict";
  function valuesOf(form, name) {
    var values = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) return;
      if (input.value) values.push(input.value);
    });
    return values;
  }
  function update(form) {
    form.querySelectorAll("[data-when-field]").forEach(function (wrapper) {
      var wanted = wrapper.getAttribute("data-when-values").split(" ");
      var given = valuesOf(form, wrapper.getAttribute("data-when-field"));
      var shown = given.some(function (value) { return wanted.indexOf(value) !== -1; });
      wrapper.hidden = !shown;
    });
  }
  document.querySelectorAll("form[data-conditions]").forEach(function (form) {
    form.addEventListener("change", function () { update(form); });
    update(form);
  });
})();
