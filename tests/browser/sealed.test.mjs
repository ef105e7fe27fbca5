// A sealed site in real Chromium (issue #16): the example built with
// `site.sealed: true`, its contacts encrypted in every served file, opened
// with the access code FRA finds in its bundle.
//
//   SEALED_SITE_DIR, SEALED_CODE            the sealed example, FRA's code
//   SEALED_LATER_SITE_DIR, SEALED_LATER_CODE  a later build without FRA, DEU's code
//   SEALED_SYNTH_SITE_DIR, SEALED_SYNTH_CODE  193 States x 4 PoCs, sealed
//   SITE_DIR                                the same example, not sealed
//
// `cargo test --test cli browser` builds them all (tests/cli/browser.rs).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

import { serveSite } from "./server.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const AXE_PATH = path.join(HERE, "node_modules", "axe-core", "axe.min.js");
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const ENV = [
  "SITE_DIR",
  "SEALED_SITE_DIR",
  "SEALED_CODE",
  "SEALED_LATER_SITE_DIR",
  "SEALED_LATER_CODE",
  "SEALED_SYNTH_SITE_DIR",
  "SEALED_SYNTH_CODE",
];
const LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"];
const TIMEOUT = 120_000;

let browser;
let plain;
let sealed;
let later;
let synth;

before(async () => {
  const missing = ENV.filter((k) => !process.env[k]);
  assert.deepEqual(missing, [], "sealed.test.mjs needs these (tests/cli/browser.rs sets them)");
  browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  plain = await serveSite(process.env.SITE_DIR);
  sealed = await serveSite(process.env.SEALED_SITE_DIR);
  later = await serveSite(process.env.SEALED_LATER_SITE_DIR);
  synth = await serveSite(process.env.SEALED_SYNTH_SITE_DIR);
});

after(async () => {
  await browser?.close();
  for (const s of [plain, sealed, later, synth]) {
    await s?.close();
  }
});

/** A page of a new context; every console error and failed request is recorded. */
async function newPage(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, ...options });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  page.problems = [];
  page.on("console", (m) => {
    if (m.type() === "error") {
      page.problems.push(`console error: ${m.text()}`);
    }
  });
  page.on("pageerror", (e) => page.problems.push(`page error: ${e.message}`));
  page.on("response", (r) => {
    if (r.status() >= 400) {
      page.problems.push(`HTTP ${r.status()} ${r.url()}`);
    }
  });
  return page;
}

async function visit(page, server, rel) {
  const res = await page.goto(server.base + rel, { waitUntil: "load" });
  assert.equal(res?.status(), 200, `${rel}`);
}

/** The visible text of `main`, without what only a sealed page has and without the live clock. */
async function mainText(page) {
  return page.evaluate(() => {
    const main = document.getElementById("main").cloneNode(true);
    main.querySelectorAll(".unlock, .sealed-status, noscript, .now, [hidden]").forEach((el) => el.remove());
    return main.innerText.replace(/\s+/g, " ").trim();
  });
}

async function unlock(page, code) {
  await page.fill("#unlock-code", code);
  await page.click("#unlock button[type=submit]");
}

/** Every email address the example's unsealed page shows in its content (the footer's is the secretariat's). */
async function emailsOf(page) {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('main a[href^="mailto:"]')).map((a) => a.getAttribute("href").slice(7)),
  );
}

