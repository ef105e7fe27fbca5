// The accessibility audit of issue 19, as an auditor runs it, over every
// page of a built site in real headless Chromium:
//
// - axe-core with every WCAG 2.0, 2.1 and 2.2 A and AA rule plus best
//   practice, on every HTML page (all six languages) at 1280, 390 and
//   320 px: no violation of any impact;
// - reflow (WCAG 1.4.10) at 390 and 320 px: no sideways scroll of the page,
//   nothing sticking out of the viewport, no box that scrolls sideways
//   except a data table's own focusable, labelled region;
// - the text-spacing override of WCAG 1.4.12 (line height 1.5, paragraphs
//   2em apart, letters 0.12em, words 0.16em) at 1280 and 320 px: no clipped
//   text, no text over other text, no sideways scroll;
// - a keyboard walk (Tab, then Shift+Tab) of the home page and a State
//   page: every interactive element reached, each with a focus outline of
//   at least 2 px whose colour has a contrast of at least 3:1 against the
//   colour around it (WCAG 1.4.11, 2.4.7);
// - the charts in forced colours (Windows' contrast themes): labels and
//   bars readable against the system background, text sized in the page's
//   units (the same size at 390 as at 1280 px), no label under a bar;
// - what axe does not see: no explanation only in a tooltip, no region named with its own text,
//   no `role="status"` on static text, a skip link that leads somewhere;
// - the home page, a State page and the charts without the site's scripts (axe at
//   1280 and 320 px, reflow);
// - the same axe and reflow checks on the synthetic directory of 193
//   States x 4 PoCs (SYNTH_SITE_DIR): its home pages and some State pages.
//
// One browser, a pool of pages (AUDIT_POOL, 4 by default) working in
// parallel. The site's Content-Security-Policy stays in force: axe is
// evaluated through the DevTools protocol, as an auditor's extension
// would, not added as a script the page would refuse.
//
//   SITE_DIR=/path/to/out/site SYNTH_SITE_DIR=/path/to/synth-out/site \
//     node --test tests/browser/audit.test.mjs
//
// `cargo test --test cli browser` builds both sites and runs this
// (tests/cli/browser.rs).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

import { serveSite } from "./server.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const AXE_SOURCE = readFileSync(path.join(HERE, "node_modules", "axe-core", "axe.min.js"), "utf8");
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const SITE_DIR = process.env.SITE_DIR;
const SYNTH = process.env.SYNTH_SITE_DIR;
const POOL = Math.max(1, Number(process.env.AUDIT_POOL || 4));
const LANGS = ["en", "fr", "es", "ru", "zh", "ar"];
const PREFIX = "/restricted/poc/";
/** Every WCAG 2.0, 2.1 and 2.2 A and AA rule of axe, and best practice. */
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];
const WIDE = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const NARROW = { width: 320, height: 700 };
const LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"];
const TEST_TIMEOUT = 180_000;
/** WCAG 1.4.12's text-spacing override (the bookmarklet auditors use). */
const TEXT_SPACING = `
  * { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }
  p { margin-block-end: 2em !important; }
`;

/** Every `.html` file under `dir`, relative, with "/" separators. */
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

let browser;
/** One server per site: `example`, `synth`. */
const servers = {};
/** Problems any page met: errors in the page, CSP violations, failed requests. */
const problems = [];

