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
  // tabs loaded by htmx: once the tab's content is in, its tab is the highlighted one (after the swap,
  // so htmx's history snapshot of the previous address keeps the previous highlight for "back")
  document.body.addEventListener("htmx:afterSwap", function (ev) {
    var tab = ev.detail.requestConfig && ev.detail.requestConfig.elt;
    if (!tab || !tab.matches || !tab.matches("nav.tabs a[role=tab]")) return;
    tab.closest("nav.tabs").querySelectorAll("a[role=tab]").forEach(function (a) {
      a.classList.toggle("active", a === tab);
      a.setAttribute("aria-selected", a === tab ? "true" : "false");
    });
  });
});
