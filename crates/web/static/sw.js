// Quietlegs' service worker. It caches the static files and one offline shell (/offline, drawn
// for nobody) and nothing else: pages drawn for a person and every API answer hold health data
// and always come from the network. Navigations with no network get the shell, whose check-in
// is kept on the phone (outbox.js) and sent when the connection returns.
importScripts("/static/outbox.js");

var VERSION = "__QUIETLEGS_VERSION__";
var CACHE = "quietlegs-" + VERSION;
// Every file under /static/ (the server writes the list in) and the shell.
var SHELL = ["/offline", "/manifest.webmanifest"].concat(__QUIETLEGS_STATIC__);

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(SHELL); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("quietlegs-") === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function isStatic(url) {
  return url.pathname.indexOf("/static/") === 0 || url.pathname === "/manifest.webmanifest";
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () {
      return caches.match("/offline", { cacheName: CACHE });
    }));
    return;
  }
  if (isStatic(url)) {
    event.respondWith(caches.match(request, { cacheName: CACHE }).then(function (hit) {
      return hit || fetch(request);
    }));
  }
  // Everything else (pages fetched by htmx, the API) goes to the network untouched.
});

function tellPages(sent) {
  return self.clients.matchAll({ type: "window" }).then(function (pages) {
    pages.forEach(function (p) { p.postMessage({ type: "outbox-synced", sent: sent }); });
  });
}

// Background Sync: the browser wakes the worker once a connection is back.
self.addEventListener("sync", function (event) {
  if (event.tag === "quietlegs-outbox") {
    event.waitUntil(self.QuietlegsOutbox.sync().then(tellPages));
  }
});

// Web Push (server mode): a reminder arrives as generic text (the server never puts health data
// in one) and is shown as a notification; a tap opens its page in this app, same origin only.
function reminderPage(url) {
  return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" ? url : "/";
}

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  var text = function (v, fallback) { return typeof v === "string" && v ? v : fallback; };
  event.waitUntil(self.registration.showNotification(text(data.title, "Quietlegs"), {
    body: text(data.body, ""),
    tag: text(data.tag, "quietlegs"),
    icon: "/static/icon-192.png",
    data: { url: reminderPage(data.url) },
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var page = reminderPage(event.notification.data && event.notification.data.url);
  var target = new URL(page, self.location.origin).href;
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (open) {
    for (var i = 0; i < open.length; i++) {
      if (new URL(open[i].url).origin === self.location.origin && "focus" in open[i]) {
        return open[i].focus().then(function (c) { return c && c.navigate ? c.navigate(target) : c; });
      }
    }
    return self.clients.openWindow(target);
  }));
});

// The browser renewed the subscription (or its push service expired it): hand the new one to the
// server with the session the pages keep for the outbox. Without one (signed out), nothing is
// sent; the server forgets the old endpoint when its push service answers 410.
self.addEventListener("pushsubscriptionchange", function (event) {
  var old = event.oldSubscription;
  var key = old && old.options && old.options.applicationServerKey;
  var renewed = event.newSubscription ? Promise.resolve(event.newSubscription)
    : key ? self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key })
    : Promise.reject(new Error("no key to renew with"));
  event.waitUntil(renewed.then(function (subscription) {
    return self.QuietlegsOutbox.session().then(function (session) {
      if (!session) return null;
      return fetch("/api/v1/push/subscriptions", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": session.csrf },
        body: JSON.stringify(subscription.toJSON()),
      });
    });
  }).catch(function () { /* the next visit to settings offers the button again */ }));
});
