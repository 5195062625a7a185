// The market overview chart.
(function () {
  if (!window.echarts) { return; }
  var d = JSON.parse(document.getElementById("market-data").textContent);
  var el = document.getElementById("market-chart");
  if (!el) { return; }
  window.Feidi.chart(el, {
    animationDuration: 300, tooltip: {trigger: "axis"}, legend: {top: 0},
    grid: {left: 40, right: 16, top: 36, bottom: 56},
    xAxis: {type: "category", data: d.chains, axisLabel: {interval: 0, rotate: d.chains.length > 5 ? 30 : 0}},
    yAxis: {type: "value", minInterval: 1},
    series: [{name: gettext("技术需求"), type: "bar", data: d.demand, barMaxWidth: 24},
             {name: gettext("科技成果"), type: "bar", data: d.supply, barMaxWidth: 24},
             {name: gettext("推送"), type: "bar", data: d.push, barMaxWidth: 24}]
  });
})();
