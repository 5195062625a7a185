// 月调度 scores chart.
(function () {
  var d = JSON.parse(document.getElementById("ranking-data").textContent);
  window.Feidi.chart("ranking-chart", {animationDuration: 300, tooltip: {trigger: "axis"}, grid: {left: 48, right: 16, top: 24, bottom: 64},
    toolbox: {feature: {saveAsImage: {title: gettext("保存图片")}}, right: 8},
    xAxis: {type: "category", data: d.labels, axisLabel: {interval: 0, rotate: 20}}, yAxis: {type: "value", name: gettext("分")},
    series: [{type: "bar", data: d.scores, itemStyle: {color: "#206bc4"}, barMaxWidth: 36}]});
})();
