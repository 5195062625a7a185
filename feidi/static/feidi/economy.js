/* Economic monitoring charts: monthly trend this year vs last, breakdown by chain, analysis. */
(function () {
  if (!window.echarts) { return; }
  var tools = {feature: {saveAsImage: {title: gettext("保存图片"), pixelRatio: 2}}, right: 8};
  function make(id, option) {  // Feidi.chart (charts.js): money axes, legends and pie labels that fit
    option.toolbox = tools;
    return window.Feidi.chart(id, option);
  }
  var econ = document.getElementById("economy-data");
  if (econ) {
    var d = JSON.parse(econ.textContent);
    // the cards' titles name 万元: the data comes in 万元 and the axis keeps it
    make("trend-chart", {
      animationDuration: 300, tooltip: {trigger: "axis"}, legend: {top: 0, data: [gettext("本年"), gettext("上年同期")]},
      grid: {left: 64, right: 24, top: 56, bottom: 32}, xAxis: {type: "category", data: d.months},
      yAxis: {type: "value", money: "万元"},
      series: [{name: gettext("本年"), type: "bar", data: d.this_year, itemStyle: {color: "#206bc4"}, barMaxWidth: 24},
               {name: gettext("上年同期"), type: "line", data: d.last_year, itemStyle: {color: "#868e96"}, lineStyle: {type: "dashed"}}]
    });
    make("chain-chart", {
      animationDuration: 300, tooltip: {trigger: "item", formatter: gettext("{b}：{c} 万元（{d}%）")},
      series: [{type: "pie", radius: ["34%", "58%"], data: d.chains.map(function (n, i) { return {name: n, value: d.chain_values[i]}; }),
                label: {formatter: "{b}\n{d}%"}}]
    });
    if (d.labels) {
      make("labels-chart", {
        animationDuration: 300, tooltip: {trigger: "axis"}, legend: {top: 0},
        grid: {left: 48, right: 24, top: 56, bottom: 32}, xAxis: {type: "category", data: d.labels.months},
        yAxis: {type: "value", name: gettext("家"), minInterval: 1},
        series: Object.keys(d.labels.series).map(function (k) { return {name: k, type: "line", data: d.labels.series[k]}; })
      });
    }
  }
  var an = document.getElementById("analysis-data");
  if (an) {
    var a = JSON.parse(an.textContent);
    var box = document.getElementById("analysis-chart");
    // an indicator in 元 (主营业务收入, 税收) is money: the axis in 万元/亿元, as the table and sentence
    var unit = box ? box.getAttribute("data-unit") : "";
    make("analysis-chart", {
      animationDuration: 300, tooltip: {trigger: "axis"}, legend: {top: 0, data: [gettext("数值"), gettext("同比(%)")]},
      grid: {left: 72, right: 56, top: 56, bottom: 60},
      xAxis: {type: "category", data: a.labels, axisLabel: {interval: 0, rotate: 20}},
      yAxis: [unit === "元" ? {type: "value", money: "元"} : {type: "value", name: box && box.getAttribute("data-unit-shown")},
              {type: "value", name: "%"}],
      series: [{name: gettext("数值"), type: "bar", data: a.totals, itemStyle: {color: "#206bc4"}, barMaxWidth: 32},
               {name: gettext("同比(%)"), type: "line", yAxisIndex: 1, data: a.growth, itemStyle: {color: "#d63939"}}]
    });
  }
})();
