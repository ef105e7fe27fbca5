//! `pocdir ping start|send|collect|record|report`: communication checks.

use pocdir::directory::diagnostic::Code;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};
use pocdir::directory::Checked;
use pocdir::directory::load::PINGS_DIR;
use pocdir::ping::Campaign;
use pocdir::util::text::quote;

use super::delivery::Delivery;
use super::{AsOf, Root, out, outln};

const EXIT_CODES: &str = "Exit codes: 0 success, 1 failure (a message not sent, an unknown \
    campaign, the directory has errors), 2 usage error.";

/// Communication checks: send a token to every PoC, collect the replies,
/// measure how long each took to answer.
#[derive(clap::Args)]
#[command(after_help = EXIT_CODES)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Csv,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum KindArg {
    Routine,
    Emergency,
    Exercise,
}

impl KindArg {
    fn as_str(self) -> &'static str {
        match self {
            KindArg::Routine => "routine",
            KindArg::Emergency => "emergency",
            KindArg::Exercise => "exercise",
        }
    }
}

#[derive(Subcommand)]
enum Cmd {
    /// Create a campaign (content/pings/<ID>.yaml, one token per PoC) and
    /// send its messages: to an outbox, or through SMTP.
    #[command(after_help = EXIT_CODES)]
    Start(StartArgs),
    /// Send what a campaign's first run did not (the journal skips the rest).
    #[command(after_help = EXIT_CODES)]
    Send {
        #[command(flatten)]
        root: Root,
        /// The campaign's id (the name of its file in content/pings/).
        #[arg(long, value_name = "ID")]
        campaign: String,
        #[command(flatten)]
        delivery: Delivery,
    },
    /// Read the replies from a mailbox and record answers, bounces and
    /// flagged replies in the campaign files.
    #[command(after_help = EXIT_CODES)]
    Collect {
        #[command(flatten)]
        root: Root,
        /// An mbox file.
        #[arg(
            long,
            value_name = "FILE",
            conflicts_with = "maildir",
            required_unless_present = "maildir"
        )]
        mbox: Option<PathBuf>,
        /// A Maildir folder (with cur/ and new/).
        #[arg(long, value_name = "DIR")]
        maildir: Option<PathBuf>,
        /// The secretariat's receiving mail server, as it names itself in
        /// the `by` clause of the Received headers it adds: answers are
        /// timed by its topmost such header. Without it (or without such a
        /// header), by the mbox From line or the Maildir delivery time;
        /// never by the sender's Date.
        #[arg(long, value_name = "HOST")]
        received_by: Option<String>,
    },
    /// Record an answer given another way (by phone).
    #[command(after_help = EXIT_CODES)]
    Record {
        #[command(flatten)]
        root: Root,
        /// The campaign's id.
        #[arg(long, value_name = "ID")]
        campaign: String,
        /// The State (ISO3 code).
        #[arg(long, value_name = "ISO3")]
        state: String,
        /// The PoC's type (diplomatic, technical...), when the campaign
        /// pinged one PoC of that type in the State.
        #[arg(
            long = "type",
            value_name = "TYPE",
            required_unless_present = "poc",
            conflicts_with = "poc"
        )]
        kind: Option<String>,
        /// The PoC, by its id in the State's file (needed when the State
        /// has two PoCs of a type).
        #[arg(long, value_name = "ID")]
        poc: Option<String>,
        /// When: RFC 3339 (2026-11-02T10:15:00Z) or with a zone
        /// (2026-11-02T11:15:00[Europe/Paris]).
        #[arg(long, value_name = "TIME")]
        at: String,
        /// A note kept with the answer.
        #[arg(long)]
        note: Option<String>,
    },
    /// After a campaign's window: write to the Permanent Mission of every
    /// State whose PoC bounced or did not answer (its UN language and
    /// English), once per campaign and State; a second run sends nothing.
    #[command(name = "follow-up", after_help = EXIT_CODES)]
    FollowUp {
        #[command(flatten)]
        root: Root,
        /// The campaign's id.
        #[arg(long, value_name = "ID")]
        campaign: String,
        #[command(flatten)]
        delivery: Delivery,
        /// Judge the window as of this time (default: now).
        #[command(flatten)]
        as_of: AsOf,
    },
    /// Figures of a campaign (default: the latest): response rate, median
    /// and 90th percentile time, by group and type, non-responders, trend.
    #[command(after_help = EXIT_CODES)]
    Report {
        #[command(flatten)]
        root: Root,
        /// The campaign's id (default: the latest, of --kind if given; as
        /// text, without either, the latest of each kind in turn).
        #[arg(long, value_name = "ID")]
        campaign: Option<String>,
        /// The latest campaign of this kind.
        #[arg(long, value_enum, conflicts_with = "campaign")]
        kind: Option<KindArg>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Judge the answer windows as of this time.
        #[command(flatten)]
        as_of: AsOf,
    },
}

