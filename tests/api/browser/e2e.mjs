// End-to-end scenarios in a real browser: headless Chromium (Debian's /usr/bin/chromium)
// driven by playwright-core (npm). Run by tests/api/test_browser.py:
//
//   node tests/api/browser/e2e.mjs PLAN.json
//
// PLAN.json: {"base": "http://127.0.0.1:PORT", "artifacts": DIR, "chromium": PATH,
//             "stage": ..., "resource": ..., "node": ..., "example": ..., "validation": {...},
//             "hostile": {"text": [...], "pages": [...]},
//             "validate_page": {"limited_base": ..., "refused_url": ..., ...},
//             "report_lines": {"document": ..., "profile": ...}}
// Prints one JSON object on stdout: {"scenario name": {"ok": bool, "error": str|null, ...facts}}.
// The script observes and reports; the Python test decides what the facts must be.
// Every wait has a timeout; a failing scenario is reported, and the others still run.

import { mkdtempSync, readFileSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const WAIT_MS = 15000;
const plan = JSON.parse(readFileSync(process.argv[2], "utf-8"));
mkdirSync(plan.artifacts, { recursive: true });

const ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

const results = {};
const profile = mkdtempSync(join(tmpdir(), "converge-kg-chromium-"));
let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: plan.chromium,
    headless: true,
    args: ARGS,
    timeout: 30000,
  });
} catch (err) {
  console.log(JSON.stringify({ launch: { ok: false, error: String(err && err.message || err) } }));
  rmSync(profile, { recursive: true, force: true });
  process.exit(2);
}
context.setDefaultTimeout(WAIT_MS);
context.setDefaultNavigationTimeout(WAIT_MS);
// No request may leave 127.0.0.1: the tests run without internet and the pages need none.
const offsite = [];
await context.route(/.*/, (route) => {
  const url = new URL(route.request().url());
  if (url.hostname === "127.0.0.1" || url.protocol === "data:" || url.protocol === "blob:") {
    return route.continue();
  }
  offsite.push(route.request().url());
  return route.abort();
});

const page = context.pages()[0] || (await context.newPage());
const dialogs = [];
page.on("dialog", async (dialog) => {
  dialogs.push({ url: page.url(), message: dialog.message() });
  await dialog.dismiss();
});
const consoleErrors = [];
page.on("pageerror", (err) => consoleErrors.push({ url: page.url(), error: String(err) }));

const url = (path) => plan.base + path;
const shot = (name) => page.screenshot({ path: join(plan.artifacts, `${name}.png`), fullPage: true });

async function scenario(name, body) {
  const facts = { ok: false, error: null };
  try {
    Object.assign(facts, await body());
    facts.ok = true;
  } catch (err) {
    facts.error = String((err && err.stack) || err);
  }
  facts.url = page.url();
  try {
    await shot(name);
  } catch (err) {
    facts.screenshot_error = String(err);
  }
  results[name] = facts;
}

/** The page's Bioschemas JSON-LD blocks, parsed (a parse error is reported as such). */
async function jsonLd() {
  const texts = await page.$$eval('script[type="application/ld+json"]', (els) =>
    els.map((e) => e.textContent));
  return texts.map((t) => {
    try {
      return JSON.parse(t);
    } catch (err) {
      return { parse_error: String(err) };
    }
  });
}

async function headings() {
  return page.$$eval("h1", (els) => els.map((e) => e.textContent.trim()));
}

await scenario("home", async () => {
  await page.goto(url("/"));
  const counts = await page.$$eval("[data-count]", (els) =>
    Object.fromEntries(els.map((e) => [e.dataset.count, e.textContent.trim()])));
  return { h1: await headings(), counts, title: await page.title() };
});

await scenario("filter_stage", async () => {
  await page.goto(url("/resources"));
  await page.selectOption('select[name="stage"]', plan.stage);
  await Promise.all([
    page.waitForURL((u) => new URL(u).searchParams.get("stage") === plan.stage),
    page.locator('form.filters [type="submit"]').first().click(),
  ]);
  const total = await page.locator("[data-total]").first().getAttribute("data-total");
  const links = await page.$$eval("[data-results] a[href^='/resource/']", (els) =>
    els.map((e) => e.getAttribute("href")));
  const selected = await page.$eval('select[name="stage"]', (e) => e.value);
  return { total: Number(total), links, selected, query: new URL(page.url()).search };
});

