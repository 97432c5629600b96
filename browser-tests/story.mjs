// A new person's first week with Quietlegs, in a real headless Chromium (Debian's), against the
// real server binary on a fresh SQLite file: sign up, assessment, plan, three check-ins, edit
// one, insights with a chart, a ferritin result, CSV and calendar downloads, sign out. Then
// every page is screenshotted at 375 px and 1280 px (light and dark) and checked with axe-core.
// Last, the phone at the bedside (a second person, a fresh browser profile): the manifest and the
// service worker, a check-in saved offline and sent once back online, a night saved on another
// device shown as a conflict and left as it was, one-tap severity from home (taps counted and
// timed), "my legs are acting up now", and sign-out forgetting what the phone kept.
//
// Environment: QUIETLEGS_BIN (the quietlegs binary), CHROMIUM (default /usr/bin/chromium),
// SCREENSHOTS (folder; default ../target/screenshots).

import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startServer } from "./server.mjs";

// Without it Playwright's offline switch reaches the pages but not the service worker, whose
// fetches would still get through and hide what a phone without a connection sees.
process.env.PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS = "1";

const here = dirname(fileURLToPath(import.meta.url));
const bin = process.env.QUIETLEGS_BIN;
if (!bin) throw new Error("set QUIETLEGS_BIN to the quietlegs binary");
const shots = process.env.SCREENSHOTS || join(here, "..", "target", "screenshots");
mkdirSync(shots, { recursive: true });
const axeSource = readFileSync(join(here, "node_modules", "axe-core", "axe.min.js"), "utf8");

let failures = 0;
function check(ok, message) {
  if (ok) {
    console.log(`ok   ${message}`);
  } else {
    failures += 1;
    console.log(`FAIL ${message}`);
  }
}

function isoDaysAgo(n) {
  const d = new Date();
  d.setDate(d.getDate() - n);
  return d.toISOString().slice(0, 10);
}

async function axeCheck(page, label) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  for (const v of bad) {
    console.log(`     ${label}: ${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join("; ")})`);
  }
  check(bad.length === 0, `axe: no serious or critical violations on ${label}`);
}

const PAGES = [
  ["home", "/"], ["assess", "/assess"], ["plan", "/plan"], ["tonight", "/tonight"],
  ["checkin", "/checkin"], ["journal", "/journal"], ["insights", "/insights"], ["labs", "/labs"],
  ["library", "/library"], ["library-entry", "/library/magnesium"], ["settings", "/settings"],
  ["report", "/report"],
];

// Width and height of a PNG, from its IHDR chunk.
function pngSize(bytes) {
  const b = Buffer.from(bytes);
  if (b.subarray(1, 4).toString() !== "PNG") return null;
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

// What the service worker's caches hold (paths), read from the page.
function cachedPaths(page) {
  return page.evaluate(async () => {
    const out = [];
    for (const name of await caches.keys()) {
      const c = await caches.open(name);
      for (const r of await c.keys()) out.push(new URL(r.url).pathname + new URL(r.url).search);
    }
    return out;
  });
}

// Waits (up to `ms`) until `fn` run in the page returns something truthy; returns it or null.
async function waitInPage(page, fn, arg, ms = 10000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const v = await page.evaluate(fn, arg).catch(() => null);
    if (v) return v;
    await page.waitForTimeout(150);
  }
  return null;
}

