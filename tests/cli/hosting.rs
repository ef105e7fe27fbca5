//! Tests of the hosting examples with a real nginx and a real Apache on
//! 127.0.0.1.
//!
//! Each test builds the example directory with the real `pocdir` binary into
//! a temporary folder, writes an htpasswd file with bcrypt hashes (Debian's
//! `htpasswd -B`, package apache2-utils) holding a per-person login and a
//! per-State one, and starts the server (Debian packages nginx, apache2)
//! with a configuration of its own — its own port on 127.0.0.1, pid file,
//! logs and temporary paths, all in the temporary folder — which `include`s
//! the shipped `hosting/nginx/pocdir.conf` or `hosting/apache/pocdir.conf`.
//! The shipped file is used as is, but for its two documented paths (the
//! site, [`SITE_PATH`], and the password file, [`Server::htpasswd_path`]),
//! replaced by the temporary ones. Requests are plain HTTP/1.1 written by
//! hand over a `TcpStream`. The system's nginx or Apache service, if any, is
//! never touched.
//!
//! A missing program fails the tests with the command to install it: these
//! tests are never skipped.

#![cfg(unix)]

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{self, AS_OF};

/// The site folder the shipped configurations serve.
const SITE_PATH: &str = "/srv/pocdir/site";
/// The sub-path the shipped configurations serve the site under.
const BASE: &str = "/restricted/poc/";

/// How to get the programs these tests run.
const APT_HINT: &str = "these tests need a real nginx and htpasswd: \
                        `sudo apt-get install -y nginx apache2-utils`, \
                        or run `tests/run` as root (it installs them)";

/// A per-person login (policy 1) and a State's shared login (policy 2).
const PERSON: (&str, &str) = ("fra.jdupont", "correct horse battery staple");
const STATE: (&str, &str) = ("state-KEN", "one State, one password");

/// The longest any wait of these tests may take (nginx's start and stop,
/// one request).
const WAIT: Duration = Duration::from_secs(5);

