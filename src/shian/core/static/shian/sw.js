// ShiAn's service worker: keeps the inspection pages an inspector has opened, and the site's own
// static files, so a page can be reopened when the connection drops (network first, the kept copy
// when the network fails). Nothing else is kept; the copies are deleted at log-out. Our own code.
"use strict";
var CACHE = "shian-offline-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function keep(request) {
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return false;
  if (url.pathname.indexOf("/static/") === 0) return true;
  return request.mode === "navigate" && url.pathname.indexOf("/inspections/") === 0;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (!keep(request)) return;
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok && response.type === "basic" && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function (error) {
      return caches.match(request).then(function (hit) { if (hit) return hit; throw error; });
    })
  );
});

self.addEventListener("message", function (event) {
  if (event.data === "forget") event.waitUntil(caches.delete(CACHE));
});
