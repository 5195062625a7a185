// The live lot: countdown from the server clock, bid panel sync.
(function () {
  // Countdown from the server's clock (the page carries the server time it was rendered at).
  var offset = 0;
  function pad(n) { return n < 10 ? "0" + n : "" + n; }
  function tick() {
    var el = document.getElementById("lot-countdown");
    if (!el) return;
    var left = Math.max(0, Number(el.dataset.countdown) - (Date.now() + offset));
    var s = Math.floor(left / 1000), d = Math.floor(s / 86400);
    el.textContent = (d ? interpolate(gettext("%s天 "), [d]) : "") + pad(Math.floor(s % 86400 / 3600)) + ":" + pad(Math.floor(s % 3600 / 60)) + ":" + pad(s % 60);
  }
  var initialPhase = (document.getElementById("lot-live") || {dataset: {}}).dataset.phase;
  function sync() {
    var live0 = document.getElementById("lot-live");
    // 开拍 or 结拍 while the page is open: reload so the bid panel matches (unless one is typing).
    if (live0 && live0.dataset.phase !== initialPhase && document.activeElement.id !== "id_amount") {
      window.location.reload();
      return;
    }
    var el = document.getElementById("lot-countdown");
    if (el) offset = Number(el.dataset.serverNow) - Date.now();
    var live = document.getElementById("lot-live"), input = document.getElementById("id_amount");
    if (live && input && document.activeElement !== input && !input.dataset.touched) {
      input.value = live.dataset.minimum;
      input.min = live.dataset.minimum;
    }
    var hint = document.getElementById("bid-minimum");
    if (hint && live && live.dataset.phase === "open") {
      hint.textContent = "¥" + Number(live.dataset.minimum).toLocaleString("zh-CN", {minimumFractionDigits: 2, maximumFractionDigits: 2});
    }
    tick();
  }
  document.addEventListener("input", function (e) { if (e.target.id === "id_amount") e.target.dataset.touched = "1"; });
  document.body.addEventListener("htmx:afterSwap", sync);
  sync();
  setInterval(tick, 1000);
})();
