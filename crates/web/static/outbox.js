// The outbox: check-ins and episodes made without a connection, kept in this browser's
// IndexedDB until they reach the server through the JSON API. Shared by the pages and the
// service worker (importScripts), so it touches no window or document.
//
// Never overwrites silently: a night is sent with `If-None-Match: *`; when the server already
// holds a different one, the item waits as a conflict until the person chooses.
(function (root) {
  "use strict";
  var DB = "quietlegs-outbox";
  var ITEMS = "items";
  var META = "meta";

  function openDb() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () {
        req.result.createObjectStore(ITEMS, { keyPath: "id", autoIncrement: true });
        req.result.createObjectStore(META);
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  // Each call opens and closes the database, so a sign-out can delete it at any time.
  function run(store, mode, fn) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(store, mode);
        var req = fn(t.objectStore(store));
        var result;
        if (req) req.onsuccess = function () { result = req.result; };
        t.oncomplete = function () { db.close(); resolve(result); };
        t.onerror = t.onabort = function () { db.close(); reject(t.error); };
      });
    });
  }

  function meaningful(v) {
    if (v === null || v === undefined || v === "") return false;
    if (typeof v === "object" && Object.keys(v).length === 0) return false;
    return true;
  }

  // Two nights hold the same values (unrecorded fields left out; numbers by value).
  function sameEntry(a, b) {
    var keys = {};
    Object.keys(a || {}).concat(Object.keys(b || {})).forEach(function (k) { keys[k] = true; });
    return Object.keys(keys).every(function (k) {
      var x = a ? a[k] : undefined;
      var y = b ? b[k] : undefined;
      if (!meaningful(x) && !meaningful(y)) return true;
      if (!meaningful(x) || !meaningful(y)) return false;
      if (typeof x === "object" || typeof y === "object") return sameEntry(x, y);
      if (typeof x === "number" || typeof y === "number") return Number(x) === Number(y);
      return String(x) === String(y);
    });
  }

  function headers(session, extra) {
    var h = { "Content-Type": "application/json", "X-CSRF-Token": session.csrf };
    Object.keys(extra || {}).forEach(function (k) { h[k] = extra[k]; });
    return h;
  }

  var Outbox = {
    add: function (item) {
      item.saved_at = new Date().toISOString();
      item.state = item.state || "waiting";
      return run(ITEMS, "readwrite", function (s) { return s.add(item); });
    },
    all: function () { return run(ITEMS, "readonly", function (s) { return s.getAll(); }); },
    put: function (item) { return run(ITEMS, "readwrite", function (s) { return s.put(item); }); },
    remove: function (id) { return run(ITEMS, "readwrite", function (s) { return s.delete(id); }); },
    // Who is signed in and their CSRF token, noted by every signed-in page that loads.
    setSession: function (session) {
      return run(META, "readwrite", function (s) { return s.put(session, "session"); });
    },
    session: function () { return run(META, "readonly", function (s) { return s.get("session"); }); },
    // Forgets everything queued (sign-out).
    clear: function () {
      return new Promise(function (resolve) {
        var req = indexedDB.deleteDatabase(DB);
        req.onsuccess = req.onerror = req.onblocked = function () { resolve(); };
      });
    },
    sameEntry: sameEntry,

    // Sends what is waiting for the signed-in person; returns how many went.
    sync: function () {
      var work = function () { return Outbox._sync(); };
      if (root.navigator && root.navigator.locks) {
        return root.navigator.locks.request("quietlegs-outbox", work);
      }
      return work();
    },

    _sync: function () {
      return Promise.all([Outbox.session(), Outbox.all()]).then(function (got) {
        var session = got[0];
        var items = got[1] || [];
        var sent = 0;
        if (!session) return sent;
        var chain = Promise.resolve(true);
        items.forEach(function (item) {
          chain = chain.then(function (go) {
            // Another account's items are left for it; a conflict waits for the person.
            if (!go || item.user !== session.user || item.state !== "waiting") return go;
            return Outbox._send(item, session).then(function (done) {
              if (done === "sent") sent += 1;
              return done !== "stop";
            });
          });
        });
        return chain.then(function () { return sent; }, function () { return sent; });
      });
    },

    // "sent", "kept" (conflict or refusal noted) or "stop" (offline, or the session ended).
    _send: function (item, session) {
      if (item.kind === "episode") {
        return fetch("/api/v1/episodes", {
          method: "POST", headers: headers(session), body: JSON.stringify({ at: item.at }),
        }).then(function (r) {
          if (r.status === 201) return Outbox.remove(item.id).then(function () { return "sent"; });
          if (r.status === 401 || r.status === 403) return "stop";
          return Outbox._refused(item, r);
        }, function () { return "stop"; });
      }
      var url = "/api/v1/journal/" + encodeURIComponent(item.night);
      var conflictWith = function (server) {
        if (sameEntry(server, item.entry)) {
          return Outbox.remove(item.id).then(function () { return "sent"; });
        }
        item.state = "conflict";
        item.server = server;
        return Outbox.put(item).then(function () { return "kept"; });
      };
      return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
        if (r.status === 200) return r.json().then(conflictWith);
        if (r.status === 401 || r.status === 403) return "stop";
        if (r.status !== 404) return "stop";
        return fetch(url, {
          method: "PUT", headers: headers(session, { "If-None-Match": "*" }), body: JSON.stringify(item.entry),
        }).then(function (p) {
          if (p.ok) return Outbox.remove(item.id).then(function () { return "sent"; });
          if (p.status === 412) {
            return fetch(url).then(function (g) { return g.json(); }).then(conflictWith);
          }
          if (p.status === 401 || p.status === 403) return "stop";
          return Outbox._refused(item, p);
        });
      }, function () { return "stop"; });
    },

    _refused: function (item, response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        item.state = "refused";
        item.message = (body && body.error && body.error.message) || ("the server answered " + response.status);
        return Outbox.put(item).then(function () { return "kept"; });
      });
    },

    // The person chose: "phone" sends this phone's night over the stored one, "server" drops it.
    resolve: function (id, keep, session) {
      return Outbox.all().then(function (items) {
        var item = (items || []).filter(function (i) { return i.id === id; })[0];
        if (!item) return false;
        if (keep !== "phone") return Outbox.remove(id).then(function () { return true; });
        return fetch("/api/v1/journal/" + encodeURIComponent(item.night), {
          method: "PUT", headers: headers(session), body: JSON.stringify(item.entry),
        }).then(function (r) {
          if (!r.ok) return false;
          return Outbox.remove(id).then(function () { return true; });
        });
      });
    },
  };

  root.QuietlegsOutbox = Outbox;
})(self);
