// 统计查询: a new subject reloads the form with its own measures and classifications; the custom
// dates show only for a custom window; copy the sentence or the link; the breakdown's bar chart.
(function () {
  var form = document.getElementById("stats-form");
  if (!form) { return; }
  var subject = form.querySelector("[data-autosubmit]");
  if (subject) {
    subject.addEventListener("change", function () {
      window.location.search = "?subject=" + encodeURIComponent(subject.value);
    });
  }
  var win = document.getElementById("s-window");
  function ranges() {
    var custom = win && win.value === "range";
    form.querySelectorAll("[data-range]").forEach(function (el) {
      el.hidden = !custom;
      el.querySelector("input").disabled = !custom;
    });
  }
  if (win) { win.addEventListener("change", ranges); ranges(); }
  // empty fields stay out of the link, so a shared question reads short
  form.addEventListener("submit", function () {
    form.querySelectorAll("input, select").forEach(function (el) {
      if (!el.multiple && el.type !== "checkbox" && el.value === "") { el.disabled = true; }
    });
  });
  function copied(button, text) {
    var done = function () { var was = button.textContent; button.textContent = "已复制"; setTimeout(function () { button.textContent = was; }, 1500); };
    if (navigator.clipboard) { navigator.clipboard.writeText(text).then(done, function () {}); }
  }
  document.querySelectorAll("[data-copy]").forEach(function (b) {
    b.addEventListener("click", function () { copied(b, document.querySelector(b.dataset.copy).textContent.trim()); });
  });
  document.querySelectorAll("[data-copy-link]").forEach(function (b) {
    b.addEventListener("click", function () { copied(b, new URL(b.dataset.copyLink, window.location.href).href); });
  });
  var data = document.getElementById("stats-chart-data");
  var el = document.getElementById("stats-chart");
  if (data && el && window.echarts) {
    var d = JSON.parse(data.textContent);
    // Feidi.chart (charts.js): money (in 元) on an axis in 万元 or 亿元, as the sentence writes it
    Feidi.chart(el, {
      title: {text: d.title, textStyle: {fontSize: 14}}, tooltip: {trigger: "axis",
        formatter: function (p) { return Feidi.esc(p[0].name) + "：" + (d.money ? Feidi.money(p[0].value) : p[0].value + " " + Feidi.esc(d.unit)); }},
      grid: {left: 8, right: 40, top: 36, bottom: 8, containLabel: true},  // room for the axis name (万元/亿元)
      xAxis: d.money ? {type: "value", money: "元"} : {type: "value", name: d.unit},
      yAxis: {type: "category", inverse: true, data: d.categories, axisLabel: {width: 110, overflow: "truncate"}},
      series: [{type: "bar", data: d.values, barMaxWidth: 22, itemStyle: {color: "#206bc4"}}]
    }, {renderer: "canvas"});
  }
})();
