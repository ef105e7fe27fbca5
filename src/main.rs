//! The `pocdir` command line. The only place that prints or exits.
#![forbid(unsafe_code)]

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Print to stdout, ignoring a closed pipe (`pocdir open ... | head`)
/// instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

#[derive(Parser)]
#[command(
    name = "pocdir",
    version,
    about = "The global intergovernmental directory of cyber Points of Contact"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum ReviewFormat {
    Markdown,
    Json,
}

#[derive(Subcommand)]
enum PingCmd {
    /// Create a campaign (content/pings/<ID>.yaml, one token per PoC) and
    /// send its messages: to an outbox, or through SMTP.
    Start {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// A name for the campaign (its id is the day plus this name).
        #[arg(long)]
        name: Option<String>,
        /// Only these PoC types (comma-separated; default: all).
        #[arg(long, value_delimiter = ',')]
        types: Vec<String>,
        /// Only these States (comma-separated ISO3 codes).
        #[arg(long, value_delimiter = ',')]
        only: Vec<String>,
        /// A PoC that has not answered after this many hours failed.
        #[arg(long, default_value_t = 72)]
        respond_within_hours: u32,
        #[command(flatten)]
        delivery: Delivery,
        /// The campaign's start time (RFC 3339; default: now).
        #[arg(long)]
        now: Option<jiff::Timestamp>,
    },
    /// Send what a campaign's first run did not (the journal skips the rest).
    Send {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long)]
        campaign: String,
        #[command(flatten)]
        delivery: Delivery,
    },
    /// Read the replies from a mailbox and record answers, bounces and
    /// flagged replies in the campaign files.
    Collect {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// An mbox file.
        #[arg(long, conflicts_with = "maildir", required_unless_present = "maildir")]
        mbox: Option<PathBuf>,
        /// A Maildir folder (with cur/ and new/).
        #[arg(long)]
        maildir: Option<PathBuf>,
    },
    /// Record an answer given another way (by phone).
    Record {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long)]
        campaign: String,
        #[arg(long)]
        state: String,
        #[arg(long = "type")]
        kind: String,
        /// When: RFC 3339 (2026-11-02T10:15:00Z) or with a zone
        /// (2026-11-02T11:15:00[Europe/Paris]).
        #[arg(long)]
        at: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Figures of a campaign (default: the latest): response rate, median
    /// and 90th percentile time, by group and type, non-responders, trend.
    Report {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long)]
        campaign: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: PingFormat,
        /// Judge the answer windows at this time (RFC 3339; default: now).
        #[arg(long)]
        now: Option<jiff::Timestamp>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Kdf {
    Sensitive,
    Interactive,
}

#[derive(Clone, Copy, ValueEnum)]
enum PingFormat {
    Text,
    Csv,
    Json,
}

/// Where messages go (`mail`, `remind`): exactly one of an outbox, an SMTP
/// server, or a dry run (which may name the server to consult its journal).
#[derive(clap::Args)]
struct Delivery {
    /// Write one .eml per message into this folder, for a mail client.
    #[arg(long, conflicts_with = "smtp")]
    outbox: Option<PathBuf>,
    /// Send through this server: smtps://HOST[:PORT] (TLS) or
    /// smtp://HOST[:PORT] (STARTTLS required; clear only to 127.0.0.1).
    /// Credentials: POCDIR_SMTP_USER, and POCDIR_SMTP_PASSWORD or a prompt.
    #[arg(long, value_name = "URL")]
    smtp: Option<String>,
    /// A CA certificate (PEM) to trust for the SMTP server, besides the
    /// usual roots.
    #[arg(long, value_name = "PEM", requires = "smtp")]
    smtp_ca: Option<PathBuf>,
    /// Build and check every message, list what would go; send nothing.
    #[arg(long)]
    dry_run: bool,
    /// The journal of sent messages (default: ROOT/log/mail.jsonl).
    #[arg(long)]
    journal: Option<PathBuf>,
    /// Stay under the server's limits: at most N messages per s, min or h
    /// (e.g. 30/min).
    #[arg(long, value_parser = pocdir::mail::deliver::parse_rate, requires = "smtp")]
    rate: Option<std::time::Duration>,
}

