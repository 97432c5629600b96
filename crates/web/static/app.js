// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  function minutesText(ms) {
    if (ms <= 0) return "now";
    var m = Math.round(ms / 60000);
    return "in " + Math.floor(m / 60) + " h " + (m % 60) + " min";
  }

  function enhance(root) {
    // Fill an empty time-zone field from the browser.
    root.querySelectorAll("[data-fill-timezone]").forEach(function (input) {
      if (!input.value && window.Intl) {
        try { input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* leave empty */ }
      }
    });
    // Live countdown to bedtime.
    root.querySelectorAll("[data-bedtime]").forEach(function (el) {
      var at = Date.parse(el.getAttribute("data-bedtime"));
      var left = el.querySelector(".left");
      if (isNaN(at) || !left) return;
      var tick = function () { left.textContent = minutesText(at - Date.now()); };
      tick();
      if (el._timer) clearInterval(el._timer);
      el._timer = setInterval(tick, 30000);
    });
    // Breathing cues in words, in step with the circle's animation.
    root.querySelectorAll("details.pacer").forEach(function (d) {
      var cue = d.querySelector(".cue");
      var phases = d.classList.contains("coherent")
        ? [["Breathe in", 5], ["Breathe out", 5]]
        : [["Breathe in", 4], ["Hold", 7], ["Breathe out slowly", 8]];
      var timer = null;
      d.addEventListener("toggle", function () {
        if (timer) { clearTimeout(timer); timer = null; }
        if (!d.open || !cue) return;
        var i = 0;
        var step = function () {
          cue.textContent = phases[i][0] + " (" + phases[i][1] + " s)";
          timer = setTimeout(step, phases[i][1] * 1000);
          i = (i + 1) % phases.length;
        };
        step();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function (e) { enhance(e.target); });
})();

// The phone at the bedside: the service worker, check-ins kept offline (outbox.js) and sent
// when the connection returns, a night saved elsewhere shown rather than overwritten, and
// everything kept on the phone forgotten at sign-out.
(function () {
  "use strict";
  var Outbox = window.QuietlegsOutbox;
  if (!Outbox || !window.indexedDB) return;

  var NUMBERS = ["sleep_hours", "caffeine_mg", "alcohol_drinks", "exercise_minutes"];
  var INTEGERS = ["awakenings"];
  var FLAGS = ["sugar_late", "antihistamine", "beyond_legs"];
  var TEXT = ["onset", "last_caffeine", "exercise_end", "exercise_intensity", "notes"];

  function user() {
    var m = document.querySelector('meta[name="quietlegs-user"]');
    return m ? m.getAttribute("content") : null;
  }

  function csrf() {
    var i = document.querySelector('input[name="csrf_token"]');
    return i ? i.value : null;
  }

  // The night a check-in made now means (before 15:00, last night), as the server decides.
  function defaultNight() {
    var d = new Date();
    if (d.getHours() < 15) d.setDate(d.getDate() - 1);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }

  // A check-in form as the JSON API's night (the same fields the form posts).
  function entryFrom(data) {
    var first = function (name) {
      var all = data.getAll(name).map(function (v) { return String(v).trim(); }).filter(Boolean);
      return all.length ? all[0] : null;
    };
    var severity = first("severity");
    var entry = { night: first("night"), severity: severity === null ? NaN : Number(severity) };
    NUMBERS.forEach(function (k) { if (first(k) !== null) entry[k] = Number(first(k)); });
    INTEGERS.forEach(function (k) { if (first(k) !== null) entry[k] = parseInt(first(k), 10); });
    FLAGS.forEach(function (k) { if (first(k) !== null) entry[k] = first(k) === "1"; });
    TEXT.forEach(function (k) { if (first(k) !== null) entry[k] = first(k); });
    var took = {};
    data.getAll("offered").forEach(function (id) { took[id] = data.has("took:" + id); });
    if (Object.keys(took).length) entry.took = took;
    return entry;
  }

  function box() {
    var el = document.getElementById("outbox");
    if (!el) {
      el = document.createElement("div");
      el.id = "outbox";
      el.className = "notice";
      el.setAttribute("role", "status");
      var main = document.getElementById("main");
      if (!main) return null;
      main.insertBefore(el, main.firstChild);
    }
    return el;
  }

  function describe(e) {
    if (!e) return "";
    var parts = ["severity " + e.severity];
    Object.keys(e).forEach(function (k) {
      if (k === "night" || k === "severity" || e[k] === null || e[k] === undefined || e[k] === false || e[k] === "") return;
      if (e[k] === true) { parts.push(k.replace(/_/g, " ")); return; }
      if (k === "took") {
        var t = Object.keys(e.took).filter(function (id) { return e.took[id]; });
        if (t.length) parts.push("took " + t.join(", "));
        return;
      }
      parts.push(k.replace(/_/g, " ") + " " + e[k]);
    });
    return parts.join("; ");
  }

  function p(text) { var el = document.createElement("p"); el.textContent = text; return el; }

  function show(items) {
    var me = user();
    var el = box();
    if (!el) return;
    el.textContent = "";
    var mine = items.filter(function (i) { return !me || i.user === me; });
    var waiting = mine.filter(function (i) { return i.state === "waiting"; });
    if (waiting.length) {
      el.appendChild(p("Saved on this phone, will sync: " + waiting.map(function (i) {
        return i.kind === "episode" ? "legs acting up at " + i.local_time : "the night of " + i.night;
      }).join(", ") + "."));
    }
    mine.filter(function (i) { return i.state === "refused"; }).forEach(function (i) {
      el.appendChild(p("The night of " + i.night + " from this phone was not accepted: " + i.message));
    });
    mine.filter(function (i) { return i.state === "conflict"; }).forEach(function (i) {
      var c = document.createElement("section");
      c.className = "conflict";
      c.setAttribute("aria-label", "Two versions of the night of " + i.night);
      c.appendChild(p("The night of " + i.night + " was also saved on another device. Which one should stay?"));
      var phone = document.createElement("pre");
      phone.textContent = "On this phone: " + describe(i.entry);
      var server = document.createElement("pre");
      server.textContent = "Saved already: " + describe(i.server);
      c.appendChild(phone);
      c.appendChild(server);
      [["phone", "Keep this phone's"], ["server", "Keep the saved one"]].forEach(function (choice) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = choice[0] === "server" ? "secondary" : "";
        b.setAttribute("data-keep", choice[0]);
        b.textContent = choice[1];
        b.addEventListener("click", function () {
          Outbox.resolve(i.id, choice[0], { user: me, csrf: csrf() }).then(refresh);
        });
        c.appendChild(b);
      });
      el.appendChild(c);
    });
    el.hidden = el.childNodes.length === 0;
  }

  function refresh() { return Outbox.all().then(show); }

  function sync() {
    if (!navigator.onLine) return refresh();
    return Outbox.sync().then(refresh, refresh);
  }

  function askForSync() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.sync) return reg.sync.register("quietlegs-outbox");
    }).catch(function () { /* the online event and the next page load will send it */ });
  }

  function queue(item) {
    return Outbox.session().then(function (session) {
      var who = user() || (session && session.user);
      if (!who) {
        var el = box();
        if (el) { el.hidden = false; el.textContent = "Sign in once while online; after that check-ins can be saved on this phone."; }
        return false;
      }
      item.user = who;
      return Outbox.add(item).then(function () { askForSync(); return refresh(); }).then(function () { return true; });
    });
  }

  // Offline, a check-in (full, one tap, or "acting up") stays on the phone instead of failing.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.matches("form.signout")) {
      e.preventDefault();
      e.stopImmediatePropagation();
      var clearCaches = window.caches
        ? caches.keys().then(function (keys) { return Promise.all(keys.map(function (k) { return caches.delete(k); })); })
        : Promise.resolve();
      Promise.all([Outbox.clear(), clearCaches]).catch(function () {}).then(function () {
        HTMLFormElement.prototype.submit.call(form);
      });
      return;
    }
    var offlineShell = form.hasAttribute("data-offline-checkin");
    var kind = formKind(form);
    if (!kind || (navigator.onLine && !offlineShell)) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    var data = new FormData(form);
    if (e.submitter && e.submitter.name) data.append(e.submitter.name, e.submitter.value);
    keep(kind, data);
  }, true);

  // What a form records: a night (the full check-in, the one-tap row, the offline shell's),
  // an episode, or nothing this file keeps.
  function formKind(form) {
    if (form.matches("form.episode")) return "episode";
    if (form.id === "checkin-form" || form.hasAttribute("data-offline-checkin") || form.matches("form.quick-severity")) return "night";
    return null;
  }

  // Keeps a check-in or an episode on the phone until it can be sent.
  function keep(kind, data) {
    if (kind === "episode") {
      var now = new Date();
      // Then what helps now, as online: this page's toolkit, or the offline shell's.
      return queue({ kind: "episode", at: now.toISOString(), local_time: now.toTimeString().slice(0, 5) }).then(function (kept) {
        if (!kept) return;
        if (document.getElementById("toolkit")) window.location.hash = "toolkit";
        else window.location.href = "/tonight#toolkit";
      });
    }
    var entry = entryFrom(data);
    if (!entry.night || isNaN(entry.severity)) return Promise.resolve();
    return queue({ kind: "night", night: entry.night, entry: entry }).then(function () {
      if (navigator.onLine) sync();
    });
  }

  document.addEventListener("htmx:sendError", function (e) {
    var cfg = e.detail && e.detail.requestConfig;
    if (!cfg) return;
    // A link htmx could not fetch: let the browser try, so the service worker can answer with
    // the offline page.
    if (cfg.verb === "get" && cfg.path) {
      window.location.href = cfg.path;
      return;
    }
    // A check-in the phone thought it could send but the server never got (a connection that
    // is up but goes nowhere): kept like one made offline.
    var elt = e.detail.elt;
    var form = elt && elt.closest ? elt.closest("form") : null;
    var kind = form ? formKind(form) : null;
    if (cfg.verb !== "post" || !kind) return;
    keep(kind, cfg.formData instanceof FormData ? cfg.formData : new FormData(form));
  });

  window.addEventListener("online", sync);
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener("message", function (e) {
      if (e.data && e.data.type === "outbox-synced") refresh();
    });
  }

  function start() {
    // The shell stands in for whichever page was asked for: /checkin?night=D keeps its night.
    var asked = new URLSearchParams(window.location.search).get("night");
    var night = asked && /^\d{4}-\d{2}-\d{2}$/.test(asked) ? asked : defaultNight();
    document.querySelectorAll("[data-default-night]").forEach(function (i) { if (!i.value) i.value = night; });
    var me = user();
    var token = csrf();
    var ready = me && token ? Outbox.setSession({ user: me, csrf: token }) : Promise.resolve();
    ready.then(sync, refresh);
    if ("serviceWorker" in navigator) {
      // After the page has loaded, so installing the worker (it fetches the static files) never
      // competes with drawing the page.
      var register = function () {
        navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { /* optional */ });
      };
      if (document.readyState === "complete") register();
      else window.addEventListener("load", register);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
