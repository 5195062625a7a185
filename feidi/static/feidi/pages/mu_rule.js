// 亩均 class distribution charts.
(function () {
  var d = JSON.parse(document.getElementById("mu-data").textContent);
  var colors = ["#2fb344", "#206bc4", "#f59f00", "#d63939"];
  [["mu-zone", d.zone], ["mu-chain", d.chain]].forEach(function (pair) {
    window.Feidi.chart(pair[0], {animationDuration: 300, color: colors, tooltip: {trigger: "axis"}, legend: {top: 0},
      toolbox: {feature: {saveAsImage: {title: gettext("保存图片")}}, right: 8},
      grid: {left: 48, right: 16, top: 56, bottom: 48}, xAxis: {type: "category", data: pair[1].names, axisLabel: {interval: 0, rotate: 15}},
      yAxis: {type: "value", minInterval: 1, name: gettext("家")},
      series: pair[1].series.map(function (s) { return {name: s.name, type: "bar", stack: "g", data: s.data, barMaxWidth: 36}; })});
  });
})();