#[derive(Subcommand)]
enum Command {
    /// Validate the whole directory and report every problem.
    Check {
        /// Root of the directory (holding content/, keys/, themes/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// Fail (exit 1) on warnings too.
        #[arg(long)]
        deny_warnings: bool,
        /// Judge dates (future, expired, stale) as of this day, YYYY-MM-DD.
        #[arg(long, value_parser = parse_date_arg)]
        as_of: Option<jiff::civil::Date>,
    },
    /// List what needs attention: stale entries, missing PoC types, expired
    /// or expiring encryption keys, States without verified accounts, PoCs
    /// that failed their last communication check. Exit 1 when anything is
    /// overdue (stale, expired, bounced), for scheduled CI.
    Stale {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Judge as of this day, YYYY-MM-DD (default: today).
        #[arg(long, value_parser = parse_date_arg)]
        as_of: Option<jiff::civil::Date>,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Remind the Permanent Mission of each State whose entry is stale, in
    /// its UN language and English: to an outbox, or through SMTP.
    Remind {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[command(flatten)]
        delivery: Delivery,
        #[arg(long, value_parser = parse_date_arg)]
        as_of: Option<jiff::civil::Date>,
    },
    /// Summarise what a pull request changes, with the signals a reviewer
    /// must weigh; exit 1 on an unacknowledged block signal.
    Review {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Base revision (default: the merge base with the default branch).
        #[arg(long)]
        base: Option<String>,
        /// Head revision (default: the working tree).
        #[arg(long)]
        head: Option<String>,
        #[arg(long, value_enum, default_value = "markdown")]
        format: ReviewFormat,
        #[arg(long, value_parser = parse_date_arg)]
        as_of: Option<jiff::civil::Date>,
    },
    /// Email each State's bundle to its verified accounts: to an outbox, or
    /// through SMTP (resumable: the journal keeps what went out).
    Mail {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long, default_value = "dist/bundles")]
        bundles: PathBuf,
        #[command(flatten)]
        delivery: Delivery,
        /// Only these States (comma-separated ISO3 codes).
        #[arg(long, value_delimiter = ',')]
        only: Vec<String>,
        /// Judge expiry and verification age at this time (RFC 3339).
        #[arg(long)]
        now: Option<jiff::Timestamp>,
    },
    /// Verify, decrypt and read a bundle received by email.
    Open {
        /// The bundle, <ISO3>.tar.age (its signature is read from
        /// <BUNDLE>.minisig unless --signature says otherwise).
        bundle: PathBuf,
        /// Your account's age identity (secret key) file.
        #[arg(long)]
        identity: PathBuf,
        /// The secretariat's public key, pinned in the state folder on first
        /// use.
        #[arg(long)]
        trust: Option<PathBuf>,
        #[arg(long)]
        signature: Option<PathBuf>,
        /// Where accepted versions and the pinned key are kept (default:
        /// $XDG_STATE_HOME/pocdir or ~/.local/state/pocdir).
        #[arg(long)]
        state_dir: Option<PathBuf>,
        /// Write the verified files into this folder.
        #[arg(long)]
        extract: Option<PathBuf>,
        /// Open an expired bundle anyway (with a warning).
        #[arg(long)]
        allow_expired: bool,
        /// A key rotation statement (its .minisig beside it).
        #[arg(long)]
        rotation: Vec<PathBuf>,
        /// Judge expiry at this time instead of now (RFC 3339), e.g. to
        /// re-read an archived bundle.
        #[arg(long)]
        now: Option<jiff::Timestamp>,
    },
    /// Make keys: the secretariat's signing key pair, an age identity for a
    /// State's account, or a key rotation statement.
    Keygen {
        /// An Ed25519 signing key pair in minisign's formats.
        #[arg(long, requires_all = ["secret_key", "public_key"], conflicts_with_all = ["age", "rotate"])]
        signing: bool,
        /// An age identity (X25519) for a State's verified account.
        #[arg(long, requires = "identity", conflicts_with = "rotate")]
        age: bool,
        /// A statement, signed by the old key, that moves to a new key.
        #[arg(long, requires_all = ["secret_key", "new_public_key", "out"])]
        rotate: bool,
        #[arg(long)]
        secret_key: Option<PathBuf>,
        #[arg(long)]
        public_key: Option<PathBuf>,
        #[arg(long)]
        identity: Option<PathBuf>,
        #[arg(long)]
        new_public_key: Option<PathBuf>,
        /// Where the rotation statement goes (its .minisig beside it).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Leave the secret key unencrypted (demo keys only).
        #[arg(long)]
        unencrypted: bool,
        /// The passphrase's key derivation: `sensitive` (minisign's
        /// default, 1 GiB per guess) or `interactive` (16 MiB, for small
        /// machines).
        #[arg(
            long,
            value_enum,
            default_value = "sensitive",
            conflicts_with = "unencrypted"
        )]
        kdf: Kdf,
    },
    /// Preview the site on 127.0.0.1, rebuilt when a file changes.
    Serve {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long, default_value_t = 1111)]
        port: u16,
        #[arg(long, value_parser = parse_date_arg)]
        as_of: Option<jiff::civil::Date>,
    },
    /// Communication checks: send a token to every PoC, collect the
    /// replies, measure how long each took to answer.
    Ping {
        #[command(subcommand)]
        cmd: PingCmd,
    },
    /// Check the directory, then render the restricted site into OUT/site/.
    Build {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output folder (the site goes to OUT/site/).
        #[arg(long, default_value = "dist")]
        out: PathBuf,
        /// Judge staleness as of this day, YYYY-MM-DD (default: today).
        #[arg(long, value_parser = parse_date_arg)]
        as_of: Option<jiff::civil::Date>,
        /// The secretariat's secret signing key (default: $POCDIR_SIGNING_KEY;
        /// a demo directory uses keys/demo/secretariat.key). Its passphrase
        /// is read from $POCDIR_PASSPHRASE or asked on the terminal.
        #[arg(long)]
        signing_key: Option<PathBuf>,
        /// Render the site only: no bundle, no key needed.
        #[arg(long)]
        site_only: bool,
    },
}