/// `ping start`'s flags.
#[derive(clap::Args)]
struct StartArgs {
    #[command(flatten)]
    root: Root,
    /// A name for the campaign (its id is the day plus this name).
    #[arg(long)]
    name: Option<String>,
    /// Only these PoC types (comma-separated; default: all).
    #[arg(long, value_name = "TYPE,...", value_delimiter = ',')]
    types: Vec<String>,
    /// Only these States (comma-separated ISO3 codes).
    #[arg(long, value_name = "ISO3,...", value_delimiter = ',')]
    only: Vec<String>,
    /// A PoC that has not answered after this many hours failed.
    #[arg(long, value_name = "HOURS", default_value_t = 72)]
    respond_within_hours: u32,
    /// routine (general addresses), emergency (emergency addresses; 24/7
    /// PoCs judged against --window) or exercise (the --scenario page to
    /// every PoC type; 24/7 PoCs judged against --window).
    #[arg(long, value_enum, default_value = "routine")]
    kind: KindArg,
    /// The window of 24/7 PoCs in an emergency check or an exercise
    /// (1h, 30m, 90 minutes...).
    #[arg(long, value_name = "DURATION", default_value = "1h")]
    window: String,
    /// An exercise's scenario: the name of a page of content/pages/
    /// (e.g. incident-template), sent in each PoC's language and English.
    #[arg(long, value_name = "PAGE")]
    scenario: Option<String>,
    #[command(flatten)]
    delivery: Delivery,
    /// The campaign's start time (default: now).
    #[command(flatten)]
    as_of: AsOf,
}

fn campaign_path(root: &Path, id: &str) -> PathBuf {
    root.join(PINGS_DIR).join(format!("{id}.yaml"))
}

fn write_campaign(root: &Path, c: &Campaign) -> Result<(), ExitCode> {
    let path = campaign_path(root, &c.id);
    let text =
        pocdir::ping::to_yaml(c).map_err(|e| super::failure(format!("{}: {e}", path.display())))?;
    pocdir::output::file(&path, text.as_bytes())
        .map_err(|e| super::failure(format!("writing {}: {e}", path.display())))
}

fn load(root: &Root) -> Result<(PathBuf, Checked), ExitCode> {
    let root = root.resolve()?;
    let today = super::utc_date(jiff::Timestamp::now());
    let checked = super::load(&root, today, &[Code::KeyExpired.as_str()])?;
    Ok((root, checked))
}

fn find(checked: &Checked, id: &str) -> Result<Campaign, ExitCode> {
    checked
        .directory
        .campaigns
        .iter()
        .find(|c| c.id == id)
        .cloned()
        .ok_or_else(|| super::failure(format!("no campaign {} in {PINGS_DIR}", quote(id))))
}