/** A fixed set of pages, each in its own context, shared by the tests running at once. */
class Pool {
  constructor() {
    this.free = [];
    this.waiting = [];
    this.contexts = [];
  }
  async open(n) {
    for (let i = 0; i < n; i++) {
      const context = await browser.newContext({ viewport: WIDE, deviceScaleFactor: 1, reducedMotion: "reduce", colorScheme: "light" });
      context.setDefaultTimeout(30_000);
      context.setDefaultNavigationTimeout(30_000);
      // Nothing but the site is ever loaded.
      await context.route(
        (url) => !Object.values(servers).some((s) => url.href.startsWith(s.origin + "/")),
        (route) => route.abort("blockedbyclient"),
      );
      await context.addInitScript(() => {
        document.addEventListener("securitypolicyviolation", (e) => {
          console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "(inline)"}`);
        });
      });
      this.contexts.push(context);
      this.free.push(await this.page(context));
    }
  }
  async page(context) {
    const page = await context.newPage();
    page.on("console", (m) => m.type() === "error" && problems.push(`${page.url()}: ${m.text()}`));
    page.on("pageerror", (e) => problems.push(`${page.url()}: ${e.message}`));
    page.on("response", (r) => r.status() >= 400 && problems.push(`${r.url()}: HTTP ${r.status()}`));
    return page;
  }
  /** Run `fn(page)` with a page of the pool, waiting for one if all are busy. */
  async use(fn) {
    const page = this.free.pop() ?? (await new Promise((resolve) => this.waiting.push(resolve)));
    let ok = false;
    try {
      await page.emulateMedia({ forcedColors: "none", media: "screen", colorScheme: "light" });
      const result = await fn(page);
      ok = true;
      return result;
    } finally {
      // A page a failed test left in an unknown state is replaced.
      const next = ok ? page : await this.page(page.context());
      if (!ok) {
        await page.close().catch(() => {});
      }
      const waiter = this.waiting.shift();
      if (waiter) {
        waiter(next);
      } else {
        this.free.push(next);
      }
    }
  }
  async close() {
    for (const c of this.contexts) {
      await c.close().catch(() => {});
    }
  }
}

const pool = new Pool();

before(async () => {
  assert.ok(SITE_DIR, "SITE_DIR is not set: build the site (pocdir build --out DIR) and set SITE_DIR=DIR/site");
  assert.ok(existsSync(path.join(SITE_DIR, "index.html")), `${SITE_DIR} holds no index.html`);
  assert.ok(SYNTH, "SYNTH_SITE_DIR is not set: the site of a synthetic directory of 193 States x 4 PoCs");
  assert.ok(existsSync(path.join(SYNTH, "en", "index.html")), `${SYNTH} holds no en/index.html`);
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (or set CHROMIUM_PATH)`);
  servers.example = await serveSite(SITE_DIR, PREFIX);
  servers.synth = await serveSite(SYNTH, PREFIX);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: LAUNCH_ARGS });
  await pool.open(POOL);
});

after(async () => {
  await pool.close();
  await browser?.close();
  for (const s of Object.values(servers)) {
    await s.close();
  }
});

/** Open `rel` of `site` and wait until its deferred scripts ran and its fonts are in. */
async function visit(page, site, rel) {
  const res = await page.goto(servers[site].base + rel, { waitUntil: "load" });
  assert.ok(res, `no response for ${rel}`);
  assert.equal(res.status(), 200, `${rel} answered HTTP ${res.status()}`);
  await page.evaluate(() => document.fonts.ready.then(() => new Promise((r) => requestAnimationFrame(() => r()))));
}

async function resize(page, viewport) {
  await page.setViewportSize(viewport);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
}

/** axe with every WCAG 2.x A/AA rule and best practice: the violations, explained. */
async function axe(page) {
  const loaded = await page.evaluate(() => typeof globalThis.axe === "object");
  if (!loaded) {
    // Through the DevTools protocol: the page's CSP is not asked.
    await page.evaluate(AXE_SOURCE);
  }
  const results = await page.evaluate(
    (tags) => globalThis.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
    AXE_TAGS,
  );
  return results.violations.map(
    (v) =>
      `${v.impact} ${v.id}: ${v.help}\n` +
      v.nodes.map((n) => `    at ${n.target.join(" ")}: ${n.html.slice(0, 160)}\n      ${(n.failureSummary || "").replace(/\n/g, "\n      ")}`).join("\n"),
  );
}

/**
 * In the page: what breaks reflow. The page must not scroll sideways;
 * nothing visible may stick out of the viewport (which would be cut off, or
 * reachable only by scrolling); a box may scroll sideways only if it is a
 * data table's own region (`.table-scroll` holding a table, in the Tab
 * order, with a role and a name); nothing may be cut off by `overflow:
 * hidden`.
 */
function reflowProblems() {
  const vw = document.documentElement.clientWidth;
  const out = [];
  const name = (el) => {
    const cls = typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\s+/).join(".") : "";
    const text = (el.textContent || "").replace(/\s+/g, " ").trim().slice(0, 40);
    return `<${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${cls}> "${text}"`;
  };
  const sw = document.documentElement.scrollWidth;
  if (sw > vw) {
    out.push(`the page scrolls sideways: ${sw} px wide in ${vw} px`);
  }
  const tableRegion = (el) =>
    el.matches(".table-scroll") && el.tabIndex === 0 && el.querySelector("table") && el.getAttribute("role") === "region" &&
    (el.getAttribute("aria-label") || el.getAttribute("aria-labelledby"));
  for (const el of document.body.querySelectorAll("*")) {
    if (!el.checkVisibility()) {
      continue;
    }
    const cs = getComputedStyle(el);
    const scrolls = el.scrollWidth > el.clientWidth + 1;
    if (scrolls && (cs.overflowX === "auto" || cs.overflowX === "scroll")) {
      if (!tableRegion(el)) {
        out.push(`${name(el)} scrolls sideways (${el.scrollWidth} px in ${el.clientWidth}) and is not a data table's focusable region`);
      }
      continue;
    }
    if ((scrolls && (cs.overflowX === "hidden" || cs.overflowX === "clip")) ||
        (el.scrollHeight > el.clientHeight + 1 && (cs.overflowY === "hidden" || cs.overflowY === "clip"))) {
      out.push(`${name(el)} cuts off its content (${el.scrollWidth}x${el.scrollHeight} px in ${el.clientWidth}x${el.clientHeight})`);
    }
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || el.closest(".table-scroll")) {
      continue;
    }
    // Wholly outside the viewport is a deliberately hidden element (the
    // skip link before it has the focus): only a part sticking out counts.
    const outside = r.right <= 0 || r.left >= vw;
    if (!outside && (r.right > vw + 1 || r.left < -1)) {
      out.push(`${name(el)} sticks out of the ${vw} px viewport (x ${Math.round(r.left)}..${Math.round(r.right)})`);
    }
  }
  return out;
}

