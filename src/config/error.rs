//! The errors of a query or config: every bad key with its value and what is allowed, in plain text
//! a page can show as it is (values cut and stripped of control characters).

/// One bad key: its name, the value given and what is allowed.
///
/// `key` and `value` are cut to 64 characters (plus "…") and stripped of control characters, so a
/// hostile link cannot flood or garble the page; `message` is plain text that names the value.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldError {
    pub key: String,
    pub value: String,
    pub message: String,
}

impl ConfigError {
    /// One bad key, for checks made outside this module (e.g. once the data is loaded).
    pub fn single(key: &str, value: &str, message: String) -> ConfigError {
        ConfigError {
            errors: vec![FieldError::new(key, value, message)],
        }
    }
}

impl FieldError {
    pub(super) fn new(key: &str, value: &str, message: String) -> FieldError {
        FieldError {
            key: shown(key),
            value: shown(value),
            message,
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

/// All the bad keys of one query or config (never empty when returned as an error).
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigError {
    pub errors: Vec<FieldError>,
}

impl ConfigError {
    pub(super) fn check(errors: Vec<FieldError>) -> Result<(), ConfigError> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ConfigError { errors })
        }
    }
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// Characters of a key or value shown in an error.
pub(super) const SHOWN_CHARS: usize = 64;

/// A key or value as it may be shown: cut to [`SHOWN_CHARS`] characters plus "…", with control and
/// bidirectional-override characters replaced by U+FFFD (they could hide or reorder the text).
pub(super) fn shown(s: &str) -> String {
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i == SHOWN_CHARS {
            out.push('…');
            break;
        }
        let hidden = ch.is_control()
            || matches!(ch, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        out.push(if hidden { '\u{FFFD}' } else { ch });
    }
    out
}

/// What is wrong with one value.
#[derive(Clone, Copy)]
pub(super) enum Bad {
    NotNumber,
    NotFinite,
    NotWhole,
    OutOfRange,
    Unknown,
    NotBool,
}

impl Bad {
    pub(super) fn says(self) -> &'static str {
        match self {
            Bad::NotNumber => "is not a number",
            Bad::NotFinite => "is not a finite number",
            Bad::NotWhole => "is not a whole number",
            Bad::OutOfRange => "is out of range",
            Bad::Unknown => "is not a known value",
            Bad::NotBool => "is not a boolean",
        }
    }
}

/// `"value" is not a number; expected a number in (0, 10]`.
pub(super) fn complain(value: &str, bad: Bad, allowed: &str) -> String {
    format!("\"{}\" {}; expected {allowed}", shown(value), bad.says())
}

/// The same for one entry of a list, naming the whole list too when it has several entries.
pub(super) fn complain_entry(list: &str, entry: &str, bad: Bad, allowed: &str) -> String {
    if list == entry {
        complain(entry, bad, allowed)
    } else {
        format!(
            "\"{}\" in \"{}\" {}; expected {allowed}",
            shown(entry),
            shown(list),
            bad.says()
        )
    }
}
