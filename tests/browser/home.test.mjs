// The home page at scale and the print layout, in real headless Chromium
// (issues 14 and 19):
//
// - the home page of 193 States x 4 PoCs (SYNTH_SITE_DIR, built by
//   tests/cli/browser.rs with the synthetic generator): at most 3,000
//   elements at first paint in every language; search results on screen
//   after every keystroke, correct, with Chromium's CPU slowed 4x (CDP
//   Emulation.setCPUThrottlingRate); the time from keystroke to results is
//   a figure printed here and held to its 100 ms budget (median) only by
//   benches/search.sh, on a quiet machine (a timed test fails when the
//   machine is busy, whatever the code does); the live count announced once
//   typing pauses, not on every keystroke; the filters on type, language
//   and 24/7 holding for one same PoC; the index of initial letters;
// - the bundle's offline page (OFFLINE_PAGE) printing one State per page.
//
//   SYNTH_SITE_DIR=… OFFLINE_PAGE=… node --test tests/browser/home.test.mjs

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

import { serveSite } from "./server.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const SYNTH = process.env.SYNTH_SITE_DIR;
const OFFLINE_PAGE = process.env.OFFLINE_PAGE;
const LANGS = ["en", "fr", "es", "ru", "zh", "ar"];
const PREFIX = "/restricted/poc/";
const STATES = 193;
/** Issue 19: elements of the home page at first paint, per language. */
const MAX_ELEMENTS = 3000;
/** Issue 19: from keystroke to updated results, CPU slowed 4x (median):
 * asserted only when benches/search.sh sets KEYSTROKE_BUDGET_MS. */
const KEYSTROKE_BUDGET_MS = Number(process.env.KEYSTROKE_BUDGET_MS || 0);
const THROTTLE = 4;
/** search.js announces the count this long after the last keystroke. */
const ANNOUNCE_AFTER_MS = 500;
const LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"];
const TEST_TIMEOUT = 180_000;

let browser;
let server;

