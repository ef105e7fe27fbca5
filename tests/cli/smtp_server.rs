//! A real SMTP server on 127.0.0.1 for the tests that send mail: aiosmtpd
//! run by `tests/smtp/server.py` (installed by `.ci/run` from
//! `tests/smtp/requirements.txt`). Each server has its own port and folder;
//! it stops when dropped.

use std::io::{BufRead, BufReader};
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
    /// `--tls starttls`, `--auth user:password`...).
    pub fn start(options: &[&str]) -> SmtpServer {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new("python3")
            .arg(support::repo_root().join("tests/smtp/server.py"))
            .arg("--dir")
            .arg(dir.path().join("msgs"))
            .args(options)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 tests/smtp/server.py (pip install -r tests/smtp/requirements.txt)");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the SMTP server did not start in 30 s");
        let port = line
            .trim()
            .strip_prefix("READY ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the SMTP server said {line:?}"));
        SmtpServer { child, port, dir }
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
