// The auction's lots chart.
(function () {
  var data = JSON.parse(document.getElementById("auction-chart-data").textContent);
  var el = document.getElementById("auction-chart");
  if (!data.lots.length) { el.textContent = "暂无拍品"; el.className = "text-secondary"; el.style.height = "auto"; return; }
  var chart = echarts.init(el, null, {renderer: "svg"});
  chart.setOption({
    tooltip: {trigger: "axis", valueFormatter: function (v) { return v.toFixed(2) + " 万元"; }},
    legend: {data: ["起拍价", "成交额", "当前价"], bottom: 0},
    grid: {left: 8, right: 16, top: 8, bottom: 32, containLabel: true},
    xAxis: {type: "value"},
    yAxis: {type: "category", inverse: true, data: data.lots,
            axisLabel: {width: 110, overflow: "truncate"}},
    series: [{name: "起拍价", type: "bar", data: data.start, itemStyle: {color: "#c5cbd3"}},
             {name: "成交额", type: "bar", data: data.turnover, itemStyle: {color: "#d63939"}},
             {name: "当前价", type: "bar", data: data.current, itemStyle: {color: "#f59f00"}}]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
