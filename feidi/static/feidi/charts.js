// Feidi.chart: the one chart setup every page's ECharts go through (loaded after ECharts, before the
// page's script), so each chart follows the same rules at every width:
// - money is shown as the text beside it shows money: in 万元 or 亿元, never as raw 元
//   ("150,000,000,000"). An axis (or a pie series) holding money says the unit of its data:
//   ``money: "元"`` lets the axis choose 万元 or 亿元 from its largest value (as lib.money.human does);
//   ``money: "万元"`` keeps 万元 — a chart whose title names its unit passes its data in that unit.
//   Tooltips of money series read "1.25 亿元".
// - a legend never runs past the chart: it wraps onto up to three rows (the plot moves to make room),
//   beyond that it scrolls; it keeps clear of the toolbox.
// - a pie's labels fit beside the ring: cut with "…" to the room left, the ring smaller on a phone.
// The page's option is kept and the rules applied again when the chart's width changes.
(function () {
  var F = window.Feidi = window.Feidi || {};
  var WAN = 1e4, YI = 1e8, NARROW = 576, ROW = 22, ROWS = 3;

  function number(value, digits) {
    return Number(value).toLocaleString("zh-CN", {maximumFractionDigits: digits === undefined ? 2 : digits});
  }
  // An amount in 元 as a report writes it: 亿元 from 1亿 (after rounding to 0.01万), else 万元.
  F.money = function (yuan, digits) {
    if (yuan === null || yuan === undefined || yuan === "" || isNaN(yuan)) { return "—"; }
    var wan = Math.round(yuan / WAN * 100) / 100;
    return Math.abs(wan) >= WAN ? interpolate(gettext("%s 亿元"), [number(yuan / YI, digits)])
      : interpolate(gettext("%s 万元"), [number(yuan / WAN, digits)]);
  };

  function list(value) { return value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]; }
  function copy(object) { var out = {}; for (var k in object) { if (Object.prototype.hasOwnProperty.call(object, k)) { out[k] = object[k]; } } return out; }
  function valueOf(item) {
    var v = item !== null && typeof item === "object" && !Array.isArray(item) ? item.value : item;
    return typeof v === "number" && isFinite(v) ? v : 0;
  }
  // the largest value an axis shows: stacked series summed per category
  function largest(series) {
    var stacks = {}, most = 0;
    series.forEach(function (s, i) {
      var key = s.stack ? "s:" + s.stack : "i:" + i;
      stacks[key] = stacks[key] || [];
      (s.data || []).forEach(function (item, j) { stacks[key][j] = (stacks[key][j] || 0) + Math.abs(valueOf(item)); });
    });
    Object.keys(stacks).forEach(function (k) { stacks[k].forEach(function (v) { if (v > most) { most = v; } }); });
    return most;
  }
  function moneyAxis(axis, series) {
    var toYuan = axis.money === "万元" ? WAN : 1;
    var divisor = axis.money === "万元" ? WAN : largest(series) * toYuan >= YI ? YI : WAN;
    var out = copy(axis);
    delete out.money;
    out.name = divisor === YI ? gettext("亿元") : gettext("万元");
    var label = copy(axis.axisLabel || {});
    label.formatter = function (v) { return number(v * toYuan / divisor); };
    out.axisLabel = label;
    return out;
  }
  function moneyTip(unit) {
    var toYuan = unit === "万元" ? WAN : 1;
    return function (v) { return unit === "万元" ? interpolate(gettext("%s 万元"), [number(v)]) : F.money(v * toYuan); };
  }
  function axes(option, name, series) {
    var given = option[name];
    if (given === undefined) { return; }
    var all = list(given), changed = false;
    var out = all.map(function (axis, i) {
      if (!axis || !axis.money) { return axis; }
      changed = true;
      var own = series.filter(function (s) { return (s[name + "Index"] || 0) === i; });
      own.forEach(function (s) {
        s.tooltip = copy(s.tooltip || {});
        s.tooltip.valueFormatter = s.tooltip.valueFormatter || moneyTip(axis.money);
      });
      return moneyAxis(axis, own);
    });
    if (changed) { option[name] = Array.isArray(given) ? out : out[0]; }
  }
  // a text's width at the legend's 12 px
  var measure = (function () {
    var ctx = document.createElement("canvas").getContext("2d");
    return function (text) { ctx.font = "12px sans-serif"; return ctx.measureText(String(text)).width; };
  })();
  function legendNames(option, series) {
    var legend = list(option.legend)[0];
    if (legend && legend.data) { return legend.data.map(function (d) { return typeof d === "object" ? d.name : d; }); }
    var names = [];
    series.forEach(function (s) {
      if (s.type === "pie" || s.type === "funnel") { (s.data || []).forEach(function (d) { names.push(d && d.name); }); }
      else if (s.name) { names.push(s.name); }
    });
    return names;
  }
  function legendRows(names, room) {
    var rows = 1, used = 0;
    names.forEach(function (name) {
      var item = 25 + 5 + measure(name || "") + 10;  // the symbol, its gap, the text, the gap to the next
      if (used && used + item > room) { rows += 1; used = 0; }
      used += item;
    });
    return rows;
  }
  function legend(option, series, width) {
    if (!option.legend || Array.isArray(option.legend) || option.legend.orient === "vertical") { return; }
    var out = copy(option.legend);
    var clear = option.toolbox ? 40 : 8;  // the toolbox's corner (a centred legend keeps clear on both sides)
    var rows = legendRows(legendNames(option, series), width - 2 * clear);
    if (rows > 1) {  // one row stays where the page put it; more fill the width between the margins
      out.left = 8;
      out.right = clear;
      delete out.width;
    }
    if (rows > ROWS) { out.type = "scroll"; rows = 1; } else { out.type = "plain"; }
    option.legend = out;
    if (rows > 1 && option.grid && !Array.isArray(option.grid)) {
      var grid = copy(option.grid), side = out.bottom !== undefined ? "bottom" : "top";
      grid[side] = (grid[side] || 60) + (rows - 1) * ROW;
      option.grid = grid;
    }
  }
  function percent(value, whole) {
    if (typeof value === "number") { return value; }
    return parseFloat(value) / 100 * whole;
  }
  function pie(s, el) {
    var width = el.clientWidth, base = Math.min(width, el.clientHeight) / 2;
    var radius = list(s.radius || "75%").slice();
    if (width < NARROW) {  // a smaller ring leaves its labels room on a phone
      radius = radius.map(function (r) { return typeof r === "number" ? r * 0.8 : parseFloat(r) * 0.8 + "%"; });
      s.radius = radius.length === 1 ? radius[0] : radius;
    }
    var outer = percent(radius[radius.length - 1], base);
    var label = copy(s.label || {});
    if (label.position === undefined || label.position === "outside") {
      label.width = Math.max(48, Math.floor(width / 2 - outer - 36));
      label.overflow = "truncate";
      s.label = label;
      s.labelLine = s.labelLine || {length: 8, length2: 8};
      s.labelLayout = s.labelLayout || {hideOverlap: true};
    }
    if (s.money) {
      s.tooltip = copy(s.tooltip || {});
      s.tooltip.valueFormatter = s.tooltip.valueFormatter || moneyTip(s.money);
      delete s.money;
    }
  }
  // the page's option with the rules applied for the element's present width
  function adapt(option, el) {
    var out = copy(option);
    var series = list(option.series).map(copy);
    out.series = series;
    axes(out, "xAxis", series);
    axes(out, "yAxis", series);
    series.forEach(function (s) { if (s.type === "pie") { pie(s, el); } });
    legend(out, series, el.clientWidth);
    return out;
  }
  // Draw ``option`` into ``target`` (an element or its id): the chart, or null where there is none.
  F.chart = function (target, option, opts) {
    var el = typeof target === "string" ? document.getElementById(target) : target;
    if (!el || !window.echarts) { return null; }
    var chart = echarts.init(el, null, {renderer: (opts && opts.renderer) || "svg"});
    var width = el.clientWidth;
    chart.setOption(adapt(option, el));
    window.addEventListener("resize", function () {
      chart.resize();
      if (el.clientWidth !== width) {
        width = el.clientWidth;
        chart.setOption(adapt(option, el), {notMerge: true});
      }
    });
    return chart;
  };
})();