/// The passphrase of a secret key: $POCDIR_PASSPHRASE, else asked on the
/// terminal (not echoed). Never printed.
fn passphrase() -> Option<zeroize::Zeroizing<String>> {
    if let Ok(p) = std::env::var("POCDIR_PASSPHRASE") {
        return Some(zeroize::Zeroizing::new(p));
    }
    if !std::io::stdin().is_terminal() {
        return None;
    }
    rpassword::prompt_password("Passphrase of the signing key: ")
        .ok()
        .map(zeroize::Zeroizing::new)
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
    fn check(&self) -> Result<(), ExitCode> {
        if self.outbox.is_none() && self.smtp.is_none() && !self.dry_run {
            eprintln!("error: say where the messages go: --outbox DIR, --smtp URL or --dry-run");
            return Err(ExitCode::from(2));
        }
        Ok(())
    }

    /// Write, list or send `msgs`; the closing table and the exit code.
    fn dispatch(&self, msgs: &[pocdir::mail::Outgoing], root: &std::path::Path) -> ExitCode {
        use pocdir::mail::deliver::{Event, Status};
        use pocdir::mail::journal::{JOURNAL_FILE, Journal};
        let journal_path = self
            .journal
            .clone()
            .unwrap_or_else(|| root.join(JOURNAL_FILE));
        if self.dry_run {
            let journal = match self
                .smtp
                .as_ref()
                .map(|_| Journal::read_only(&journal_path))
            {
                Some(Err(e)) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(1);
                }
                Some(Ok(j)) => Some(j),
                None => None,
            };
            let mut would = 0;
            for m in msgs {
                if journal.as_ref().is_some_and(|j| j.contains(&m.message_id)) {
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
                msgs.len()
            );
            return ExitCode::SUCCESS;
        }
        if let Some(dir) = &self.outbox {
            for m in msgs {
                let path = dir.join(&m.file_name);
                if let Err(e) = pocdir::output::file(&path, &m.eml) {
                    eprintln!("error: writing {}: {e}", path.display());
                    return ExitCode::from(1);
                }
                outln!("{}", path.display());
            }
            eprintln!("{} message(s) written to {}", msgs.len(), dir.display());
            return ExitCode::SUCCESS;
        }
        let Some(url) = &self.smtp else {
            return ExitCode::from(2);
        };
        let fail = |m: String| {
            eprintln!("error: {m}");
            eprintln!("nothing was sent");
            ExitCode::from(1)
        };
        let login = match smtp_login() {
            Ok(l) => l,
            Err(m) => return fail(m),
        };
        let target = match pocdir::mail::smtp::parse_url(url, login.is_some()) {
            Ok(t) => t,
            Err(e) => return fail(e.to_string()),
        };
        let ca = match &self.smtp_ca {
            Some(p) => match std::fs::read(p) {
                Ok(b) => Some(b),
                Err(e) => return fail(format!("--smtp-ca {}: {e}", p.display())),
            },
            None => None,
        };
        let mut journal = match Journal::open(&journal_path) {
            Ok(j) => j,
            Err(e) => return fail(e.to_string()),
        };
        let pending = msgs
            .iter()
            .filter(|m| !journal.contains(&m.message_id))
            .count();
        let mut sender: Box<dyn pocdir::mail::deliver::Sender> = if pending == 0 {
            Box::new(NoSender)
        } else {
            match pocdir::mail::smtp::connect(&target, login, ca.as_deref()) {
                Ok(s) => Box::new(s),
                Err(e) => return fail(e.to_string()),
            }
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
        let result = pocdir::mail::deliver::deliver(
            msgs,
            sender.as_mut(),
            &mut journal,
            self.rate,
            &jiff::Timestamp::now,
            &mut std::thread::sleep,
            &mut |ev| match ev {
                Event::Start { pending, .. } => bar.set_length(pending as u64),
                Event::Done { msg, .. } => {
                    bar.inc(1);
                    bar.set_message(format!("{} {}", msg.state, msg.account));
                }
            },
        );
        bar.finish_and_clear();
        let rows = match result {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(1);
            }
        };
        let (mut sent, mut before, mut failed) = (0, 0, 0);
        let width = rows.iter().map(|(m, _)| m.account.len()).max().unwrap_or(0);
        for (m, status) in &rows {
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
            journal.path().display()
        );
        if failed > 0 {
            eprintln!("run the same command again to send only what is missing");
            return ExitCode::from(1);
        }
        ExitCode::SUCCESS
    }
}

/// Stands in for the server when everything is in the journal already.
struct NoSender;

impl pocdir::mail::deliver::Sender for NoSender {
    fn send(&mut self, _: &str, _: &str, _: &[u8]) -> Result<String, pocdir::mail::MailError> {
        Err(pocdir::mail::MailError::Send("not connected".into()))
    }
}

/// Text a command writes into the directory: no control or bidi control
/// character, which `check` would refuse in the file.
fn plain_text(s: &str) -> bool {
    !s.chars()
        .any(|c| c.is_control() || pocdir::util::text::is_bidi_control(c))
}

fn campaign_path(root: &std::path::Path, id: &str) -> PathBuf {
    root.join(pocdir::directory::load::PINGS_DIR)
        .join(format!("{id}.yaml"))
}

fn write_campaign(root: &std::path::Path, c: &pocdir::ping::Campaign) -> Result<(), ExitCode> {
    let path = campaign_path(root, &c.id);
    let text = match pocdir::ping::to_yaml(c) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {}: {e}", path.display());
            return Err(ExitCode::from(1));
        }
    };
    if let Err(e) = pocdir::output::file(&path, text.as_bytes()) {
        eprintln!("error: writing {}: {e}", path.display());
        return Err(ExitCode::from(1));
    }
    Ok(())
}

/// Send a campaign's messages, then note in its file when each went out.
fn ping_send(
    root: &std::path::Path,
    dir: &pocdir::directory::model::Directory,
    loaded: &pocdir::directory::Checked,
    mut c: pocdir::ping::Campaign,
    delivery: &Delivery,
) -> ExitCode {
    let msgs = match pocdir::ping::start::messages(dir, &loaded.i18n, &c) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let code = delivery.dispatch(&msgs, root);
    if delivery.dry_run {
        return code;
    }
    if delivery.outbox.is_some() {
        // Sent by the secretariat's mail client: timed from the start.
        for p in &mut c.pings {
            p.sent.get_or_insert(c.started);
        }
    } else {
        let path = delivery
            .journal
            .clone()
            .unwrap_or_else(|| root.join(pocdir::mail::journal::JOURNAL_FILE));
        if let Ok(j) = pocdir::mail::journal::Journal::read_only(&path) {
            for p in &mut c.pings {
                if p.sent.is_none()
                    && let Some(e) = j.entries().iter().find(|e| e.message_id == p.message_id)
                {
                    p.sent = e.sent_at.parse().ok();
                }
            }
        }
    }
    if let Err(code) = write_campaign(root, &c) {
        return code;
    }
    eprintln!(
        "campaign {}: {} of {} message(s) sent ({})",
        c.id,
        c.pings.iter().filter(|p| p.sent.is_some()).count(),
        c.pings.len(),
        campaign_path(root, &c.id).display()
    );
    code
}

fn fmt_duration(secs: f64) -> String {
    let s = secs.round() as i64;
    format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
}

