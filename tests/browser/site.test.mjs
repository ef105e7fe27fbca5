// Real-browser tests of the site `pocdir build` writes: headless Chromium
// driven by Playwright (playwright-core, with the system's Chromium: no
// browser download), and axe-core for accessibility.
//
//   SITE_DIR=/path/to/out/site node --test tests/browser/site.test.mjs
//
// (offline.test.mjs, the bundle's offline page, needs OFFLINE_PAGE.)
//
// `cargo test --test cli browser` builds the example directory and runs this
// (tests/cli/browser.rs). Set UPDATE_SCREENSHOTS=1 to rewrite
// docs/screenshots/home-{en,ar,zh}-{1280,390}.png. CHROMIUM_PATH overrides /usr/bin/chromium.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

import { serveSite } from "./server.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "..", "..");
const AXE_PATH = path.join(HERE, "node_modules", "axe-core", "axe.min.js");
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const SITE_DIR = process.env.SITE_DIR;
const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === "1";

/** The site's languages, in the switcher's order; `ar` is right-to-left. */
const LANGS = ["en", "fr", "es", "ru", "zh", "ar"];
const RTL = new Set(["ar"]);
/** The example directory's States. */
const STATE_COUNT = 15;
/** Where the site is served: a sub-path, so every URL must be relative. */
const PREFIX = "/restricted/poc/";
const VIEWPORT = { width: 1280, height: 900 };
const LAUNCH_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const TEST_TIMEOUT = 120_000;

let browser;
let server;
/** The context every functional test uses: JavaScript on, the site's CSP obeyed. */
let ctx;

/** What every page opened through `openPage` did (apart from axe's pages). */
const seen = newLog();

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Retry `check` (which throws while the condition does not hold) for up to `ms`. */
async function eventually(check, ms = 5_000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > end) {
        throw e;
      }
      await sleep(50);
    }
  }
}

/** A context whose off-origin requests are blocked (and recorded as they are made). */
async function newContext(options = {}) {
  const context = await browser.newContext({
    viewport: VIEWPORT,
    deviceScaleFactor: 1,
    colorScheme: "light",
    reducedMotion: "reduce",
    serviceWorkers: "block",
    ...options,
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(15_000);
  // Nothing may leave the machine even if the site tried: abort every
  // request to another origin. The request is still recorded below.
  await context.route(
    (url) => !url.href.startsWith(server.origin + "/"),
    (route) => route.abort("blockedbyclient"),
  );
  // Report CSP violations as console errors even if Chromium stopped logging them.
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(
        `CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "(inline)"}` +
          ` at ${e.sourceFile || "?"}:${e.lineNumber || "?"}`,
      );
    });
  });
  return context;
}

function newLog() {
  return { pages: [], requests: [], offOrigin: [], errors: [], failed: [] };
}

/** Each page's own record (see `openPage`). */
const pageLogs = new WeakMap();

/**
 * A new page of `context`, with every request, console error (CSP
 * violations included), page error and failed request recorded in the
 * page's own log and in `into` (the run's log by default).
 */
async function openPage(context, into = seen) {
  const page = await context.newPage();
  const own = newLog();
  pageLogs.set(page, own);
  const logs = [own, into];
  const record = (key, what) => logs.forEach((l) => l[key].push(what));
  into.pages.push(page);
  page.on("request", (req) => {
    const url = req.url();
    record("requests", url);
    if (!url.startsWith(server.origin + "/")) {
      record("offOrigin", `${url} (requested by ${page.url()})`);
    }
  });
  page.on("console", (msg) => {
    if (msg.type() === "error") {
      const loc = msg.location();
      record("errors", `console error on ${page.url()}: ${msg.text()} [${loc.url}:${loc.lineNumber}]`);
    }
  });
  page.on("pageerror", (err) => {
    record("errors", `page error on ${page.url()}: ${err.stack || err.message}`);
  });
  page.on("requestfailed", (req) => {
    record("failed", `${req.url()}: ${req.failure()?.errorText} (on ${page.url()})`);
  });
  page.on("response", (res) => {
    if (res.status() >= 400) {
      record("failed", `${res.url()}: HTTP ${res.status()} (on ${page.url()})`);
    }
  });
  return page;
}

