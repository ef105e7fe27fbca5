//! Where messages go (`mail`, `remind`, `ping`): the shared flags, and the
//! printing of what happened (the closing table).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pocdir::mail::deliver::{Event, Status};
use pocdir::mail::dispatch::{Outcome, Route, SmtpRoute};

use super::outln;

/// Exactly one of an outbox, an SMTP server, or a dry run (which may name
/// the server to consult its journal).
#[derive(clap::Args)]
pub struct Delivery {
    /// Write one .eml per message into this folder, for a mail client.
    #[arg(long, value_name = "DIR", conflicts_with = "smtp")]
    pub outbox: Option<PathBuf>,
    /// Send through this server: smtps://HOST[:PORT] (TLS) or
    /// smtp://HOST[:PORT] (STARTTLS required; clear only to 127.0.0.1).
    /// Credentials: POCDIR_SMTP_USER, and POCDIR_SMTP_PASSWORD or a prompt.
    #[arg(long, value_name = "URL")]
    pub smtp: Option<String>,
    /// A CA certificate (PEM) to trust for the SMTP server, besides the
    /// usual roots.
    #[arg(long, value_name = "PEM", requires = "smtp")]
    pub smtp_ca: Option<PathBuf>,
    /// Build and check every message, list what would go; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The journal of sent messages (default: ROOT/log/mail.jsonl).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// Stay under the server's limits: at most N messages per s, min or h
    /// (e.g. 30/min).
    #[arg(long, value_name = "N/UNIT", value_parser = pocdir::mail::deliver::parse_rate, requires = "smtp")]
    pub rate: Option<std::time::Duration>,
}

/// SMTP credentials from the environment, or the password from a prompt.
fn smtp_login() -> Result<Option<pocdir::mail::smtp::Login>, String> {
    let Ok(user) = std::env::var("POCDIR_SMTP_USER") else {
        return Ok(None);
    };
    let password = match std::env::var("POCDIR_SMTP_PASSWORD") {
        Ok(p) => zeroize::Zeroizing::new(p),
        Err(_) if std::io::stdin().is_terminal() => {
            rpassword::prompt_password(format!("SMTP password for {user}: "))
                .map(zeroize::Zeroizing::new)
                .map_err(|e| format!("reading the SMTP password: {e}"))?
        }
        Err(_) => {
            return Err(
                "POCDIR_SMTP_USER is set but POCDIR_SMTP_PASSWORD is not, and there is no \
                 terminal to ask for it"
                    .into(),
            );
        }
    };
    Ok(Some(pocdir::mail::smtp::Login { user, password }))
}

impl Delivery {
    /// A usage error (exit 2) unless a destination is given.
    pub fn check(&self) -> Result<(), ExitCode> {
        if self.outbox.is_none() && self.smtp.is_none() && !self.dry_run {
            return Err(super::usage_error(
                "say where the messages go: --outbox DIR, --smtp URL or --dry-run",
            ));
        }
        Ok(())
    }

    pub fn journal_path(&self, root: &Path) -> PathBuf {
        self.journal
            .clone()
            .unwrap_or_else(|| pocdir::mail::dispatch::default_journal(root))
    }

    fn route(&self, root: &Path) -> Result<Route, String> {
        if self.dry_run {
            return Ok(Route::DryRun {
                journal: self.smtp.as_ref().map(|_| self.journal_path(root)),
            });
        }
        if let Some(dir) = &self.outbox {
            return Ok(Route::Outbox(dir.clone()));
        }
        let Some(url) = &self.smtp else {
            return Err("no destination".into());
        };
        let login = smtp_login()?;
        let ca = match &self.smtp_ca {
            Some(p) => {
                Some(std::fs::read(p).map_err(|e| format!("--smtp-ca {}: {e}", p.display()))?)
            }
            None => None,
        };
        Ok(Route::Smtp(SmtpRoute {
            url: url.clone(),
            login,
            ca,
            journal: self.journal_path(root),
            rate: self.rate,
        }))
    }

