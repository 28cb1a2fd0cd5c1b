// Board settings and the board list: CSRF on every htmx request, columns reordered
// by dragging (the full order is sent; a refusal redraws the list as it really is).
(function () {
  "use strict";

  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] =
      document.querySelector('meta[name="csrf-token"]').content;
  });

  function sendOrder(list) {
    var form = document.getElementById("column-order");
    form.replaceChildren();
    list.querySelectorAll(".column-row").forEach(function (row) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "column_id";
      input.value = row.dataset.columnId;
      form.appendChild(input);
    });
    htmx.trigger(form, "submit");
  }

  htmx.onLoad(function (root) {
    var list = root.querySelector ? root.querySelector("#column-list") : null;
    if (!list || Sortable.get(list)) return;
    Sortable.create(list, {
      handle: ".handle",
      animation: 120,
      onEnd: function (event) {
        if (event.oldIndex !== event.newIndex) sendOrder(list);
      },
    });
  });
})();