/**
 * In the page: text over other text. Each text node's line boxes; two of
 * different nodes overlapping on more than 40% of the smaller one's height
 * (tall scripts' glyph boxes may touch the next line's a little) and 2 px
 * across is text drawn over text.
 */
function overlapProblems() {
  const boxes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(), i = 0; n; n = walker.nextNode(), i++) {
    if (!n.data.trim() || !n.parentElement.checkVisibility()) {
      continue;
    }
    const range = document.createRange();
    range.selectNodeContents(n);
    for (const r of range.getClientRects()) {
      if (r.width > 0 && r.height > 0 && r.right > 0) {
        boxes.push({ i, r, text: n.data.trim().slice(0, 30) });
      }
    }
  }
  const out = [];
  boxes.sort((a, b) => a.r.top - b.r.top);
  for (let a = 0; a < boxes.length; a++) {
    for (let b = a + 1; b < boxes.length && boxes[b].r.top < boxes[a].r.bottom; b++) {
      const A = boxes[a];
      const B = boxes[b];
      if (A.i === B.i) {
        continue;
      }
      const h = Math.min(A.r.bottom, B.r.bottom) - Math.max(A.r.top, B.r.top);
      const w = Math.min(A.r.right, B.r.right) - Math.max(A.r.left, B.r.left);
      if (w > 2 && h > 0.4 * Math.min(A.r.height, B.r.height)) {
        out.push(`"${A.text}" and "${B.text}" overlap (${Math.round(w)}x${Math.round(h)} px)`);
      }
    }
  }
  return [...new Set(out)];
}

/**
 * In the page: what axe does not see but the audit found. An explanation only in
 * a `title` is out of reach of a keyboard and a touch screen; a region named
 * with its own text says it twice; `role="status"` is for messages that
 * change; the skip link must lead somewhere.
 */
function semanticsProblems() {
  const out = [];
  for (const el of document.querySelectorAll("[title]")) {
    if (!el.matches("a[href], abbr, title")) {
      out.push(`explanation only in a tooltip: <${el.tagName.toLowerCase()} title="${el.title.slice(0, 40)}">`);
    }
  }
  for (const r of document.querySelectorAll("[role=region][aria-label]")) {
    const label = r.getAttribute("aria-label").trim();
    if ([...r.children].some((c) => c.textContent.trim() === label)) {
      out.push(`region named with its own text: "${label.slice(0, 40)}"`);
    }
  }
  for (const el of document.querySelectorAll("[role=status]")) {
    out.push(`role="status" on static text: "${el.textContent.trim().slice(0, 40)}"`);
  }
  const skip = document.querySelector("a.skip");
  if (skip && !document.getElementById(skip.hash.slice(1))) {
    out.push(`the skip link leads nowhere (${skip.getAttribute("href")})`);
  }
  return out;
}

