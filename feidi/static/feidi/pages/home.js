// The home page's organizations-by-zone chart.
  (function () {
    var data = JSON.parse(document.getElementById("home-chart").textContent);
    var box = document.getElementById("home-chart-box");
    window.Feidi.chart(box, {
      animationDuration: 300,
      tooltip: {trigger: "axis"},
      grid: {left: 48, right: 16, top: 24, bottom: 80},
      xAxis: {type: "category", data: data.categories, axisLabel: {rotate: 30, interval: 0}},
      yAxis: {type: "value", minInterval: 1},
      series: data.series.map(function (s) { return {name: s.name, type: "bar", data: s.data, itemStyle: {color: "#206bc4"}, barMaxWidth: 36}; })
    });
  })();