/// Run a helper program to its end, failing the test (with the install hint
/// when it is missing) unless it succeeds.
fn run_tool(cmd: &mut Command) {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let out = match cmd.stdin(Stdio::null()).output() {
        Ok(out) => out,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            panic!("`{program}` is not installed: {APT_HINT}")
        }
        Err(e) => panic!("cannot run `{program}`: {e}"),
    };
    assert!(
        out.status.success(),
        "`{program}` failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A running server, stopped when dropped — also when an assertion fails.
struct Daemon {
    child: Child,
    /// The server's own command to stop it (reading its pid file).
    stop: Vec<OsString>,
    bin: PathBuf,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        // SIGTERM: the main process stops its workers, then exits. (A
        // SIGKILL would leave the workers running, holding the port.)
        // `kill` is in procps, which minimal systems lack: then the
        // server's own stop command sends it.
        let quiet = |cmd: &mut Command| {
            cmd.stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        let pid = self.child.id().to_string();
        if !quiet(Command::new("kill").args(["-TERM", &pid])) {
            quiet(Command::new(&self.bin).args(&self.stop));
        }
        let start = Instant::now();
        while start.elapsed() < WAIT {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A web server the hosting examples are written for.
#[derive(Clone, Copy, Debug)]
enum Server {
    Nginx,
    Apache,
}

impl Server {
    /// The shipped configuration, relative to the repository root.
    fn snippet(self) -> &'static str {
        match self {
            Server::Nginx => "hosting/nginx/pocdir.conf",
            Server::Apache => "hosting/apache/pocdir.conf",
        }
    }

    /// The password file the shipped configuration reads.
    fn htpasswd_path(self) -> &'static str {
        match self {
            Server::Nginx => "/etc/nginx/pocdir.htpasswd",
            Server::Apache => "/etc/apache2/pocdir.htpasswd",
        }
    }

    /// The program: Debian's, else the one on the PATH.
    fn bin(self) -> PathBuf {
        let (debian, name) = match self {
            Server::Nginx => ("/usr/sbin/nginx", "nginx"),
            Server::Apache => ("/usr/sbin/apache2", "apache2"),
        };
        if Path::new(debian).is_file() {
            PathBuf::from(debian)
        } else {
            PathBuf::from(name)
        }
    }

    fn apt_hint(self) -> &'static str {
        match self {
            Server::Nginx => APT_HINT,
            Server::Apache => {
                "these tests need a real Apache: `sudo apt-get install -y apache2`, \
                 or run `tests/run` as root (it installs it)"
            }
        }
    }
}

/// The built site served by a real web server on 127.0.0.1.
struct Hosted {
    // Fields drop in order: the server stops before its folder is deleted.
    _daemon: Daemon,
    port: u16,
    /// The site `pocdir build` wrote.
    site: PathBuf,
    /// The server's error log.
    error_log: PathBuf,
    _tmp: tempfile::TempDir,
}

impl Hosted {
    /// Build the example directory, write the password file and the
    /// configuration, and start the server.
    fn start(server: Server) -> Hosted {
        let tmp = tempfile::Builder::new()
            .prefix("pocdir-hosting-")
            .tempdir()
            .expect("cannot create a temporary directory");
        let dir = tmp.path().to_path_buf();
        // Started as root, both servers hand requests to processes running
        // as an unprivileged user (`nobody`), as in production: they must be
        // able to read the site and the password file.
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755))
            .expect("open the temporary folder to the server's user");

        // The site.
        let out = dir.join("out");
        let o = support::pocdir([
            "build".as_ref(),
            "--root".as_ref(),
            support::repo_root().as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
            "--as-of".as_ref(),
            AS_OF.as_ref(),
            "--site-only".as_ref(),
        ]);
        assert_eq!(
            o.code, 0,
            "pocdir build failed:\n{}\n{}",
            o.stdout, o.stderr
        );
        let site = out.join("site");
        assert!(site.join("en/index.html").is_file(), "no site was built");

        // The password file: bcrypt hashes, as hosting/README.md says.
        let htpasswd = dir.join("pocdir.htpasswd");
        run_tool(
            Command::new("htpasswd")
                .args(["-B", "-b", "-c"])
                .arg(&htpasswd)
                .args([PERSON.0, PERSON.1]),
        );
        run_tool(
            Command::new("htpasswd")
                .args(["-B", "-b"])
                .arg(&htpasswd)
                .args([STATE.0, STATE.1]),
        );
        let hashes = fs::read_to_string(&htpasswd).expect("read the htpasswd file");
        for (user, _) in [PERSON, STATE] {
            assert!(
                hashes.contains(&format!("{user}:$2y$")),
                "htpasswd -B wrote no bcrypt hash for {user}:\n{hashes}"
            );
        }

        // The shipped configuration, with its two paths pointed at the
        // test's.
        let name = server.snippet();
        let shipped_path = support::repo_root().join(name);
        let shipped = fs::read_to_string(&shipped_path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", shipped_path.display()));
        for placeholder in [SITE_PATH, server.htpasswd_path(), BASE] {
            assert!(
                shipped.contains(placeholder),
                "{name} no longer mentions {placeholder}: update this test and hosting/README.md"
            );
        }
        let snippet = shipped
            .replace(SITE_PATH, &site.display().to_string())
            .replace(server.htpasswd_path(), &htpasswd.display().to_string());
        let snippet_path = dir.join("pocdir.conf");
        fs::write(&snippet_path, snippet).expect("write the snippet");

        // A document root outside the site, with the token telling that
        // our server answers.
        fs::create_dir_all(dir.join("docroot")).expect("create the document root");
        fs::create_dir_all(dir.join("run")).expect("create the run folder");
        let error_log = dir.join("error.log");
        let mut attempt = 0;
        loop {
            attempt += 1;
            match start_server(server, &dir, &snippet_path, &error_log) {
                Ok((daemon, port)) => {
                    return Hosted {
                        _daemon: daemon,
                        port,
                        site,
                        error_log,
                        _tmp: tmp,
                    };
                }
                // The free port was taken between our check and the bind.
                Err(log) if attempt < 3 && log.contains("Address already in use") => {}
                Err(log) => panic!("{server:?} did not start:\n{log}"),
            }
        }
    }

    /// GET `path` (below [`BASE`] unless it starts with `/`), with the
    /// credentials if given.
    fn get(&self, path: &str, auth: Option<(&str, &str)>) -> Response {
        let path = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("{BASE}{path}")
        };
        request(self.port, &path, auth)
            .unwrap_or_else(|e| panic!("GET {path} failed: {e}\nthe server's log:\n{}", self.log()))
    }

    fn log(&self) -> String {
        fs::read_to_string(&self.error_log).unwrap_or_default()
    }
}