/** Apply WCAG 1.4.12's text spacing, as a user style sheet would (the CSP does not govern it). */
async function textSpacing(page) {
  await page.evaluate((css) => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  }, TEXT_SPACING);
}

/**
 * The whole audit of one page: axe at 1280, 390 and 320 px, reflow at 390
 * and 320 px, then the text-spacing override at 320 and 1280 px. Every
 * problem listed, the page's path first.
 */
async function auditPage(page, site, rel, { spacing = true } = {}) {
  const found = [];
  const note = (where, list) => list.forEach((p) => found.push(`${rel} ${where}: ${p}`));
  await visit(page, site, rel);
  note("semantics", await page.evaluate(semanticsProblems));
  for (const viewport of [WIDE, PHONE, NARROW]) {
    await resize(page, viewport);
    note(`axe at ${viewport.width} px`, await axe(page));
    if (viewport !== WIDE) {
      note(`reflow at ${viewport.width} px`, await page.evaluate(reflowProblems));
    }
  }
  if (spacing) {
    await textSpacing(page);
    for (const viewport of [NARROW, WIDE]) {
      await resize(page, viewport);
      note(`text spacing at ${viewport.width} px`, await page.evaluate(reflowProblems));
      note(`text spacing at ${viewport.width} px`, await page.evaluate(overlapProblems));
    }
  }
  return found;
}

/** The example site's pages, when it is there to list (else `before` fails first). */
const examplePages = SITE_DIR && existsSync(SITE_DIR) ? htmlFiles(SITE_DIR) : [];

describe("every page: axe (WCAG 2.x A/AA and best practice) at 1280, 390, 320 px; reflow; text spacing", { concurrency: POOL }, () => {
  test("the example site has every page of every language", () => {
    assert.ok(examplePages.length >= 1 + LANGS.length * 20, `${examplePages.length} pages`);
    for (const lang of LANGS) {
      for (const rel of ["index.html", "checks.html", "participation.html", "receipts.html", "states/FRA.html", "pages/verify.html"]) {
        assert.ok(examplePages.includes(`${lang}/${rel}`), `${lang}/${rel} missing`);
      }
    }
  });
  for (const rel of examplePages) {
    test(rel, { timeout: TEST_TIMEOUT }, () =>
      pool.use(async (page) => {
        const found = await auditPage(page, "example", rel);
        assert.deepEqual(found, [], found.join("\n"));
      }));
  }
});

describe("without the site's scripts: axe at 1280 and 320 px, reflow", { concurrency: POOL }, () => {
  let noJs;
  before(async () => {
    // The site's scripts refused, as with JavaScript off (axe needs the
    // page's JavaScript engine, so it is not switched off: <noscript> stays
    // hidden, the rest is the page a reader without JavaScript gets).
    noJs = await browser.newContext({ viewport: WIDE, deviceScaleFactor: 1 });
    await noJs.route(
      (url) => !url.href.startsWith(servers.example.origin + "/") || url.pathname.endsWith(".js"),
      (route) => route.abort("blockedbyclient"),
    );
  });
  after(async () => {
    await noJs?.close();
  });
  for (const rel of ["en/index.html", "ar/index.html", "zh/states/FRA.html", "ar/checks.html"]) {
    test(rel, { timeout: TEST_TIMEOUT }, async () => {
      const page = await noJs.newPage();
      try {
        const res = await page.goto(servers.example.base + rel, { waitUntil: "load" });
        assert.equal(res.status(), 200);
        if (rel.endsWith("index.html")) {
          assert.equal(await page.locator("#filters").isVisible(), false, "the filters are shown: did search.js run?");
        }
        const found = [];
        for (const viewport of [WIDE, NARROW]) {
          await page.setViewportSize(viewport);
          found.push(...(await axe(page)).map((v) => `${rel} at ${viewport.width} px: ${v}`));
          if (viewport === NARROW) {
            found.push(...(await page.evaluate(reflowProblems)).map((v) => `${rel} at 320 px: ${v}`));
          }
        }
        assert.deepEqual(found, [], found.join("\n"));
      } finally {
        await page.close();
      }
    });
  }
});