fn ping(cmd: PingCmd) -> ExitCode {
    match cmd {
        PingCmd::Start {
            root,
            name,
            types,
            only,
            respond_within_hours,
            delivery,
            now,
        } => {
            if let Err(code) = delivery.check() {
                return code;
            }
            let now = now.unwrap_or_else(jiff::Timestamp::now);
            let (dir, loaded) = match checked_model(&root, today()) {
                Ok(x) => x,
                Err(code) => return code,
            };
            let id = pocdir::ping::start::campaign_id(name.as_deref(), now);
            if campaign_path(&root, &id).exists() {
                eprintln!(
                    "error: campaign {id} exists already; to send what is missing: pocdir ping send --campaign {id}"
                );
                return ExitCode::from(1);
            }
            if let Some(bad) = types
                .iter()
                .find(|t| !pocdir::directory::validate::POC_TYPES.contains(&t.as_str()))
            {
                eprintln!("error: --types: unknown PoC type {bad:?}");
                return ExitCode::from(2);
            }
            let only: Vec<String> = only.iter().map(|c| c.trim().to_uppercase()).collect();
            let name = name.unwrap_or_else(|| format!("Communication check {id}"));
            if !plain_text(&name) {
                eprintln!("error: --name holds a control or bidirectional control character");
                return ExitCode::from(2);
            }
            let c = match pocdir::ping::start::plan(
                &dir,
                &id,
                &name,
                &types,
                &only,
                now,
                respond_within_hours,
            ) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(1);
                }
            };
            if !delivery.dry_run
                && let Err(code) = write_campaign(&root, &c)
            {
                return code;
            }
            ping_send(&root, &dir, &loaded, c, &delivery)
        }
        PingCmd::Send {
            root,
            campaign,
            delivery,
        } => {
            if let Err(code) = delivery.check() {
                return code;
            }
            let (dir, loaded) = match checked_model(&root, today()) {
                Ok(x) => x,
                Err(code) => return code,
            };
            let Some(c) = dir.campaigns.iter().find(|c| c.id == campaign).cloned() else {
                eprintln!(
                    "error: no campaign {campaign:?} in {}",
                    pocdir::directory::load::PINGS_DIR
                );
                return ExitCode::from(1);
            };
            ping_send(&root, &dir, &loaded, c, &delivery)
        }
        PingCmd::Collect {
            root,
            mbox,
            maildir,
        } => {
            let (dir, _) = match checked_model(&root, today()) {
                Ok(x) => x,
                Err(code) => return code,
            };
            let (path, is_maildir) = match (&mbox, &maildir) {
                (Some(p), _) => (p, false),
                (None, Some(p)) => (p, true),
                (None, None) => return ExitCode::from(2),
            };
            let before = dir.campaigns.clone();
            let mut campaigns = dir.campaigns.clone();
            let sum = match pocdir::ping::collect::mailbox(path, is_maildir)
                .and_then(|raw| pocdir::ping::collect::collect(&dir, &mut campaigns, raw))
            {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("error: {e}");
                    eprintln!("nothing was recorded");
                    return ExitCode::from(1);
                }
            };
            for (old, new) in before.iter().zip(&campaigns) {
                if pocdir::ping::to_yaml(old).ok() != pocdir::ping::to_yaml(new).ok()
                    && let Err(code) = write_campaign(&root, new)
                {
                    return code;
                }
            }
            for s in &sum.skipped {
                eprintln!("warning: {s}");
            }
            outln!(
                "{} message(s): {} answer(s) recorded, {} duplicate(s), {} automatic repl(ies) ignored, {} bounce(s), {} flagged repl(ies) from other addresses, {} unrelated",
                sum.messages,
                sum.answers,
                sum.duplicates,
                sum.auto_replies,
                sum.bounces,
                sum.flagged,
                sum.unrelated
            );
            ExitCode::SUCCESS
        }
        PingCmd::Record {
            root,
            campaign,
            state,
            kind,
            at,
            note,
        } => {
            let (dir, _) = match checked_model(&root, today()) {
                Ok(x) => x,
                Err(code) => return code,
            };
            let at: jiff::Timestamp = match at
                .parse::<jiff::Timestamp>()
                .or_else(|_| at.parse::<jiff::Zoned>().map(|z| z.timestamp()))
            {
                Ok(t) => t,
                Err(_) => {
                    eprintln!(
                        "error: --at {at:?}: give 2026-11-02T10:15:00Z or 2026-11-02T11:15:00[Europe/Paris]"
                    );
                    return ExitCode::from(2);
                }
            };
            if note.as_deref().is_some_and(|n| !plain_text(n)) {
                eprintln!("error: --note holds a control or bidirectional control character");
                return ExitCode::from(2);
            }
            let Some(mut c) = dir.campaigns.iter().find(|c| c.id == campaign).cloned() else {
                eprintln!(
                    "error: no campaign {campaign:?} in {}",
                    pocdir::directory::load::PINGS_DIR
                );
                return ExitCode::from(1);
            };
            let state = state.to_uppercase();
            let Some(p) = c.ping_mut(&state, &kind) else {
                eprintln!(
                    "error: campaign {campaign} has no {} ping for {}",
                    pocdir::util::text::quote(&kind),
                    pocdir::util::text::quote(&state)
                );
                return ExitCode::from(1);
            };
            if p.response.as_ref().is_some_and(|r| r.at <= at) {
                eprintln!(
                    "{state} {kind} had answered earlier ({}): kept",
                    pocdir::util::time::fmt_ts(p.response.as_ref().map(|r| r.at).unwrap_or(at))
                );
                return ExitCode::SUCCESS;
            }
            p.response = Some(pocdir::ping::Response {
                at,
                via: "phone".into(),
                from: None,
                note,
            });
            if let Err(code) = write_campaign(&root, &c) {
                return code;
            }
            eprintln!("recorded: {state} {kind} answered by phone");
            ExitCode::SUCCESS
        }
        PingCmd::Report {
            root,
            campaign,
            format,
            now,
        } => {
            let now = now.unwrap_or_else(jiff::Timestamp::now);
            let (dir, _) = match checked_model(&root, today()) {
                Ok(x) => x,
                Err(code) => return code,
            };
            let c = match &campaign {
                Some(id) => dir.campaigns.iter().find(|c| &c.id == id),
                None => dir.campaigns.last(),
            };
            let Some(c) = c else {
                match &campaign {
                    Some(id) => eprintln!(
                        "error: no campaign {} in {}",
                        pocdir::util::text::quote(id),
                        pocdir::directory::load::PINGS_DIR
                    ),
                    None => eprintln!(
                        "error: no campaign in {}",
                        pocdir::directory::load::PINGS_DIR
                    ),
                }
                return ExitCode::from(1);
            };
            let r = pocdir::ping::report::report(&dir, c, &dir.campaigns, now);
            match format {
                PingFormat::Json => {
                    outln!("{}", serde_json::to_string_pretty(&r).unwrap_or_default())
                }
                PingFormat::Csv => {
                    let mut w = csv::Writer::from_writer(Vec::new());
                    let _ = w.write_record([
                        "campaign",
                        "state",
                        "group",
                        "type",
                        "to",
                        "sent",
                        "outcome",
                        "answered_at",
                        "response_seconds",
                        "via",
                        "flagged_from",
                    ]);
                    for row in &r.rows {
                        let (outcome, secs, via) = match &row.outcome {
                            pocdir::ping::Outcome::Answered { seconds, via } => {
                                ("answered", seconds.to_string(), via.clone())
                            }
                            pocdir::ping::Outcome::Bounced => {
                                ("bounced", String::new(), String::new())
                            }
                            pocdir::ping::Outcome::NoAnswer => {
                                ("no_answer", String::new(), String::new())
                            }
                            pocdir::ping::Outcome::Pending => {
                                ("pending", String::new(), String::new())
                            }
                            pocdir::ping::Outcome::NotSent => {
                                ("not_sent", String::new(), String::new())
                            }
                        };
                        let _ = w.write_record([
                            r.campaign.as_str(),
                            &row.state,
                            &row.group,
                            &row.kind,
                            &pocdir::site::export::cell(&row.to),
                            row.sent.as_deref().unwrap_or(""),
                            outcome,
                            row.answered_at.as_deref().unwrap_or(""),
                            &secs,
                            &via,
                            &pocdir::site::export::cell(&row.flagged_from.join(" ")),
                        ]);
                    }
                    out!(
                        "{}",
                        String::from_utf8_lossy(&w.into_inner().unwrap_or_default())
                    );
                }
                PingFormat::Text => {
                    let f = &r.figures;
                    let med = f
                        .median_response_seconds
                        .map(fmt_duration)
                        .unwrap_or("-".into());
                    let p90 = f
                        .p90_response_seconds
                        .map(|s| fmt_duration(s as f64))
                        .unwrap_or("-".into());
                    outln!("{} ({}), started {}", r.name, r.campaign, r.started);
                    outln!(
                        "sent {}, answered {} ({:.1}%), median {med}, 90th percentile {p90}, bounced {}, flagged {}, pending {}",
                        f.sent,
                        f.responded,
                        f.response_rate * 100.0,
                        f.bounced,
                        f.flagged,
                        f.pending
                    );
                    for (title, map) in
                        [("by type", &r.by_type), ("by regional group", &r.by_group)]
                    {
                        outln!("\n{title}:");
                        for (k, g) in map {
                            outln!(
                                "  {k:<26} {:>3}/{:<3} {:>5.1}%  median {}",
                                g.responded,
                                g.sent,
                                g.response_rate * 100.0,
                                g.median_response_seconds
                                    .map(fmt_duration)
                                    .unwrap_or("-".into())
                            );
                        }
                    }
                    outln!("\ndid not answer:");
                    for n in &r.non_responders {
                        let why = if n.outcome == pocdir::ping::Outcome::Bounced {
                            "bounced"
                        } else {
                            "no answer"
                        };
                        outln!("  {} {:<10} {:<40} {why}", n.state, n.kind, n.to);
                    }
                    let flagged: Vec<_> = r
                        .rows
                        .iter()
                        .filter(|x| !x.flagged_from.is_empty())
                        .collect();
                    if !flagged.is_empty() {
                        outln!(
                            "\nreplies from other addresses (not counted; if genuine, pocdir ping record):"
                        );
                        for x in flagged {
                            outln!(
                                "  {} {:<10} {:<40} from {}",
                                x.state,
                                x.kind,
                                x.to,
                                x.flagged_from.join(", ")
                            );
                        }
                    }
                    outln!("\ntrend:");
                    for t in &r.trend {
                        outln!(
                            "  {} {:<28} {:>3}/{:<3} {:>5.1}%",
                            &t.started[..10],
                            t.campaign,
                            t.responded,
                            t.sent,
                            t.response_rate * 100.0
                        );
                    }
                }
            }
            ExitCode::SUCCESS
        }
    }
}