/// Quote a path for nginx's or Apache's configuration.
fn quoted(path: &Path) -> String {
    let s = path.display().to_string();
    assert!(
        !s.contains(['"', '\\', '$', '%']),
        "unexpected character in {s}"
    );
    format!("\"{s}\"")
}

/// The configuration of nginx, listening on `port`, serving `docroot` and
/// including `snippet`.
fn nginx_conf(dir: &Path, port: u16, snippet: &Path, error_log: &Path) -> String {
    let q = |name: &str| quoted(&dir.join(name));
    format!(
        r#"# Written by tests/cli/hosting.rs.
daemon off;
master_process on;
worker_processes 1;
pid {pid};
error_log {error_log} notice;
events {{
    worker_connections 64;
}}
http {{
    access_log {access_log};
    client_body_temp_path {body};
    proxy_temp_path {proxy};
    fastcgi_temp_path {fastcgi};
    uwsgi_temp_path {uwsgi};
    scgi_temp_path {scgi};
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        root {docroot};
        include {snippet};
    }}
}}
"#,
        pid = q("run/nginx.pid"),
        error_log = quoted(error_log),
        access_log = q("access.log"),
        body = q("run/body"),
        proxy = q("run/proxy"),
        fastcgi = q("run/fastcgi"),
        uwsgi = q("run/uwsgi"),
        scgi = q("run/scgi"),
        docroot = q("docroot"),
        snippet = quoted(snippet),
    )
}

/// The configuration of Apache, listening on `port`, serving `docroot` and
/// including `snippet`: the modules the snippet says it needs and the
/// listing ones, no system-wide files.
fn apache_conf(dir: &Path, port: u16, snippet: &Path, error_log: &Path, root: bool) -> String {
    let q = |name: &str| quoted(&dir.join(name));
    let modules = [
        "mpm_event",
        "authn_core",
        "authn_file",
        "authz_core",
        "authz_user",
        "auth_basic",
        "alias",
        "dir",
        "headers",
        "mime",
        // Not needed, but on by default in Debian: loaded to check that the
        // snippet turns listings and content negotiation off.
        "autoindex",
        "negotiation",
    ]
    .map(|m| format!("LoadModule {m}_module /usr/lib/apache2/modules/mod_{m}.so\n"))
    .concat();
    // Apache refuses to serve as root: its children switch to `nobody`.
    let user = if root {
        "User #65534\nGroup #65534\n"
    } else {
        ""
    };
    format!(
        r#"# Written by tests/cli/hosting.rs.
ServerRoot {server_root}
DefaultRuntimeDir {run}
PidFile {pid}
ErrorLog {error_log}
LogLevel notice
Listen 127.0.0.1:{port}
ServerName 127.0.0.1
{user}{modules}StartServers 1
ServerLimit 2
ThreadsPerChild 8
MaxRequestWorkers 16
TypesConfig /dev/null
<Directory />
    Options None
    AllowOverride None
    Require all denied
</Directory>
DocumentRoot {docroot}
<Directory {docroot}>
    Require all granted
</Directory>
Include {snippet}
"#,
        server_root = quoted(dir),
        run = q("run"),
        pid = q("run/apache.pid"),
        error_log = quoted(error_log),
        docroot = q("docroot"),
        snippet = quoted(snippet),
    )
}