/** WCAG 2.x relative luminance of an `rgb()`/`rgba()` colour. */
function luminance([r, g, b]) {
  const f = (c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
}

function contrast(a, b) {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

/**
 * In the page: the focused element, its focus outline and the colour
 * around it (the first opaque background of its ancestors, or the
 * canvas). Colours as [r, g, b].
 */
function focusState() {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) {
    return null;
  }
  const rgb = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) {
      return null;
    }
    const [r, g, b, a = "1"] = m[1].split(/[ ,/]+/).filter(Boolean);
    return Number(a) === 0 ? null : [Number(r), Number(g), Number(b)];
  };
  let bg = null;
  for (let p = el.parentElement; p && !bg; p = p.parentElement) {
    bg = rgb(getComputedStyle(p).backgroundColor);
  }
  const cs = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  const cls = typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\s+/).join(".") : "";
  return {
    key: el.getAttribute("data-audit-key"),
    what: `<${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${cls}> "${(el.textContent || el.getAttribute("aria-label") || "").replace(/\s+/g, " ").trim().slice(0, 30)}"`,
    outlineStyle: cs.outlineStyle,
    outlineWidth: parseFloat(cs.outlineWidth),
    outline: rgb(cs.outlineColor),
    around: bg || [255, 255, 255],
    inView: r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth,
  };
}

/** In the page: mark every interactive element a keyboard user must reach; their keys. */
function markInteractive() {
  const sel = "a[href], button, input, select, textarea, summary, [tabindex]";
  const keys = [];
  document.querySelectorAll(sel).forEach((el, i) => {
    if (el.tabIndex < 0 || el.disabled || el.closest("[inert]") || el.type === "hidden") {
      return;
    }
    // The skip link is visible only with the focus: it must be reached too.
    if (!el.checkVisibility() && !el.matches(".skip")) {
      return;
    }
    el.setAttribute("data-audit-key", String(i));
    keys.push(String(i));
  });
  return keys;
}

/**
 * Tab through the page from its top, then back with Shift+Tab: every
 * interactive element reached both ways, each showing a focus outline of
 * at least 2 px with at least 3:1 against the colour around it.
 */
async function keyboardWalk(page) {
  const keys = await page.evaluate(markInteractive);
  assert.ok(keys.length > 5, `only ${keys.length} interactive elements`);
  const found = [];
  for (const key of ["Tab", "Shift+Tab"]) {
    await page.evaluate(() => {
      document.activeElement?.blur();
      window.scrollTo(0, 0);
    });
    const reached = [];
    for (let step = 0; step < keys.length + 5; step++) {
      await page.keyboard.press(key);
      const s = await page.evaluate(focusState);
      if (!s) {
        if (reached.length) {
          break;
        }
        continue;
      }
      if (s.key === null) {
        found.push(`${key}: the focus went to ${s.what}, which is not an interactive element`);
        continue;
      }
      if (reached.includes(s.key)) {
        break;
      }
      reached.push(s.key);
      if (key === "Tab") {
        if (s.outlineStyle === "none" || s.outlineWidth < 2 || !s.outline) {
          found.push(`${s.what}: no focus outline (${s.outlineStyle} ${s.outlineWidth}px)`);
        } else {
          const ratio = contrast(s.outline, s.around);
          if (ratio < 3) {
            found.push(`${s.what}: focus outline rgb(${s.outline}) on rgb(${s.around}): ${ratio.toFixed(2)}:1`);
          }
        }
        if (!s.inView) {
          found.push(`${s.what}: focused but out of view`);
        }
      }
    }
    const missed = keys.filter((k) => !reached.includes(k));
    if (missed.length) {
      const what = await page.evaluate((ks) => ks.map((k) => document.querySelector(`[data-audit-key="${k}"]`).outerHTML.slice(0, 100)), missed);
      found.push(`${key} never reached: ${what.join(", ")}`);
    }
  }
  return found;
}

