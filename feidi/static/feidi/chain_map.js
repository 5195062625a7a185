/* The chain map (产业链图谱): segments from upstream (left) to downstream (right), children under
   their parent; size by output, colour by gap state. Clicking a segment loads its panel.
   Nodes sit on two hidden value axes (cartesian2d), so positions are exact at any width. */
(function () {
  var el = document.getElementById("chain-map");
  if (!el || !window.echarts) { return; }
  var data = JSON.parse(document.getElementById("chain-map-data").textContent);
  var chart = echarts.init(el, null, {renderer: "svg"});
  function wan(v) { return (v / 10000).toLocaleString("zh-CN", {maximumFractionDigits: 2}) + " 万元"; }
  chart.setOption({
    animationDuration: 300,
    grid: {left: 48, right: 48, top: 40, bottom: 48},
    xAxis: {type: "value", show: false, min: -0.5, max: Math.max(data.stages - 0.5, 0.5)},
    yAxis: {type: "value", show: false, min: -data.depth - 0.5, max: 0.5},
    tooltip: {
      formatter: function (p) {
        if (p.dataType !== "node") { return ""; }
        var d = p.data, esc = window.Feidi.esc;
        return "<b>" + esc(d.name) + "</b>（" + esc(d.state) + (d.action ? "·" + esc(d.action) : "") + "）<br>企业 " +
          esc(d.count) + " 家，产值 " + wan(d.output) + "<br>在谈项目 " + esc(d.pipeline) + " 个，招商目标 " +
          esc(d.targets) + " 家" + (d.masters.length ? "<br>链主：" + d.masters.map(esc).join("、") : "");
      }
    },
    series: [{
      type: "graph", coordinateSystem: "cartesian2d", data: data.nodes, links: data.links,
      edgeSymbol: ["none", "arrow"], edgeSymbolSize: 9,
      label: {show: true, position: "bottom", fontSize: 13, formatter: function (p) { return p.data.name + "\n" + p.data.count + "家"; }},
      lineStyle: {width: 2, color: "#a0aec0", opacity: 0.9}, emphasis: {focus: "adjacency"}
    }]
  });
  chart.on("click", function (p) {
    if (p.dataType !== "node") { return; }
    var url = el.dataset.panelUrl.replace("/0/", "/" + p.data.id + "/");
    if (window.htmx) { htmx.ajax("GET", url, {target: "#segment-panel", swap: "innerHTML"}); }
    else { window.location = url; }
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
