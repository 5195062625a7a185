// The auction's lots chart.
(function () {
  var data = JSON.parse(document.getElementById("auction-chart-data").textContent);
  var el = document.getElementById("auction-chart");
  if (!data.lots.length) { el.textContent = gettext("暂无拍品"); el.className = "text-secondary"; el.style.height = "auto"; return; }
  window.Feidi.chart(el, {
    tooltip: {trigger: "axis", valueFormatter: function (v) { return interpolate(gettext("%s 万元"), [v.toFixed(2)]); }},
    legend: {data: [gettext("起拍价"), gettext("成交额"), gettext("当前价")], bottom: 0},
    grid: {left: 8, right: 16, top: 8, bottom: 32, containLabel: true},
    xAxis: {type: "value", money: "万元"},  // the lots' prices in 万元 (charts.js names the axis)
    yAxis: {type: "category", inverse: true, data: data.lots,
            axisLabel: {width: 110, overflow: "truncate"}},
    series: [{name: gettext("起拍价"), type: "bar", data: data.start, itemStyle: {color: "#c5cbd3"}},
             {name: gettext("成交额"), type: "bar", data: data.turnover, itemStyle: {color: "#d63939"}},
             {name: gettext("当前价"), type: "bar", data: data.current, itemStyle: {color: "#f59f00"}}]
  });
})();