await scenario("open_resource", async () => {
  // From the filtered list: the planned resource's link if it is on this page.
  const link = page.locator(`[data-results] a[href="/resource/${plan.resource}"]`).first();
  const clicked = (await link.count()) > 0;
  if (clicked) {
    await Promise.all([page.waitForURL(`**/resource/${plan.resource}`), link.click()]);
  } else {
    await page.goto(url(`/resource/${plan.resource}`));
  }
  const nodeLinks = await page.$$eval("a[href^='/node/']", (els) =>
    els.map((e) => e.getAttribute("href")));
  const external = await page.$$eval("a[href^='http']", (els) => els.map((e) => e.href));
  return { clicked, h1: await headings(), jsonld: await jsonLd(), node_links: nodeLinks, external };
});

await scenario("follow_node", async () => {
  const link = page.locator(`a[href="/node/${plan.node}"]`).first();
  const clicked = (await link.count()) > 0;
  if (clicked) {
    await Promise.all([page.waitForURL(`**/node/${plan.node}`), link.click()]);
  } else {
    await page.goto(url(`/node/${plan.node}`));
  }
  await page.waitForFunction(
    (n) => document.querySelectorAll("#node-map .leaflet-marker-icon").length >= n,
    plan.node_markers, { timeout: WAIT_MS });
  const markers = await page.locator("#node-map .leaflet-marker-icon").count();
  const markerTitles = await page.$$eval("#node-map .leaflet-marker-icon", (els) =>
    els.map((e) => e.getAttribute("title") || e.getAttribute("alt")));
  // Open the first marker's popup with the keyboard (markers are focusable buttons).
  let popup = null;
  if (markers > 0) {
    await page.locator("#node-map .leaflet-marker-icon").first().focus();
    await page.keyboard.press("Enter");
    popup = (await page.locator(".leaflet-popup-content").first().textContent({ timeout: WAIT_MS })).trim();
  }
  return { clicked, h1: await headings(), markers, marker_titles: markerTitles, popup, jsonld: await jsonLd() };
});

await scenario("example_query", async () => {
  await page.goto(url("/query"));
  await page.selectOption("#example", plan.example);
  await Promise.all([
    page.waitForURL((u) => new URL(u).searchParams.get("example") === plan.example),
    page.locator("form.examples [type='submit']").click(),
  ]);
  await page.waitForSelector("table.results", { timeout: WAIT_MS });
  const header = await page.$$eval("table.results thead th", (els) => els.map((e) => e.textContent.trim()));
  const rows = await page.$$eval("table.results tbody tr", (trs) =>
    trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent.trim())));
  const text = await page.inputValue("#query");
  // Run the (edited) text again through the query form.
  await page.fill("#query", text.replace(/LIMIT\s+\d+/i, "LIMIT 2"));
  await Promise.all([page.waitForLoadState("load"), page.locator("form.query [type='submit']").click()]);
  await page.waitForSelector("table.results", { timeout: WAIT_MS });
  const rerun = await page.locator("table.results tbody tr").count();
  return { header, rows, textarea_has_query: text.includes("SELECT"), rerun_rows: rerun };
});

await scenario("api_docs", async () => {
  await page.goto(url("/docs"));
  await page.waitForSelector(".opblock", { timeout: WAIT_MS });
  const operations = await page.$$eval(".opblock", (els) => els.map((e) => {
    const method = e.querySelector(".opblock-summary-method");
    const path = e.querySelector(".opblock-summary-path");
    return [method ? method.textContent.trim() : "", path ? path.textContent.trim().replace(/\u200b/g, "") : ""];
  }));
  return { operations };
});

await scenario("validate", async () => {
  const response = await page.goto(url("/validate"));
  if (!response || response.status() !== 200) {
    throw new Error(`/validate answered ${response ? response.status() : "nothing"}`);
  }
  const area = page.locator("textarea").first();
  await area.fill(plan.validation.document);
  const format = page.locator('select[name="format"]');
  if ((await format.count()) > 0 && plan.validation.format) {
    await format.selectOption(plan.validation.format).catch(() => undefined);
  }
  await Promise.all([
    page.waitForLoadState("load"),
    page.locator("main form [type='submit']").first().click(),
  ]);
  await page.waitForFunction(
    (m) => document.body.innerText.includes(m), plan.validation.message, { timeout: WAIT_MS },
  ).catch(() => undefined);
  const text = await page.locator("main").innerText();
  return { text, shows_message: text.includes(plan.validation.message) };
});