/// Start `server` on a free port of 127.0.0.1 with a configuration written
/// in `dir`, and wait until it answers. On failure, the server's log.
fn start_server(
    server: Server,
    dir: &Path,
    snippet: &Path,
    error_log: &Path,
) -> Result<(Daemon, u16), String> {
    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("find a free port")
        .port();
    // A token only this server answers with: the port may have been taken
    // by another server in the meantime.
    let token = format!("pocdir-hosting-test-{}-{port}", std::process::id());
    fs::write(dir.join("docroot/ready.txt"), &token).expect("write the token");
    let root = fs::metadata(dir).expect("stat the temporary folder").uid() == 0;
    let conf_path = dir.join("server.conf");
    let conf = match server {
        Server::Nginx => nginx_conf(dir, port, snippet, error_log),
        Server::Apache => apache_conf(dir, port, snippet, error_log, root),
    };
    fs::write(&conf_path, conf).expect("write the configuration");
    let _ = fs::remove_file(error_log);
    let out_path = dir.join("server.out");
    let output = fs::File::create(&out_path).expect("create server.out");
    let bin = server.bin();
    let args: Vec<OsString> = match server {
        Server::Nginx => vec![
            "-p".into(),
            dir.into(),
            "-c".into(),
            conf_path.clone().into(),
            "-e".into(),
            error_log.into(),
        ],
        Server::Apache => vec![
            "-d".into(),
            dir.into(),
            "-f".into(),
            conf_path.clone().into(),
        ],
    };
    let stop: Vec<OsString> = match server {
        Server::Nginx => ["-s", "stop"].map(OsString::from).to_vec(),
        Server::Apache => ["-k", "stop"].map(OsString::from).to_vec(),
    };
    let mut cmd = Command::new(&bin);
    cmd.args(&args);
    if let Server::Apache = server {
        cmd.arg("-DFOREGROUND");
    }
    let child = match cmd
        .stdin(Stdio::null())
        .stdout(output.try_clone().expect("clone a file handle"))
        .stderr(output)
        .spawn()
    {
        Ok(child) => child,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            panic!("{} is not installed: {}", bin.display(), server.apt_hint())
        }
        Err(e) => panic!("cannot start {}: {e}", bin.display()),
    };
    let mut daemon = Daemon {
        child,
        stop: [args, stop].concat(),
        bin,
    };
    let log = || {
        format!(
            "{}{}",
            fs::read_to_string(&out_path).unwrap_or_default(),
            fs::read_to_string(error_log).unwrap_or_default()
        )
    };
    let start = Instant::now();
    loop {
        if let Ok(Some(status)) = daemon.child.try_wait() {
            return Err(format!("{server:?} exited ({status}):\n{}", log()));
        }
        if let Ok(r) = request(port, "/ready.txt", None) {
            if r.status == 200 && r.text() == token {
                // The shipped configuration must load without a warning.
                let log = log();
                for level in ["warn", "error", "crit", "alert", "emerg"] {
                    let tag = match server {
                        Server::Nginx => format!("[{level}]"),
                        Server::Apache => format!(":{level}]"),
                    };
                    assert!(
                        !log.contains(&tag),
                        "{server:?} complains about the configuration:\n{log}"
                    );
                }
                return Ok((daemon, port));
            }
            return Err(format!(
                "another server answers on port {port}: Address already in use\n{}",
                log()
            ));
        }
        if start.elapsed() > WAIT {
            return Err(format!(
                "{server:?} did not answer within {WAIT:?}:\n{}",
                log()
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// An HTTP response.
struct Response {
    status: u16,
    /// Header names in lower case, in order.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    /// The header's value (the first, if repeated).
    fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// How many times the header is given.
    fn count(&self, name: &str) -> usize {
        let name = name.to_ascii_lowercase();
        self.headers.iter().filter(|(n, _)| *n == name).count()
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn describe(&self) -> String {
        let mut out = format!("HTTP {}\n", self.status);
        for (n, v) in &self.headers {
            out.push_str(&format!("{n}: {v}\n"));
        }
        let body = self.text();
        let cut: String = body.chars().take(400).collect();
        out.push_str(&format!("\n{cut}"));
        out
    }
}

/// GET `path` from 127.0.0.1:`port` over HTTP/1.1, with Basic credentials
/// if given, and read the whole response.
fn request(port: u16, path: &str, auth: Option<(&str, &str)>) -> Result<Response, String> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&addr, WAIT).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(WAIT))
        .map_err(|e| e.to_string())?;
    stream
        .set_write_timeout(Some(WAIT))
        .map_err(|e| e.to_string())?;
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n");
    if let Some((user, password)) = auth {
        let token = base64(format!("{user}:{password}").as_bytes());
        req.push_str(&format!("Authorization: Basic {token}\r\n"));
    }
    req.push_str("Connection: close\r\n\r\n");
    stream
        .write_all(req.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(|e| e.to_string())?;
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> Result<Response, String> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no end of headers")?;
    let head = std::str::from_utf8(&raw[..end]).map_err(|e| e.to_string())?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .strip_prefix("HTTP/1.1 ")
        .and_then(|s| s.get(..3))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("bad header line {line:?}"))?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let mut response = Response {
        status,
        headers,
        body: raw[end + 4..].to_vec(),
    };
    if let Some(coding) = response.header("transfer-encoding") {
        if coding != "chunked" {
            return Err(format!("unexpected Transfer-Encoding {coding}"));
        }
        response.body = dechunk(&response.body)?;
    } else if let Some(len) = response.header("content-length")
        && len.parse::<usize>().ok() != Some(response.body.len())
    {
        return Err(format!(
            "Content-Length {len} but {} bytes of body",
            response.body.len()
        ));
    }
    Ok(response)
}

/// The body of a chunked response.
fn dechunk(mut raw: &[u8]) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let eol = raw
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("chunk size without end of line")?;
        let size = std::str::from_utf8(&raw[..eol])
            .ok()
            .map(|s| s.split(';').next().unwrap_or_default().trim())
            .and_then(|s| usize::from_str_radix(s, 16).ok())
            .ok_or("bad chunk size")?;
        raw = &raw[eol + 2..];
        if size == 0 {
            return Ok(body);
        }
        if raw.len() < size + 2 {
            return Err("truncated chunk".into());
        }
        body.extend_from_slice(&raw[..size]);
        raw = &raw[size + 2..];
    }
}

