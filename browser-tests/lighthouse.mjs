// Lighthouse on the three pages a person opens most (home, Tonight, check-in), at Lighthouse's
// default mobile settings (a mid-range phone on a slow 4G line, simulated), in Debian's
// Chromium against the real server binary on a fresh SQLite file, signed in as a person with a
// profile and a few nights. Performance, accessibility and best practices must each score at
// least 95; below that the failing audits are printed and the run fails.
//
// Environment: QUIETLEGS_BIN (the quietlegs binary), CHROME_PATH (default /usr/bin/chromium),
// LIGHTHOUSE_REPORTS (folder for the HTML reports; default ../target/lighthouse),
// LIGHTHOUSE_MIN (the lowest passing score, 0-100; default 95).

import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import { startServer } from "./server.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const bin = process.env.QUIETLEGS_BIN;
if (!bin) throw new Error("set QUIETLEGS_BIN to the quietlegs binary");
const chromePath = process.env.CHROME_PATH || "/usr/bin/chromium";
const reports = process.env.LIGHTHOUSE_REPORTS || join(here, "..", "target", "lighthouse");
mkdirSync(reports, { recursive: true });
const minimum = Number(process.env.LIGHTHOUSE_MIN || "95") / 100;

const PAGES = [["home", "/"], ["tonight", "/tonight"], ["checkin", "/checkin"]];
const CATEGORIES = ["performance", "accessibility", "best-practices"];
const ATTEMPTS = 3;
const LIGHTHOUSE_VERSION = JSON.parse(
  readFileSync(join(here, "node_modules", "lighthouse", "package.json"), "utf8")).version;

function isoDaysAgo(n) {
  const d = new Date();
  d.setDate(d.getDate() - n);
  return d.toISOString().slice(0, 10);
}

async function send(base, method, path, body, headers = {}) {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r;
}

// A person with a profile and five nights, so the pages show what they show in daily use
// (a plan, streaks, last night) rather than their first-visit prompts.
async function signedInPerson(base) {
  const r = await send(base, "POST", "/api/v1/signup", { username: "rosa", password: "restless but hopeful" });
  const cookie = (r.headers.get("set-cookie") || "").split(";")[0];
  const { csrf_token: csrf } = await r.json();
  if (!cookie || !csrf) throw new Error("sign-up gave no session");
  const auth = { Cookie: cookie, "X-CSRF-Token": csrf };
  await send(base, "PUT", "/api/v1/profile", {
    age: 52,
    bedtime: "22:30",
    timezone: "Europe/Berlin",
    medications: ["levothyroxine"],
    supplements: ["magnesium oxide"],
    symptoms: {
      urge_to_move: true, worse_at_rest: true, relieved_by_movement: true, evening_or_night: true,
      nights_per_week: 5, onset: "evening", distress: "moderate",
    },
    habits: { caffeine_mg_per_day: 300, last_caffeine: "15:00" },
  }, auth);
  const severities = [7, 6, 5, 5, 4];
  for (let i = 0; i < severities.length; i += 1) {
    await send(base, "PUT", `/api/v1/journal/${isoDaysAgo(severities.length - i)}`,
      { severity: severities[i], caffeine_mg: 100 }, auth);
  }
  return cookie;
}

// One Lighthouse run, in a tab Lighthouse opens in the launched Chromium.
async function measure(port, url, cookie) {
  // Lighthouse clears the origin's storage (cookies too) before it loads the page, so the
  // session goes with every request as a header instead.
  const result = await lighthouse(url, {
    port,
    output: "html",
    logLevel: "error",
    onlyCategories: CATEGORIES,
    extraHeaders: { Cookie: cookie },
    // Neither changes a score (bf-cache weighs nothing, and every page sends no-store on
    // purpose); leaving them out saves seconds a run.
    skipAudits: ["bf-cache"],
    disableFullPageScreenshot: true,
  });
  if (!result) throw new Error(`Lighthouse gave no result for ${url}`);
  // The HTML Lighthouse loaded (read for its charset audit): a signed-in page has the sign-out
  // form in its header.
  const html = result.artifacts?.MainDocumentContent || "";
  return { lhr: result.lhr, report: result.report, signedIn: /<form[^>]*class="signout"/.test(html) };
}