// The phone at the bedside, for a second person in a fresh browser profile.
async function bedside(browser, base) {
  const context = await browser.newContext({ viewport: { width: 375, height: 800 }, bypassCSP: true });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on("console", (m) => {
    // Offline, the browser itself logs each request it could not make.
    if (m.type() === "error" && !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(m.text())) consoleErrors.push(m.text());
  });
  const password = "legs at midnight";
  await page.goto(`${base}/login`);
  const signed = await page.evaluate(async (pw) => {
    const r = await fetch("/api/v1/signup", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: "sam", password: pw }),
    });
    const { csrf_token: csrf } = await r.json();
    const p = await fetch("/api/v1/profile", {
      method: "PUT", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({
        bedtime: "22:30", timezone: "Europe/Berlin",
        symptoms: { urge_to_move: true, worse_at_rest: true, relieved_by_movement: true, evening_or_night: true,
          nights_per_week: 5, onset: "evening", distress: "moderate" },
      }),
    });
    return r.status === 201 && p.ok;
  }, password);
  check(signed, "bedside: a second person signs up with a profile");

  // Installable: the manifest, linked from every page, with what an install needs.
  const manifest = await page.evaluate(async () => {
    const r = await fetch("/manifest.webmanifest");
    return { type: r.headers.get("content-type"), body: await r.json() };
  });
  const m = manifest.body;
  check(/application\/manifest\+json/.test(manifest.type), `the manifest is served as a manifest (${manifest.type})`);
  check(m.name === "Quietlegs" && Boolean(m.short_name) && m.start_url === "/" && m.display === "standalone",
    "the manifest has name, short_name, start_url / and display standalone");
  check(/^#[0-9a-f]{6}$/i.test(m.theme_color) && /^#[0-9a-f]{6}$/i.test(m.background_color), "the manifest has theme and background colours");
  const icons = [];
  for (const icon of m.icons || []) {
    const bytes = await page.evaluate(async (src) => Array.from(new Uint8Array(await (await fetch(src)).arrayBuffer())), icon.src);
    const size = pngSize(bytes);
    icons.push({ ...icon, real: size ? `${size[0]}x${size[1]}` : "not a PNG" });
  }
  check(icons.some((i) => i.sizes === "192x192" && i.real === "192x192"), "a 192x192 icon, really 192x192");
  check(icons.some((i) => i.sizes === "512x512" && i.real === "512x512" && i.purpose.includes("any")), "a 512x512 icon");
  check(icons.some((i) => i.sizes === "512x512" && i.real === "512x512" && i.purpose.includes("maskable")), "a maskable 512x512 icon");
  for (const path of ["/", "/tonight", "/checkin", "/journal", "/settings", "/library", "/login", "/offline"]) {
    await page.goto(`${base}${path}`);
    const linked = await page.evaluate(() => ({
      manifest: document.querySelector('link[rel="manifest"]')?.getAttribute("href"),
      themes: Array.from(document.querySelectorAll('meta[name="theme-color"]')).map((t) => t.media).join(","),
    }));
    check(linked.manifest === "/manifest.webmanifest" && /light/.test(linked.themes) && /dark/.test(linked.themes),
      `${path} links the manifest and light and dark theme colours`);
  }

  // The service worker registers at the root and takes the page.
  await page.goto(`${base}/`);
  const reg = await waitInPage(page, async () => {
    const r = await navigator.serviceWorker.ready;
    return navigator.serviceWorker.controller && r.active ? { scope: r.scope, script: r.active.scriptURL } : null;
  }, undefined, 15000);
  check(reg && reg.scope === `${base}/` && reg.script === `${base}/sw.js`, `the service worker is registered at / and controls the page (${JSON.stringify(reg)})`);

  // One tap from home: last night's severity, nothing chosen before the tap.
  await page.goto(`${base}/`);
  await page.waitForLoadState("networkidle");
  const quick = await page.evaluate(() => {
    const f = document.querySelector("form.quick-severity");
    if (!f) return null;
    return {
      night: f.querySelector("input[name=night]").value,
      buttons: Array.from(f.querySelectorAll("button[name=severity]")).map((b) => b.value).join(","),
      chosen: f.querySelectorAll("[aria-pressed=true], :checked, .selected").length,
      full: Boolean(document.querySelector('a[href^="/checkin"]')),
    };
  });
  check(quick && quick.buttons === "0,1,2,3,4,5,6,7,8,9,10", `home offers last night's severity as a 0-10 row (${quick && quick.buttons})`);
  check(quick && quick.chosen === 0, "nothing is pre-selected in the row");
  check(quick && quick.full, "the full check-in is one tap away from home");
  await page.screenshot({ path: join(shots, "home-one-tap-375.png"), fullPage: true });
  await axeCheck(page, "home with the one-tap row");
  let taps = 0;
  const started = performance.now();
  taps += 1;
  await page.click("form.quick-severity button[value='4']");
  await page.waitForSelector("#last-night >> text=You logged the night of");
  const tapMs = Math.round(performance.now() - started);
  const saved = await page.evaluate(async (n) => (await fetch(`/api/v1/journal/${n}`)).json(), quick.night);
  check(saved.severity === 4, `one tap saved the night of ${quick.night} at severity 4`);
  check(taps <= 3, `one-tap logging from home: ${taps} tap(s), ${tapMs} ms from the tap to the saved night on screen`);
  console.log(`     benchmark: one-tap severity from home: ${taps} tap(s), ${tapMs} ms (tap to "You logged" shown)`);
  await page.goto(`${base}/tonight`);
  check(/You logged the night of/.test(await page.textContent("#last-night")), "Tonight shows the night as logged");
  // The full form from home: open it, rate, save.
  await page.goto(`${base}/`);
  await page.waitForLoadState("networkidle");
  let fullTaps = 0;
  const fullStarted = performance.now();
  fullTaps += 1;
  await Promise.all([page.waitForURL(/\/checkin/), page.click("#last-night a[href^='/checkin']")]);
  fullTaps += 1;
  await page.check("#severity-5");
  fullTaps += 1;
  await page.click("button:has-text('Save the night')");
  await page.waitForSelector(`text=Saved the night of ${quick.night}`);
  const fullMs = Math.round(performance.now() - fullStarted);
  const changed = await page.evaluate(async (n) => (await fetch(`/api/v1/journal/${n}`)).json(), quick.night);
  check(changed.severity === 5 && fullTaps <= 3, `the full check-in from home: ${fullTaps} taps, ${fullMs} ms`);
  console.log(`     benchmark: full check-in from home: ${fullTaps} taps, ${fullMs} ms (open, rate, save; to "Saved" shown)`);

  // "My legs are acting up now": noted with its time, the toolkit opens.
  await page.goto(`${base}/tonight`);
  await axeCheck(page, "tonight with the one-tap row and the episode button");
  const episodeStarted = performance.now();
  await Promise.all([page.waitForURL(/\/tonight\?noted=/), page.click("form.episode button")]);
  await page.waitForSelector("#toolkit");
  console.log(`     benchmark: "my legs are acting up now" from Tonight: 1 tap, ${Math.round(performance.now() - episodeStarted)} ms to the toolkit`);
  const noted = await page.textContent("[role=status]");
  const toolkitShown = await page.isVisible("#toolkit");
  const episodes = await page.evaluate(async () => (await fetch("/api/v1/episodes")).json());
  check(episodes.length === 1 && noted.includes(episodes[0].local_time) && toolkitShown,
    `the episode is recorded at ${episodes[0]?.local_time} and the bad-night toolkit is shown`);
  if (episodes[0]?.night === quick.night) {
    const night = await page.evaluate(async (n) => (await fetch(`/api/v1/journal/${n}`)).json(), quick.night);
    check(night.onset === episodes[0].local_time, "the first episode filled the night's onset");
  }
  await page.screenshot({ path: join(shots, "tonight-acting-up-375.png"), fullPage: true });
  await axeCheck(page, "tonight after 'acting up'");

  // A connection that is up but reaches nothing (the request fails though the phone says
  // online): the check-in is kept too, and sent by the next page load.
  const flakyNight = isoDaysAgo(7);
  await page.goto(`${base}/checkin?night=${flakyNight}`);
  // The connection goes nowhere for the outbox's own retry too (it would otherwise send the
  // night at once, since the phone says it is online, and the message would be gone before it
  // is read).
  const nowhere = (r) => (["POST", "PUT"].includes(r.request().method()) ? r.abort("connectionfailed") : r.continue());
  await page.route("**/checkin", nowhere);
  await page.route("**/api/v1/journal/*", nowhere);
  await page.check("#severity-2");
  // htmx reports the failed request on the console, as it should.
  const errorsBefore = consoleErrors.length;
  await page.click("button:has-text('Save the night')");
  check(await page.waitForSelector("#outbox >> text=Saved on this phone, will sync", { timeout: 5000 }).then(() => true, () => false),
    "a check-in the server never got is kept on the phone");
  await page.unroute("**/checkin");
  await page.unroute("**/api/v1/journal/*");
  consoleErrors.splice(errorsBefore).filter((e) => !/^htmx:(sendError|afterRequest)/.test(e)).forEach((e) => consoleErrors.push(e));
  await page.goto(`${base}/`);
  const flaky = await waitInPage(page, async (n) => {
    const r = await fetch(`/api/v1/journal/${n}`);
    return r.ok ? r.json() : null;
  }, flakyNight);
  check(flaky && flaky.severity === 2, "and the next page load sends it");

  // Offline: two check-ins kept on the phone. A night saved meanwhile on another device (the
  // second) must come back as a conflict, not be overwritten.
  const offNight = isoDaysAgo(5);
  const clashNight = isoDaysAgo(6);
  await page.goto(`${base}/checkin?night=${clashNight}`);
  await page.waitForLoadState("networkidle");
  await context.setOffline(true);
  check(await page.evaluate(() => !navigator.onLine), "the browser is offline");
  await page.check("#severity-8");
  await page.click("button:has-text('Save the night')");
  const keptText = await page.waitForSelector("#outbox >> text=Saved on this phone, will sync", { timeout: 5000 })
    .then(() => true, () => false);
  check(keptText, "offline, the check-in page says it was saved on this phone and will sync");
  // Offline navigation: the worker answers with the shell, which can check in too.
  await page.goto(`${base}/checkin?night=${offNight}`).catch((e) => console.log(`     offline navigation: ${e.message.split("\n")[0]}`));
  const shell = await page.textContent("main").catch(() => "");
  check(/No connection/.test(shell) && /Saved on this phone, will sync/.test(shell), "offline, the check-in page opens (the offline shell, with what waits)");
  await page.screenshot({ path: join(shots, "offline-375.png"), fullPage: true });
  await axeCheck(page, "offline shell");
  check(await page.inputValue("#night") === offNight, "the shell's check-in is for the night the address asked for");
  await page.check("#severity-6");
  await page.fill("#onset", "23:15");
  await page.click("button:has-text('Save on this phone')");
  await waitInPage(page, (n) => document.getElementById("outbox")?.textContent.includes(n), offNight, 5000);
  check(/the night of .*the night of/.test(await page.textContent("#outbox")), "both offline check-ins are waiting on the phone");
  await page.goto(`${base}/tonight`).catch(() => {});
  check(/No connection/.test(await page.textContent("main").catch(() => "")), "offline, Tonight opens (the offline shell)");
  const queued = await page.evaluate(() => window.QuietlegsOutbox.all());
  check(queued.length === 2 && queued.every((i) => i.kind === "night" && i.state === "waiting"), "IndexedDB holds the two waiting nights");

  // Meanwhile the other device (its own session) saves the clashing night.
  const login = await fetch(`${base}/api/v1/login`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ username: "sam", password }),
  });
  const other = { Cookie: (login.headers.get("set-cookie") || "").split(";")[0], "X-CSRF-Token": (await login.json()).csrf_token, "Content-Type": "application/json" };
  const put = await fetch(`${base}/api/v1/journal/${clashNight}`, { method: "PUT", headers: other, body: JSON.stringify({ severity: 3, notes: "from the tablet" }) });
  check(put.ok, "another device saves the night of " + clashNight);

  // Back online: the shell's page sends what waited (the online event).
  await context.setOffline(false);
  const synced = await waitInPage(page, async (n) => {
    const r = await fetch(`/api/v1/journal/${n}`);
    return r.ok ? r.json() : null;
  }, offNight, 15000);
  check(synced && synced.severity === 6 && synced.onset === "23:15", `back online, the offline check-in reached the server (${JSON.stringify(synced)})`);
  const conflict = await waitInPage(page, () => document.querySelector("#outbox .conflict")?.textContent, undefined, 10000);
  check(conflict && /also saved on another device/.test(conflict), "the night saved on another device is shown as a conflict");
  const kept = await (await fetch(`${base}/api/v1/journal/${clashNight}`, { headers: other })).json();
  check(kept.severity === 3 && kept.notes === "from the tablet", "the other device's night was not overwritten");
  // The same on a page drawn by the server.
  await page.goto(`${base}/checkin`);
  await page.waitForSelector("#outbox .conflict", { timeout: 10000 }).catch(() => {});
  await axeCheck(page, "check-in with a conflict shown");
  await page.screenshot({ path: join(shots, "checkin-conflict-375.png"), fullPage: true });
  await page.click("#outbox button[data-keep=server]");
  const left = await waitInPage(page, async () => (await window.QuietlegsOutbox.all()).length === 0 ? "empty" : null);
  check(left === "empty", "keeping the saved night empties the phone's outbox");
  const still = await (await fetch(`${base}/api/v1/journal/${clashNight}`, { headers: other })).json();
  check(still.severity === 3, "and the stored night is still the other device's");

  // "Acting up" offline: kept with the moment it was tapped, the toolkit shown, sent later.
  await page.goto(`${base}/tonight`);
  await page.waitForLoadState("networkidle");
  await context.setOffline(true);
  await page.click("form.episode button");
  const heldEpisode = await waitInPage(page, () => /legs acting up at/.test(document.getElementById("outbox")?.textContent || "")
    && window.location.hash === "#toolkit", undefined, 5000);
  check(heldEpisode, "offline, 'acting up' is kept on the phone and the toolkit is shown");
  await page.goto(`${base}/checkin`).catch(() => {});
  await page.click("form.episode button");
  const shellEpisode = await waitInPage(page, () => (document.getElementById("outbox")?.textContent.match(/legs acting up at/g) || []).length === 2
    && window.location.hash === "#toolkit", undefined, 5000);
  check(shellEpisode, "the offline shell's 'acting up' button keeps the moment too and shows its toolkit");
  await context.setOffline(false);
  const sentEpisodes = await waitInPage(page, async () => {
    const list = await (await fetch("/api/v1/episodes")).json();
    return list.length === 3 ? list : null;
  }, undefined, 15000);
  check(sentEpisodes !== null, "back online, both episodes tapped offline reached the server");
  await page.goto(`${base}/checkin`);

  // Nothing personal in the worker's caches: only static files and the shell drawn for nobody.
  const cached = await cachedPaths(page);
  const personal = cached.filter((p) => !(p.startsWith("/static/") || p === "/offline" || p === "/manifest.webmanifest"));
  check(cached.length > 0 && personal.length === 0, `the worker caches only static files and the shell (${cached.length} entries${personal.length ? `; also ${personal.join(", ")}` : ""})`);

  // Sign-out forgets what the phone kept.
  await page.evaluate(() => window.QuietlegsOutbox.add({ kind: "night", night: "2026-01-01", entry: { severity: 1 }, user: "sam" }));
  await Promise.all([page.waitForURL("**/login"), page.click("header button:has-text('Sign out')")]);
  // (The login page registers the worker again, which may cache the static files anew.)
  const afterOut = await waitInPage(page, async () => {
    const items = await window.QuietlegsOutbox.all();
    const session = await window.QuietlegsOutbox.session();
    return items.length === 0 && !session ? "forgotten" : null;
  });
  check(afterOut === "forgotten", "after signing out the phone's outbox and its session are gone");
  const cachedAfter = await cachedPaths(page);
  check(cachedAfter.every((p) => p.startsWith("/static/") || p === "/offline" || p === "/manifest.webmanifest"),
    `after signing out the caches hold no page of the person's (${cachedAfter.length} static entries)`);
  check(consoleErrors.length === 0, `bedside: no console errors (${consoleErrors.join(" | ")})`);
  await context.close();
}

