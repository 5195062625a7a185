/* Pipeline dashboard charts: funnel, signed amount by month and chain, plan pace vs completed. */
(function () {
  if (!window.echarts) { return; }
  var d = JSON.parse(document.getElementById("dashboard-data").textContent);
  var make = window.Feidi.chart;  // charts.js: money axes, legends that wrap or scroll
  make("funnel-chart", {
    animationDuration: 300, tooltip: {trigger: "item", formatter: gettext("{b}：{c} 个")},
    series: [{type: "funnel", sort: "none", minSize: "12%", left: "8%", width: "84%", gap: 2,
      label: {show: true, position: "inside", formatter: "{b} {c}"},
      data: d.funnel.map(function (x) { return {name: x[0], value: x[1]}; })}]
  });
  // the cards' titles name 万元: the data comes in 万元 and the axes keep it
  make("signed-chart", {
    animationDuration: 300, tooltip: {trigger: "axis"}, legend: {top: 0},
    grid: {left: 56, right: 16, top: 56, bottom: 40},
    xAxis: {type: "category", data: d.months}, yAxis: {type: "value", money: "万元"},
    series: d.signed_series.map(function (s) { return {name: s.name, type: "bar", stack: "signed", data: s.data, barMaxWidth: 28}; })
  });
  var months = []; for (var i = 1; i <= 12; i++) { months.push(window.Feidi.monthName(i)); }
  make("plan-chart", {
    animationDuration: 300, tooltip: {trigger: "axis"}, legend: {top: 0, data: [gettext("计划进度"), gettext("累计完成")]},
    grid: {left: 64, right: 16, top: 56, bottom: 32},
    xAxis: {type: "category", data: months}, yAxis: {type: "value", money: "万元"},
    series: [{name: gettext("计划进度"), type: "line", data: d.pace, lineStyle: {type: "dashed"}, itemStyle: {color: "#868e96"}},
             {name: gettext("累计完成"), type: "bar", data: d.cumulative, itemStyle: {color: "#206bc4"}, barMaxWidth: 28}]
  });
})();