/// Standard base64 with padding (for the Authorization header).
fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The Content-Security-Policy of the site's pages (their `<meta>`), as
/// a list of directives.
fn meta_csp(site: &Path) -> Vec<String> {
    let page = fs::read_to_string(site.join("en/index.html")).expect("read en/index.html");
    let marker = "http-equiv=\"Content-Security-Policy\" content=\"";
    let start = page.find(marker).expect("the page has a CSP <meta>") + marker.len();
    let len = page[start..].find('"').expect("end of the CSP <meta>");
    page[start..start + len]
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .split(';')
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty())
        .collect()
}

/// The security headers every response below [`BASE`] must carry.
fn assert_security_headers(h: &Hosted, r: &Response, what: &str) {
    let csp = r
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no Content-Security-Policy\n{}", r.describe()));
    let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
    for d in meta_csp(&h.site) {
        assert!(
            directives.contains(&d.as_str()),
            "{what}: the CSP header lacks the site's `{d}`: {csp}"
        );
    }
    assert!(
        directives.contains(&"frame-ancestors 'none'"),
        "{what}: the CSP header lacks frame-ancestors 'none': {csp}"
    );
    assert_eq!(
        r.count("content-security-policy"),
        1,
        "{what}: several CSP headers\n{}",
        r.describe()
    );
    let expected = [
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("x-frame-options", "DENY"),
        ("x-robots-tag", "noindex, nofollow"),
    ];
    for (name, value) in expected {
        assert_eq!(
            r.header(name),
            Some(value),
            "{what}: header {name}\n{}",
            r.describe()
        );
    }
    for name in ["permissions-policy", "strict-transport-security"] {
        assert!(
            r.header(name).is_some(),
            "{what}: no {name}\n{}",
            r.describe()
        );
    }
}

/// The Content-Type a file of the site must be served with.
fn expected_type(rel: &str) -> &'static str {
    match rel.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json; charset=utf-8",
        Some("csv") => "text/csv; charset=utf-8",
        Some("vcf") => "text/vcard; charset=utf-8",
        Some("pub" | "txt" | "jsonl" | "minisig" | "asc") => "text/plain; charset=utf-8",
        _ => panic!(
            "the site holds {rel}, of a type the hosting examples do not know: \
             add it to hosting/nginx/pocdir.conf, hosting/apache/pocdir.conf, \
             hosting/README.md and this test"
        ),
    }
}

