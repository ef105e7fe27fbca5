//! How times are written everywhere (trusted comments, logs, messages).

/// A timestamp as `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds).
pub fn fmt_ts(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}