before(async () => {
  assert.ok(SYNTH, "SYNTH_SITE_DIR is not set: the site of a synthetic directory of 193 States x 4 PoCs");
  assert.ok(existsSync(path.join(SYNTH, "en", "index.html")), `${SYNTH} holds no en/index.html`);
  assert.ok(OFFLINE_PAGE && existsSync(OFFLINE_PAGE), "OFFLINE_PAGE is not set or missing");
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (or set CHROMIUM_PATH)`);
  server = await serveSite(SYNTH, PREFIX);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: LAUNCH_ARGS });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function withPage(fn, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  try {
    await fn(page);
    assert.deepEqual(errors, [], "errors in the page");
  } finally {
    await context.close();
  }
}

async function home(page, lang) {
  const res = await page.goto(`${server.base}${lang}/index.html`, { waitUntil: "load" });
  assert.equal(res.status(), 200);
  await page.locator("#filters").waitFor({ state: "visible" });
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The codes of the States not hidden, in the page's order. */
function shown(page) {
  return page.evaluate(() => [...document.querySelectorAll("#states > li.state")].filter((li) => !li.hidden).map((li) => li.id));
}

describe("home page of 193 States x 4 PoCs", () => {
  for (const lang of LANGS) {
    test(`${lang}: at most ${MAX_ELEMENTS} elements at first paint, every State listed`, { timeout: TEST_TIMEOUT }, (t) =>
      withPage(async (page) => {
        // Counted when the document is parsed and the (deferred) search
        // script has run, before anything else could add to it.
        await page.goto(`${server.base}${lang}/index.html`, { waitUntil: "domcontentloaded" });
        const { elements, states, pocs } = await page.evaluate(() => ({
          elements: document.getElementsByTagName("*").length,
          states: document.querySelectorAll("#states > li.state").length,
          pocs: document.querySelectorAll(".poc").length,
        }));
        t.diagnostic(`${lang}/index.html: ${elements} elements`);
        console.log(`# figure: ${lang}/index.html at 193 x 4: ${elements} elements`);
        assert.equal(states, STATES);
        assert.equal(pocs, 0, "PoC details belong on the State pages");
        assert.ok(elements <= MAX_ELEMENTS, `${elements} elements`);
      }));
  }

  for (const lang of ["en", "ar", "zh"]) {
    test(`${lang}: search results after each keystroke with the CPU slowed ${THROTTLE}x`, { timeout: TEST_TIMEOUT }, (t) =>
      withPage(async (page) => {
        await home(page, lang);
        const cdp = await page.context().newCDPSession(page);
        await cdp.send("Emulation.setCPUThrottlingRate", { rate: THROTTLE });
        // From the key going down to the frame after the page's input
        // handler ran (the handler, then style, layout and paint): the
        // listener on window runs after search.js's on the form.
        await page.evaluate(() => {
          const q = document.getElementById("search");
          window.__latencies = [];
          let t0 = 0;
          document.addEventListener("keydown", (e) => { if (e.target === q) { t0 = performance.now(); } }, true);
          window.addEventListener("input", (e) => {
            if (e.target !== q) { return; }
            const start = t0;
            requestAnimationFrame(() => setTimeout(() => window.__latencies.push(performance.now() - start), 0));
          });
        });
        await page.locator("#search").focus();
        // Narrowing, then Backspace bringing every State back (the costly
        // way: 193 items shown again).
        const word = "guinea";
        const keys = [...word, ...Array(word.length).fill("Backspace")];
        for (const [i, key] of keys.entries()) {
          await page.keyboard.press(key);
          await page.waitForFunction((n) => window.__latencies.length >= n, i + 1, { polling: 20 });
          if (i === word.length - 1) {
            const want = await page.evaluate((w) =>
              [...document.querySelectorAll("#states > li.state")]
                .filter((li) => (li.dataset.search + " " + li.textContent).toLowerCase().includes(w))
                .map((li) => li.id), word);
            assert.ok(want.length >= 3, `"${word}" matches ${want.length} States`);
            assert.deepEqual(await shown(page), want, `results for "${word}"`);
          }
        }
        assert.equal((await shown(page)).length, STATES, "every State back after the Backspaces");
        await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
        const lat = await page.evaluate(() => window.__latencies);
        const m = median(lat);
        const line = `${lang}: keystroke to results, CPU ${THROTTLE}x: median ${m.toFixed(1)} ms, max ${Math.max(...lat).toFixed(1)} ms (${lat.length} keystrokes)`;
        t.diagnostic(line);
        console.log(`# figure: ${line}`);
        assert.equal(lat.length, keys.length, "one measured frame per keystroke");
        if (KEYSTROKE_BUDGET_MS > 0) {
          assert.ok(m <= KEYSTROKE_BUDGET_MS, `${line}: over the ${KEYSTROKE_BUDGET_MS} ms budget`);
        }
      }));
  }

  test("the live count is announced once typing pauses, not on every keystroke", { timeout: TEST_TIMEOUT }, () =>
    withPage(async (page) => {
      await home(page, "en");
      const count = page.locator("#results-count");
      assert.equal(await count.getAttribute("aria-live"), "polite");
      await page.evaluate(() => {
        window.__announced = [];
        new MutationObserver(() => window.__announced.push(document.getElementById("results-count").textContent))
          .observe(document.getElementById("results-count"), { childList: true, characterData: true, subtree: true });
      });
      await page.locator("#search").focus();
      const typed = Date.now();
      await page.keyboard.type("ger", { delay: 60 });
      const early = await page.evaluate(() => window.__announced.length);
      const elapsed = Date.now() - typed;
      // The list follows every keystroke...
      const now = await shown(page);
      assert.ok(now.length > 0 && now.length < STATES, `${now.length} States shown while typing`);
      // ...the announcement waits for the pause.
      if (elapsed < ANNOUNCE_AFTER_MS) {
        assert.equal(early, 0, "the count was announced while typing");
      }
      await page.waitForFunction(() => window.__announced.length >= 1, null, { timeout: 5_000 });
      await page.waitForTimeout(ANNOUNCE_AFTER_MS + 300);
      const announced = await page.evaluate(() => window.__announced);
      assert.equal(announced.length, 1, `announced ${announced.length} times: ${announced.join(" | ")}`);
      const template = await count.getAttribute("data-template");
      assert.equal(announced[0].trim(), template.replace("{n}", String(now.length)).trim());
    }));

  test("type, language and 24/7 filters must hold for one same PoC", { timeout: TEST_TIMEOUT }, () =>
    withPage(async (page) => {
      await home(page, "en");
      const pocs = await page.evaluate(() => document.querySelector("#states > li.state").dataset.pocs);
      // Every synthetic State: diplomatic PoCs during office hours, technical ones 24/7.
      assert.match(pocs, /^diplomatic:[a-z,]+:0 technical:[a-z,]+:1/);
      await page.locator("#filter-247").check();
      assert.equal((await shown(page)).length, STATES, "24/7: every State has a technical PoC 24/7");
      await page.locator("#filter-type").selectOption("diplomatic");
      await page.waitForFunction(() => document.querySelectorAll("#states > li.state:not([hidden])").length === 0);
      assert.ok(await page.locator("#no-results").isVisible(), "no diplomatic PoC is 24/7: no State");
      await page.locator("#filter-type").selectOption("technical");
      await page.waitForFunction((n) => document.querySelectorAll("#states > li.state:not([hidden])").length === n, STATES);
    }));

  /** The index: [letter, code] in order. */
  function index(page) {
    return page.evaluate(() => {
      const nav = document.querySelector("nav.jump");
      return [...nav.querySelectorAll("a")].map((a) => [a.textContent, a.getAttribute("href").slice(1)]);
    });
  }

  /** `code` is listed under `letter`: after its link's State, before the next letter's. */
  async function assertUnder(page, letter, code) {
    const idx = await index(page);
    const order = await shown(page);
    const at = idx.findIndex(([l]) => l === letter);
    assert.ok(at >= 0, `no ${letter} in the index: ${idx.map(([l]) => l).join(" ")}`);
    const from = order.indexOf(idx[at][1]);
    const to = at + 1 < idx.length ? order.indexOf(idx[at + 1][1]) : order.length;
    const pos = order.indexOf(code);
    assert.ok(from <= pos && pos < to, `${code} is not under ${letter} (${from} <= ${pos} < ${to})`);
  }

  for (const [lang, letter, code, what] of [
    ["en", "E", "EGY", "Egypt"],
    ["fr", "E", "EGY", "Égypte: accents folded"],
    ["es", "E", "EGY", "Egipto"],
    ["ru", "Э", "EST", "Эстония"],
    ["ar", "ج", "DZA", "الجزائر: the article is not the initial"],
    ["ar", "ا", "EST", "إستونيا: hamza folded into alif"],
    ["zh", "Z", "CHN", "中国: pinyin zhōng"],
    ["zh", "A", "EGY", "埃及: pinyin āi"],
  ]) {
    test(`${lang}: index of initial letters, ${what} under ${letter}`, { timeout: TEST_TIMEOUT }, () =>
      withPage(async (page) => {
        await home(page, lang);
        const nav = page.locator("nav.jump");
        assert.equal(await nav.count(), 1);
        assert.ok(((await nav.getAttribute("aria-label")) || "").length > 0, "the index has no label");
        const idx = await index(page);
        assert.ok(idx.length >= 10, `only ${idx.length} letters`);
        assert.equal(new Set(idx.map(([l]) => l)).size, idx.length, "a letter twice");
        // Each link goes to the first State under its letter.
        const order = await shown(page);
        const positions = idx.map(([, c]) => order.indexOf(c));
        assert.deepEqual(positions, [...positions].sort((a, b) => a - b), "letters out of the list's order");
        assert.equal(positions[0], 0, "the first letter links to the first State");
        await assertUnder(page, letter, code);
        // Following a link brings its State into view.
        const [, target] = idx[Math.floor(idx.length / 2)];
        await nav.locator(`a[href="#${target}"]`).click();
        await page.waitForFunction((c) => location.hash === `#${c}`, target);
        assert.ok(await page.locator(`#${target}`).isVisible());
        const top = await page.evaluate((c) => document.getElementById(c).getBoundingClientRect().top, target);
        assert.ok(top >= -1 && top < 900, `#${target} is at ${top}px`);
      }));
  }
});

