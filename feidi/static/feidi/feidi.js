// Feidi: small behaviours without a framework.
// Feidi.esc: every record text a chart's tooltip formatter puts into HTML goes through it (a name
// like <img src=x onerror=…> must show as text, never run); tests/test_csp.py checks each formatter.
window.Feidi = window.Feidi || {};
// A month's short name in the page's language (1月 / Jan), for chart axes.
window.Feidi.monthName = function (month) {
  return new Date(2000, month - 1, 1).toLocaleString(document.documentElement.lang || "zh-Hans", {month: "short"});
};
window.Feidi.esc = function (value) {
  return String(value === null || value === undefined ? "" : value).replace(/[&<>"']/g, function (c) {
    return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
  });
};
(function () {
  // A per-page select submits its form.
  document.addEventListener("change", function (e) {
    if (e.target.classList && e.target.classList.contains("feidi-autosubmit")) e.target.form.submit();
  });
  // Links and buttons with data-confirm ask first; so does a form with data-confirm when it is sent.
  document.addEventListener("click", function (e) {
    var el = e.target.closest && e.target.closest("[data-confirm]");
    if (el && el.tagName !== "FORM" && !window.confirm(el.getAttribute("data-confirm"))) e.preventDefault();
    if (e.target.closest && e.target.closest("[data-print]")) window.print();
  });
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.hasAttribute && form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
      e.preventDefault();
    }
  });
  // A step's form opened by its button (办结, 挂起 …) may lie below the fold on a phone: brought
  // into view, its first field focused, so the tap visibly does something.
  document.addEventListener("shown.bs.collapse", function (e) {
    var box = e.target.getBoundingClientRect();
    if (box.top < 0 || box.top > window.innerHeight - 80) e.target.scrollIntoView({block: "start"});
    var field = e.target.querySelector("textarea, input:not([type=hidden]), select");
    if (field) field.focus({preventScroll: true});
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
  // On a phone a list's rows become cards: each cell is labelled with its column's header (the
  // labels are read from the table itself, so every list — generic or hand-written — gets them).
  function cards(root) {
    (root || document).querySelectorAll("table.feidi-table").forEach(function (table) {
      if (table.getAttribute("data-cards") === "off") return;
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.replace(/[▲▼]/g, "").trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        var i = 0;
        Array.prototype.forEach.call(tr.children, function (td) {
          if (!td.hasAttribute("data-label")) td.setAttribute("data-label", heads[i] || "");
          i += td.colSpan || 1;
        });
      });
      table.classList.add("feidi-cards");
    });
  }
  // A step refused on its way here (core/refused.py): what was typed goes back into the form that
  // posted it — of the forms posting to that address, the one whose hidden fields agree — and the
  // form is opened and brought into view. Files and hidden fields are never written.
  function refill() {
    var node = document.getElementById("feidi-refused-form");
    if (!node) return;
    var kept;
    try { kept = JSON.parse(node.textContent); } catch (err) { return; }
    if (!kept || !kept.fields) return;
    var fields = kept.fields;
    var forms = Array.prototype.filter.call(document.forms, function (form) {
      return new URL(form.getAttribute("action") || "", window.location.href).pathname === kept.action;
    });
    var agree = function (form) {
      return Array.prototype.every.call(form.querySelectorAll("input[type=hidden][name]"), function (el) {
        return !(el.name in fields) || fields[el.name].indexOf(el.value) >= 0;
      });
    };
    var form = forms.filter(agree)[0];
    if (!form) return;
    var used = {};
    var first = null;
    Array.prototype.forEach.call(form.elements, function (el) {
      var type = (el.type || "").toLowerCase();
      if (!el.name || ["hidden", "file", "submit", "button", "reset", "password"].indexOf(type) >= 0) return;
      var values = fields[el.name];
      if (type === "checkbox" || type === "radio") {
        el.checked = !!values && values.indexOf(el.value) >= 0;
        return;
      }
      if (!values) return;
      if (type === "select-multiple") {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = values.indexOf(o.value) >= 0; });
      } else {
        var i = used[el.name] || 0;
        if (i >= values.length) return;
        el.value = values[i];
        used[el.name] = i + 1;
      }
      if (!first && values.join("")) first = el;
    });
    for (var box = form; box; box = box.parentElement) {
      if (box.tagName === "DETAILS") box.open = true;
      if (box.classList && box.classList.contains("collapse") && !box.classList.contains("show")) {
        box.classList.add("show");
        document.querySelectorAll("[data-bs-target='#" + CSS.escape(box.id) + "']").forEach(function (b) {
          b.setAttribute("aria-expanded", "true");
          b.classList.remove("collapsed");
        });
      }
    }
    form.classList.add("feidi-refused");
    form.scrollIntoView({block: "center"});
    if (first) first.focus({preventScroll: true});
  }
  // Every form that posts carries a one-time token (core/formtokens.py): a double click, or the page
  // brought back and sent again, takes a step once. A form rendered with its own keeps it.
  function tokens(root) {
    (root || document).querySelectorAll("form").forEach(function (form) {
      if ((form.getAttribute("method") || "").toLowerCase() !== "post" || form.querySelector("[name=_form_token]")) return;
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "_form_token";
      input.value = window.crypto && window.crypto.randomUUID ? window.crypto.randomUUID()
        : Date.now().toString(36) + Math.random().toString(36).slice(2);
      form.appendChild(input);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { cards(document); tokens(document); refill(); });
  document.addEventListener("htmx:afterSwap", function (e) { tokens(e.target); });
  document.addEventListener("htmx:afterSwap", function (e) { cards(e.target); });
})();
