//! A real SMTP server on 127.0.0.1 for the tests that send mail: aiosmtpd
//! run by `tests/smtp/server.py` (installed by `tests/run` from
//! `tests/smtp/requirements.txt`). Each server has its own port and folder;
//! it stops when dropped.

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::support;

pub struct SmtpServer {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
}

/// One message the server accepted.
#[derive(Debug)]
pub struct Received {
    pub eml: PathBuf,
    pub rcpt_tos: Vec<String>,
    pub mail_from: String,
    pub tls: bool,
    pub authenticated: bool,
}

impl SmtpServer {
    /// Start a server with `server.py`'s options (`--refuse-after N`,
    /// `--tls starttls`, `--auth user:password`...). A missing Python or
    /// aiosmtpd fails the test with the command that installs it.
    pub fn start(options: &[&str]) -> SmtpServer {
        Self::try_start_with(&[], options).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Start `python3 PYTHON_ARGS tests/smtp/server.py OPTIONS`, or say why
    /// it did not start (naming what to install when something is missing).
    pub fn try_start_with(python_args: &[&str], options: &[&str]) -> Result<SmtpServer, String> {
        let dir = tempfile::tempdir().unwrap();
        let spawned = Command::new("python3")
            .args(python_args)
            .arg(support::repo_root().join("tests/smtp/server.py"))
            .arg("--dir")
            .arg(dir.path().join("msgs"))
            .args(options)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                return Err(format!(
                    "{}; then the mail tests' SMTP server: {}",
                    support::install_hint("python3"),
                    support::PIP_HINT
                ));
            }
            Err(e) => return Err(format!("cannot start python3: {e}")),
        };
        // What the server says on stderr goes to the test's, and is kept
        // for the failure message should it not start.
        let mut stderr = child.stderr.take().unwrap();
        let said = std::thread::spawn(move || {
            let mut buf = Vec::new();
            let mut chunk = [0; 4096];
            while let Ok(n @ 1..) = stderr.read(&mut chunk) {
                let _ = std::io::stderr().write_all(&chunk[..n]);
                buf.extend_from_slice(&chunk[..n]);
            }
            String::from_utf8_lossy(&buf).into_owned()
        });
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(30));
        let port = line
            .as_deref()
            .ok()
            .and_then(|l| l.trim().strip_prefix("READY "))
            .and_then(|p| p.parse().ok());
        if let Some(port) = port {
            return Ok(SmtpServer { child, port, dir });
        }
        let _ = child.kill();
        let _ = child.wait();
        let stderr = said.join().unwrap_or_default();
        Err(match line {
            Ok(line) if line.starts_with("MISSING ") => format!(
                "the mail tests' SMTP server (tests/smtp/server.py) needs Python packages: {}. \
                 Install them with `{}`, or run `tests/run` as root",
                line.trim(),
                support::PIP_HINT
            ),
            Ok(line) => format!("the SMTP server did not start: it said {line:?}\n{stderr}"),
            Err(_) => format!("the SMTP server did not start in 30 s\n{stderr}"),
        })
    }

    /// `smtp://127.0.0.1:PORT`, or with another scheme.
    pub fn url(&self, scheme: &str) -> String {
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// The test CA's certificate (for `--smtp-ca`), with `--tls`.
    pub fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    pub fn received(&self) -> Vec<Received> {
        let msgs = self.dir.path().join("msgs");
        let mut names: Vec<PathBuf> = std::fs::read_dir(&msgs)
            .map(|rd| {
                rd.map(|e| e.unwrap().path())
                    .filter(|p| p.extension().is_some_and(|x| x == "json"))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
            .into_iter()
            .map(|meta| {
                let v: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(&meta).unwrap()).unwrap();
                Received {
                    eml: meta.with_extension("eml"),
                    rcpt_tos: v["rcpt_tos"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|r| r.as_str().unwrap().to_string())
                        .collect(),
                    mail_from: v["mail_from"].as_str().unwrap().to_string(),
                    tls: v["tls"].as_bool().unwrap(),
                    authenticated: v["auth"].as_bool().unwrap_or(false),
                }
            })
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Parse messages with Python's `email` package (a parser pocdir does not
/// share), write their attachments into `out/<n>/`, and return per message
/// its headers (decoded) and attachment names, as JSON.
pub fn parse_messages(emls: &[&Path], out: &Path) -> Vec<serde_json::Value> {
    let script = r#"
import email, email.header, email.policy, json, os, sys
out = sys.argv[1]
for n, path in enumerate(sys.argv[2:]):
    raw = open(path, 'rb').read()
    m = email.message_from_bytes(raw, policy=email.policy.default)
    assert not m.defects, m.defects
    old = email.message_from_bytes(raw)
    dec = lambda h: str(email.header.make_header(email.header.decode_header(old[h]))) if old[h] else None
    d = os.path.join(out, str(n))
    os.makedirs(d)
    names = []
    for p in m.iter_attachments():
        names.append(p.get_filename())
        open(os.path.join(d, p.get_filename()), 'wb').write(p.get_payload(decode=True))
    body = m.get_body(('plain',))
    print(json.dumps({'dir': d, 'to': dec('To'), 'from': dec('From'), 'subject': dec('Subject'),
                      'message_id': old['Message-ID'], 'attachments': names,
                      'body': body.get_content() if body else None}))
"#;
    let o = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(out)
        .args(emls)
        .output()
        .expect("python3");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A machine without aiosmtpd: the mail tests fail with the command that
/// installs it, not with a bare "the SMTP server said \"\"". `python3 -S`
/// leaves every site-packages folder off the module path, so aiosmtpd is
/// really not found, wherever it is installed.
#[test]
fn a_missing_aiosmtpd_fails_with_the_command_to_install_it() {
    let probe = Command::new("python3")
        .args(["-S", "-c", "import aiosmtpd"])
        .stderr(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("{}: {e}", support::install_hint("python3")));
    assert!(
        !probe.success(),
        "python3 -S still imports aiosmtpd (installed in the standard library's folder?): \
         this test cannot hide it"
    );
    let err = match SmtpServer::try_start_with(&["-S"], &[]) {
        Ok(server) => panic!(
            "the server started on port {} without aiosmtpd",
            server.port
        ),
        Err(err) => err,
    };
    assert!(
        err.contains("MISSING aiosmtpd")
            && err.contains("pip install -r tests/smtp/requirements.txt")
            && err.contains("tests/run"),
        "{err}"
    );
    // And with it, the same helper starts the server.
    let server = SmtpServer::try_start_with(&[], &[]).unwrap_or_else(|e| panic!("{e}"));
    assert!(server.port > 0);
}
