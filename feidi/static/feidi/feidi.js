// Feidi: small behaviours without a framework.
(function () {
  // A per-page select submits its form.
  document.addEventListener("change", function (e) {
    if (e.target.classList && e.target.classList.contains("feidi-autosubmit")) e.target.form.submit();
  });
  // Links and buttons with data-confirm ask first.
  document.addEventListener("click", function (e) {
    var el = e.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) e.preventDefault();
  });
  // Role editor: tick or untick every permission of a module; filter the rows by text.
  document.addEventListener("change", function (e) {
    if (!e.target.hasAttribute || !e.target.hasAttribute("data-select-module")) return;
    var module = e.target.closest("[data-permission-module]");
    module.querySelectorAll("tbody input[type=checkbox]").forEach(function (box) { box.checked = e.target.checked; });
  });
  document.addEventListener("input", function (e) {
    if (!e.target.hasAttribute || !e.target.hasAttribute("data-permission-filter")) return;
    var words = e.target.value.trim().toLowerCase();
    document.querySelectorAll("[data-permission-module]").forEach(function (module) {
      var title = module.querySelector(".card-title").textContent.toLowerCase();
      var shown = 0;
      module.querySelectorAll("[data-permission-row]").forEach(function (row) {
        var hit = !words || title.indexOf(words) >= 0 || row.textContent.toLowerCase().indexOf(words) >= 0;
        row.hidden = !hit;
        if (hit) shown += 1;
      });
      module.hidden = shown === 0;
    });
  });
})();
