// ShiAn's own script: progressive enhancement only; every page works without it.
document.addEventListener("DOMContentLoaded", function () {
  // auto-submit filter forms when a select changes (the search box submits on Enter)
  document.querySelectorAll("form.filters select").forEach(function (el) {
    el.addEventListener("change", function () { el.form.requestSubmit(); });
  });
  // log-out forgets the pages the service worker kept for offline use (shared phones)
  document.querySelectorAll("form[data-logout]").forEach(function (form) {
    form.addEventListener("submit", function () {
      if (window.caches) window.caches.delete("shian-offline-v1");
      if (navigator.serviceWorker && navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage("forget");
    });
  });
  // confirm destructive buttons
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (ev) { if (!window.confirm(el.dataset.confirm)) ev.preventDefault(); });
  });
});
