//! Errors that are a message for a person. Each module declares its own
//! type with [`message_error!`], so a signature says which stage failed
//! and callers can tell them apart, and every one implements
//! `std::error::Error`.

/// Declare `pub struct $name(pub String)`: `Display` (the message),
/// `std::error::Error`, and `From<String>`/`From<&str>` so that `?` and
/// `.into()` turn a message into it.
macro_rules! message_error {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct $name(pub String);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::error::Error for $name {}

        impl From<String> for $name {
            fn from(s: String) -> Self {
                $name(s)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(s.to_string())
            }
        }
    };
}

pub(crate) use message_error;
