// ShiAn's service worker: keeps the inspection pages an inspector has opened, and the site's own
// static files, so a page can be reopened when the connection drops (network first, the kept copy
// when the network fails). Nothing else is kept; the copies are deleted at log-out, when the server
// answers with the login page (the session ended: idle timeout, absolute lifetime, another log-out), and
// a copy older than a session may live is never shown. Our own code.
"use strict";
var CACHE = "shian-offline-v1";
var MAX_AGE_MS = 12 * 60 * 60 * 1000; // the absolute session lifetime (SHIAN_SESSION_ABSOLUTE_SECONDS' default)
var KEPT_AT = "X-Shian-Kept-At";

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
  if (request.mode === "navigate" && new URL(request.url).pathname.indexOf("/login/") === 0) {
    event.waitUntil(caches.delete(CACHE)); // the login page: no session any more (or a new one coming)
    return;
  }
  if (!keep(request)) return;
  event.respondWith(
    fetch(request).then(function (response) {
      // a kept page that now redirects (a navigation's redirect is opaque here): the session is over
      if (response.type === "opaqueredirect" || (response.redirected && new URL(response.url).pathname.indexOf("/login/") === 0)) {
        caches.delete(CACHE); // the session is over: nothing of it stays on this phone
        return response;
      }
      if (response.ok && response.type === "basic" && !response.redirected) {
        var copy = response.clone();
        copy.blob().then(function (body) {
          var headers = new Headers(copy.headers);
          headers.set(KEPT_AT, String(Date.now()));
          var kept = new Response(body, { status: copy.status, statusText: copy.statusText, headers: headers });
          return caches.open(CACHE).then(function (cache) { return cache.put(request, kept); });
        });
      }
      return response;
    }).catch(function (error) {
      return caches.match(request).then(function (hit) {
        var at = hit && Number(hit.headers.get(KEPT_AT));
        if (hit && at && Date.now() - at < MAX_AGE_MS) return hit;
        if (hit) caches.open(CACHE).then(function (cache) { cache.delete(request); });
        throw error;
      });
    })
  );
});

self.addEventListener("message", function (event) {
  if (event.data === "forget") event.waitUntil(caches.delete(CACHE));
});