fn parse_date_arg(s: &str) -> Result<jiff::civil::Date, String> {
    pocdir::directory::validate::fields::date(s).map_err(|(m, _)| m)
}

fn today() -> jiff::civil::Date {
    jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::UTC)
        .date()
}

fn default_state_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_STATE_HOME")
        .map(|d| PathBuf::from(d).join("pocdir"))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state/pocdir")))
}

/// A new passphrase: $POCDIR_PASSPHRASE, or asked twice on the terminal.
fn new_passphrase() -> Result<zeroize::Zeroizing<String>, String> {
    if let Ok(p) = std::env::var("POCDIR_PASSPHRASE") {
        return Ok(zeroize::Zeroizing::new(p));
    }
    if !std::io::stdin().is_terminal() {
        return Err("no passphrase: set POCDIR_PASSPHRASE or run on a terminal".into());
    }
    let a = zeroize::Zeroizing::new(
        rpassword::prompt_password("New passphrase: ").map_err(|e| e.to_string())?,
    );
    let b = zeroize::Zeroizing::new(
        rpassword::prompt_password("Repeat it: ").map_err(|e| e.to_string())?,
    );
    if a != b {
        return Err("the two passphrases differ".into());
    }
    Ok(a)
}

#[allow(clippy::too_many_arguments)]
fn keygen(
    signing: bool,
    age: bool,
    rotate: bool,
    secret_key: Option<PathBuf>,
    public_key: Option<PathBuf>,
    identity: Option<PathBuf>,
    new_public_key: Option<PathBuf>,
    out: Option<PathBuf>,
    unencrypted: bool,
    kdf: Kdf,
) -> ExitCode {
    let fail = |m: String| {
        eprintln!("error: {m}");
        ExitCode::from(1)
    };
    if signing {
        let (Some(sk_path), Some(pk_path)) = (secret_key, public_key) else {
            return fail("--signing needs --secret-key and --public-key".into());
        };
        let pass = if unencrypted {
            None
        } else {
            match new_passphrase() {
                Ok(p) => Some(p),
                Err(e) => return fail(e),
            }
        };
        let comment = if unencrypted {
            "pocdir UNENCRYPTED secret key"
        } else {
            "pocdir encrypted secret key"
        };
        let limits = match kdf {
            Kdf::Sensitive => pocdir::sign::kdf::SENSITIVE,
            Kdf::Interactive => pocdir::sign::kdf::INTERACTIVE,
        };
        let (sk, pk) =
            match pocdir::sign::keygen::signing_keypair_with(pass.as_ref(), limits, comment) {
                Ok(x) => x,
                Err(e) => return fail(e.to_string()),
            };
        if let Err(e) = pocdir::output::new_file(&sk_path, sk.as_bytes(), true) {
            return fail(format!("{}: {e}", sk_path.display()));
        }
        if let Err(e) = pocdir::output::new_file(&pk_path, pk.as_bytes(), false) {
            return fail(format!("{}: {e}", pk_path.display()));
        }
        eprintln!(
            "wrote the secret key to {} and the public key to {}",
            sk_path.display(),
            pk_path.display()
        );
        out!("{pk}");
        ExitCode::SUCCESS
    } else if age {
        let Some(path) = identity else {
            return fail("--age needs --identity FILE".into());
        };
        let (id, recipient) = pocdir::sign::keygen::age_identity();
        if let Err(e) = pocdir::output::new_file(&path, id.as_bytes(), true) {
            return fail(format!("{}: {e}", path.display()));
        }
        eprintln!(
            "wrote the identity to {}; its recipient (public key) for keys/states/<ISO3>.yaml is:",
            path.display()
        );
        outln!("{recipient}");
        ExitCode::SUCCESS
    } else if rotate {
        let (Some(sk_path), Some(new_pk), Some(out)) = (secret_key, new_public_key, out) else {
            return fail(
                "--rotate needs --secret-key (the old key), --new-public-key and --out".into(),
            );
        };
        let sk_text = match pocdir::directory::load::read_secret(&sk_path) {
            Ok(t) => t,
            Err(e) => return fail(e),
        };
        let Some(old_pk) = public_key
            .and_then(|p| std::fs::read_to_string(p).ok())
            .and_then(|t| pocdir::directory::validate::fields::minisign_public_key(&t).ok())
        else {
            return fail(
                "--rotate needs --public-key: the OLD public key (keys/secretariat.pub)".into(),
            );
        };
        let new_pk = match std::fs::read_to_string(&new_pk)
            .ok()
            .and_then(|t| pocdir::directory::validate::fields::minisign_public_key(&t).ok())
        {
            Some(k) => k,
            None => return fail(format!("{} is not a minisign public key", new_pk.display())),
        };
        let pass = if pocdir::sign::is_encrypted(&sk_text) {
            passphrase()
        } else {
            None
        };
        let key = match pocdir::sign::load_secret_key(&sk_text, pass.as_ref(), &old_pk) {
            Ok(k) => k,
            Err(e) => return fail(e.to_string()),
        };
        let (stmt, sig) = match pocdir::sign::rotation::rotation_statement(&key, &new_pk, today()) {
            Ok(x) => x,
            Err(e) => return fail(e.to_string()),
        };
        let sig_path = PathBuf::from(format!("{}.minisig", out.display()));
        if let Err(e) = pocdir::output::new_file(&out, stmt.as_bytes(), false)
            .and_then(|_| pocdir::output::new_file(&sig_path, sig.as_bytes(), false))
        {
            return fail(format!("{}: {e}", out.display()));
        }
        // The old public key goes beside the statement: builds verify the
        // version log it signed with it.
        let old_pub = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."))
            .join(format!("{}.pub", pocdir::sign::key_id(&old_pk)));
        match pocdir::output::new_file(
            &old_pub,
            pocdir::sign::keygen::public_key_text(&old_pk).as_bytes(),
            false,
        ) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return fail(format!("{}: {e}", old_pub.display())),
        }
        eprintln!(
            "wrote the rotation statement {} and its signature {}, and the old public key {}",
            out.display(),
            sig_path.display(),
            old_pub.display()
        );
        ExitCode::SUCCESS
    } else {
        fail("say what to make: --signing, --age or --rotate".into())
    }
}