describe("keyboard", { concurrency: POOL }, () => {
  for (const [rel, viewport] of [
    ["en/index.html", WIDE],
    ["ar/index.html", WIDE],
    ["en/index.html", NARROW],
    ["en/states/FRA.html", WIDE],
    ["ar/states/FRA.html", WIDE],
    ["zh/states/FRA.html", NARROW],
  ]) {
    test(`${rel} at ${viewport.width} px: Tab and Shift+Tab reach every control, focus seen at 3:1`, { timeout: TEST_TIMEOUT }, () =>
      pool.use(async (page) => {
        await resize(page, viewport);
        await visit(page, "example", rel);
        const found = await keyboardWalk(page);
        assert.deepEqual(found, [], found.join("\n"));
      }));
  }
  test("the focus outline would be caught: a pale ring fails the walk", { timeout: TEST_TIMEOUT }, () =>
    pool.use(async (page) => {
      await resize(page, WIDE);
      await visit(page, "example", "en/states/FRA.html");
      await page.evaluate(() => {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(":focus-visible { outline: 3px solid #ffbf47 !important; }");
        document.adoptedStyleSheets = [sheet];
      });
      const found = await keyboardWalk(page);
      assert.ok(found.some((f) => /focus outline rgb\(255,191,71\) on rgb\(255,255,255\)/.test(f)), found.join("\n"));
    }));
});

describe("charts on the communication checks page", { concurrency: POOL }, () => {
  for (const lang of LANGS) {
    test(`${lang}/checks.html: in forced colours, light and dark, every chart label and bar is readable`, { timeout: TEST_TIMEOUT }, () =>
      pool.use(async (page) => {
        await resize(page, PHONE);
        for (const colorScheme of ["light", "dark"]) {
          await page.emulateMedia({ forcedColors: "active", colorScheme });
          await visit(page, "example", `${lang}/checks.html`);
          assert.ok(await page.evaluate(() => matchMedia("(forced-colors: active)").matches), "forced colours not emulated");
          // A dark theme's canvas is black, a light one's white.
          const canvas = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
          assert.equal(canvas, colorScheme === "dark" ? "rgb(0, 0, 0)" : "rgb(255, 255, 255)", `${colorScheme} canvas`);
          const charts = await page.evaluate(chartColours);
          assert.equal(charts.length, 3, "three charts");
          for (const c of charts) {
            assert.ok(c.texts.length >= 4, `${c.title}: ${c.texts.length} texts`);
            for (const t of c.texts) {
              const ratio = contrast(t.color, t.bg);
              assert.ok(ratio >= 4.5, `${colorScheme}: ${c.title}: "${t.text}" rgb(${t.color}) on rgb(${t.bg}): ${ratio.toFixed(2)}:1`);
            }
            assert.ok(c.bars.length >= 2, `${c.title}: ${c.bars.length} bars`);
            for (const b of c.bars) {
              const ratio = contrast(b.fill, b.bg);
              assert.ok(ratio >= 3, `${colorScheme}: ${c.title}: a bar rgb(${b.fill}) on rgb(${b.bg}): ${ratio.toFixed(2)}:1`);
            }
          }
        }
      }));

    test(`${lang}/checks.html: chart text in the page's units, the figures in a table, no label under a bar`, { timeout: TEST_TIMEOUT }, () =>
      pool.use(async (page) => {
        const sizes = {};
        for (const viewport of [WIDE, PHONE, NARROW]) {
          await resize(page, viewport);
          await visit(page, "example", `${lang}/checks.html`);
          const s = await page.evaluate(() => {
            const root = parseFloat(getComputedStyle(document.documentElement).fontSize);
            return {
              root,
              labels: [...document.querySelectorAll(".chart .chart-label")].map((l) => {
                // Rendered size: an SVG's text scales with its viewBox.
                const r = l.getBoundingClientRect();
                const range = document.createRange();
                range.selectNodeContents(l);
                return { size: parseFloat(getComputedStyle(l).fontSize), rendered: range.getBoundingClientRect().height, text: l.textContent };
              }),
              underBar: [...document.querySelectorAll(".chart .chart-row")].flatMap((row) => {
                const label = row.querySelector(".chart-label").getBoundingClientRect();
                const bar = row.querySelector(".chart-bar").getBoundingClientRect();
                const w = Math.min(label.right, bar.right) - Math.max(label.left, bar.left);
                const h = Math.min(label.bottom, bar.bottom) - Math.max(label.top, bar.top);
                return w > 0 && h > 0 ? [row.querySelector(".chart-label").textContent] : [];
              }),
              // The figures: each chart is a table whose rows are header cell, bar, value.
              tables: [...document.querySelectorAll("table.chart")].map((t) => ({
                caption: t.caption?.textContent.trim() || "",
                rows: [...t.tBodies[0].rows].map((r) => [r.cells[0].tagName, r.cells[0].textContent.trim(), r.cells[r.cells.length - 1].textContent.trim()]),
              })),
            };
          });
          sizes[viewport.width] = s;
          assert.deepEqual(s.underBar, [], `at ${viewport.width} px, labels under a bar`);
          assert.ok(s.labels.length >= 4, `${s.labels.length} labels`);
          for (const l of s.labels) {
            assert.ok(l.size >= 0.85 * s.root, `"${l.text}" at ${viewport.width} px is ${l.size} px (root ${s.root} px)`);
            assert.ok(l.rendered >= 0.85 * s.root, `"${l.text}" at ${viewport.width} px is drawn ${l.rendered} px high`);
          }
          assert.equal(s.tables.length, 3, "each chart is a table");
          for (const t of s.tables) {
            assert.ok(t.caption.length > 0, "a chart table without a caption");
            assert.ok(t.rows.length >= 2 && t.rows.every(([tag, label, value]) => tag === "TH" && label && /\d/.test(value)), JSON.stringify(t.rows));
          }
        }
        // The same size on a phone as on a desk: the text follows the page, not the window.
        assert.deepEqual(sizes[390].labels.map((l) => l.size), sizes[1280].labels.map((l) => l.size));
        assert.deepEqual(sizes[320].labels.map((l) => l.size), sizes[1280].labels.map((l) => l.size));
      }));
  }
});