// ---------------------------------------------------------------- the validation page
// Each error state: the message in the page next to its field, the input kept, the status,
// the focus. Screenshots at 1366×900 (the scenario's own) and 390 px wide (`<name>_390`).
const DESKTOP = { width: 1366, height: 900 };
const NARROW = { width: 390, height: 844 };
const checks = plan.validate_page;

/** What the validation form shows now: values, checked radios, errors, focus, ARIA ties. */
async function formState() {
  return page.evaluate(() => {
    const form = document.querySelector('main form[action="/validate"]');
    const value = (name) => (form.elements[name] ? form.elements[name].value : null);
    const checked = (name) => {
      const box = form.querySelector(`input[name="${name}"]:checked`);
      return box ? box.value : null;
    };
    const active = document.activeElement;
    const errors = [...document.querySelectorAll(".field-error, .message.error")].map((e) => {
      const owner = document.querySelector(`[aria-describedby~="${e.id}"]`);
      const box = e.closest(".field, fieldset, form");
      return {
        id: e.id,
        text: e.innerText.trim(),
        described_by: owner ? owner.id || owner.getAttribute("name") || owner.tagName : null,
        next_to_field: Boolean(owner && box && box.contains(owner)),
        visible: e.getBoundingClientRect().height > 0,
      };
    });
    return {
      title: document.title,
      text: value("text"),
      url: value("url"),
      name: value("name"),
      format: value("format"),
      profile: checked("profile"),
      mode: checked("mode"),
      invalid: [...form.querySelectorAll('[aria-invalid="true"]')].map((e) => e.id || e.name),
      focused: active ? active.id || active.getAttribute("name") || active.tagName : null,
      errors,
      overflow_x: document.documentElement.scrollWidth > window.innerWidth,
    };
  });
}

/** Submit the validation form; the HTTP status of the answer and the form it shows. */
async function submitForm() {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/validate"),
    page.locator('main form[action="/validate"] button[type="submit"]').first().click(),
  ]);
  await page.waitForLoadState("load");
  // autofocus is applied at a rendering update, which may come just after "load"
  await page.waitForFunction(() => document.activeElement !== document.body, null, { timeout: 3000 })
    .catch(() => undefined);
  return { status: response.status(), form: await formState() };
}

