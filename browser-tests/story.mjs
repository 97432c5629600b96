// A new person's first week with Quietlegs, in a real headless Chromium (Debian's), against the
// real server binary on a fresh SQLite file: sign up, assessment, plan, three check-ins, edit
// one, insights with a chart, a ferritin result, CSV and calendar downloads, sign out. Then
// every page is screenshotted at 375 px and 1280 px (light and dark) and checked with axe-core.
//
// Environment: QUIETLEGS_BIN (the quietlegs binary), CHROMIUM (default /usr/bin/chromium),
// SCREENSHOTS (folder; default ../target/screenshots).

import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

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

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), "quietlegs-browser-"));
  const port = await freePort();
  const server = spawn(
    bin,
    ["serve", "--multi-user", "--addr", `127.0.0.1:${port}`, "--database", `sqlite://${join(dir, "q.db")}`],
    { stdio: ["ignore", "inherit", "pipe"], env: { ...process.env, QUIETLEGS_LOG: "warn" } },
  );
  let log = "";
  server.stderr.on("data", (d) => { log += d; });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i += 1) {
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) return { server, base, dir, log: () => log };
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  server.kill();
  throw new Error(`the server did not start:\n${log}`);
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

async function main() {
  const { server, base, dir, log } = await startServer();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
  try {
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