fn review(
    root: &std::path::Path,
    base: Option<String>,
    head: Option<String>,
    format: ReviewFormat,
    as_of: jiff::civil::Date,
) -> ExitCode {
    let fail = |m: String| {
        eprintln!("error: {m}");
        ExitCode::from(2)
    };
    let base = match base
        .map(Ok)
        .unwrap_or_else(|| pocdir::review::git::default_base(root))
    {
        Ok(b) => b,
        Err(e) => return fail(e.to_string()),
    };
    // An unpredictable private folder, removed when dropped.
    let Ok(tmp_dir) = tempfile::Builder::new().prefix("pocdir-review-").tempdir() else {
        return fail("cannot create a temporary folder".into());
    };
    let tmp = tmp_dir.path().to_path_buf();
    let base_dir = tmp.join("base");
    if let Err(e) = pocdir::review::git::checkout(root, &base, &base_dir) {
        return fail(e.to_string());
    }
    let head_dir = match &head {
        Some(h) => match pocdir::review::git::checkout(root, h, &tmp.join("head")) {
            Ok(d) => d,
            Err(e) => return fail(e.to_string()),
        },
        None => root.to_path_buf(),
    };
    let tolerated = ["key-expired", "future-date"];
    let b = pocdir::directory::load(
        &base_dir,
        &pocdir::directory::Options {
            today: as_of,
            tolerate: &tolerated,
        },
    )
    .ok()
    .map(|c| c.directory);
    let head_checked = pocdir::directory::load(&head_dir, &pocdir::directory::Options::new(as_of));
    drop(tmp_dir);
    let loaded = match head_checked {
        Ok(c) => c,
        Err(rejected) => {
            eprint!("{}", rejected.report.render_human(&rejected.sources, false));
            outln!(
                "## pocdir review\n\n**block**: the proposed directory does not pass `pocdir check` ({}).",
                rejected.report.summary()
            );
            return ExitCode::from(1);
        }
    };
    let h = &loaded.directory;
    let Some(b) = b else {
        return fail(format!(
            "the base revision {base} does not pass check: cannot compare"
        ));
    };
    let acks =
        pocdir::review::git::acknowledgements(root, &base, head.as_deref()).unwrap_or_default();
    let mut r = pocdir::review::changes::review(&b, h, &acks);
    // Changed States (by their files) whose own signature is checked.
    let changed = pocdir::review::changes::changed_states(&b, h);
    for (code, sev, kind, reason) in
        pocdir::review::changes::state_signatures(&loaded.state_signatures, &changed)
    {
        r.add(&code, sev, kind, reason, &acks);
    }
    match format {
        ReviewFormat::Markdown => out!("{}", pocdir::review::changes::markdown(&r)),
        ReviewFormat::Json => outln!("{}", serde_json::to_string_pretty(&r).unwrap_or_default()),
    }
    if r.blocked() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The checked directory for `stale` and `remind` (expired keys are
/// listed, not fatal); on errors, the report is printed and exit 2.
fn checked_model(
    root: &std::path::Path,
    as_of: jiff::civil::Date,
) -> Result<(pocdir::directory::Directory, pocdir::directory::Checked), ExitCode> {
    let opts = pocdir::directory::Options {
        today: as_of,
        tolerate: &["key-expired"],
    };
    match pocdir::directory::load(root, &opts) {
        Ok(c) => Ok((c.directory.clone(), c)),
        Err(r) => {
            eprint!("{}", r.report.render_human(&r.sources, color()));
            eprintln!("error: the directory has errors: run `pocdir check`");
            Err(ExitCode::from(2))
        }
    }
}

fn color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Mail {
            root,
            bundles,
            delivery,
            only,
            now,
        } => {
            if let Err(code) = delivery.check() {
                return code;
            }
            let now = now.unwrap_or_else(jiff::Timestamp::now);
            let as_of = now.to_zoned(jiff::tz::TimeZone::UTC).date();
            let loaded =
                match pocdir::directory::load(&root, &pocdir::directory::Options::new(as_of)) {
                    Ok(c) => c,
                    Err(r) => {
                        eprint!("{}", r.report.render_human(&r.sources, color()));
                        eprintln!("error: the directory has errors: nothing was prepared");
                        return ExitCode::from(1);
                    }
                };
            let dir = &loaded.directory;
            let only: Vec<String> = only
                .into_iter()
                .map(|c| c.trim().to_uppercase())
                .filter(|c| !c.is_empty())
                .collect();
            match pocdir::mail::messages(dir, &loaded.i18n, &bundles, &only, as_of, now) {
                Ok((msgs, warnings)) => {
                    for w in &warnings {
                        eprintln!("warning: {w}");
                    }
                    delivery.dispatch(&msgs, &root)
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    eprintln!("nothing was written or sent");
                    ExitCode::from(1)
                }
            }
        }
        Command::Review {
            root,
            base,
            head,
            format,
            as_of,
        } => review(&root, base, head, format, as_of.unwrap_or_else(today)),
        Command::Remind {
            root,
            delivery,
            as_of,
        } => {
            if let Err(code) = delivery.check() {
                return code;
            }
            let as_of = as_of.unwrap_or_else(today);
            let (dir, loaded) = match checked_model(&root, as_of) {
                Ok(x) => x,
                Err(code) => return code,
            };
            let due: Vec<_> = pocdir::review::stale::items(&dir, as_of)
                .into_iter()
                .filter(|i| i.kind == "stale")
                .map(|i| i.state)
                .collect();
            let when = std::time::SystemTime::UNIX_EPOCH
                + std::time::Duration::from_secs(
                    as_of
                        .to_zoned(jiff::tz::TimeZone::UTC)
                        .map(|z| z.timestamp().as_second().max(0) as u64)
                        .unwrap_or(0),
                );
            match pocdir::review::remind::reminders(&dir, &loaded.i18n, &due, when) {
                Ok(msgs) => delivery.dispatch(&msgs, &root),
                Err(e) => {
                    eprintln!("error: {}", e.0);
                    ExitCode::from(1)
                }
            }
        }
        Command::Ping { cmd } => ping(cmd),
        Command::Stale {
            root,
            as_of,
            format,
        } => {
            let as_of = as_of.unwrap_or_else(today);
            let (dir, _) = match checked_model(&root, as_of) {
                Ok(x) => x,
                Err(code) => return code,
            };
            let items = pocdir::review::stale::items(&dir, as_of);
            let overdue = items.iter().filter(|i| i.overdue).count();
            match format {
                Format::Json => outln!(
                    "{}",
                    serde_json::to_string_pretty(&items).unwrap_or_default()
                ),
                Format::Human => {
                    for i in &items {
                        outln!(
                            "{} {:<17} {}{}",
                            i.state,
                            i.kind,
                            i.detail,
                            if i.overdue { "  [overdue]" } else { "" }
                        );
                    }
                    outln!(
                        "{} item(s), {} overdue, as of {}",
                        items.len(),
                        overdue,
                        as_of
                    );
                }
            }
            if overdue > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Open {
            bundle,
            identity,
            trust,
            signature,
            state_dir,
            extract,
            allow_expired,
            rotation,
            now,
        } => {
            let state_dir = state_dir
                .or_else(default_state_dir)
                .unwrap_or_else(|| PathBuf::from(".pocdir-state"));
            let opts = pocdir::bundle::open::OpenOptions {
                bundle,
                signature,
                identity,
                trust,
                state_dir,
                extract,
                allow_expired,
                rotations: rotation,
                now: now.unwrap_or_else(jiff::Timestamp::now),
            };
            match pocdir::bundle::open::open(&opts) {
                Ok(o) => {
                    for w in &o.warnings {
                        eprintln!("warning: {w}");
                    }
                    for (old, new) in &o.rotated {
                        outln!(
                            "The secretariat key changed from {old} to {new}, through a rotation statement signed by {old}."
                        );
                    }
                    let t = &o.trusted;
                    outln!(
                        "Verified: {} bundle, sequence {}, issued {}, expires {}, signed by the secretariat key {}.",
                        t.state,
                        t.seq,
                        pocdir::util::time::fmt_ts(t.issued),
                        pocdir::util::time::fmt_ts(t.expires),
                        o.key_id
                    );
                    outln!(
                        "Directory root {}: {} States, {} points of contact.",
                        t.root,
                        o.states,
                        o.pocs
                    );
                    if o.already_accepted {
                        outln!("This version was accepted before.");
                    } else if o.changes.is_empty() {
                        outln!(
                            "No change since the last accepted version (or none accepted before)."
                        );
                    } else {
                        outln!("Changes since the last accepted version:");
                        for c in &o.changes {
                            outln!("  {c}");
                        }
                    }
                    if let Some(d) = &opts.extract {
                        outln!("Files written to {}.", d.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error[{}]: {}", e.class(), e.message());
                    eprintln!("nothing was extracted or recorded");
                    ExitCode::from(e.exit_code())
                }
            }
        }
        Command::Keygen {
            signing,
            age,
            rotate,
            secret_key,
            public_key,
            identity,
            new_public_key,
            out,
            unencrypted,
            kdf,
        } => keygen(
            signing,
            age,
            rotate,
            secret_key,
            public_key,
            identity,
            new_public_key,
            out,
            unencrypted,
            kdf,
        ),
        Command::Serve { root, port, as_of } => {
            let on = |e: pocdir::site::serve::Event| match e {
                pocdir::site::serve::Event::Listening(url) => {
                    eprintln!("serving the preview at {url} (Ctrl-C to stop)")
                }
                pocdir::site::serve::Event::Built { files, warnings } => {
                    eprint!("{warnings}");
                    eprintln!("rebuilt: {files} files");
                }
                pocdir::site::serve::Event::Failed(text) => {
                    eprint!("{text}");
                    eprintln!("build failed: the error is shown in the browser too");
                }
            };
            match pocdir::site::serve::serve(root, port, as_of.unwrap_or_else(today), &on) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: cannot serve on 127.0.0.1:{port}: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Command::Build {
            root,
            out,
            as_of,
            signing_key,
            site_only,
        } => {
            let signing_key =
                signing_key.or_else(|| std::env::var_os("POCDIR_SIGNING_KEY").map(PathBuf::from));
            let opts = pocdir::build::BuildOptions {
                root: &root,
                out: &out,
                as_of: as_of.unwrap_or_else(today),
                now: jiff::Timestamp::now(),
                signing_key,
                passphrase: &passphrase,
                site_only,
            };
            match pocdir::build::build(&opts) {
                Ok(b) => {
                    if !b.report.diagnostics.is_empty() {
                        eprint!("{}", b.report.render_human(&b.sources, color()));
                    }
                    eprintln!(
                        "built the site of {} States: {} files in {}",
                        b.states,
                        b.site_files,
                        out.join("site").display()
                    );
                    if let Some(v) = &b.version {
                        eprintln!(
                            "sealed {} bundles in {}: version {} ({}), issued {}, expires {}",
                            b.bundles.len(),
                            out.join("bundles").display(),
                            v.seq,
                            if b.new_version {
                                "new"
                            } else {
                                "unchanged content"
                            },
                            pocdir::util::time::fmt_ts(v.issued),
                            pocdir::util::time::fmt_ts(v.expires)
                        );
                    }
                    if !b.without_accounts.is_empty() {
                        eprintln!(
                            "warning: no verified account, so no bundle, for: {}",
                            b.without_accounts.join(", ")
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(pocdir::build::BuildError::Invalid { report, sources }) => {
                    eprint!("{}", report.render_human(&sources, color()));
                    eprintln!("error: the directory has errors; nothing was written");
                    ExitCode::from(1)
                }
                Err(pocdir::build::BuildError::Render(e)) => {
                    eprintln!("error: {e}\nnothing was written");
                    ExitCode::from(1)
                }
                Err(pocdir::build::BuildError::Seal(e)) => {
                    eprintln!("error: {e}\nnothing was written");
                    ExitCode::from(1)
                }
                Err(pocdir::build::BuildError::Io(e)) => {
                    eprintln!("error: {e}\nthe previous output is untouched");
                    ExitCode::from(1)
                }
            }
        }
        Command::Check {
            root,
            format,
            deny_warnings,
            as_of,
        } => {
            let (report, sources) = pocdir::directory::check(&root, as_of.unwrap_or_else(today));
            let report = &report;
            match format {
                Format::Json => out!("{}", report.to_json()),
                Format::Human => {
                    let color =
                        std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
                    eprint!("{}", report.render_human(&sources, color));
                }
            }
            if report.has_errors() || (deny_warnings && report.warnings() > 0) {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}