/** A full-page screenshot 390 px wide (`<name>_390.png`), then back to 1366×900. */
async function narrowShot(name) {
  await page.setViewportSize(NARROW);
  const state = await formState().catch(() => null);
  await page.screenshot({ path: join(plan.artifacts, `${name}_390.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
  return { overflow_x: state ? state.overflow_x : null };
}

async function openExample(base, key) {
  await page.goto(base + "/validate");
  await Promise.all([
    page.waitForURL((u) => new URL(u).searchParams.get("example") === key),
    page.locator(`main a[href^="/validate?example=${key}#"]`).first().click(),
  ]);
  return formState();
}

await page.setViewportSize(DESKTOP);

await scenario("validate_example_unreadable", async () => {
  const example = await openExample(plan.base, "unreadable");
  const result = await submitForm();
  return { example, ...result, narrow: await narrowShot("validate_example_unreadable") };
});

await scenario("validate_empty_form", async () => {
  await page.goto(url("/validate"));
  const result = await submitForm();
  return { ...result, narrow: await narrowShot("validate_empty_form") };
});

await scenario("validate_url_refused", async () => {
  await page.goto(url("/validate"));
  await page.fill("#url", checks.refused_url);
  await page.fill("#name", checks.name);
  await page.selectOption("#format", checks.format);
  await page.check(`input[name="profile"][value="${checks.profile}"]`);
  await page.check('input[name="mode"][value="in-context"]');
  const result = await submitForm();
  return { ...result, narrow: await narrowShot("validate_url_refused") };
});

await scenario("validate_too_large", async () => {
  await page.goto(checks.limited_base + "/validate");
  const big = "# " + "x".repeat(checks.limited_max_bytes + 1000);
  await page.fill("#text", big);
  await page.check('input[name="profile"][value="node"]');
  const result = await submitForm();
  return { ...result, sent_length: big.length, narrow: await narrowShot("validate_too_large") };
});

await scenario("validate_too_large_back", async () => {
  // The body was never read: the page says so, and Back brings the filled form back.
  await page.goBack();
  await page.waitForLoadState("load");
  return { form: await formState() };
});

await scenario("validate_timeout", async () => {
  const example = await openExample(checks.limited_base, "toolkit-resource");
  const result = await submitForm();
  return { example, ...result, narrow: await narrowShot("validate_timeout") };
});

await scenario("validate_report_again", async () => {
  const example = await openExample(plan.base, "broken-resource");
  const result = await submitForm();
  const verdict = (await page.locator(".verdict").innerText()).trim();
  await page.locator("details.again > summary").click();
  const again = await formState();
  return { example, status: result.status, verdict, again, narrow: await narrowShot("validate_report_again") };
});

// The report's document, line by line: the marked lines, a finding's link to its line (in
// view, in its scrolling frame) and the line's link back to the finding.
async function inView(id) {
  return page.evaluate((ident) => {
    const el = document.getElementById(ident);
    if (!el) return null;
    const r = el.getBoundingClientRect();
    const frame = el.closest(".source-wrap");
    const f = frame ? frame.getBoundingClientRect() : { top: 0, bottom: innerHeight };
    return r.height > 0 && r.top >= Math.max(0, f.top) - 1 && r.bottom <= Math.min(innerHeight, f.bottom) + 1;
  }, id);
}

async function followReportLinks(prefix) {
  const lines = await page.$$eval("table.findings a[href^='#L']", (els) =>
    els.filter((e) => e.getClientRects().length > 0).map((e) => e.getAttribute("href")));
  const target = lines.sort((a, b) => Number(b.slice(2)) - Number(a.slice(2)))[0];
  await page.locator(`table.findings a[href="${target}"]:visible`).first().click();
  await page.waitForFunction((h) => location.hash === h, target);
  const line = { hash: target, in_view: await inView(target.slice(1)) };
  await page.screenshot({ path: join(plan.artifacts, `${prefix}_line.png`) });
  const back = page.locator(`tr${target} + tr.note a`).first();
  const row = await back.getAttribute("href");
  await back.click();
  await page.waitForFunction((h) => location.hash === h, row);
  return { line, back: { hash: row, in_view: await inView(row.slice(1)) } };
}

await scenario("validate_report_lines", async () => {
  await page.goto(url("/validate"));
  await page.fill("#text", plan.report_lines.document);
  await page.check(`input[name="profile"][value="${plan.report_lines.profile}"]`);
  const result = await submitForm();
  const marked = await page.$$eval("table.source tr.marked", (els) => els.map((e) => e.id));
  const groups = await page.$$eval("table.findings tr.group", (els) => els.map((e) => Number(e.dataset.count)));
  const desktop = await followReportLinks("validate_report_lines");
  await page.setViewportSize(NARROW);
  await page.evaluate(() => window.scrollTo(0, 0));
  const narrow = await followReportLinks("validate_report_lines_390");
  narrow.overflow_x = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  await page.screenshot({ path: join(plan.artifacts, "validate_report_lines_390.png"), fullPage: true });
  await page.setViewportSize(DESKTOP);
  return { status: result.status, marked, groups, desktop, narrow };
});

await page.setViewportSize({ width: 1280, height: 720 });

await scenario("hostile", async () => {
  const pages = {};
  for (const path of plan.hostile.pages) {
    const before = dialogs.length;
    const response = await page.goto(url(path));
    await page.waitForLoadState("load");
    if (plan.hostile.map_pages.includes(path)) {
      await page.waitForSelector("#node-map .leaflet-marker-icon", { timeout: WAIT_MS });
      await page.locator("#node-map .leaflet-marker-icon").first().click();
      await page.waitForSelector(".leaflet-popup-content", { timeout: WAIT_MS });
    }
    const text = await page.locator("main").innerText();
    const injected = await page.$$eval("script", (els) =>
      els.filter((e) => !["application/ld+json", "application/json"].includes(e.type) &&
        e.textContent.includes("alert(")).length);
    pages[path] = {
      status: response ? response.status() : null,
      dialogs: dialogs.length - before,
      visible: plan.hostile.text.filter((t) => text.includes(t)),
      injected_scripts: injected,
      jsonld: await jsonLd(),
    };
    await shot(`hostile${path.replace(/[^A-Za-z0-9]+/g, "_")}`);
  }
  return { pages };
});

results.browser = { dialogs, offsite, page_errors: consoleErrors, ok: true, error: null };
await context.close();
rmSync(profile, { recursive: true, force: true });
console.log(JSON.stringify(results));
