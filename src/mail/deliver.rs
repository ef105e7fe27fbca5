//! The sending loop: each message whose Message-ID is not in the journal
//! is handed to the sender, paced by `--rate`, and recorded in the journal
//! the moment the server accepts it. A refusal or a network error fails
//! that recipient only; the loop goes on, and the outcome of every
//! recipient is returned for the closing table.

use std::time::Duration;

use super::journal::{Entry, Journal};
use super::{MailError, Outgoing};

/// Something that takes a message for one recipient: the SMTP transport,
/// or a test double in unit tests.
pub trait Sender {
    /// The server's reply on success; why not ([`MailError::Send`]), on
    /// failure.
    fn send(&mut self, from: &str, to: &str, eml: &[u8]) -> Result<String, MailError>;
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    Sent {
        reply: String,
    },
    /// In the journal already: sent by an earlier run.
    AlreadySent,
    Failed {
        reason: String,
    },
}

pub enum Event<'a> {
    /// About to send `pending` messages (`total` less those in the journal).
    Start { total: usize, pending: usize },
    Done {
        msg: &'a Outgoing,
        status: &'a Status,
    },
}

/// `--rate`: at most N messages per second, minute or hour ("30/min").
pub fn parse_rate(s: &str) -> Result<Duration, MailError> {
    let (n, unit) = s.split_once('/').unwrap_or((s, "min"));
    let n: u32 =
        n.trim().parse().ok().filter(|n| *n > 0).ok_or_else(|| {
            MailError::Rate(format!("{s:?}: expected N/s, N/min or N/h with N > 0"))
        })?;
    let per = match unit.trim() {
        "s" | "sec" | "second" => 1,
        "m" | "min" | "minute" => 60,
        "h" | "hour" => 3600,
        _ => {
            return Err(MailError::Rate(format!("{s:?}: the unit is s, min or h")));
        }
    };
    Ok(Duration::from_secs(per) / n)
}

/// Send what the journal does not hold. `wait` is called between two sends
/// with the pause `--rate` asks for; `now` stamps the journal entries.
pub fn deliver<'a>(
    msgs: &'a [Outgoing],
    sender: &mut dyn Sender,
    journal: &mut Journal,
    pace: Option<Duration>,
    now: &dyn Fn() -> jiff::Timestamp,
    wait: &mut dyn FnMut(Duration),
    on: &mut dyn FnMut(Event<'_>),
) -> Result<Vec<(&'a Outgoing, Status)>, MailError> {
    let pending = msgs
        .iter()
        .filter(|m| !journal.contains(&m.message_id))
        .count();
    on(Event::Start {
        total: msgs.len(),
        pending,
    });
    let mut out = Vec::with_capacity(msgs.len());
    let mut first = true;
    for m in msgs {
        if journal.contains(&m.message_id) {
            out.push((m, Status::AlreadySent));
            continue;
        }
        if let (Some(p), false) = (pace, first) {
            wait(p);
        }
        first = false;
        let status = match sender.send(&m.envelope_from, &m.envelope_to, &m.eml) {
            Ok(reply) => {
                journal
                    .record(Entry {
                        message_id: m.message_id.clone(),
                        kind: m.kind.as_str().to_string(),
                        state: m.state.to_string(),
                        account: m.account.clone(),
                        reference: m.reference.clone(),
                        bundle_sha256: m.bundle_hash.clone(),
                        sent_at: crate::util::time::fmt_ts(now()),
                        reply: reply.clone(),
                    })
                    .map_err(|e| {
                        MailError::Journal(format!(
                            "{e}; the server accepted {} for {} but it could not be \
                             recorded: stop and record it by hand before sending again",
                            m.message_id, m.account
                        ))
                    })?;
                Status::Sent { reply }
            }
            Err(reason) => Status::Failed {
                reason: reason.to_string(),
            },
        };
        on(Event::Done {
            msg: m,
            status: &status,
        });
        out.push((m, status));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::Kind;

    struct Refusing {
        accept: usize,
        got: Vec<String>,
    }

    impl Sender for Refusing {
        fn send(&mut self, _: &str, to: &str, _: &[u8]) -> Result<String, MailError> {
            if self.got.len() < self.accept {
                self.got.push(to.to_string());
                Ok("250 Ok".into())
            } else {
                Err(MailError::Send("451 try later".into()))
            }
        }
    }

    fn msg(i: usize) -> Outgoing {
        Outgoing {
            kind: Kind::Bundle,
            state: "FRA".parse().unwrap(),
            account: format!("a{i}@b.example"),
            envelope_from: "s@un.example".into(),
            envelope_to: format!("a{i}@b.example"),
            reference: "seq 1".into(),
            bundle_hash: None,
            message_id: format!("<{i}@un.example>"),
            file_name: String::new(),
            eml: vec![],
        }
    }

    #[test]
    fn a_rerun_sends_only_what_is_missing_and_paces_between_sends() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("mail.jsonl");
        let msgs: Vec<Outgoing> = (0..5).map(msg).collect();
        let now = || jiff::Timestamp::UNIX_EPOCH;
        let mut waits = Vec::new();
        let mut s = Refusing {
            accept: 2,
            got: vec![],
        };
        let mut j = Journal::open(&p).unwrap();
        let rows = deliver(
            &msgs,
            &mut s,
            &mut j,
            Some(Duration::from_secs(2)),
            &now,
            &mut |d| waits.push(d),
            &mut |_| {},
        )
        .unwrap();
        let failed = rows
            .iter()
            .filter(|(_, s)| matches!(s, Status::Failed { .. }))
            .count();
        assert_eq!(failed, 3);
        assert_eq!(waits, vec![Duration::from_secs(2); 4], "between sends only");
        drop(j);
        let mut s2 = Refusing {
            accept: 99,
            got: vec![],
        };
        let mut j = Journal::open(&p).unwrap();
        let rows = deliver(&msgs, &mut s2, &mut j, None, &now, &mut |_| {}, &mut |_| {}).unwrap();
        assert_eq!(s2.got, vec!["a2@b.example", "a3@b.example", "a4@b.example"]);
        assert_eq!(
            rows.iter()
                .filter(|(_, s)| *s == Status::AlreadySent)
                .count(),
            2
        );
        let mut all: Vec<String> = s.got.into_iter().chain(s2.got).collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 5, "each exactly once");
    }

    #[test]
    fn rates() {
        assert_eq!(parse_rate("30/min").unwrap(), Duration::from_secs(2));
        assert_eq!(parse_rate("2/s").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_rate("60/h").unwrap(), Duration::from_secs(60));
        assert_eq!(parse_rate("10").unwrap(), Duration::from_secs(6));
        assert_eq!(
            parse_rate("0/min").unwrap_err().to_string(),
            "\"0/min\": expected N/s, N/min or N/h with N > 0"
        );
        assert_eq!(
            parse_rate("3/day").unwrap_err().to_string(),
            "\"3/day\": the unit is s, min or h"
        );
        for bad in ["0/min", "x/min", "3/day", "-1/s"] {
            assert!(matches!(parse_rate(bad), Err(MailError::Rate(_))), "{bad}");
        }
    }
}