/** In the page: each chart's text and bar colours against what is behind them. */
function chartColours() {
  const rgb = (c) => {
    const m = (c || "").match(/rgba?\(([^)]+)\)/);
    if (!m) {
      return null;
    }
    const [r, g, b, a = "1"] = m[1].split(/[ ,/]+/).filter(Boolean);
    return Number(a) === 0 ? null : [Number(r), Number(g), Number(b)];
  };
  const bgOf = (el) => {
    for (let p = el; p; p = p.parentElement) {
      const c = rgb(getComputedStyle(p).backgroundColor);
      if (c) {
        return c;
      }
    }
    return rgb(getComputedStyle(document.documentElement).backgroundColor) || [255, 255, 255];
  };
  return [...document.querySelectorAll(".chart")].map((chart) => ({
    title: chart.querySelector("caption")?.textContent.trim() || chart.getAttribute("aria-label") || "",
    texts: [...chart.querySelectorAll(".chart-label, .chart-value")].map((t) => ({
      text: t.textContent.trim(),
      color: rgb(t instanceof SVGElement ? getComputedStyle(t).fill : getComputedStyle(t).color),
      bg: bgOf(t),
    })),
    bars: [...chart.querySelectorAll(".chart-bar")].filter((b) => b.getBoundingClientRect().width > 0).map((b) => {
      const track = b.parentElement.querySelector(".chart-track");
      const trackFill = track && rgb(getComputedStyle(track).fill);
      return { fill: rgb(getComputedStyle(b).fill), bg: trackFill || bgOf(b.closest("svg") || b) };
    }),
  }));
}

/** The synthetic site's first, middle and last State pages. */
function synthStates() {
  if (!SYNTH || !existsSync(path.join(SYNTH, "en", "states"))) {
    return [];
  }
  const all = readdirSync(path.join(SYNTH, "en", "states")).filter((f) => f.endsWith(".html")).sort();
  return [all[0], all[Math.floor(all.length / 2)], all[all.length - 1]];
}

describe("the synthetic directory of 193 States x 4 PoCs", { concurrency: POOL }, () => {
  const pages = [
    ...LANGS.map((l) => `${l}/index.html`),
    ...["en", "ar", "zh", "ru"].flatMap((l) => synthStates().map((f) => `${l}/states/${f}`)),
  ];
  test("193 State pages to choose from", () => {
    assert.equal(synthStates().length, 3);
    assert.equal(readdirSync(path.join(SYNTH, "en", "states")).filter((f) => f.endsWith(".html")).length, 193);
  });
  for (const rel of pages) {
    test(`${rel}: axe at 1280, 390, 320 px; reflow`, { timeout: TEST_TIMEOUT }, () =>
      pool.use(async (page) => {
        // The 193 States at three widths: the home pages without the
        // text-spacing pass (the example's home pages have it).
        const found = await auditPage(page, "synth", rel, { spacing: !rel.endsWith("index.html") });
        assert.deepEqual(found, [], found.join("\n"));
      }));
  }
});

test("no page of the audit logged an error, broke the CSP or failed a request", () => {
  assert.deepEqual(problems, []);
});
