// Appeal measures chart.
(function () {
  var d = JSON.parse(document.getElementById("measures-data").textContent);
  window.Feidi.chart("measures-chart", {
    animationDuration: 300, tooltip: {trigger: "axis"}, legend: {top: 0, data: [gettext("按时率(%)"), gettext("诉求数")]},
    grid: {left: 48, right: 48, top: 56, bottom: 60},
    xAxis: {type: "category", data: d.categories, axisLabel: {interval: 0, rotate: 20}},
    yAxis: [{type: "value", name: "%", max: 100}, {type: "value", name: gettext("件"), minInterval: 1}],
    series: [{name: gettext("按时率(%)"), type: "bar", data: d.on_time, itemStyle: {color: "#2fb344"}, barMaxWidth: 32},
             {name: gettext("诉求数"), type: "line", yAxisIndex: 1, data: d.count, itemStyle: {color: "#206bc4"}}]
  });
})();
