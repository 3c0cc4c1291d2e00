// Inspection form: signatures drawn on the screen, and a draft kept on the device when the
// connection drops (sent again when it is back). Our own code; no library.
(function () {
  "use strict";
  var form = document.getElementById("inspection-form");
  if (!form) return;

  // --- signature pads: draw with finger or mouse, store a PNG data URL in the hidden input ---
  form.querySelectorAll("canvas.signature").forEach(function (canvas) {
    var ctx = canvas.getContext("2d"), drawing = false, input = form.elements[canvas.dataset.target];
    ctx.lineWidth = 2; ctx.lineCap = "round";
    function pos(ev) {
      var r = canvas.getBoundingClientRect(), p = ev.touches ? ev.touches[0] : ev;
      return [(p.clientX - r.left) * canvas.width / r.width, (p.clientY - r.top) * canvas.height / r.height];
    }
    function start(ev) { drawing = true; var p = pos(ev); ctx.beginPath(); ctx.moveTo(p[0], p[1]); ev.preventDefault(); }
    function move(ev) { if (!drawing) return; var p = pos(ev); ctx.lineTo(p[0], p[1]); ctx.stroke(); ev.preventDefault(); }
    function end() { if (drawing) { drawing = false; input.value = canvas.toDataURL("image/png"); } }
    canvas.addEventListener("pointerdown", start); canvas.addEventListener("pointermove", move);
    window.addEventListener("pointerup", end);
    var clear = form.querySelector('[data-clear="' + canvas.dataset.target + '"]');
    if (clear) clear.addEventListener("click", function () { ctx.clearRect(0, 0, canvas.width, canvas.height); input.value = ""; });
  });

  // --- offline draft: every change is kept in localStorage; a failed submit keeps it and retries ---
  var key = form.dataset.draftKey, status = document.getElementById("offline-status");
  function fields() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.type === "submit") return;
      if (el.type === "radio") { if (el.checked) data[el.name] = el.value; } else { data[el.name] = el.value; }
    });
    return data;
  }
  function restore() {
    var saved = localStorage.getItem(key);
    if (!saved) return;
    var data = JSON.parse(saved);
    Object.keys(data).forEach(function (name) {
      if (name === "csrfmiddlewaretoken" || name === "version") return;
      var els = form.querySelectorAll('[name="' + name + '"]');
      els.forEach(function (el) { if (el.type === "radio") el.checked = el.value === data[name]; else el.value = data[name]; });
    });
  }
  if (localStorage.getItem(key + "-sent")) { localStorage.removeItem(key); localStorage.removeItem(key + "-sent"); }
  restore();
  form.addEventListener("change", function () { localStorage.setItem(key, JSON.stringify(fields())); });
  form.addEventListener("submit", function (ev) {
    if (navigator.onLine !== false) { localStorage.setItem(key + "-sent", "1"); return; }  // normal submit
    ev.preventDefault();
    localStorage.setItem(key, JSON.stringify(fields()));
    status.textContent = form.dataset.offlineMessage; status.hidden = false;
    window.addEventListener("online", function () { form.submit(); }, { once: true });
  });
})();