// A new person's first week, in one browser profile.
async function firstWeek(browser, base) {
  // The app's CSP forbids inline scripts, so axe (injected inline) needs bypassCSP.
  const context = await browser.newContext({ viewport: { width: 375, height: 800 }, acceptDownloads: true, bypassCSP: true });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });

  // Sign up.
  await page.goto(`${base}/signup`);
  await page.screenshot({ path: join(shots, "signup-375.png"), fullPage: true });
  await axeCheck(page, "signup");
  await page.fill("#username", "rosa");
  await page.fill("#password", "restless but hopeful");
  await page.fill("#password_again", "restless but hopeful");
  await Promise.all([page.waitForURL("**/assess"), page.click("button[type=submit]")]);
  check(page.url().endsWith("/assess"), "sign-up leads to the assessment");

  // The assessment.
  for (const name of ["urge_to_move", "worse_at_rest", "relieved_by_movement", "evening_or_night", "not_explained_by_other"]) {
    await page.check(`input[name=${name}][value=yes]`);
  }
  await page.fill("#nights_per_week", "5");
  await page.selectOption("#onset", "evening");
  await page.selectOption("#distress", "moderate");
  await page.fill("#bedtime", "22:30");
  await page.fill("#timezone", "Europe/Berlin");
  await page.fill("#medications", "Benadryl at night");
  // How the line was read shows under the field before anything is saved.
  await page.waitForSelector("#medications-read li", { timeout: 5000 });
  const read = await page.textContent("#medications-read");
  check(/Diphenhydramine/.test(read), `the medicine line is shown as read before saving (${read})`);
  check(/worsen RLS/.test(read), "the reading says the antihistamine can worsen RLS");
  await page.fill("#supplements", "zzqqxx drops");
  await page.waitForSelector("#supplements-read li", { timeout: 5000 });
  check(/check the spelling/i.test(await page.textContent("#supplements-read")),
    "an unrecognised line is said, with what to do");
  await page.fill("#caffeine_mg_per_day", "300");
  await Promise.all([page.waitForURL("**/plan"), page.click("form.wizard button[type=submit]")]);
  const planText = await page.textContent("main");
  check(/sedating antihistamine/i.test(planText), "the plan warns about the antihistamine");
  check(/Your plan/.test(planText), "the plan is shown after the assessment");
  check(/not medical advice/i.test(planText), "the plan says it is not medical advice");
  check(/Why:/.test(planText), "plan steps say why");
  check(/ferritin/i.test(planText), "the plan asks for iron studies");
  check(/could not recognise the supplement 'zzqqxx drops'/.test(planText),
    "the plan page names the line it could not read");

  // Three check-ins.
  const nights = [isoDaysAgo(3), isoDaysAgo(2), isoDaysAgo(1)];
  const severities = ["7", "5", "4"];
  for (let i = 0; i < 3; i += 1) {
    await page.goto(`${base}/checkin?night=${nights[i]}`);
    await page.check(`#severity-${severities[i]}`);
    await page.fill("#caffeine_mg", String(100 * (i + 1)));
    await page.click("button:has-text('Save the night')");
    await page.waitForSelector(`text=Saved the night of ${nights[i]}`);
  }
  check(true, "three nights checked in");

  // Edit the middle one from the journal's heat map (htmx loads the form in place).
  await page.goto(`${base}/journal`);
  await page.click(`a.hm-cell[href="/checkin?night=${nights[1]}"]`);
  await page.waitForSelector("#editor #checkin-form");
  await page.check("#editor #severity-2");
  await page.click("#editor summary:has-text('More details')");
  await page.fill("#editor #notes", "long walk after dinner");
  await page.click("#editor button:has-text('Save the night')");
  await page.waitForSelector(`text=Saved the night of ${nights[1]}`);
  const edited = await page.evaluate(async (n) => (await fetch(`/api/v1/journal/${n}`)).json(), nights[1]);
  check(edited.severity === 2 && edited.notes === "long walk after dinner", "the edited night was saved");
  const others = await page.evaluate(async () => (await fetch("/api/v1/journal")).json());
  check(others.length === 3, "the journal holds three nights");

  // Insights with a chart.
  await page.goto(`${base}/insights`);
  const chartOk = await page.evaluate(async () => {
    const img = document.querySelector("img[src='/insights/severity.svg']");
    if (!img) return false;
    if (!img.complete) await new Promise((r) => { img.onload = r; img.onerror = r; });
    return img.naturalWidth > 0;
  });
  check(chartOk, "insights show the severity chart");

  // A ferritin result.
  await page.goto(`${base}/labs`);
  await page.selectOption("#test", "ferritin");
  await page.fill("#value", "38");
  await page.fill("#unit", "ng/mL");
  await page.fill("#date", isoDaysAgo(5));
  await page.click("button:has-text('Add result')");
  await page.waitForSelector("table.nights >> text=38 ng/mL");
  check(await page.isVisible("img[src='/labs/chart.svg?test=ferritin']"), "the ferritin chart appears");

  // Downloads: the CSV export and the calendar file.
  await page.goto(`${base}/settings`);
  const [csv] = await Promise.all([page.waitForEvent("download"), page.click("text=Journal as CSV")]);
  const csvText = readFileSync(await csv.path(), "utf8");
  check(csvText.startsWith("night,severity") && nights.every((n) => csvText.includes(n)), "the CSV export holds the three nights");
  const [pdf] = await Promise.all([page.waitForEvent("download"), page.click("text=Report for your doctor (PDF)")]);
  const pdfBytes = readFileSync(await pdf.path());
  check(pdfBytes.subarray(0, 5).toString() === "%PDF-", "the doctor report downloads as a PDF");
  const [ics] = await Promise.all([page.waitForEvent("download"), page.click("text=Calendar file")]);
  const icsText = readFileSync(await ics.path(), "utf8");
  check(icsText.includes("BEGIN:VCALENDAR") && icsText.includes("BEGIN:VEVENT"), "the calendar file is iCalendar with events");

  // Screenshots and accessibility, every page, both widths, light and dark.
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const width of [375, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      for (const [name, path] of PAGES) {
        await page.goto(`${base}${path}`);
        await page.waitForLoadState("networkidle");
        const file = scheme === "light" ? `${name}-${width}.png` : `${name}-${width}-dark.png`;
        await page.screenshot({ path: join(shots, file), fullPage: true });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        check(overflow <= 1, `${name} fits ${width} px (${scheme})`);
        if (width === 375) await axeCheck(page, `${name} (${scheme})`);
      }
    }
  }
  await page.emulateMedia({ colorScheme: "light" });

  // Keyboard: the skip link is the first stop and leads to the content.
  await page.goto(`${base}/checkin`);
  await page.keyboard.press("Tab");
  check(await page.evaluate(() => document.activeElement?.classList.contains("skip")), "the first Tab reaches the skip link");

  check(consoleErrors.length === 0, `no console errors (${consoleErrors.join(" | ")})`);

  // Sign out.
  await page.goto(`${base}/settings`);
  await Promise.all([page.waitForURL("**/login"), page.click("header button:has-text('Sign out')")]);
  const after = await page.evaluate(async () => (await fetch("/api/v1/journal")).status);
  check(after === 401, "after signing out the journal is closed (401)");
  await page.screenshot({ path: join(shots, "login-375.png"), fullPage: true });
  await axeCheck(page, "login");
  await context.close();
}

async function main() {
  const { server, base, dir, log } = await startServer("quietlegs-browser-");
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
  try {
    if (process.env.STORY_ONLY !== "bedside") await firstWeek(browser, base);

    await bedside(browser, base);
  } finally {
    await browser.close();
    server.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
    if (failures > 0) console.log(log());
  }
  console.log(`browser story: ${failures === 0 ? "passed" : `${failures} failed`}; screenshots in ${shots}`);
  process.exit(failures === 0 ? 0 : 1);
}

main().catch((e) => { console.error(e); process.exit(1); });
