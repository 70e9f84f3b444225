//! The query codec: a query string to a [`Config`] (strict, or lenient for share links) and back to
//! its canonical form; `validate` holds a config built in code to the same ranges.
//!
//! # Syntax
//!
//! `application/x-www-form-urlencoded`: `&` separates pairs, percent-escapes are decoded and `+` is a
//! space. A leading `?`, empty pairs (`a=1&&b=2`) and whitespace around keys, values and list
//! entries are ignored. Each key may appear once; an unknown key is an error, so a typo never
//! silently runs the default. Lists are comma-separated, booleans `1|0|true|false`, enum values the
//! kebab-case names above, numbers Rust's float syntax (`0.1`, `1e-7`; `inf` and `NaN` are refused).
//!
//! # Canonical form
//!
//! [`Config::to_query`] writes `v=1`, then each key whose value differs from the default, in the
//! table's order. Floats take the shortest digits that read back to the same bits, in plain
//! notation except below 1e-6, like JavaScript (`0.02`, `0.0005`, `1e-7`), so `Config::parse(&c.to_query())`
//! gives back `c` bit for bit for every valid config. Every byte outside `A-Z a-z 0-9 - . _ ~ ,`
//! is percent-encoded, so the query can go into a URL as it is.
//!
//! # Errors
//!
//! [`Config::parse`] reports every bad key at once, each as a [`FieldError`] naming the key, the
//! value (shown cut to 64 characters, control characters replaced) and what is allowed, in plain
//! text. [`Config::parse_lenient`] instead keeps the default for each bad key, for share links.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::error::{shown, ConfigError, FieldError};
use super::keys::{draw_conflicts, known_keys, versions_allowed, FIELDS, VERSION_KEY};
use super::{Config, SCHEMA_VERSION, SCHEMA_VERSIONS};

/// Unknown keys reported one by one; the rest share one error, so a link stuffed with junk keys
/// cannot make a huge error list.
const MAX_UNKNOWN_ERRORS: usize = 20;

/// Appends `s` percent-encoded, leaving only `A-Z a-z 0-9 - . _ ~ ,` as they are.
fn push_encoded(out: &mut String, s: &str) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~,".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

impl Config {
    /// Reads a query string (see the module docs), reporting every bad key at once.
    pub fn parse(query: &str) -> Result<Config, ConfigError> {
        let (config, errors) = Config::parse_lenient(query);
        ConfigError::check(errors)?;
        debug_assert!(config.validate().is_ok());
        Ok(config)
    }

    /// Reads a query string, keeping the default for each bad key (unknown, repeated or with a bad
    /// value) and returning their errors, in query order: share links still open, with a notice of
    /// what was dropped. The config is always valid. Past 20 unknown keys, one error counts the rest.
    pub fn parse_lenient(query: &str) -> (Config, Vec<FieldError>) {
        let query = query.strip_prefix('?').unwrap_or(query);
        // Values grouped by key, in order of first appearance.
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            let (key, value) = (key.trim(), value.trim());
            if key.is_empty() && value.is_empty() {
                continue;
            }
            match index.get(key) {
                Some(&i) => groups[i].1.push(value.to_string()),
                None => {
                    index.insert(key.to_string(), groups.len());
                    groups.push((key.to_string(), vec![value.to_string()]));
                }
            }
        }

        // The version decides the defaults; none, a bad or a repeated one reads as the latest.
        let version = groups
            .iter()
            .find(|(key, values)| key == VERSION_KEY && values.len() == 1)
            .and_then(|(_, values)| {
                SCHEMA_VERSIONS
                    .into_iter()
                    .find(|v| v.to_string() == values[0])
            })
            .unwrap_or(SCHEMA_VERSION);
        let mut config = Config::defaults(version);
        let mut errors = Vec::new();
        let mut unknown = 0;
        let mut more_unknown: Option<(&str, &str)> = None;
        for (key, values) in &groups {
            let value = values[0].as_str();
            let field = FIELDS.iter().find(|f| f.key == key);
            if field.is_none() && key != VERSION_KEY && unknown >= MAX_UNKNOWN_ERRORS {
                more_unknown = more_unknown.or(Some((key, value)));
                unknown += 1;
            } else if field.is_none() && key != VERSION_KEY {
                unknown += 1;
                let message = format!(
                    "unknown key \"{}\" (given \"{}\"); expected one of {}",
                    shown(key),
                    shown(value),
                    known_keys()
                );
                errors.push(FieldError::new(key, value, message));
            } else if values.len() > 1 {
                let listed: Vec<String> = values
                    .iter()
                    .take(3)
                    .map(|v| format!("\"{}\"", shown(v)))
                    .collect();
                let more = if values.len() > 3 { ", …" } else { "" };
                let message = format!(
                    "\"{}\" is given {} times ({}{more}); expected each key at most once",
                    shown(key),
                    values.len(),
                    listed.join(", ")
                );
                errors.push(FieldError::new(key, &values[1], message));
            } else if let Some(field) = field {
                let mut trial = config.clone();
                match (field.set)(&mut trial, value) {
                    Ok(()) => config = trial,
                    Err(message) => errors.push(FieldError::new(key, value, message)),
                }
            } else if !SCHEMA_VERSIONS.iter().any(|v| v.to_string() == value) {
                let message = format!(
                    "\"{}\" is not a supported schema version; expected {}",
                    shown(value),
                    versions_allowed()
                );
                errors.push(FieldError::new(key, value, message));
            }
        }
        // A key that contradicts `draw=paper` goes back to its default (`draw` itself, where the
        // dataset has no authors' draw), so the config stays valid.
        let defaults = Config::defaults(version);
        for error in draw_conflicts(&config) {
            let field = FIELDS
                .iter()
                .find(|f| f.key == error.key)
                .expect("a known key");
            (field.set)(&mut config, &(field.get)(&defaults)).expect("defaults are valid");
            errors.push(error);
        }
        if let Some((key, value)) = more_unknown {
            let message = format!(
                "{} more unknown keys, from \"{}\" on; expected one of {}",
                unknown - MAX_UNKNOWN_ERRORS,
                shown(key),
                known_keys()
            );
            errors.push(FieldError::new(key, value, message));
        }
        (config, errors)
    }

    /// The canonical query: `v=1`, then each key that differs from the default, in the docs' order.
    /// For a valid config, `Config::parse(&c.to_query())` gives back `c` bit for bit; an invalid one
    /// gives a query that `parse` refuses.
    pub fn to_query(&self) -> String {
        let defaults = Config::default();
        let mut out = format!("{VERSION_KEY}={SCHEMA_VERSION}");
        for field in &FIELDS {
            let value = (field.get)(self);
            if value != (field.get)(&defaults) {
                out.push('&');
                push_encoded(&mut out, field.key);
                out.push('=');
                push_encoded(&mut out, &value);
            }
        }
        out
    }

    /// Checks every field against the ranges of the module docs' table (what `parse` enforces), so
    /// a config built in code meets the same limits as one from a link.
    pub fn validate(&self) -> Result<(), ConfigError> {
        // Each field's canonical text must read back: one set of range checks for both paths.
        let mut errors = Vec::new();
        for field in &FIELDS {
            let value = (field.get)(self);
            if let Err(message) = (field.set)(&mut Config::default(), &value) {
                errors.push(FieldError::new(field.key, &value, message));
            }
        }
        errors.extend(draw_conflicts(self));
        ConfigError::check(errors)
    }
}