function failingAudits(lhr, category) {
  return lhr.categories[category].auditRefs
    .filter((ref) => ref.weight > 0)
    .map((ref) => ({ ref, audit: lhr.audits[ref.id] }))
    .filter(({ audit }) => audit.score !== null && audit.score < 1
      && !["notApplicable", "informative", "manual"].includes(audit.scoreDisplayMode))
    .map(({ ref, audit }) =>
      `${audit.id} (score ${audit.score}, weight ${ref.weight}${audit.displayValue ? `, ${audit.displayValue}` : ""}): ${audit.title}`);
}

async function main() {
  const { server, base, dir, log } = await startServer("quietlegs-lighthouse-");
  let chrome;
  let failures = 0;
  try {
    const cookie = await signedInPerson(base);
    chrome = await chromeLauncher.launch({
      chromePath,
      chromeFlags: ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage"],
    });
    const summary = [];
    for (const [name, path] of PAGES) {
      // Performance is timed on a CPU shared with whatever else the machine runs; a busy moment
      // inflates Total Blocking Time well past what the page costs. Such a miss is measured
      // again (up to ATTEMPTS times in all) and the best run counts, so a slow page still fails
      // every time while a busy machine does not.
      let best;
      for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
        const run = await measure(chrome.port, `${base}${path}`, cookie);
        const perf = run.lhr.categories?.performance?.score ?? 0;
        console.log(`     ${name} run ${attempt}: performance ${Math.round(perf * 100)} `
          + `(CPU benchmark index ${Math.round(run.lhr.environment?.benchmarkIndex ?? 0)})`);
        if (!best || perf > (best.lhr.categories?.performance?.score ?? 0)) best = run;
        if (run.lhr.runtimeError || perf >= minimum) break;
      }
      const { lhr, report, signedIn } = best;
      writeFileSync(join(reports, `${name}.html`), report);
      if (lhr.runtimeError) {
        failures += 1;
        console.log(`FAIL ${name} (${path}): ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
        continue;
      }
      // Home shows the welcome page to a stranger with no redirect, so only the signed-in
      // header proves the person's own page was the one measured; the other pages would bounce
      // to /login.
      if (!signedIn || new URL(lhr.finalDisplayedUrl).pathname !== path) {
        failures += 1;
        console.log(`FAIL ${name}: Lighthouse measured the signed-out page (${lhr.finalDisplayedUrl})`);
      }
      const scores = [];
      for (const category of CATEGORIES) {
        const score = lhr.categories[category].score;
        const ok = score !== null && score >= minimum;
        const shown = score === null ? "none" : Math.round(score * 100);
        scores.push(`${category} ${shown}`);
        console.log(`${ok ? "ok  " : "FAIL"} ${name} (${path}) ${category}: ${shown}`);
        if (!ok) {
          failures += 1;
          for (const line of failingAudits(lhr, category)) console.log(`       ${line}`);
        }
      }
      if ((lhr.environment?.benchmarkIndex ?? 0) < 1000) {
        console.log(`     ${name}: the CPU was busy (benchmark index under 1000): performance reads low`);
      }
      const m = (id) => lhr.audits[id]?.displayValue ?? "?";
      console.log(`     ${name}: FCP ${m("first-contentful-paint")}, LCP ${m("largest-contentful-paint")}, `
        + `TBT ${m("total-blocking-time")}, CLS ${m("cumulative-layout-shift")}, SI ${m("speed-index")}`);
      summary.push(`${name}: ${scores.join(", ")}`);
    }
    console.log(`scores (Lighthouse ${LIGHTHOUSE_VERSION}, mobile): ${summary.join("; ")}`);
  } finally {
    if (chrome) await chrome.kill();
    server.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
    if (failures > 0) console.log(log());
  }
  console.log(`lighthouse: ${failures === 0 ? "passed" : `${failures} failed`}; reports in ${reports}`);
  process.exit(failures === 0 ? 0 : 1);
}

main().catch((e) => { console.error(e); process.exit(1); });