/// Send a campaign's messages, then note in its file when each went out.
fn send(root: &Path, checked: &Checked, mut c: Campaign, delivery: &Delivery) -> ExitCode {
    let msgs = match pocdir::ping::start::messages(&checked.directory, &checked.i18n, &c) {
        Ok(m) => m,
        Err(e) => return super::failure(e),
    };
    let code = delivery.dispatch(&msgs, root);
    if delivery.dry_run {
        return code;
    }
    if delivery.outbox.is_some() {
        // Sent by the secretariat's mail client: timed from the start.
        pocdir::ping::sending::sent_via_outbox(&mut c);
    } else if let Ok(j) = pocdir::mail::journal::Journal::read_only(&delivery.journal_path(root)) {
        pocdir::ping::sending::sent_per_journal(&mut c, &j);
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

pub fn run(a: Args) -> Result<ExitCode, ExitCode> {
    match a.cmd {
        Cmd::Start(a) => start(a),
        Cmd::Send {
            root,
            campaign,
            delivery,
        } => delivery.check().and_then(|()| {
            let (root, checked) = load(&root)?;
            let c = find(&checked, &campaign)?;
            Ok(send(&root, &checked, c, &delivery))
        }),
        Cmd::Collect {
            root,
            mbox,
            maildir,
            received_by,
        } => collect(root, mbox, maildir, received_by),
        Cmd::Record {
            root,
            campaign,
            state,
            kind,
            poc,
            at,
            note,
        } => record(root, campaign, state, Which { kind, poc }, at, note),
        Cmd::Report {
            root,
            campaign,
            kind,
            format,
            as_of,
        } => report(root, campaign, kind, format, as_of),
        Cmd::FollowUp {
            root,
            campaign,
            delivery,
            as_of,
        } => follow_up(root, campaign, delivery, as_of),
    }
}

fn start(a: StartArgs) -> Result<ExitCode, ExitCode> {
    let StartArgs {
        root,
        name,
        types,
        only,
        respond_within_hours,
        kind,
        window,
        scenario,
        delivery,
        as_of,
    } = a;
    delivery.check()?;
    let minutes = window
        .parse::<jiff::SignedDuration>()
        .ok()
        .filter(|d| d.as_secs() % 60 == 0 && d.subsec_nanos() == 0)
        .map(|d| d.as_secs() / 60)
        .filter(|m| (1..=30 * 24 * 60).contains(m))
        .ok_or_else(|| {
            super::usage_error(format!(
                "--window {}: give whole minutes up to 30 days, e.g. 1h or 30m",
                quote(&window)
            ))
        })? as u32;
    match (kind, &scenario) {
        (KindArg::Exercise, None) => {
            return Err(super::usage_error(
                "--kind exercise needs --scenario PAGE (a page of content/pages/)",
            ));
        }
        (KindArg::Routine | KindArg::Emergency, Some(_)) => {
            return Err(super::usage_error("--scenario goes with --kind exercise"));
        }
        _ => {}
    }
    let now = as_of.time();
    let (root, checked) = load(&root)?;
    let id = pocdir::ping::start::campaign_id(name.as_deref(), now);
    if campaign_path(&root, &id).exists() {
        return Err(super::failure(format!(
            "campaign {id} exists already; to send what is missing: pocdir ping send --campaign {id}"
        )));
    }
    if let Some(bad) = types
        .iter()
        .find(|t| !pocdir::directory::validate::POC_TYPES.contains(&t.as_str()))
    {
        return Err(super::usage_error(format!(
            "--types: unknown PoC type {}",
            quote(bad)
        )));
    }
    let only = super::state_list(only);
    let name = name.unwrap_or_else(|| format!("Communication check {id}"));
    if !super::plain_text(&name) {
        return Err(super::usage_error(
            "--name holds a control or bidirectional control character",
        ));
    }
    if let Some(page) = &scenario
        && !checked.directory.pages.iter().any(|p| &p.name == page)
    {
        return Err(super::usage_error(format!(
            "--scenario {}: no such page in content/pages/",
            quote(page)
        )));
    }
    let c = pocdir::ping::start::plan(
        &checked.directory,
        &pocdir::ping::start::Plan {
            id: &id,
            name: &name,
            types: &types,
            only: &only,
            started: now,
            window_hours: respond_within_hours,
            kind: kind.as_str(),
            short_window_minutes: minutes,
            scenario: scenario.as_deref(),
        },
    )
    .map_err(super::failure)?;
    if !delivery.dry_run {
        write_campaign(&root, &c)?;
    }
    Ok(send(&root, &checked, c, &delivery))
}

fn collect(
    root: Root,
    mbox: Option<PathBuf>,
    maildir: Option<PathBuf>,
    received_by: Option<String>,
) -> Result<ExitCode, ExitCode> {
    if let Some(h) = &received_by
        && (h.is_empty()
            || !h
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'))
    {
        return Err(super::usage_error(format!(
            "--received-by {}: give a host name such as mx.secretariat.example",
            quote(h)
        )));
    }
    let opts = pocdir::ping::collect::Options { received_by };
    let (root, checked) = load(&root)?;
    let (path, is_maildir) = match (&mbox, &maildir) {
        (Some(p), _) => (p, false),
        (None, Some(p)) => (p, true),
        (None, None) => return Err(super::usage_error("give --mbox FILE or --maildir DIR")),
    };
    let dir = &checked.directory;
    let before = dir.campaigns.clone();
    let mut campaigns = dir.campaigns.clone();
    let sum = pocdir::ping::collect::mailbox(path, is_maildir)
        .and_then(|raw| pocdir::ping::collect::collect(dir, &mut campaigns, raw, &opts))
        .map_err(|e| super::failure(format!("{e}\nnothing was recorded")))?;
    for (old, new) in before.iter().zip(&campaigns) {
        if pocdir::ping::to_yaml(old).ok() != pocdir::ping::to_yaml(new).ok() {
            write_campaign(&root, new)?;
        }
    }
    for s in &sum.skipped {
        eprintln!("warning: {s}");
    }
    outln!(
        "{} message(s): {} answer(s) recorded, {} duplicate(s), {} automatic repl(ies) ignored, {} bounce(s), {} flagged repl(ies) from other addresses, received before the ping or naming no real ping, {} unrelated",
        sum.messages,
        sum.answers,
        sum.duplicates,
        sum.auto_replies,
        sum.bounces,
        sum.flagged,
        sum.unrelated
    );
    Ok(ExitCode::SUCCESS)
}

/// Which ping `record` is about: by PoC type or by PoC id.
struct Which {
    kind: Option<String>,
    poc: Option<String>,
}

/// The index of the ping `which` names in `c`, or why there is none.
fn which_ping(
    checked: &Checked,
    c: &Campaign,
    state: &str,
    which: &Which,
) -> Result<usize, ExitCode> {
    let dir = &checked.directory;
    let of_state: Vec<usize> = (0..c.pings.len())
        .filter(|&i| c.pings[i].state == *state)
        .collect();
    let poc_id = |i: usize| {
        pocdir::ping::collect::poc_of(dir, &c.pings[i])
            .map(|p| p.id.clone())
            .unwrap_or_else(|| c.pings[i].to.clone())
    };
    if let Some(id) = &which.poc {
        let hits: Vec<usize> = of_state
            .iter()
            .copied()
            .filter(|&i| {
                c.pings[i].poc.as_deref() == Some(id.as_str())
                    || (c.pings[i].poc.is_none() && poc_id(i) == *id)
            })
            .collect();
        return match hits[..] {
            [i] => Ok(i),
            _ => Err(super::failure(format!(
                "campaign {} has no ping for PoC {} of {}",
                c.id,
                quote(id),
                quote(state)
            ))),
        };
    }
    let kind = which.kind.as_deref().unwrap_or("");
    let hits: Vec<usize> = of_state
        .into_iter()
        .filter(|&i| c.pings[i].kind == *kind)
        .collect();
    match hits[..] {
        [i] => Ok(i),
        [] => Err(super::failure(format!(
            "campaign {} has no {} ping for {}",
            c.id,
            quote(kind),
            quote(state)
        ))),
        _ => Err(super::usage_error(format!(
            "{state} has {} {kind} PoCs in campaign {}: name one with --poc ({})",
            hits.len(),
            c.id,
            hits.iter()
                .map(|&i| poc_id(i))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

fn record(
    root: Root,
    campaign: String,
    state: String,
    which: Which,
    at: String,
    note: Option<String>,
) -> Result<ExitCode, ExitCode> {
    let (root, checked) = load(&root)?;
    let at: jiff::Timestamp = at
        .parse::<jiff::Timestamp>()
        .or_else(|_| at.parse::<jiff::Zoned>().map(|z| z.timestamp()))
        .map_err(|_| {
            super::usage_error(format!(
                "--at {}: give 2026-11-02T10:15:00Z or 2026-11-02T11:15:00[Europe/Paris]",
                quote(&at)
            ))
        })?;
    if note.as_deref().is_some_and(|n| !super::plain_text(n)) {
        return Err(super::usage_error(
            "--note holds a control or bidirectional control character",
        ));
    }
    let mut c = find(&checked, &campaign)?;
    let state = state.to_uppercase();
    let i = which_ping(&checked, &c, &state, &which)?;
    let p = &mut c.pings[i];
    let who = format!("{state} {} ({})", p.kind, p.to);
    if p.sent.is_some_and(|s| at < s) {
        return Err(super::failure(format!(
            "--at {}: before the ping to {who} was sent ({})",
            pocdir::util::time::fmt_ts(at),
            p.sent.map(pocdir::util::time::fmt_ts).unwrap_or_default()
        )));
    }
    if let Some(r) = p.response.as_ref().filter(|r| r.at <= at) {
        eprintln!(
            "{who} had answered earlier ({}): kept",
            pocdir::util::time::fmt_ts(r.at)
        );
        return Ok(ExitCode::SUCCESS);
    }
    p.response = Some(pocdir::ping::Response {
        at,
        via: "phone".into(),
        from: None,
        note,
        timed_by: Some("phone".into()),
    });
    write_campaign(&root, &c)?;
    eprintln!("recorded: {who} answered by phone");
    Ok(ExitCode::SUCCESS)
}

fn follow_up(
    root: Root,
    campaign: String,
    delivery: Delivery,
    as_of: AsOf,
) -> Result<ExitCode, ExitCode> {
    delivery.check()?;
    let now = as_of.time();
    let (root, checked) = load(&root)?;
    let mut c = find(&checked, &campaign)?;
    let due = pocdir::ping::follow_up::due(&c, now).map_err(super::failure)?;
    let done: Vec<String> = c.follow_ups.iter().map(|f| f.state.to_string()).collect();
    if !done.is_empty() {
        eprintln!(
            "campaign {}: followed up already: {}",
            c.id,
            done.join(", ")
        );
    }
    if due.is_empty() {
        eprintln!("campaign {}: no follow-up to send", c.id);
        return Ok(ExitCode::SUCCESS);
    }
    let msgs = pocdir::ping::follow_up::messages(&checked.directory, &checked.i18n, &c, &due, now)
        .map_err(super::failure)?;
    let code = delivery.dispatch(&msgs, &root);
    if delivery.dry_run {
        return Ok(code);
    }
    let journal = if delivery.outbox.is_some() {
        None
    } else {
        pocdir::mail::journal::Journal::read_only(&delivery.journal_path(&root)).ok()
    };
    if delivery.outbox.is_none() && journal.is_none() {
        return Ok(code);
    }
    pocdir::ping::follow_up::record(&mut c, &msgs, journal.as_ref(), now);
    write_campaign(&root, &c)?;
    eprintln!(
        "campaign {}: followed up: {} ({})",
        c.id,
        c.follow_ups
            .iter()
            .map(|f| f.state.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        campaign_path(&root, &c.id).display()
    );
    Ok(code)
}

fn report(
    root: Root,
    campaign: Option<String>,
    kind: Option<KindArg>,
    format: Format,
    as_of: AsOf,
) -> Result<ExitCode, ExitCode> {
    let now = as_of.time();
    let (_, checked) = load(&root)?;
    let dir = &checked.directory;
    let c = match &campaign {
        Some(id) => dir.campaigns.iter().find(|c| &c.id == id),
        None => dir
            .campaigns
            .iter()
            .rev()
            .find(|c| kind.is_none_or(|k| c.kind == k.as_str())),
    };
    let Some(c) = c else {
        return Err(super::failure(match &campaign {
            Some(id) => format!("no campaign {} in {PINGS_DIR}", quote(id)),
            None => match kind {
                Some(k) => format!("no {} campaign in {PINGS_DIR}", k.as_str()),
                None => format!("no campaign in {PINGS_DIR}"),
            },
        }));
    };
    if matches!(format, Format::Text) && campaign.is_none() && kind.is_none() {
        // The latest check of each kind, one after the other: their
        // figures are never mixed.
        let latest: Vec<&Campaign> = pocdir::directory::campaign::KINDS
            .iter()
            .filter_map(|k| dir.campaigns.iter().rev().find(|c| c.kind == *k))
            .collect();
        if latest.len() > 1 {
            for (i, c) in latest.iter().enumerate() {
                if i > 0 {
                    outln!();
                }
                outln!("== {} ==", c.kind);
                let r = pocdir::ping::report::report(dir, c, &dir.campaigns, now);
                out!("{}", pocdir::ping::render::text(&r));
            }
            return Ok(ExitCode::SUCCESS);
        }
    }
    let r = pocdir::ping::report::report(dir, c, &dir.campaigns, now);
    match format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&r).unwrap_or_default()),
        Format::Csv => out!("{}", pocdir::ping::render::csv(&r)),
        Format::Text => out!("{}", pocdir::ping::render::text(&r)),
    }
    Ok(ExitCode::SUCCESS)
}
