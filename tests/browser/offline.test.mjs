// A bundle's offline page (the `index.html` inside every bundle) in headless
// Chromium, opened from disk as a recipient opens it: it shows the
// directory, carries a Content-Security-Policy that lets it load nothing,
// and makes no request, even when something tries to load from elsewhere.
//
//   OFFLINE_PAGE=/path/to/index.html node --test tests/browser/offline.test.mjs
//
// `cargo test --test cli browser` decrypts FRA's bundle of the example
// directory and runs this with the site's tests (tests/cli/browser.rs).

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const OFFLINE_PAGE = process.env.OFFLINE_PAGE;
/** The policy `themes/default/templates/offline.html` declares. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";
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
/** A server on 127.0.0.1 standing for a remote host: it counts what reaches it. */
let tracker;
const hits = [];

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

before(async () => {
  assert.ok(OFFLINE_PAGE, "OFFLINE_PAGE is not set: the path of a bundle's index.html");
  assert.ok(existsSync(OFFLINE_PAGE), `${OFFLINE_PAGE} does not exist`);
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (or set CHROMIUM_PATH)`);
  tracker = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(200, { "content-type": "image/png", "access-control-allow-origin": "*" });
    res.end();
  });
  await new Promise((resolve) => tracker.listen(0, "127.0.0.1", resolve));
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: LAUNCH_ARGS });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (tracker ? tracker.close(resolve) : resolve()));
});

test("the offline page loads nothing, and its CSP blocks what tries to", { timeout: TEST_TIMEOUT }, async () => {
  const context = await browser.newContext({ serviceWorkers: "block" });
  try {
    await context.addInitScript(() => {
      window.__violations = [];
      document.addEventListener("securitypolicyviolation", (e) => {
        window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || "(inline)"}`);
      });
    });
    const page = await context.newPage();
    const requests = [];
    const errors = [];
    page.on("request", (req) => requests.push(req.url()));
    page.on("pageerror", (err) => errors.push(err.message));
    const url = pathToFileURL(OFFLINE_PAGE).href;
    await page.goto(url, { waitUntil: "load" });

    // It shows the directory, with its inline style applied.
    assert.ok(await page.locator("main section h1").first().isVisible(), "no section heading is shown");
    assert.ok((await page.locator("li.state").count()) > 0, "the page lists no State");
    assert.equal(
      await page.evaluate(() => [...document.styleSheets].reduce((n, s) => n + s.cssRules.length, 0) > 0),
      true,
      "the inline stylesheet was not applied",
    );
    assert.deepEqual(await page.evaluate(() => window.__violations), [], "loading the page broke its own CSP");
    assert.deepEqual(requests, [url], "the page requested something besides itself");
    assert.deepEqual(errors, []);

    // The policy, as the page declares it.
    const meta = page.locator('head meta[http-equiv="Content-Security-Policy"]');
    assert.equal(await meta.count(), 1, "the page declares no (or several) Content-Security-Policy");
    const csp = await meta.getAttribute("content");
    assert.equal(csp, CSP);

    // Whatever gets into the page cannot load anything: an image, a
    // stylesheet, a frame, a fetch.
    const origin = `http://127.0.0.1:${tracker.address().port}`;
    await page.evaluate((origin) => {
      const img = document.createElement("img");
      img.src = `${origin}/img.png`;
      document.body.append(img);
      const link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = `${origin}/style.css`;
      document.head.append(link);
      const frame = document.createElement("iframe");
      frame.src = `${origin}/frame.html`;
      document.body.append(frame);
      fetch(`${origin}/fetch`).catch(() => {});
    }, origin);
    const end = Date.now() + 5_000;
    let violations = [];
    while (Date.now() < end) {
      violations = await page.evaluate(() => window.__violations);
      if (violations.length >= 4) {
        break;
      }
      await sleep(50);
    }
    assert.equal(violations.length, 4, `expected 4 CSP violations, got: ${violations.join("; ")}`);
    // (A frame's violation names its origin only.)
    for (const [directive, what] of [
      ["img-src", "/img.png"],
      ["style-src-elem", "/style.css"],
      ["frame-src", ""],
      ["connect-src", "/fetch"],
    ]) {
      assert.ok(
        violations.some((v) => v.startsWith(`${directive} blocked ${origin}${what}`)),
        `no ${directive} violation for ${origin}${what}: ${violations.join("; ")}`,
      );
    }
    await sleep(200);
    assert.deepEqual(hits, [], "a request reached the remote host");
  } finally {
    await context.close();
  }
});

test("the offline page's jump list leads to every State, without a script", { timeout: TEST_TIMEOUT }, async () => {
  const context = await browser.newContext({ serviceWorkers: "block", viewport: { width: 1000, height: 700 } });
  try {
    const page = await context.newPage();
    await page.goto(pathToFileURL(OFFLINE_PAGE).href, { waitUntil: "load" });
    const section = page.locator("section#lang-en");
    const links = section.locator("nav.jump ul.toc a");
    const states = section.locator("li.state");
    assert.ok((await states.count()) > 1, "the English section lists no State");
    assert.equal(await links.count(), await states.count(), "the jump list does not name every State");
    // The page has margins: the content does not touch the window's edge.
    const box = await section.locator("h1").boundingBox();
    assert.ok(box.x >= 16, `the heading starts ${box.x}px from the edge`);
    // Following the last State's link brings that State into view.
    const last = links.last();
    const target = (await last.getAttribute("href")).slice(1);
    await last.click();
    await page.waitForFunction((id) => location.hash === `#${id}`, target);
    const inView = await page.evaluate((id) => {
      const r = document.getElementById(id).getBoundingClientRect();
      return r.top >= 0 && r.top < window.innerHeight;
    }, target);
    assert.ok(inView, `#${target} is not in view after following its link`);
    // And back to the top of the section.
    await page.locator(`#${target} .to-top a`).click();
    await page.waitForFunction(() => location.hash === "#en-top");
  } finally {
    await context.close();
  }
});
