/* Maps drawn from GeoJSON served by Feidi itself: the city's districts with its zones, and a
   zone's parcels coloured by 亩均 class. No tile or boundary comes from the internet. */
(function () {
  if (!window.echarts) { return; }
  var charts = [];
  var tools = {feature: {saveAsImage: {title: gettext("保存图片"), pixelRatio: 2}}, right: 8};
  var cityEl = document.getElementById("city-map");
  if (cityEl) {
    var d = JSON.parse(document.getElementById("city-map-data").textContent);
    fetch(d.geo_url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (geo) {
      echarts.registerMap("feidi-city", geo);
      var max = Math.max.apply(null, d.points.map(function (p) { return p.value[2]; }).concat([1]));
      var c = echarts.init(cityEl, null, {renderer: "svg"});
      c.setOption({
        animation: false, toolbox: tools,
        tooltip: {trigger: "item", formatter: function (p) {
          var esc = window.Feidi.esc;
          if (p.seriesType !== "scatter") { return esc(p.name); }
          var v = p.data.value[2], g = p.data.growth;
          if (p.data.withheld) { return "<b>" + esc(p.name) + "</b><br>" + esc(d.name) + "：" + gettext("未公布"); }
          return "<b>" + esc(p.name) + "</b><br>" + esc(d.name) + "：" +
            (d.unit === "元" ? interpolate(gettext("%s 亿元"), [(v / 1e8).toFixed(2)]) : esc(v) + " " + esc(d.unit)) +
            (g === null ? "" : interpolate(gettext("<br>同比：%s"), [(g * 100).toFixed(1) + "%"])) +
            (p.data.published ? gettext("（公布数）") : "");
        }},
        visualMap: {min: 0, max: max, calculable: true, seriesIndex: 1, left: 8, bottom: 8, text: [gettext("高"), gettext("低")],
                    formatter: function (v) {
                      return d.unit === "元" ? interpolate(gettext("%s 亿元"), [(v / 1e8).toFixed(1)])
                        : Math.round(v) + " " + window.Feidi.esc(d.unit);
                    },
                    inRange: {color: ["#a5d8ff", "#1c7ed6", "#d6336c"]}},
        geo: {map: "feidi-city", roam: false, label: {show: true, fontSize: 11, color: "#666"},
              itemStyle: {areaColor: "#f1f3f5", borderColor: "#adb5bd"}, emphasis: {itemStyle: {areaColor: "#e9ecef"}}},
        series: [{type: "map", geoIndex: 0, data: []},
                 {type: "scatter", coordinateSystem: "geo", data: d.points,
                  symbolSize: function (v) { return 10 + 30 * Math.sqrt(v[2] / max); },
                  label: {show: true, position: "right", formatter: "{b}", fontSize: 12}}]
      });
      charts.push(c);
    });
  }
  var zoneEl = document.getElementById("zone-map");
  if (zoneEl) {
    var geo = JSON.parse(document.getElementById("zone-map-data").textContent);
    echarts.registerMap("feidi-parcels", geo);
    var colours = {A: "#2fb344", B: "#206bc4", C: "#f59f00", D: "#d63939", "": "#ced4da"};
    var z = echarts.init(zoneEl);
    z.setOption({
      animation: false, toolbox: tools,
      tooltip: {trigger: "item", formatter: function (p) {
        var esc = window.Feidi.esc;
        var f = geo.features.find(function (x) { return x.properties.name === p.name; }) || {properties: {}};
        return interpolate(gettext("<b>地块 %s</b>"), [esc(p.name)]) + "<br>" +
          esc(f.properties.organization || gettext("未关联企业")) +
          (f.properties.grade ? interpolate(gettext("<br>亩均评价：%s类"), [esc(f.properties.grade)]) : gettext("<br>未评价")) +
          (f.properties.area ? interpolate(gettext("<br>面积：%s 亩"), [esc(f.properties.area)]) : "");
      }},
      series: [{type: "map", map: "feidi-parcels", label: {show: false},
                data: geo.features.map(function (f) {
                  return {name: f.properties.name, itemStyle: {areaColor: colours[f.properties.grade || ""]}};
                }), itemStyle: {borderColor: "#fff", borderWidth: 1}, emphasis: {label: {show: true}}}]
    });
    charts.push(z);
  }
  // ECharts' map view throws when resized in the middle of a frame: resize once things settle.
  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 150);
  });
})();