    /// Write, list or send `msgs`; print the closing table; the exit code.
    pub fn dispatch(&self, msgs: &[pocdir::mail::Outgoing], root: &Path) -> ExitCode {
        self.dispatch_skipping(msgs, &[], root)
    }

    /// [`Delivery::dispatch`], with `skipped` (accounts and States that get
    /// no message) listed as NOT SENT in the closing table: any makes the
    /// exit code 1, so no State is cut off without notice.
    pub fn dispatch_skipping(
        &self,
        msgs: &[pocdir::mail::Outgoing],
        skipped: &[pocdir::mail::Skipped],
        root: &Path,
    ) -> ExitCode {
        let fail = |m: String| {
            eprintln!("error: {m}");
            eprintln!("nothing was sent");
            ExitCode::from(1)
        };
        let route = match self.route(root) {
            Ok(r) => r,
            Err(m) => return fail(m),
        };
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(0),
            indicatif::ProgressDrawTarget::stderr(),
        );
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed} {wide_msg}")
        {
            bar.set_style(style);
        }
        let result = pocdir::mail::dispatch::dispatch(msgs, route, &mut |ev| match ev {
            Event::Start { pending, .. } => bar.set_length(pending as u64),
            Event::Done { msg, .. } => {
                bar.inc(1);
                bar.set_message(format!("{} {}", msg.state, msg.account));
            }
        });
        bar.finish_and_clear();
        let outcome = match result {
            Ok(o) => o,
            Err(e) => return fail(e.to_string()),
        };
        print_outcome(&outcome, self.outbox.as_deref());
        print_skipped(skipped);
        if !skipped.is_empty() {
            let states: std::collections::BTreeSet<_> = skipped.iter().map(|s| s.state).collect();
            eprintln!(
                "{} account(s) of {} State(s) NOT SENT: re-verify them (`pocdir stale` lists them)",
                skipped.len(),
                states.len()
            );
        }
        if !outcome.complete() {
            eprintln!("run the same command again to send only what is missing");
        }
        if outcome.complete() && skipped.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        }
    }
}

/// The accounts and States that get no message, after the table.
fn print_skipped(skipped: &[pocdir::mail::Skipped]) {
    for s in skipped {
        outln!(
            "{:<4} {}  NOT SENT: {}",
            s.state,
            pocdir::util::text::printable(s.account.as_deref().unwrap_or("(no account)")),
            s.reason
        );
    }
}

fn print_outcome(outcome: &Outcome, outbox: Option<&Path>) {
    match outcome {
        Outcome::DryRun(rows) => {
            let mut would = 0;
            for (m, sent) in rows {
                if *sent {
                    outln!("already sent {} to {}", m.state, m.account);
                } else {
                    would += 1;
                    outln!(
                        "would send {} to {} ({} bytes)",
                        m.state,
                        m.account,
                        m.eml.len()
                    );
                }
            }
            eprintln!(
                "{would} of {} message(s) would go (dry run: nothing written or sent)",
                rows.len()
            );
        }
        Outcome::Outbox(paths) => {
            for p in paths {
                outln!("{}", p.display());
            }
            let dir = outbox.map(|d| d.display().to_string()).unwrap_or_default();
            eprintln!("{} message(s) written to {dir}", paths.len());
        }
        Outcome::Sent { rows, journal } => {
            let (mut sent, mut before, mut failed) = (0, 0, 0);
            let width = rows.iter().map(|(m, _)| m.account.len()).max().unwrap_or(0);
            for (m, status) in rows {
                let what = match status {
                    Status::Sent { reply } => {
                        sent += 1;
                        format!("sent ({reply})")
                    }
                    Status::AlreadySent => {
                        before += 1;
                        "already sent (journal)".to_string()
                    }
                    Status::Failed { reason } => {
                        failed += 1;
                        format!("NOT SENT: {reason}")
                    }
                };
                outln!("{:<4} {:<width$}  {what}", m.state, m.account);
            }
            eprintln!(
                "{sent} sent, {before} already sent before, {failed} not sent (journal: {})",
                journal.display()
            );
        }
    }
}
