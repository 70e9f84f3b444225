//! Links that carry a small dataset: the page puts the CSV text in the link's fragment,
//! `#data=<payload>`, so Copy link, Embed and a reload run on the same points and no server ever
//! sees them (browsers do not send the fragment).
//!
//! The payload is the CSV text exactly as loaded, zlib-compressed at level 9 (`miniz_oxide`; its
//! Adler-32 checksum catches a damaged link), then base64url without padding. The text itself
//! travels, so the decoded data parses to the same bits and the run gives the same run.json.
//! Payloads are at most [`MAX_LINK_CHARS`] characters and texts at most [`MAX_TEXT_BYTES`] bytes;
//! a larger file has to be shared alongside the link.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use miniz_oxide::inflate::TINFLStatus;

/// The longest payload a link carries: about 3,000–10,000 numbers of CSV, and a link that chat
/// programs and browsers still keep whole.
pub const MAX_LINK_CHARS: usize = 32 * 1024;
/// The longest CSV text a payload may expand to (it bounds the work of a hostile link).
pub const MAX_TEXT_BYTES: usize = 1024 * 1024;

/// Why a text cannot go into a link, or a payload cannot be read; `Display` is for the user.
#[derive(Clone, Debug, PartialEq)]
pub enum LinkError {
    /// The text compresses to more than [`MAX_LINK_CHARS`] (`chars`, or `None` when the text
    /// alone is over [`MAX_TEXT_BYTES`] and was not compressed).
    TooLarge { chars: Option<usize> },
    /// A payload longer than [`MAX_LINK_CHARS`].
    TooLong { chars: usize },
    /// A character that base64url does not have, at 1-based position `at`.
    NotBase64 { at: usize, found: char },
    /// A payload whose length or last character no base64url text has: it was cut.
    Cut,
    /// The checksum does not match: the payload was altered.
    Altered,
    /// The bytes are not zlib data, or it ends early.
    Damaged,
    /// The payload expands past [`MAX_TEXT_BYTES`].
    ExpandsTooFar,
    /// The expanded bytes are not UTF-8 text.
    NotText,
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use LinkError::*;
        let damaged = "the data in the link is damaged";
        match self {
            TooLarge { chars: Some(chars) } => write!(
                f,
                "the data is too large for a link ({chars} characters compressed; a link carries up to {MAX_LINK_CHARS}): share the file alongside"
            ),
            TooLarge { chars: None } => write!(
                f,
                "the data is too large for a link (over {} MiB; a link carries up to {MAX_LINK_CHARS} characters compressed): share the file alongside",
                MAX_TEXT_BYTES >> 20
            ),
            TooLong { chars } => write!(
                f,
                "{damaged}: it is {chars} characters long; links carry up to {MAX_LINK_CHARS}"
            ),
            NotBase64 { at, found } => write!(
                f,
                "{damaged}: character {at} ({}) is not one of A–Z, a–z, 0–9, - and _",
                found.escape_debug()
            ),
            Cut => write!(f, "{damaged}: it was cut short"),
            Altered => write!(f, "{damaged}: its checksum does not match (was it edited?)"),
            Damaged => write!(f, "{damaged}: it does not decompress"),
            ExpandsTooFar => write!(
                f,
                "{damaged}: it expands past {} MiB, more than a link carries",
                MAX_TEXT_BYTES >> 20
            ),
            NotText => write!(f, "{damaged}: it does not decompress to text"),
        }
    }
}

impl std::error::Error for LinkError {}

/// The payload of `#data=` for a CSV text, or why it cannot travel in a link.
pub fn encode(text: &str) -> Result<String, LinkError> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(LinkError::TooLarge { chars: None });
    }
    let payload = URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec_zlib(
        text.as_bytes(),
        9,
    ));
    if payload.len() > MAX_LINK_CHARS {
        return Err(LinkError::TooLarge {
            chars: Some(payload.len()),
        });
    }
    Ok(payload)
}

/// The CSV text of a `#data=` payload. Any input gives the text or an error; never panics.
pub fn decode(payload: &str) -> Result<String, LinkError> {
    let chars = payload.chars().count();
    if chars > MAX_LINK_CHARS {
        return Err(LinkError::TooLong { chars });
    }
    if let Some((i, found)) = payload
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(LinkError::NotBase64 { at: i + 1, found });
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| LinkError::Cut)?;
    let text = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&bytes, MAX_TEXT_BYTES)
        .map_err(|e| match e.status {
            TINFLStatus::Adler32Mismatch => LinkError::Altered,
            TINFLStatus::HasMoreOutput => LinkError::ExpandsTooFar,
            _ => LinkError::Damaged,
        })?;
    String::from_utf8(text).map_err(|_| LinkError::NotText)
}