/// Every file of `dir`, by path relative to it (with `/`).
fn files(dir: &Path) -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).expect("list the site") {
            let p = e.expect("directory entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, p);
            }
        }
    }
    out
}

fn refuses_requests_without_a_valid_login(server: Server) {
    let h = Hosted::start(server);
    let wrong = [
        ("no login", None),
        ("wrong password", Some((PERSON.0, "wrong password"))),
        ("another user's password", Some((PERSON.0, STATE.1))),
        ("unknown user", Some(("nobody", PERSON.1))),
        ("empty login", Some(("", ""))),
    ];
    for path in [
        "en/index.html",
        "",
        "en/states/FRA.html",
        "directory.json",
        "directory.csv",
        "directory.vcf",
        "vcf/FRA.vcf",
        "static/style.css",
        "static/",
    ] {
        for (what, auth) in wrong {
            let r = h.get(path, auth);
            let what = format!("GET {BASE}{path} with {what}");
            assert_eq!(r.status, 401, "{what}\n{}", r.describe());
            let challenge = r.header("www-authenticate").unwrap_or_default();
            assert!(
                challenge.starts_with("Basic realm=\""),
                "{what}: WWW-Authenticate is {challenge:?}"
            );
            assert_security_headers(&h, &r, &what);
            let body = r.text();
            assert!(
                !body.contains("lang=\"en\" dir") && !body.contains("example"),
                "{what}: the response shows the directory:\n{body}"
            );
        }
    }
}

fn serves_the_site_to_a_person_and_to_a_state(server: Server) {
    let h = Hosted::start(server);
    for (who, login) in [("a per-person login", PERSON), ("a per-State login", STATE)] {
        let auth = Some(login);

        let r = h.get("en/index.html", auth);
        let what = format!("GET {BASE}en/index.html with {who}");
        assert_eq!(r.status, 200, "{what}\n{}\n{}", r.describe(), h.log());
        assert!(
            r.text().contains("lang=\"en\""),
            "{what}: not the English home page"
        );
        assert_eq!(
            r.header("content-type"),
            Some("text/html; charset=utf-8"),
            "{what}"
        );
        assert_eq!(
            r.header("cache-control"),
            Some("private, no-cache"),
            "{what}"
        );
        assert_security_headers(&h, &r, &what);

        let r = h.get("en/states/FRA.html", auth);
        let what = format!("GET {BASE}en/states/FRA.html with {who}");
        assert_eq!(r.status, 200, "{what}\n{}", r.describe());
        assert!(
            r.text().contains("France"),
            "{what}: not the French State page"
        );
        assert_eq!(
            r.header("content-type"),
            Some("text/html; charset=utf-8"),
            "{what}"
        );
        assert_security_headers(&h, &r, &what);

        let r = h.get("directory.json", auth);
        let what = format!("GET {BASE}directory.json with {who}");
        assert_eq!(r.status, 200, "{what}\n{}", r.describe());
        assert_eq!(
            r.header("content-type"),
            Some("application/json; charset=utf-8"),
            "{what}"
        );
        assert_eq!(
            r.header("cache-control"),
            Some("private, no-cache"),
            "{what}"
        );
        let json: serde_json::Value =
            serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{what}: not JSON: {e}"));
        assert!(json.is_object(), "{what}: not a JSON object");
        assert_security_headers(&h, &r, &what);

        // The folder itself: the language choice (index.html).
        let r = h.get("", auth);
        let what = format!("GET {BASE} with {who}");
        assert_eq!(r.status, 200, "{what}\n{}", r.describe());
        assert_eq!(
            r.body,
            fs::read(h.site.join("index.html")).unwrap(),
            "{what}: not the site's index.html"
        );
    }

    // Without the final slash: redirected to the folder.
    let r = h.get("/restricted/poc", None);
    assert_eq!(r.status, 301, "GET /restricted/poc\n{}", r.describe());
    let location = r.header("location").unwrap_or_default();
    assert!(
        location.ends_with("/restricted/poc/"),
        "GET /restricted/poc redirects to {location:?}"
    );
}

