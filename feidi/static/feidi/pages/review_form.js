// The expert's weighted score as it is typed.
(function () {
  var box = document.getElementById("weighted");
  var weights = box.getAttribute("data-weights").split(",").map(Number);
  function update() {
    var total = 0, complete = true;
    weights.forEach(function (w, i) {
      var el = document.getElementById("id_c" + i);
      if (!el || el.value === "") { complete = false; return; }
      total += Number(el.value) * w / 100;
    });
    box.textContent = complete ? interpolate(gettext("加权得分：%s"), [total.toFixed(2)]) : gettext("加权得分 = Σ 得分 × 权重 ÷ 100");
  }
  document.addEventListener("input", update);
  update();
})();
