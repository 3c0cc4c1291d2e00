// Inspection form: signatures drawn on the screen, and a draft kept on the device when the
// connection drops (sent again when it is back). The checklist itself is core/_checklist.html with
// checklist.js; its radios, notes and photo inputs are ordinary named fields, kept here like any other.
// Our own code; no library.
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

  // --- offline draft: fields in localStorage, photos (the files themselves) in IndexedDB; a submit
  // made without a connection is kept and sent when the connection is back. The service worker
  // (/sw.js) keeps this page so it can be reopened offline. ---
  var key = form.dataset.draftKey, status = document.getElementById("offline-status");
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(function () {});

  var photos = {  // photo drafts: one IndexedDB record per file input, holding its File objects
    open: function () {
      return new Promise(function (resolve, reject) {
        if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
        var req = indexedDB.open("shian-drafts", 1);
        req.onupgradeneeded = function () { req.result.createObjectStore("photos"); };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
      });
    },
    run: function (mode, fn) {
      return photos.open().then(function (db) {
        return new Promise(function (resolve, reject) {
          var tx = db.transaction("photos", mode), req = fn(tx.objectStore("photos"));
          tx.oncomplete = function () { resolve(req && req.result); };
          tx.onerror = function () { reject(tx.error); };
        });
      });
    },
    put: function (name, files) { return photos.run("readwrite", function (s) { return s.put(files, key + ":" + name); }); },
    get: function (name) { return photos.run("readonly", function (s) { return s.get(key + ":" + name); }); },
    forget: function () {
      return photos.run("readwrite", function (s) { return s.delete(IDBKeyRange.bound(key + ":", key + ":\uffff")); });
    }
  };
  var fileInputs = form.querySelectorAll('input[type="file"]');

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
    if (saved) {
      var data = JSON.parse(saved);
      Object.keys(data).forEach(function (name) {
        if (name === "csrfmiddlewaretoken" || name === "version") return;
        var els = form.querySelectorAll('[name="' + name + '"]');
        els.forEach(function (el) { if (el.type === "radio") el.checked = el.value === data[name]; else el.value = data[name]; });
      });
    }
    fileInputs.forEach(function (input) {  // put kept photos back into their inputs
      photos.get(input.name).then(function (files) {
        if (!files || !files.length || input.files.length || !window.DataTransfer) return;
        var transfer = new DataTransfer();
        files.forEach(function (f) { transfer.items.add(f); });
        input.files = transfer.files;
        input.dataset.restored = String(files.length);
        input.title = form.dataset.photosKept;
        restored();
      }).catch(function () {});
    });
    restored();
  }
  // the checklist (checklist.js) repaints its cards and counter from what was put back
  function restored() { form.dispatchEvent(new Event("shian:restored", { bubbles: true })); }
  // A submit is known to have landed when the page comes back with a newer version than the draft's:
  // only then is the draft forgotten. A submit lost on the way (the connection dropped after the check)
  // leaves the draft in place, and it is restored here.
  var sent = localStorage.getItem(key + "-sent"), savedDraft = localStorage.getItem(key);
  var version = form.elements.version ? Number(form.elements.version.value) : 0;
  if (sent && (!savedDraft || version > Number(JSON.parse(savedDraft).version || 0))) {
    localStorage.removeItem(key); localStorage.removeItem(key + "-sent");
    photos.forget().catch(function () {});
  } else {
    localStorage.removeItem(key + "-sent");
    restore();
  }
  form.addEventListener("change", function (ev) {
    localStorage.setItem(key, JSON.stringify(fields()));
    if (ev.target.type === "file") photos.put(ev.target.name, Array.prototype.slice.call(ev.target.files)).catch(function () {});
  });

  function reachable() {  // the server answers (a connected Wi-Fi without a route to it does not count)
    return fetch("/sw.js", { method: "HEAD", cache: "no-store", credentials: "same-origin" })
      .then(function (r) { return r.ok; }, function () { return false; });
  }
  var waiting = null;
  function send(button) {
    reachable().then(function (ok) {
      if (!ok) {
        status.textContent = form.dataset.offlineMessage; status.hidden = false;
        if (!waiting) {
          waiting = function () { send(button); };
          window.addEventListener("online", waiting);
          waiting.timer = window.setInterval(waiting, 20000);
        }
        return;
      }
      if (waiting) { window.removeEventListener("online", waiting); window.clearInterval(waiting.timer); waiting = null; }
      if (button && button.name) {  // keep which button was pressed (save or close)
        var hidden = document.createElement("input");
        hidden.type = "hidden"; hidden.name = button.name; hidden.value = button.value; form.appendChild(hidden);
      }
      localStorage.setItem(key + "-sent", "1");
      form.submit();
    });
  }
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    localStorage.setItem(key, JSON.stringify(fields()));
    send(ev.submitter);
  });
})();
