//! Sending through an SMTP server: the `--smtp URL` and its TLS rules, the
//! credentials, and the lettre transport.
//!
//! - `smtps://host[:port]`: TLS from the first byte (port 465 by default);
//! - `smtp://host[:port]`: STARTTLS, required (port 587 by default).
//!
//! A clear connection is allowed only to the loopback interface
//! (127.0.0.1, ::1, localhost), for a relay on the same machine, and even
//! there never with credentials. Credentials come from the environment or
//! a prompt (see `main`), never from the URL: a URL with a user or a
//! password is refused, since it would sit in the shell's history and the
//! process list. Certificates are checked against the Mozilla roots
//! (webpki-roots), plus any CA the secretariat names with `--smtp-ca`.

use std::time::Duration;

use lettre::Transport;
use lettre::address::Envelope;
use lettre::transport::smtp::SmtpTransport;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use zeroize::Zeroizing;

use super::MailError;
use super::deliver::Sender;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (`smtps://`).
    Implicit,
    /// STARTTLS; the connection fails rather than go on in clear.
    StartTls,
    /// STARTTLS when offered, else clear: loopback without credentials only.
    LoopbackOpportunistic,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub host: String,
    pub port: u16,
    pub security: Security,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = if self.security == Security::Implicit {
            "smtps"
        } else {
            "smtp"
        };
        write!(f, "{scheme}://{}:{}", self.host, self.port)
    }
}

fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Ipv4(a) => a.is_loopback(),
        url::Host::Ipv6(a) => a.is_loopback(),
        // For a scheme other than http(s), the url crate leaves an IPv4
        // address as a name.
        url::Host::Domain(d) => {
            d.eq_ignore_ascii_case("localhost")
                || d.parse::<std::net::IpAddr>().is_ok_and(|a| a.is_loopback())
        }
    }
}

/// Parse `--smtp`. `with_credentials` upgrades a loopback link to required
/// STARTTLS: credentials never travel in clear.
pub fn parse_url(s: &str, with_credentials: bool) -> Result<Target, MailError> {
    let bad = |m: &str| MailError::Config(format!("--smtp {}: {m}", crate::util::text::quote(s)));
    let u = url::Url::parse(s).map_err(|e| bad(&e.to_string()))?;
    if !u.username().is_empty() || u.password().is_some() {
        // Never echo the URL back: it holds a secret.
        return Err(MailError::Config(
            "--smtp: the URL must not hold a user or a password; set POCDIR_SMTP_USER \
             (and POCDIR_SMTP_PASSWORD, or type it when asked) instead"
                .into(),
        ));
    }
    if !matches!(u.path(), "" | "/") || u.query().is_some() || u.fragment().is_some() {
        return Err(bad("give only a scheme, a host and a port"));
    }
    let host = u.host().ok_or_else(|| bad("no host"))?;
    let loopback = is_loopback(&host);
    let (security, default_port) = match u.scheme() {
        "smtps" => (Security::Implicit, 465),
        "smtp" if loopback && !with_credentials => (Security::LoopbackOpportunistic, 25),
        "smtp" => (Security::StartTls, 587),
        other => {
            return Err(bad(&format!(
                "unknown scheme {other:?}: use smtps:// (TLS) or smtp:// (STARTTLS)"
            )));
        }
    };
    let host = match host {
        url::Host::Ipv6(a) => a.to_string(),
        h => h.to_string(),
    };
    Ok(Target {
        host,
        port: u.port().unwrap_or(default_port),
        security,
    })
}

/// SMTP credentials; the password is wiped from pocdir's memory on drop
/// (lettre keeps its own copy for the connection's lifetime).
pub struct Login {
    pub user: String,
    pub password: Zeroizing<String>,
}

pub struct SmtpSender {
    transport: SmtpTransport,
}

