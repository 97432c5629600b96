// Web Push in a real headless Chromium (Debian's), against the real server binary in server
// mode: the settings page shows "Remind me on this phone" once the service worker is ready, and
// a push message delivered to that worker (through the DevTools protocol, as a push service
// would) is shown as a notification with the reminder's own title, body and page. The message
// path from the server (encryption, VAPID, once-only) is crates/cli/tests/push_reminders.rs.
//
// Environment: QUIETLEGS_BIN (the quietlegs binary), CHROMIUM (default /usr/bin/chromium).

import { rmSync } from "node:fs";
import { chromium } from "playwright-core";
import { startServer } from "./server.mjs";

const bin = process.env.QUIETLEGS_BIN;
if (!bin) throw new Error("set QUIETLEGS_BIN to the quietlegs binary");

let failures = 0;
function check(ok, message) {
  console.log(`${ok ? "ok  " : "FAIL"} ${message}`);
  if (!ok) failures += 1;
}

async function main() {
  const { server, base, dir, log } = await startServer("quietlegs-push-browser-");
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
  try {
    const context = await browser.newContext();
    await context.grantPermissions(["notifications"], { origin: base });
    const page = await context.newPage();
    const signup = await context.request.post(`${base}/api/v1/signup`, {
      data: { username: "phone", password: "a long enough password" },
      headers: { Origin: base },
    });
    check(signup.status() === 201, `signed up (${signup.status()})`);
    await page.goto(`${base}/settings`);
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await page.waitForSelector("#push-reminders:not([hidden])", { timeout: 15000 });
    const label = await page.textContent("#push-remind");
    check(label.trim() === "Remind me on this phone", `the control is offered: "${label.trim()}"`);

    // A tap asks the browser's push service for a subscription. Headless Chromium has none to
    // reach, so this is the failure path: said in words, and the button still offers it.
    await page.click("#push-remind");
    await page.waitForFunction(() => document.getElementById("push-status").textContent !== "", null, { timeout: 20000 }).catch(() => {});
    const status = await page.textContent("#push-status");
    check(status.startsWith("Could not set up reminders"), `a failed subscription is said: "${status}"`);
    const after = await page.$eval("#push-remind", (b) => ({ label: b.textContent, disabled: b.disabled }));
    check(after.label === "Remind me on this phone" && !after.disabled, "and the button offers it again");
    // A push message for the reminder, handed to the worker as a push service would.
    const cdp = await context.newCDPSession(page);
    const registrations = new Promise((resolve) => {
      cdp.on("ServiceWorker.workerRegistrationUpdated", (e) => {
        const mine = e.registrations.find((r) => r.scopeURL === `${base}/` && !r.isDeleted);
        if (mine) resolve(mine.registrationId);
      });
    });
    await cdp.send("ServiceWorker.enable");
    const registrationId = await registrations;
    const payload = JSON.stringify({
      title: "Time for tonight's check-in",
      body: "Open Quietlegs to note how tonight is going.",
      url: "/checkin",
      tag: "checkin",
    });
    await cdp.send("ServiceWorker.deliverPushMessage", { origin: base, registrationId, data: payload });
    let shown = [];
    for (let i = 0; i < 50 && shown.length === 0; i += 1) {
      shown = await page.evaluate(() => navigator.serviceWorker.ready
        .then((r) => r.getNotifications())
        .then((ns) => ns.map((n) => ({ title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url }))));
      if (shown.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    check(shown.length === 1, `one notification shown (${shown.length})`);
    const n = shown[0] || {};
    check(n.title === "Time for tonight's check-in" && n.tag === "checkin", `its title and tag: ${JSON.stringify(n)}`);
    check(n.url === "/checkin", "a tap opens the check-in");

    // A message naming a page elsewhere opens the app's home instead.
    await cdp.send("ServiceWorker.deliverPushMessage", {
      origin: base, registrationId, data: JSON.stringify({ title: "x", url: "//evil.example/", tag: "other" }),
    });
    let other;
    for (let i = 0; i < 50 && !other; i += 1) {
      other = await page.evaluate(() => navigator.serviceWorker.ready
        .then((r) => r.getNotifications({ tag: "other" }))
        .then((ns) => (ns[0] ? ns[0].data.url : undefined)));
      if (!other) await new Promise((r) => setTimeout(r, 100));
    }
    check(other === "/", `a foreign page is not opened (${other})`);
    await context.close();
  } finally {
    await browser.close();
    server.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
    if (failures > 0) console.log(log());
  }
  console.log(`push in the browser: ${failures === 0 ? "passed" : `${failures} failed`}`);
  process.exit(failures === 0 ? 0 : 1);
}

main().catch((e) => { console.error(e); process.exit(1); });