/** Every problem a log holds, as lines ("" when there is none). */
function problems(log) {
  return [
    ...log.offOrigin.map((x) => `request off the origin: ${x}`),
    ...log.errors,
    ...log.failed.map((x) => `failed request: ${x}`),
  ].join("\n");
}

/** Fail, listing them, if there are `problems` (lines of text). */
function assertNone(problemLines, what) {
  if (problemLines) {
    assert.fail(`${what}:\n${problemLines}`);
  }
}

/**
 * Run `fn` with a new page of `context`; then fail if the page made a
 * request off the origin, logged an error (CSP violations included) or hit a
 * broken link. When `fn` fails, its error tells what the page reported too.
 */
async function withPage(context, fn, into = seen) {
  const page = await openPage(context, into);
  let failure;
  try {
    await fn(page);
  } catch (e) {
    failure = e;
  }
  await page.close().catch(() => {});
  const found = problems(pageLogs.get(page));
  if (failure) {
    if (found) {
      // Say what the page reported too: it often explains the failure.
      throw new Error(`${failure.message}\nThe page also reported:\n${found}`, { cause: failure });
    }
    throw failure;
  }
  assertNone(found, "the page made requests off the origin, logged errors or hit broken links");
}

/** Go to `rel` (relative to the site's root) and check it loaded. */
async function visit(page, rel) {
  const res = await page.goto(server.base + rel, { waitUntil: "load" });
  assert.ok(res, `no response for ${rel}`);
  assert.equal(res.status(), 200, `${rel} answered HTTP ${res.status()}`);
  return res;
}

/** The codes of the States the home page shows, by real visibility. */
async function visibleStates(page) {
  const items = page.locator("ul#states > li.state");
  const attrs = await items.evaluateAll((lis) => lis.map((li) => ({ code: li.dataset.code, hidden: li.hidden })));
  const out = [];
  for (const [i, { code, hidden }] of attrs.entries()) {
    const visible = await items.nth(i).isVisible();
    assert.equal(hidden, !visible, `${code}: li.hidden is ${hidden} but isVisible() is ${visible}`);
    if (visible) {
      out.push(code);
    }
  }
  return out;
}

/** The data attributes of every State of the home page (for expected results). */
async function stateData(page) {
  return page.locator("ul#states > li.state").evaluateAll((lis) =>
    lis.map((li) => ({
      code: li.dataset.code,
      group: li.dataset.group,
      networks: (li.dataset.networks || "").split(/\s+/).filter(Boolean),
      // The home page lists States only: each PoC is `type:lang,lang:0|1`.
      pocs: (li.dataset.pocs || "").split(/\s+/).filter(Boolean).map((p) => {
        const [type, langs, h24] = p.split(":");
        return { type, langs: langs.split(",").filter(Boolean), h24: h24 === "1" ? "true" : "false" };
      }),
    })),
  );
}

/** `#results-count` must say `n` States, in the page's own wording. */
async function assertCount(page, n) {
  const count = page.locator("#results-count");
  const template = await count.getAttribute("data-template");
  assert.ok(template && template.includes("{n}"), `#results-count has no data-template with {n}: ${template}`);
  assert.equal((await count.textContent()).trim(), template.replace("{n}", String(n)).trim());
  assert.ok(await count.isVisible(), "#results-count is not visible");
  if (n === 0) {
    assert.ok(await page.locator("#no-results").isVisible(), "#no-results is not shown when no State matches");
  } else {
    assert.equal(await page.locator("#no-results").isVisible(), false, "#no-results is shown while States match");
  }
}

/** Go to `lang`'s home page and wait for its filter form. */
async function home(page, lang = "en") {
  await visit(page, `${lang}/index.html`);
  await eventually(async () => assert.ok(await page.locator("#filters").isVisible(), "the filter form is not shown"));
}