/// Connect, say EHLO, start TLS and log in, so that a wrong setting fails
/// before anything is sent.
pub fn connect(
    target: &Target,
    login: Option<Login>,
    extra_ca_pem: Option<&[u8]>,
) -> Result<SmtpSender, MailError> {
    let cfg = |m: String| MailError::Config(format!("{target}: {m}"));
    let mut params = TlsParameters::builder(target.host.clone());
    if let Some(pem) = extra_ca_pem {
        let cert = Certificate::from_pem(pem).map_err(|e| cfg(format!("--smtp-ca: {e}")))?;
        params = params.add_root_certificate(cert);
    }
    let params = params.build().map_err(|e| cfg(e.to_string()))?;
    let tls = match target.security {
        Security::Implicit => Tls::Wrapper(params),
        Security::StartTls => Tls::Required(params),
        Security::LoopbackOpportunistic => Tls::Opportunistic(params),
    };
    let mut b = SmtpTransport::builder_dangerous(target.host.clone())
        .port(target.port)
        .tls(tls)
        .timeout(Some(Duration::from_secs(60)));
    if let Some(l) = login {
        b = b.credentials(Credentials::new(l.user, l.password.to_string()));
    }
    let transport = b.build();
    match transport.test_connection() {
        Ok(true) => Ok(SmtpSender { transport }),
        Ok(false) => Err(cfg("the server did not answer".into())),
        Err(e) => Err(cfg(describe(&e))),
    }
}

/// lettre's error with its causes, on one line.
fn describe(e: &lettre::transport::smtp::Error) -> String {
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(c) = src {
        let c_text = c.to_string();
        if !s.contains(&c_text) {
            s.push_str(": ");
            s.push_str(&c_text);
        }
        src = c.source();
    }
    s
}

impl Sender for SmtpSender {
    fn send(&mut self, from: &str, to: &str, eml: &[u8]) -> Result<String, MailError> {
        let from = from
            .parse()
            .map_err(|e| MailError::Send(format!("{from}: {e}")))?;
        let to = to
            .parse()
            .map_err(|e| MailError::Send(format!("{to}: {e}")))?;
        let envelope =
            Envelope::new(Some(from), vec![to]).map_err(|e| MailError::Send(e.to_string()))?;
        match self.transport.send_raw(&envelope, eml) {
            Ok(r) => Ok(format!(
                "{} {}",
                r.code(),
                r.message().collect::<Vec<_>>().join(" ")
            )),
            Err(e) => Err(MailError::Send(describe(&e))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_is_required_except_in_clear_to_loopback_without_credentials() {
        let t = parse_url("smtp://mail.un.example", false).unwrap();
        assert_eq!((t.security, t.port), (Security::StartTls, 587));
        let t = parse_url("smtps://mail.un.example", false).unwrap();
        assert_eq!((t.security, t.port), (Security::Implicit, 465));
        let t = parse_url("smtp://127.0.0.1:2525", false).unwrap();
        assert_eq!(
            (t.security, t.port),
            (Security::LoopbackOpportunistic, 2525)
        );
        let t = parse_url("smtp://[::1]:2525", false).unwrap();
        assert_eq!(t.security, Security::LoopbackOpportunistic);
        assert_eq!(t.host, "::1");
        let t = parse_url("smtp://127.0.0.1:2525", true).unwrap();
        assert_eq!(t.security, Security::StartTls, "credentials: TLS always");
        // A name that only looks local is not loopback.
        let t = parse_url("smtp://127.0.0.1.mail.example", false).unwrap();
        assert_eq!(t.security, Security::StartTls);
    }

    #[test]
    fn secrets_in_the_url_and_other_schemes_are_refused_without_echo() {
        let e = parse_url("smtps://desk:hunter2@mail.un.example", false)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("POCDIR_SMTP_USER"), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
        for bad in [
            "http://mail.un.example",
            "smtp://mail.un.example/path",
            "smtp://mail.un.example?tls=none",
            "mail.un.example",
        ] {
            assert!(parse_url(bad, false).is_err(), "{bad}");
        }
    }
}
