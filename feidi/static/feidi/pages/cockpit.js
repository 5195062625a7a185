// 领导驾驶舱: the charts, the level bars, full screen, a periodic refresh, and one PNG of the
// whole overview for a report (the figures as text and every chart, drawn on one canvas).
(function () {
  var root = document.getElementById("cockpit");
  if (!root) { return; }
  var d = JSON.parse(document.getElementById("cockpit-data").textContent);
  var text = "#dbe4f0", grid = "rgba(219,228,240,.15)";
  var charts = [];
  function make(id, option) {
    var el = document.getElementById(id);
    option.textStyle = {color: text};
    var c = window.Feidi.chart(el, option, {renderer: "canvas"});  // charts.js: money axes, legends that fit
    if (!c) { return; }
    charts.push({chart: c, title: el.parentNode.querySelector("h2").textContent});
  }
  function axis(type, data, money) {  // the section titles name 万元: money comes in 万元
    return {type: type, data: data, money: money, axisLine: {lineStyle: {color: text}}, splitLine: {lineStyle: {color: grid}}};
  }
  if (d.economy) {
    make("cockpit-economy", {
      animationDuration: 300, tooltip: {trigger: "axis"}, legend: {top: 0, textStyle: {color: text}},
      grid: {left: 56, right: 12, top: 32, bottom: 28},
      xAxis: axis("category", d.economy.months), yAxis: axis("value", null, "万元"),
      series: [{name: gettext("本年"), type: "bar", data: d.economy.this_year, itemStyle: {color: "#4dabf7"}, barMaxWidth: 22},
               {name: gettext("上年"), type: "line", data: d.economy.last_year, itemStyle: {color: "#ffa94d"}}]
    });
  }
  if (d.funnel) {
    make("cockpit-funnel", {
      animationDuration: 300, tooltip: {trigger: "item", formatter: function (p) { return interpolate(gettext("%(name)s：%(value)s 个"), {name: Feidi.esc(p.name), value: p.value}, true); }},
      series: [{type: "funnel", sort: "none", minSize: "14%", left: "6%", width: "88%", gap: 2,
        label: {show: true, position: "inside", color: "#fff", formatter: function (p) { return p.name + " " + p.value; }},
        data: d.funnel.map(function (x) { return {name: x[0], value: x[1]}; })}]
    });
  }
  if (d.pace) {
    var months = []; for (var i = 1; i <= 12; i++) { months.push(window.Feidi.monthName(i)); }
    make("cockpit-plan", {
      animationDuration: 300, tooltip: {trigger: "axis"}, legend: {top: 0, textStyle: {color: text}},
      grid: {left: 64, right: 12, top: 32, bottom: 28},
      xAxis: axis("category", months), yAxis: axis("value", null, "万元"),
      series: [{name: gettext("计划进度"), type: "line", data: d.pace, lineStyle: {type: "dashed"}, itemStyle: {color: "#adb5bd"}},
               {name: gettext("累计完成"), type: "bar", data: d.cumulative, itemStyle: {color: "#51cf66"}, barMaxWidth: 22}]
    });
  }
  root.querySelectorAll(".bar[data-share]").forEach(function (bar) {
    var of = +bar.getAttribute("data-of");
    bar.style.width = (of ? Math.round(100 * +bar.getAttribute("data-share") / of) : 0) + "%";
  });

  function fullscreen() {
    if (document.fullscreenElement) { document.exitFullscreen(); } else if (root.requestFullscreen) { root.requestFullscreen(); }
  }
  root.addEventListener("fullscreenchange", function () { setTimeout(function () { charts.forEach(function (c) { c.chart.resize(); }); }, 100); });

  function exportImage() {
    var width = 1600, pad = 32, y = pad;
    var figures = Array.prototype.map.call(root.querySelectorAll(".feidi-cockpit-figure"), function (f) {
      return [f.querySelector(".label").textContent, f.querySelector(".value").textContent, f.querySelector(".growth").textContent];
    });
    var sentence = root.querySelector(".feidi-cockpit-sentence");
    var canvas = document.createElement("canvas");
    var chartH = 360, perRow = 2, rows = Math.ceil(charts.length / perRow);
    canvas.width = width;
    canvas.height = pad * 2 + 60 + (figures.length ? 130 : 0) + (sentence ? 40 : 0) + rows * (chartH + 50);
    var g = canvas.getContext("2d");
    g.fillStyle = "#0b1a2e"; g.fillRect(0, 0, canvas.width, canvas.height);
    g.fillStyle = text; g.font = "bold 30px sans-serif";
    g.fillText(root.querySelector("h1").textContent, pad, y + 30);
    g.font = "16px sans-serif";
    g.fillText(root.querySelector(".feidi-cockpit-head .small div").textContent.trim(), pad, y + 56);
    y += 76;
    var w = (width - pad * 2) / Math.max(figures.length, 1);
    figures.forEach(function (f, i) {
      var x = pad + i * w;
      g.fillStyle = "#9fb3c8"; g.font = "16px sans-serif"; g.fillText(f[0].trim(), x, y + 20);
      g.fillStyle = "#ffffff"; g.font = "bold 34px sans-serif"; g.fillText(f[1].trim(), x, y + 62);
      g.fillStyle = text; g.font = "15px sans-serif"; g.fillText(f[2].replace(/\s+/g, " ").trim().slice(0, 40), x, y + 92);
    });
    if (figures.length) { y += 130; }
    if (sentence) { g.fillStyle = "#ffd43b"; g.font = "18px sans-serif"; g.fillText(sentence.textContent.trim().slice(0, 90), pad, y + 20); y += 40; }
    var cw = (width - pad * 3) / perRow;
    var pending = charts.length;
    function done() {
      var a = document.createElement("a");
      // the day as the viewer's clock reads it (toISOString's is UTC: before 08:00 in Beijing, yesterday)
      var now = new Date();
      var day = now.getFullYear() + "-" + String(now.getMonth() + 1).padStart(2, "0") + "-" + String(now.getDate()).padStart(2, "0");
      a.download = interpolate(gettext("驾驶舱-%s.png"), [day]);
      a.href = canvas.toDataURL("image/png");
      document.body.appendChild(a); a.click(); a.remove();
    }
    if (!pending) { done(); return; }
    charts.forEach(function (c, i) {
      var x = pad + (i % perRow) * (cw + pad), top = y + Math.floor(i / perRow) * (chartH + 50);
      g.fillStyle = text; g.font = "bold 18px sans-serif"; g.fillText(c.title.trim().slice(0, 50), x, top + 22);
      var img = new Image();
      img.onload = function () { g.drawImage(img, x, top + 34, cw, chartH); if (--pending === 0) { done(); } };
      img.src = c.chart.getDataURL({pixelRatio: 2, backgroundColor: "#0b1a2e"});
    });
  }
  root.addEventListener("click", function (e) {
    var act = e.target.getAttribute && e.target.getAttribute("data-cockpit");
    if (act === "fullscreen") { fullscreen(); }
    if (act === "image") { exportImage(); }
  });
  var every = +root.getAttribute("data-refresh");
  if (every) { setTimeout(function () { if (!document.hidden) { location.reload(); } }, every * 1000); }
})();
