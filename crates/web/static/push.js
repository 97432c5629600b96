// "Remind me on this phone": subscribes this browser to Web Push (server mode) and hands the
// subscription to the server. The control stays hidden where the browser cannot do push; the
// server's key is asked for only on a tap, so pages load with no extra request.
(function () {
  "use strict";
  if (window.QuietlegsPush) { window.QuietlegsPush.bind(); return; }

  function supported() {
    return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  }

  function csrf() {
    var i = document.querySelector('input[name="csrf_token"]');
    return i ? i.value : "";
  }

  // applicationServerKey wants bytes; the server gives base64url.
  function keyBytes(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var raw = atob(b64);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function api(method, path, body) {
    return fetch(path, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (r) {
      if (r.ok) return r.status === 204 ? null : r.json();
      return r.json().catch(function () { return {}; }).then(function (e) {
        var message = e && e.error && e.error.message ? e.error.message : "the server said " + r.status;
        throw new Error(message);
      });
    });
  }

  function say(status, text) { if (status) status.textContent = text; }

  function show(button, subscribed) {
    // The label says what a tap does (no aria-pressed: a changing label already says it).
    button.textContent = subscribed ? "Stop reminders on this phone" : "Remind me on this phone";
  }

  function subscribe(registration) {
    return api("GET", "/api/v1/push/key").then(function (k) {
      return registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(k.public_key),
      });
    }).then(function (subscription) {
      return api("POST", "/api/v1/push/subscriptions", subscription.toJSON()).catch(function (e) {
        // The server does not have it: undo here too, or the button would say "stop".
        return subscription.unsubscribe().then(function () { throw e; });
      });
    });
  }

  function unsubscribe(subscription) {
    var endpoint = subscription.endpoint;
    return subscription.unsubscribe().then(function () {
      return api("DELETE", "/api/v1/push/subscriptions", { endpoint: endpoint }).catch(function () {
        // Already forgotten by the server: nothing left to undo.
      });
    });
  }

  function wire(control) {
    var button = control.querySelector("#push-remind");
    var status = control.querySelector("#push-status");
    if (!button || button.dataset.wired) return;
    button.dataset.wired = "1";
    navigator.serviceWorker.ready.then(function (registration) {
      return registration.pushManager.getSubscription().then(function (current) {
        show(button, !!current);
        control.hidden = false;
        button.addEventListener("click", function () {
          button.disabled = true;
          registration.pushManager.getSubscription().then(function (now) {
            if (now) {
              return unsubscribe(now).then(function () {
                show(button, false);
                say(status, "Reminders on this phone are off.");
              });
            }
            return Notification.requestPermission().then(function (permission) {
              if (permission !== "granted") {
                say(status, "Notifications are blocked for this site; allow them in the browser's settings.");
                return;
              }
              return subscribe(registration).then(function () {
                show(button, true);
                say(status, "This phone will remind you. The reminders never say anything about your health.");
              });
            });
          }).catch(function (e) {
            say(status, "Could not set up reminders: " + e.message);
          }).then(function () { button.disabled = false; });
        });
      });
    }).catch(function () { /* no service worker: the control stays hidden */ });
  }

  function bind() {
    if (!supported()) return;
    var control = document.getElementById("push-reminders");
    if (control) wire(control);
  }

  window.QuietlegsPush = { bind: bind };
  bind();
})();
