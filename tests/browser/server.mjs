// A tiny static HTTP server for the browser tests: serves a built `site/`
// folder under a sub-path (as a restricted site is usually hosted, e.g. on an
// intranet beside other things), so the tests prove every URL in the site is
// relative. Listens on 127.0.0.1 on a free port; nothing else is reachable.

import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".csv": "text/csv; charset=utf-8",
  ".vcf": "text/vcard; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".pub": "text/plain; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".age": "application/octet-stream",
  ".minisig": "text/plain; charset=utf-8",
};

/** The content type of a file name (`application/octet-stream` if unknown). */
export function contentType(name) {
  return TYPES[path.extname(name).toLowerCase()] ?? "application/octet-stream";
}

/**
 * Serve `root` under `prefix` (which starts and ends with "/").
 * Resolves to { origin, base, misses, close }: `base` is the site's URL,
 * `misses` lists every request answered with an error (a broken link).
 */
export async function serveSite(root, prefix = "/restricted/poc/") {
  const rootAbs = path.resolve(root);
  const misses = [];
  const server = createServer(async (req, res) => {
    const fail = (code, why) => {
      misses.push(`${code} ${req.method} ${req.url} (${why})`);
      res.writeHead(code, { "content-type": "text/plain; charset=utf-8" });
      res.end(`${code}: ${why}\n`);
    };
    try {
      if (req.method !== "GET" && req.method !== "HEAD") {
        return fail(405, "method not allowed");
      }
      const url = new URL(req.url, "http://placeholder");
      if (url.pathname === "/favicon.ico") {
        // Chromium asks the host for it on its own: no content, as a host
        // without an icon that does not log an error would answer.
        res.writeHead(204);
        return res.end();
      }
      if (!url.pathname.startsWith(prefix)) {
        return fail(404, `outside ${prefix}`);
      }
      let rel = decodeURIComponent(url.pathname.slice(prefix.length));
      if (rel === "" || rel.endsWith("/")) {
        rel += "index.html";
      }
      const file = path.resolve(rootAbs, rel);
      if (file !== rootAbs && !file.startsWith(rootAbs + path.sep)) {
        return fail(403, "outside the site");
      }
      let info;
      try {
        info = await stat(file);
      } catch {
        return fail(404, "no such file");
      }
      if (!info.isFile()) {
        return fail(404, "not a file");
      }
      const body = await readFile(file);
      res.writeHead(200, {
        "content-type": contentType(file),
        "content-length": body.length,
        "x-content-type-options": "nosniff",
        "cache-control": "no-store",
      });
      res.end(req.method === "HEAD" ? undefined : body);
    } catch (e) {
      fail(500, String(e));
    }
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address();
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    base: origin + prefix,
    misses,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
