//! `pocdir serve`: a local preview on 127.0.0.1. The site is rendered in
//! memory (nothing is written), re-rendered when a file of the directory
//! changes, and open pages reload themselves. When the directory has
//! errors, every page shows them (and the terminal too).
//!
//! File changes are found by polling the modification times of the
//! directory's files twice a second: a few hundred `stat` calls, no
//! platform-specific watcher needed.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use jiff::civil::Date;

use crate::build::{BuildError, render_site};
use crate::directory::Directory;
use crate::site::sealed::SiteSecret;
use crate::site::view::escape;

/// What the server currently serves.
struct Snapshot {
    version: u64,
    files: BTreeMap<String, Vec<u8>>,
    /// Set when the last build failed: the text shown on every page.
    error: Option<String>,
}

/// Something worth telling the user, for `main` to print.
pub enum Event {
    Listening(String),
    Built { files: usize, warnings: String },
    Failed(String),
}

const RELOAD_JS: &str = "(function(){var v=null;function poll(){fetch('/__pocdir/version',{cache:'no-store'}).then(function(r){return r.text();}).then(function(t){if(v!==null&&t!==v){location.reload();}v=t;}).catch(function(){}).finally(function(){setTimeout(poll,700);});}poll();})();\n";

fn fingerprint(root: &Path) -> Vec<(String, SystemTime, u64)> {
    let mut out = Vec::new();
    for dir in ["content", "keys", "themes"] {
        for rel in crate::directory::load::walk_files(&root.join(dir)) {
            if let Ok(m) = std::fs::metadata(root.join(dir).join(&rel)) {
                out.push((
                    format!("{dir}/{rel}"),
                    m.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                    m.len(),
                ));
            }
        }
    }
    out
}

/// How a sealed site's secret is found (issue #16): the CLI's choice.
pub type SecretSource<'a> = dyn Fn(&Directory) -> Result<SiteSecret, BuildError> + Sync + 'a;

fn rebuild(
    root: &Path,
    as_of: Date,
    secret: &SecretSource,
    snap: &Mutex<Snapshot>,
    on: &(dyn Fn(Event) + Sync),
) {
    let result = render_site(root, as_of, secret);
    let mut s = snap.lock().unwrap_or_else(|e| e.into_inner());
    s.version += 1;
    match result {
        Ok(r) => {
            on(Event::Built {
                files: r.files.len(),
                warnings: if r.report.diagnostics.is_empty() {
                    String::new()
                } else {
                    r.report.render_human(&r.sources, false)
                },
            });
            s.files = r.files.into_iter().collect();
            s.error = None;
        }
        Err(e) => {
            let text = match e {
                BuildError::Invalid { report, sources } => report.render_human(&sources, false),
                BuildError::Render(m) | BuildError::Io(m) | BuildError::Seal(m) => m,
            };
            on(Event::Failed(text.clone()));
            s.error = Some(text);
        }
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "vcf" => "text/vcard; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        _ => "text/plain; charset=utf-8",
    }
}

fn error_page(text: &str) -> Vec<u8> {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>pocdir: build failed</title>\
         <script src=\"/__pocdir/reload.js\"></script></head><body><h1>The directory has errors</h1>\
         <p>Fix them and this page reloads by itself.</p><pre>{}</pre></body></html>",
        escape(text)
    )
    .into_bytes()
}

/// Serve `root` on 127.0.0.1:`port` until the process is stopped. `on`
/// receives what the user should see.
pub fn serve(
    root: PathBuf,
    port: u16,
    as_of: Date,
    secret: &SecretSource,
    on: &(dyn Fn(Event) + Sync),
) -> std::io::Result<()> {
    let server = tiny_http::Server::http(("127.0.0.1", port)).map_err(std::io::Error::other)?;
    let addr = server
        .server_addr()
        .to_ip()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let snap = Arc::new(Mutex::new(Snapshot {
        version: 0,
        files: BTreeMap::new(),
        error: None,
    }));
    // Taken before the first build and before "listening" is said, so a
    // change made as soon as the preview is announced (or during the first
    // build) is seen by the watcher.
    let first = fingerprint(&root);
    rebuild(&root, as_of, secret, &snap, on);
    on(Event::Listening(format!("http://{addr}/")));
    std::thread::scope(|scope| {
        let watcher_snap = Arc::clone(&snap);
        let root_w = root.clone();
        scope.spawn(move || {
            let mut last = first;
            loop {
                std::thread::sleep(Duration::from_millis(500));
                let now = fingerprint(&root_w);
                if now != last {
                    last = now;
                    rebuild(&root_w, as_of, secret, &watcher_snap, on);
                }
            }
        });
        for req in server.incoming_requests() {
            let url = req
                .url()
                .split(['?', '#'])
                .next()
                .unwrap_or("/")
                .to_string();
            let (status, ctype, body): (u16, &str, Vec<u8>) = {
                let s = snap.lock().unwrap_or_else(|e| e.into_inner());
                if url == "/__pocdir/version" {
                    (200, "text/plain", s.version.to_string().into_bytes())
                } else if url == "/__pocdir/reload.js" {
                    (
                        200,
                        "text/javascript; charset=utf-8",
                        RELOAD_JS.as_bytes().to_vec(),
                    )
                } else if let Some(err) = &s.error {
                    (500, "text/html; charset=utf-8", error_page(err))
                } else {
                    let mut path = url.trim_start_matches('/').to_string();
                    if path.is_empty() || path.ends_with('/') {
                        path.push_str("index.html");
                    }
                    match s.files.get(&path) {
                        Some(b) if path.ends_with(".html") => {
                            // Preview only: add the reload script.
                            let html = String::from_utf8_lossy(b).replacen(
                                "</head>",
                                "<script src=\"/__pocdir/reload.js\"></script></head>",
                                1,
                            );
                            (200, content_type(&path), html.into_bytes())
                        }
                        Some(b) => (200, content_type(&path), b.clone()),
                        None => (404, "text/plain; charset=utf-8", b"not found\n".to_vec()),
                    }
                }
            };
            let header = tiny_http::Header::from_bytes(&b"Content-Type"[..], ctype.as_bytes()).ok();
            let mut resp = tiny_http::Response::new(
                tiny_http::StatusCode(status),
                header.into_iter().collect(),
                Cursor::new(body.clone()),
                Some(body.len()),
                None,
            );
            if let Ok(h) = tiny_http::Header::from_bytes(&b"Cache-Control"[..], &b"no-store"[..]) {
                resp.add_header(h);
            }
            let _ = req.respond(resp);
        }
    });
    Ok(())
}
