//! When each ping went out: the journal's time for a message an SMTP
//! server accepted, the campaign's start for an outbox (sent later by the
//! secretariat's mail client).

use super::Campaign;
use crate::mail::journal::Journal;

/// Through an outbox: every ping counts as sent at the campaign's start.
pub fn sent_via_outbox(c: &mut Campaign) {
    for p in &mut c.pings {
        p.sent.get_or_insert(c.started);
    }
}

/// Through SMTP: the time the journal recorded for each ping's message.
pub fn sent_per_journal(c: &mut Campaign, journal: &Journal) {
    for p in &mut c.pings {
        if p.sent.is_none()
            && let Some(e) = journal
                .entries()
                .iter()
                .find(|e| e.message_id == p.message_id)
        {
            p.sent = e.sent_at.parse().ok();
        }
    }
}
