/* The chain map (产业链图谱): segments from upstream (left) to downstream (right), children under
   their parent; size by output, colour by gap state. Clicking a segment loads its panel.
   Nodes sit on two hidden value axes (cartesian2d), so positions are exact at any width. */
(function () {
  var el = document.getElementById("chain-map");
  if (!el || !window.echarts) { return; }
  var data = JSON.parse(document.getElementById("chain-map-data").textContent);
  var wan = window.Feidi.money;  // 万元, or 亿元 from 1亿 (charts.js)
  var chart = window.Feidi.chart(el, {
    animationDuration: 300,
    grid: {left: 48, right: 48, top: 40, bottom: 48},
    xAxis: {type: "value", show: false, min: -0.5, max: Math.max(data.stages - 0.5, 0.5)},
    yAxis: {type: "value", show: false, min: -data.depth - 0.5, max: 0.5},
    tooltip: {
      formatter: function (p) {
        if (p.dataType !== "node") { return ""; }
        var d = p.data, esc = window.Feidi.esc;
        var state = esc(d.state) + (d.action ? "·" + esc(d.action) : "");
        return interpolate(gettext("<b>%(name)s</b>（%(state)s）<br>企业 %(count)s 家，产值 %(output)s<br>在谈项目 %(pipeline)s 个，招商目标 %(targets)s 家"),
          {name: esc(d.name), state: state, count: esc(d.count), output: wan(d.output), pipeline: esc(d.pipeline),
           targets: esc(d.targets)}, true) +
          (d.masters.length ? interpolate(gettext("<br>链主：%s"), [d.masters.map(esc).join(gettext("、"))]) : "");
      }
    },
    series: [{
      type: "graph", coordinateSystem: "cartesian2d", data: data.nodes, links: data.links,
      edgeSymbol: ["none", "arrow"], edgeSymbolSize: 9,
      label: {show: true, position: "bottom", fontSize: 13, formatter: function (p) { return p.data.name + "\n" + interpolate(gettext("%s家"), [p.data.count]); }},
      lineStyle: {width: 2, color: "#a0aec0", opacity: 0.9}, emphasis: {focus: "adjacency"}
    }]
  });
  chart.on("click", function (p) {
    if (p.dataType !== "node") { return; }
    var url = el.dataset.panelUrl.replace("/0/", "/" + p.data.id + "/");
    if (window.htmx) { htmx.ajax("GET", url, {target: "#segment-panel", swap: "innerHTML"}); }
    else { window.location = url; }
  });
})();