describe("a sealed site", { timeout: TIMEOUT }, () => {
  test("locked: no contact in the page, the unlock form shown", async () => {
    const ref = await newPage();
    await visit(ref, plain, "en/states/FRA.html");
    const emails = await emailsOf(ref);
    assert.ok(emails.length >= 3, `the unsealed FRA page shows its emails: ${emails}`);
    await ref.context().close();

    const page = await newPage();
    await visit(page, sealed, "en/states/FRA.html");
    assert.equal(await page.isVisible("#unlock"), true, "the unlock form is shown");
    const html = await page.content();
    for (const e of emails) {
      assert.ok(!html.includes(e), `${e} is in the locked page`);
    }
    assert.ok((await page.locator("[data-sealed]").count()) >= 2, "the contacts are sealed blocks");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test("the right code shows the same information as the unsealed site, in every page type", async () => {
    const page = await newPage();
    const ref = await newPage();
    await visit(page, sealed, "en/states/FRA.html");
    await unlock(page, process.env.SEALED_CODE);
    await page.waitForSelector("#sealed-status:not([hidden])");
    assert.equal(await page.locator("[data-sealed]").count(), 0, "every sealed block was opened");
    assert.equal(await page.isVisible("#unlock"), false);
    for (const rel of ["en/states/FRA.html", "ar/states/FRA.html", "zh/states/DEU.html", "fr/index.html", "ru/checks.html"]) {
      // Unlocked once: the next pages of the tab open by themselves.
      await visit(page, sealed, rel);
      await page.waitForFunction(() => !document.querySelector("[data-sealed]"));
      await visit(ref, plain, rel);
      assert.equal(await mainText(page), await mainText(ref), `${rel}: the unlocked page differs from the unsealed one`);
    }
    // The live "now" line works on opened PoCs too.
    await visit(page, sealed, "en/states/FRA.html");
    await page.waitForSelector(".now[data-state]");
    assert.deepEqual(page.problems, []);
    await page.context().close();
    await ref.context().close();
  });

  test("search finds a PoC's email only once unlocked", async () => {
    const page = await newPage();
    await visit(page, sealed, "en/index.html");
    await page.waitForSelector("#filters:not([hidden])");
    await page.fill("#search", "cert.fra.example");
    const shown = () => page.evaluate(() => Array.from(document.querySelectorAll("#states li.state")).filter((li) => !li.hidden).map((li) => li.dataset.code));
    await page.waitForFunction(() => document.querySelectorAll("#states li.state:not([hidden])").length === 0);
    await unlock(page, process.env.SEALED_CODE);
    await page.waitForFunction(() => document.querySelectorAll("#states li.state:not([hidden])").length === 1);
    assert.deepEqual(await shown(), ["FRA"]);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test("a sealed export downloads as the unsealed file", async () => {
    const page = await newPage();
    await visit(page, sealed, "en/states/FRA.html");
    await unlock(page, process.env.SEALED_CODE);
    await page.waitForSelector("#sealed-status:not([hidden])");
    for (const [link, file] of [
      ['a[href$="en/directory.vcf"]', "en/directory.vcf"],
      ['a[href$="directory.json"]', "directory.json"],
      ['a[href$="en/vcf/FRA.vcf"]', "en/vcf/FRA.vcf"],
    ]) {
      const [download] = await Promise.all([page.waitForEvent("download"), page.click(link)]);
      const got = readFileSync(await download.path());
      const want = readFileSync(path.join(process.env.SITE_DIR, file));
      assert.ok(got.equals(want), `${file}: the download differs from the unsealed file`);
    }
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test("a wrong or malformed code is refused with a clear message", async () => {
    const page = await newPage();
    await visit(page, sealed, "ar/states/FRA.html");
    const error = page.locator("#unlock-error");
    await unlock(page, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF");
    await page.waitForFunction(() => document.getElementById("unlock-error").textContent !== "");
    assert.equal(await error.textContent(), await error.getAttribute("data-wrong"));
    await unlock(page, "not a code");
    await page.waitForFunction(() => {
      const e = document.getElementById("unlock-error");
      return e.textContent === e.getAttribute("data-malformed");
    });
    assert.equal(await error.getAttribute("role"), "alert");
    assert.ok((await page.locator("[data-sealed]").count()) > 0, "still sealed");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test("after FRA's removal its old code opens nothing built later", async () => {
    const page = await newPage();
    await visit(page, later, "en/states/DEU.html");
    await unlock(page, process.env.SEALED_CODE);
    await page.waitForFunction(() => {
      const e = document.getElementById("unlock-error");
      return e.textContent === e.getAttribute("data-wrong");
    });
    assert.ok((await page.locator("[data-sealed]").count()) > 0, "still sealed");
    // A key this tab kept from the earlier build opens nothing either.
    const old = await newPage();
    await visit(old, sealed, "en/states/DEU.html");
    await unlock(old, process.env.SEALED_CODE);
    await old.waitForSelector("#sealed-status:not([hidden])");
    const kept = await old.evaluate(() => sessionStorage.getItem("pocdir-sealed-key"));
    assert.ok(kept, "the earlier build's key is kept for the tab");
    await old.context().close();
    const replay = await newPage();
    await replay.context().addInitScript((k) => sessionStorage.setItem("pocdir-sealed-key", k), kept);
    await visit(replay, later, "en/states/DEU.html");
    await replay.waitForSelector("#unlock:not([hidden])");
    assert.ok((await replay.locator("[data-sealed]").count()) > 0, "the old key opened the later build");
    await replay.context().close();
    // DEU's code, from its later bundle, opens it.
    await unlock(page, process.env.SEALED_LATER_CODE);
    await page.waitForSelector("#sealed-status:not([hidden])");
    assert.equal(await page.locator("[data-sealed]").count(), 0);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test("with JavaScript off the page says that the directory needs it", async () => {
    const page = await newPage({ javaScriptEnabled: false });
    await visit(page, sealed, "en/states/FRA.html");
    const notice = page.locator(".sealed-noscript");
    assert.equal(await notice.isVisible(), true);
    assert.match(await notice.textContent(), /JavaScript/);
    assert.equal(await page.isVisible("#unlock"), false);
    await page.context().close();
  });

  test("locked and unlocked pages pass axe (no serious or critical violation)", async () => {
    // axe is injected as a script of its own: the page's CSP would refuse it.
    const page = await newPage({ bypassCSP: true });
    for (const rel of ["en/states/FRA.html", "ar/states/FRA.html"]) {
      await visit(page, sealed, rel);
      await page.evaluate(() => sessionStorage.clear());
      await visit(page, sealed, rel);
      await page.waitForSelector("#unlock:not([hidden])");
      for (const phase of ["locked", "unlocked"]) {
        if (phase === "unlocked") {
          await unlock(page, process.env.SEALED_CODE);
          await page.waitForSelector("#sealed-status:not([hidden])");
        }
        await page.addScriptTag({ path: AXE_PATH });
        const found = await page.evaluate(async () => {
          // eslint-disable-next-line no-undef
          const r = await axe.run(document, { resultTypes: ["violations"] });
          return r.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help}`);
        }).catch((e) => [`axe did not run: ${e.message}`]);
        assert.deepEqual(found, [], `${rel} (${phase})`);
      }
    }
    await page.context().close();
  });

  test("the unlock time of the 193 x 4 directory (measured, reported)", async () => {
    const page = await newPage();
    const times = {};
    for (const rel of ["en/index.html", "en/states/" + (await firstState()) + ".html"]) {
      await visit(page, synth, rel);
      await page.evaluate(() => sessionStorage.clear());
      await visit(page, synth, rel);
      await page.fill("#unlock-code", process.env.SEALED_SYNTH_CODE);
      const ms = await page.evaluate(() => new Promise((resolve) => {
        const t0 = performance.now();
        document.addEventListener("pocdir:unlocked", () => resolve(performance.now() - t0), { once: true });
        document.querySelector("#unlock button[type=submit]").click();
      }));
      assert.equal(await page.locator("[data-sealed]").count(), 0, `${rel} opened`);
      times[rel] = Math.round(ms * 10) / 10;
    }
    console.log(`unlock time, 193 x 4 (from the click to the page opened): ${JSON.stringify(times)} ms`);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});

async function firstState() {
  const page = await newPage();
  await visit(page, synth, "en/index.html");
  const code = await page.evaluate(() => document.querySelector("#states li.state").dataset.code);
  await page.context().close();
  return code;
}