fn serves_every_file_with_its_type_caching_and_headers(server: Server) {
    let h = Hosted::start(server);
    let all = files(&h.site);
    assert!(all.len() > 50, "only {} files in the site", all.len());
    for (rel, path) in &all {
        let r = h.get(rel, Some(PERSON));
        let what = format!("GET {BASE}{rel}");
        assert_eq!(r.status, 200, "{what}\n{}\n{}", r.describe(), h.log());
        assert_eq!(
            r.body,
            fs::read(path).unwrap(),
            "{what}: not the file's bytes"
        );
        assert_eq!(r.header("content-type"), Some(expected_type(rel)), "{what}");
        let cache = if rel.starts_with("static/") {
            "private, max-age=3600"
        } else {
            "private, no-cache"
        };
        assert_eq!(r.header("cache-control"), Some(cache), "{what}");
        assert_eq!(r.count("cache-control"), 1, "{what}\n{}", r.describe());
        assert_security_headers(&h, &r, &what);
    }
}

fn lists_no_folder(server: Server) {
    let h = Hosted::start(server);
    for dir in ["static/", "vcf/", "en/states/", "en/pages/"] {
        let r = h.get(dir, Some(PERSON));
        let what = format!("GET {BASE}{dir}");
        assert!(
            r.status == 403 || r.status == 404,
            "{what}: expected 403 or 404\n{}",
            r.describe()
        );
        let body = r.text();
        for listing in ["Index of", ".css", ".js", ".vcf", ".html"] {
            assert!(
                !body.contains(listing),
                "{what}: looks like a folder listing:\n{body}"
            );
        }
        assert_security_headers(&h, &r, &what);
    }
}

fn serves_nothing_outside_the_site(server: Server) {
    let h = Hosted::start(server);
    // The password file lies two levels above the site (`<tmp>/out/site/`).
    for path in [
        "/restricted/poc/../../pocdir.htpasswd",
        "/restricted/poc/..%2f..%2fpocdir.htpasswd",
        "/restricted/poc/%2e%2e/%2e%2e/pocdir.htpasswd",
        "/restricted/poc/../../../../../../etc/passwd",
        "/restricted/poc../../pocdir.htpasswd",
        "/restricted/poc/..../pocdir.htpasswd",
        "/pocdir.htpasswd",
        "/server.conf",
        "/ready.txt/../server.conf",
    ] {
        let r = h.get(path, Some(PERSON));
        let body = r.text();
        assert!(
            r.status != 200 && !body.contains("$2y$") && !body.contains("root:"),
            "GET {path} escapes the site\n{}",
            r.describe()
        );
    }
}

#[test]
fn nginx_refuses_requests_without_a_valid_login() {
    refuses_requests_without_a_valid_login(Server::Nginx);
}

#[test]
fn nginx_serves_the_site_to_a_person_and_to_a_state() {
    serves_the_site_to_a_person_and_to_a_state(Server::Nginx);
}

#[test]
fn nginx_serves_every_file_with_its_type_caching_and_headers() {
    serves_every_file_with_its_type_caching_and_headers(Server::Nginx);
}

#[test]
fn nginx_lists_no_folder() {
    lists_no_folder(Server::Nginx);
}

#[test]
fn nginx_serves_nothing_outside_the_site() {
    serves_nothing_outside_the_site(Server::Nginx);
}

#[test]
fn apache_refuses_requests_without_a_valid_login() {
    refuses_requests_without_a_valid_login(Server::Apache);
}

#[test]
fn apache_serves_the_site_to_a_person_and_to_a_state() {
    serves_the_site_to_a_person_and_to_a_state(Server::Apache);
}

#[test]
fn apache_serves_every_file_with_its_type_caching_and_headers() {
    serves_every_file_with_its_type_caching_and_headers(Server::Apache);
}

#[test]
fn apache_lists_no_folder() {
    lists_no_folder(Server::Apache);
}

#[test]
fn apache_serves_nothing_outside_the_site() {
    serves_nothing_outside_the_site(Server::Apache);
}
