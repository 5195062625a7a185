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
})();