/** After a filter: exactly `expected` States visible, and the count says so. */
async function assertShown(page, expected, what) {
  await eventually(async () => {
    const shown = await visibleStates(page);
    assert.deepEqual([...shown].sort(), [...expected].sort(), `${what}: visible States`);
    await assertCount(page, expected.length);
  });
}

/** Every `.html` file of the site, relative to its root, with "/" separators. */
function htmlFiles(dir, rel = "") {
  const out = [];
  for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      out.push(...htmlFiles(dir, child));
    } else if (entry.name.endsWith(".html")) {
      out.push(child);
    }
  }
  return out.sort();
}

before(async () => {
  assert.ok(
    SITE_DIR,
    "SITE_DIR is not set: build the site (pocdir build --out DIR) and set SITE_DIR=DIR/site",
  );
  assert.ok(existsSync(path.join(SITE_DIR, "index.html")), `${SITE_DIR} holds no index.html: is it the built site/ folder?`);
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (or set CHROMIUM_PATH)`);
  server = await serveSite(SITE_DIR, PREFIX);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: LAUNCH_ARGS });
  ctx = await newContext();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

describe("home page in each language", () => {
  for (const lang of LANGS) {
    test(`${lang}/index.html`, { timeout: TEST_TIMEOUT }, () =>
      withPage(ctx, async (page) => {
        await home(page, lang);
        const html = page.locator("html");
        assert.equal(await html.getAttribute("lang"), lang);
        assert.equal(await html.getAttribute("dir"), RTL.has(lang) ? "rtl" : "ltr");
        const title = (await page.title()).trim();
        assert.ok(title.length > 0, "the page title is empty");
        assert.equal(await page.locator("ul#states > li.state").count(), STATE_COUNT);
        assert.equal((await visibleStates(page)).length, STATE_COUNT, "not every State is shown before any filter");
        await assertCount(page, STATE_COUNT);
        // The switcher marks this language as the current one.
        const current = page.locator("nav.lang-switcher a[aria-current]");
        assert.equal(await current.count(), 1, "the language switcher marks no (or several) current language");
        assert.equal(await current.getAttribute("hreflang"), lang);
      }));
  }
});

describe("search and filters", () => {
  test("search 'Saudi' (en) shows Saudi Arabia only", { timeout: TEST_TIMEOUT }, () =>
    withPage(ctx, async (page) => {
      await home(page, "en");
      await page.locator("#search").fill("Saudi");
      await assertShown(page, ["SAU"], "search Saudi");
      await page.locator("#search").fill("");
      await assertShown(page, (await stateData(page)).map((s) => s.code), "empty search");
    }));

  test("search in Chinese on the zh page", { timeout: TEST_TIMEOUT }, () =>
    withPage(ctx, async (page) => {
      await home(page, "zh");
      await page.locator("#search").fill("沙特阿拉伯");
      await assertShown(page, ["SAU"], "search 沙特阿拉伯");
      await page.locator("#search").fill("新加坡");
      await assertShown(page, ["SGP"], "search 新加坡");
    }));

  test("search in Arabic on the ar page", { timeout: TEST_TIMEOUT }, () =>
    withPage(ctx, async (page) => {
      await home(page, "ar");
      await page.locator("#search").fill("سنغافورة");
      await assertShown(page, ["SGP"], "search سنغافورة");
    }));

  test("Arabic search ignores vowel marks and hamza forms, both ways", { timeout: TEST_TIMEOUT }, () =>
    withPage(ctx, async (page) => {
      await home(page, "ar");
      // A vowelled query finds the plain name (مصر).
      await page.locator("#search").fill("مِصْر");
      await assertShown(page, ["EGY"], "search مِصْر");
      // A query without hamza finds names written with it (إستونيا, الأرجنتين).
      await page.locator("#search").fill("استونيا");
      await assertShown(page, ["EST"], "search استونيا");
      await page.locator("#search").fill("الارجنتين");
      await assertShown(page, ["ARG"], "search الارجنتين");
      // A tatweel and a shadda change nothing.
      await page.locator("#search").fill("سنغـافورّة");
      await assertShown(page, ["SGP"], "search سنغـافورّة");
    }));

  test("full-width Latin finds its plain form (fr: 'ＢＲＥＳＩＬ' finds Brésil)", { timeout: TEST_TIMEOUT }, () =>
    withPage(ctx, async (page) => {
      await home(page, "fr");
      await page.locator("#search").fill("ＢＲＥＳＩＬ");
      await assertShown(page, ["BRA"], "search ＢＲＥＳＩＬ");
    }));

  test("search ignores case and accents (fr: 'BRESIL' finds Brésil)", { timeout: TEST_TIMEOUT }, () =>
    withPage(ctx, async (page) => {
      await home(page, "fr");
      await page.locator("#search").fill("BRESIL");
      await assertShown(page, ["BRA"], "search BRESIL");
    }));

  test("#filter-group 'african' shows only African States", { timeout: TEST_TIMEOUT }, () =>
    withPage(ctx, async (page) => {
      await home(page, "en");
      const data = await stateData(page);
      const expected = data.filter((s) => s.group === "african").map((s) => s.code);
      assert.deepEqual([...expected].sort(), ["EGY", "KEN", "SEN"], "the example directory's African States");
      await page.locator("#filter-group").selectOption("african");
      await assertShown(page, expected, "group african");
      for (const code of await visibleStates(page)) {
        assert.equal(await page.locator(`li.state[data-code="${code}"]`).getAttribute("data-group"), "african");
      }
    }));

  test("#filter-type with #filter-247 keeps States with a PoC of that type reachable 24/7", { timeout: TEST_TIMEOUT }, () =>
    withPage(ctx, async (page) => {
      await home(page, "en");
      const data = await stateData(page);
      // Every State of the example has both types: the type filter alone keeps them all.
      await page.locator("#filter-type").selectOption("technical");
      await assertShown(page, data.filter((s) => s.pocs.some((p) => p.type === "technical")).map((s) => s.code), "type technical");
      await page.locator("#filter-247").check();
      const expected = data.filter((s) => s.pocs.some((p) => p.type === "technical" && p.h24 === "true")).map((s) => s.code);
      assert.ok(expected.length > 0 && expected.length < STATE_COUNT, "the example has States with and without a technical PoC 24/7");
      await assertShown(page, expected, "type technical, 24/7");
      // No diplomatic PoC of the example is reachable 24/7: no State, although
      // every State has a diplomatic PoC and a PoC reachable 24/7.
      await page.locator("#filter-type").selectOption("diplomatic");
      await assertShown(page, [], "type diplomatic, 24/7");
    }));

  test("#filter-lang 'pt' keeps States with a Portuguese-speaking PoC", { timeout: TEST_TIMEOUT }, () =>
    withPage(ctx, async (page) => {
      await home(page, "en");
      const data = await stateData(page);
      const expected = data.filter((s) => s.pocs.some((p) => p.langs.includes("pt"))).map((s) => s.code);
      assert.deepEqual(expected, ["BRA"], "the example directory's Portuguese-speaking PoCs");
      await page.locator("#filter-lang").selectOption("pt");
      await assertShown(page, expected, "language pt");
    }));

  test("#filter-network 'ASEAN' shows Singapore only", { timeout: TEST_TIMEOUT }, () =>
    withPage(ctx, async (page) => {
      await home(page, "en");
      await page.locator("#filter-network").selectOption("ASEAN");
      await assertShown(page, ["SGP"], "network ASEAN");
    }));

  test("#filter-247 keeps only PoCs reachable 24/7", { timeout: TEST_TIMEOUT }, () =>
    withPage(ctx, async (page) => {
      await home(page, "en");
      const data = await stateData(page);
      await page.locator("#filter-247").check();
      const expected = data.filter((s) => s.pocs.some((p) => p.h24 === "true")).map((s) => s.code);
      assert.ok(expected.length > 0 && expected.length < STATE_COUNT, "the example has States with and without 24/7 PoCs");
      await assertShown(page, expected, "24/7");
      await page.locator("#filter-247").uncheck();
      await assertShown(page, data.map((s) => s.code), "24/7 unchecked");
    }));

  test("filters combine; no match shows #no-results; #filter-reset restores all", { timeout: TEST_TIMEOUT }, () =>
    withPage(ctx, async (page) => {
      await home(page, "en");
      const all = (await stateData(page)).map((s) => s.code);
      assert.equal(all.length, STATE_COUNT);
      await page.locator("#filter-group").selectOption("african");
      await page.locator("#filter-network").selectOption("ASEAN");
      await assertShown(page, [], "group african + network ASEAN");
      assert.ok(await page.locator("#no-results").isVisible(), "#no-results is not visible");
      await page.locator("#filter-reset").click();
      await assertShown(page, all, "after reset");
      assert.equal(await page.locator("#filter-group").inputValue(), "");
      assert.equal(await page.locator("#filter-network").inputValue(), "");

      await page.locator("#search").fill("no such state anywhere");
      await page.locator("#filter-type").selectOption("diplomatic");
      await page.locator("#filter-247").check();
      await assertShown(page, [], "a search matching nothing");
      await page.locator("#filter-reset").click();
      await assertShown(page, all, "after the second reset");
      assert.equal(await page.locator("#search").inputValue(), "");
      assert.equal(await page.locator("#filter-type").inputValue(), "");
      assert.equal(await page.locator("#filter-247").isChecked(), false);
    }));
});

describe("language switcher", () => {
  test("en/states/FRA.html -> fr/states/FRA.html", { timeout: TEST_TIMEOUT }, () =>
    withPage(ctx, async (page) => {
      await visit(page, "en/states/FRA.html");
      await Promise.all([
        page.waitForURL(server.base + "fr/states/FRA.html"),
        page.locator("nav.lang-switcher a[hreflang=fr]").click(),
      ]);
      assert.equal(await page.locator("html").getAttribute("lang"), "fr");
      assert.equal(await page.locator("html").getAttribute("dir"), "ltr");
      assert.equal((await page.locator("h1 .code").textContent()).trim(), "FRA");
    }));

  test("ar/states/FRA.html -> en/states/FRA.html", { timeout: TEST_TIMEOUT }, () =>
    withPage(ctx, async (page) => {
      await visit(page, "ar/states/FRA.html");
      assert.equal(await page.locator("html").getAttribute("dir"), "rtl");
      await Promise.all([
        page.waitForURL(server.base + "en/states/FRA.html"),
        page.locator("nav.lang-switcher a[hreflang=en]").click(),
      ]);
      assert.equal(await page.locator("html").getAttribute("lang"), "en");
      assert.equal(await page.locator("html").getAttribute("dir"), "ltr");
      assert.equal((await page.locator("h1 .code").textContent()).trim(), "FRA");
    }));

  test("every page type's switcher leads to the same page in each language", { timeout: TEST_TIMEOUT }, () =>
    withPage(ctx, async (page) => {
      for (const here of ["index.html", "states/FRA.html", "pages/about.html", "checks.html"]) {
        for (const lang of LANGS) {
          await visit(page, `${lang}/${here}`);
          const links = await page
            .locator("nav.lang-switcher a[hreflang]")
            .evaluateAll((as) => as.map((a) => [a.getAttribute("hreflang"), a.href]));
          assert.deepEqual(
            links,
            LANGS.map((l) => [l, `${server.base}${l}/${here}`]),
            `the switcher of ${lang}/${here}`,
          );
        }
      }
    }));
});

describe("right-to-left layout", () => {
  for (const here of ["index.html", "states/FRA.html", "pages/about.html", "checks.html"]) {
    test(`${here}: nav.site-nav is left of main in en, right of it in ar`, { timeout: TEST_TIMEOUT }, () =>
      withPage(ctx, async (page) => {
        const boxes = async (lang) => {
          await visit(page, `${lang}/${here}`);
          const nav = await page.locator("nav.site-nav").boundingBox();
          const main = await page.locator("main").boundingBox();
          assert.ok(nav && main, `${lang}/${here}: nav.site-nav or main is not rendered`);
          return { nav, main };
        };
        const en = await boxes("en");
        assert.ok(
          en.nav.x + en.nav.width <= en.main.x,
          `en: nav (x ${en.nav.x}..${en.nav.x + en.nav.width}) is not left of main (x ${en.main.x})`,
        );
        const ar = await boxes("ar");
        assert.equal(await page.locator("html").getAttribute("dir"), "rtl");
        assert.ok(
          ar.main.x + ar.main.width <= ar.nav.x,
          `ar: nav (x ${ar.nav.x}) is not right of main (x ${ar.main.x}..${ar.main.x + ar.main.width})`,
        );
        // Mirrored, not merely moved: the navigation column keeps its width.
        assert.ok(Math.abs(en.nav.width - ar.nav.width) < 1, "the navigation column changed width");
      }));
  }
});

describe("communication checks page", () => {
  for (const lang of ["en", "ar"]) {
    test(`${lang}/checks.html draws three bar charts, labels on the reading side`, { timeout: TEST_TIMEOUT }, () =>
      withPage(ctx, async (page) => {
        await visit(page, `${lang}/checks.html`);
        // Each chart is a table: a row's label, then its bar and figure.
        const charts = page.locator("table.chart");
        assert.equal(await charts.count(), 3, "by group, by type, trend");
        assert.ok((await page.locator(".check-figures dd").count()) >= 5, "the figures");
        const label = await charts.first().locator(".chart-label").first().boundingBox();
        const bar = await charts.first().locator(".chart-bar").first().boundingBox();
        assert.ok(label && bar && bar.width > 0, "a label and a drawn bar");
        if (lang === "ar") {
          assert.ok(bar.x + bar.width <= label.x + 1, `ar: the bar (x ${bar.x}..${bar.x + bar.width}) is not left of its label (x ${label.x})`);
        } else {
          assert.ok(label.x + label.width <= bar.x + 1, `en: the label (x ${label.x}..${label.x + label.width}) is not left of its bar (x ${bar.x})`);
        }
      }));
  }
});

describe("without JavaScript", () => {
  let noJs;
  before(async () => {
    noJs = await newContext({ javaScriptEnabled: false });
  });
  after(async () => {
    await noJs?.close();
  });
  for (const lang of ["en", "ar"]) {
    test(`${lang}/index.html shows every State and hides the filter form`, { timeout: TEST_TIMEOUT }, () =>
      withPage(noJs, async (page) => {
        await visit(page, `${lang}/index.html`);
        assert.equal(await page.locator("ul#states > li.state").count(), STATE_COUNT);
        assert.equal((await visibleStates(page)).length, STATE_COUNT);
        assert.equal(await page.locator("#filters").isVisible(), false, "the filter form is shown without JavaScript");
        assert.ok(
          await page.locator("main noscript p.notice").isVisible(),
          "no notice says that search and filters need JavaScript",
        );
      }));
  }
});

describe("every page", () => {
  test("loads with no error, no broken link, no CSP violation and no request off the origin", { timeout: 300_000 }, async () => {
    const files = htmlFiles(SITE_DIR);
    assert.ok(files.length >= 1 + LANGS.length * (1 + STATE_COUNT), `only ${files.length} HTML files in the site`);
    // Every page is visited before failing, so one run lists every problem.
    const found = [];
    const page = await openPage(ctx);
    const log = pageLogs.get(page);
    for (const rel of files) {
      try {
        await visit(page, rel);
        // Let deferred scripts run before the next page.
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
      } catch (e) {
        found.push(`${rel}: ${e.message}`);
      }
    }
    await page.close();
    const all = [...found, problems(log)].filter(Boolean).join("\n");
    assertNone(all, "problems on the site's pages");
    const requests = log.requests;
    assert.ok(requests.some((u) => u === `${server.base}static/style.css`), "style.css was never requested");
    assert.ok(requests.some((u) => u === `${server.base}static/search.js`), "search.js was never requested");
  });
});

describe("accessibility (axe-core)", () => {
  let axeCtx;
  before(async () => {
    assert.ok(existsSync(AXE_PATH), `${AXE_PATH} is missing: run npm ci --prefix tests/browser`);
    // The site's CSP (script-src 'self') blocks the inline script that
    // page.addScriptTag() adds: axe runs in a context that bypasses the CSP.
    // Every other test keeps the CSP, and fails on any violation of it.
    axeCtx = await newContext({ bypassCSP: true });
  });
  after(async () => {
    await axeCtx?.close();
  });

  const pagesToCheck = [
    "index.html",
    // Every page type, in a left-to-right, a right-to-left and a CJK language.
    ...["en", "ar", "zh"].flatMap((l) => [
      `${l}/index.html`,
      `${l}/states/FRA.html`,
      `${l}/pages/about.html`,
      `${l}/checks.html`,
      `${l}/participation.html`,
      `${l}/receipts.html`,
    ]),
  ];
  for (const rel of pagesToCheck) {
    test(`${rel}: no serious or critical violation`, { timeout: TEST_TIMEOUT }, (t) =>
      withPage(
        axeCtx,
        async (page) => {
          if (rel.endsWith("/index.html")) {
            await home(page, rel.split("/")[0]);
          } else {
            await visit(page, rel);
          }
          await page.addScriptTag({ path: AXE_PATH });
          const results = await page.evaluate(() =>
            // `axe` is the global axe.min.js defines.
            globalThis.axe.run(document, { resultTypes: ["violations"] }),
          );
          const explain = (v) =>
            `${v.impact} ${v.id}: ${v.help} (${v.helpUrl})\n` +
            v.nodes
              .map(
                (n) =>
                  `    at ${n.target.join(" ")}\n      ${n.html}\n      ` +
                  (n.failureSummary || "").replace(/\n/g, "\n      "),
              )
              .join("\n");
          const blocking = (v) => v.impact === "serious" || v.impact === "critical";
          for (const v of results.violations.filter((v) => !blocking(v))) {
            t.diagnostic(explain(v));
          }
          const serious = results.violations.filter(blocking);
          assert.equal(serious.length, 0, `axe on ${rel}:\n${serious.map(explain).join("\n")}`);
        },
        // These pages run without the CSP: they stay out of the run's log.
        newLog(),
      ));
  }
});

test(
  "screenshots of the home page at 1280 and 390 px (UPDATE_SCREENSHOTS=1)",
  { skip: !UPDATE_SCREENSHOTS && "set UPDATE_SCREENSHOTS=1 to update docs/screenshots/", timeout: TEST_TIMEOUT },
  async () => {
    const dir = path.join(REPO, "docs", "screenshots");
    mkdirSync(dir, { recursive: true });
    for (const [width, height] of [[1280, 900], [390, 844]]) {
      for (const lang of ["en", "ar", "zh"]) {
        await withPage(ctx, async (page) => {
          await page.setViewportSize({ width, height });
          await home(page, lang);
          await page.evaluate(() => document.fonts.ready.then(() => true));
          // On a phone, the page down to its first States (the header and filters come first).
          const full = await page.evaluate(() => document.documentElement.scrollHeight);
          const clip = { x: 0, y: 0, width, height: width < 600 ? Math.min(full, 2000) : height };
          await page.screenshot({ path: path.join(dir, `home-${lang}-${width}.png`), fullPage: true, clip, animations: "disabled", caret: "hide" });
        });
      }
    }
  },
);

// Last: the whole run's record, across every page opened with the site's CSP.
test("no page visited made a request off the origin, logged an error or hit a broken link", () => {
  assert.ok(seen.pages.length > 0, "no page was visited");
  assertNone(problems(seen), "problems on the pages visited");
  assertNone(server.misses.join("\n"), "the server answered requests with an error");
  assert.ok(
    seen.requests.every((u) => u.startsWith(server.base) || u === `${server.origin}/favicon.ico`),
    "a request went outside the site's sub-path",
  );
});