describe("index on a phone", () => {
  for (const lang of ["en", "ar", "zh"]) {
    test(`${lang}: every letter of the index is a tap target of at least 44 x 44 px at 390 px`, { timeout: TEST_TIMEOUT }, () =>
      withPage(async (page) => {
        await home(page, lang);
        const sizes = await page.$$eval("nav.jump a", (as) =>
          as.map((a) => {
            const r = a.getBoundingClientRect();
            return [a.textContent.trim(), r.width, r.height];
          }));
        assert.ok(sizes.length >= 10, `only ${sizes.length} letters`);
        const small = sizes.filter(([, w, h]) => w < 44 || h < 44);
        assert.deepEqual(small, [], "letters smaller than 44 x 44 px");
      }, { viewport: { width: 390, height: 844 } }));
  }
});

describe("print", () => {
  test("the offline page prints one State per page", { timeout: TEST_TIMEOUT }, () =>
    withPage(async (page) => {
      await page.goto(pathToFileURL(OFFLINE_PAGE).href, { waitUntil: "load" });
      const breaks = () =>
        page.evaluate(() => [...document.querySelectorAll(".offline-section li.state")].map((li) => getComputedStyle(li).breakBefore));
      const screen = await breaks();
      assert.ok(screen.length >= 15, `${screen.length} States`);
      assert.ok(screen.every((b) => b === "auto"), `on screen: ${[...new Set(screen)]}`);
      await page.emulateMedia({ media: "print" });
      const print = await breaks();
      assert.ok(print.every((b) => b === "page"), `printed: ${[...new Set(print)]}`);
    }));
});
