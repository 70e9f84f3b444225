//! Links that carry a dataset (`#data=…`): round trips, damaged and altered payloads, the size
//! limits, and fuzzing of the decoder.

use hessian_boundary::data::link::{decode, encode, LinkError, MAX_LINK_CHARS, MAX_TEXT_BYTES};
use proptest::prelude::*;

const IRIS: &str = include_str!("../src/data/iris.csv");

#[test]
fn a_csv_round_trips_byte_for_byte() {
    for text in [IRIS, "", "x;label\r\n1,5;setosa\r\n", "é,\"ü\"\n\u{feff}"] {
        let payload = encode(text).unwrap();
        assert!(payload
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(decode(&payload).unwrap(), text);
    }
    // The same text gives the same link (level 9, no randomness): iris's 150 rows in 1,5xx characters.
    let payload = encode(IRIS).unwrap();
    assert_eq!(encode(IRIS).unwrap(), payload);
    assert!((1000..2500).contains(&payload.len()), "{}", payload.len());
}

#[test]
fn damaged_and_altered_payloads_are_errors_with_a_reason() {
    let payload = encode(IRIS).unwrap();
    let damaged = "the data in the link is damaged";
    // One character changed in the middle: the checksum (or the stream itself) catches it.
    let mid = payload.len() / 2;
    let swap = if &payload[mid..=mid] == "A" { "B" } else { "A" };
    let altered = format!("{}{swap}{}", &payload[..mid], &payload[mid + 1..]);
    let e = decode(&altered).unwrap_err();
    assert!(
        matches!(e, LinkError::Altered | LinkError::Damaged),
        "{e:?}"
    );
    assert!(e.to_string().starts_with(damaged));
    // The last data byte's change is caught by the checksum alone.
    let mut bytes = base64_bytes(&payload);
    let n = bytes.len();
    bytes[n - 1] ^= 1;
    assert_eq!(decode(&base64(&bytes)), Err(LinkError::Altered));
    assert_eq!(
        LinkError::Altered.to_string(),
        format!("{damaged}: its checksum does not match (was it edited?)")
    );
    // Cut short, anywhere.
    for cut in [1, 5, payload.len() / 3, payload.len() - 1] {
        let e = decode(&payload[..cut]).unwrap_err();
        assert!(
            matches!(e, LinkError::Cut | LinkError::Damaged),
            "{cut}: {e:?}"
        );
    }
    assert_eq!(
        decode(&format!("{}%3D", &payload[..8])),
        Err(LinkError::NotBase64 { at: 9, found: '%' })
    );
    assert_eq!(
        decode("abc\u{1b}").unwrap_err().to_string(),
        format!("{damaged}: character 4 (\\u{{1b}}) is not one of A–Z, a–z, 0–9, - and _")
    );
    assert_eq!(decode(""), Err(LinkError::Damaged));
    // Not UTF-8, though well compressed.
    let latin1 = base64(&miniz_oxide::deflate::compress_to_vec_zlib(
        b"x,label\n\xe9,1\n",
        9,
    ));
    assert_eq!(decode(&latin1), Err(LinkError::NotText));
}

#[test]
fn size_limits_on_both_sides() {
    // Digits (1,797 rows of 65 numbers) does not fit: share the file alongside.
    let digits = include_str!("../src/data/digits.csv");
    let Err(LinkError::TooLarge { chars: Some(chars) }) = encode(digits) else {
        panic!("digits fits in a link")
    };
    assert!(chars > MAX_LINK_CHARS);
    assert_eq!(
        LinkError::TooLarge { chars: Some(40000) }.to_string(),
        "the data is too large for a link (40000 characters compressed; a link carries up to 32768): share the file alongside"
    );
    let huge = "1,0\n".repeat(MAX_TEXT_BYTES / 4 + 1);
    assert_eq!(encode(&huge), Err(LinkError::TooLarge { chars: None }));
    // A few thousand numbers of typical precision fit.
    let rows: String = (0..1000)
        .map(|i| {
            format!(
                "{:.4},{:.4},{}\n",
                (i as f64 * 0.37).sin(),
                (i as f64 * 0.11).cos(),
                i % 3
            )
        })
        .collect();
    assert!(encode(&rows).is_ok());
    // A payload over the limit is refused before any work; one that expands past the text limit
    // (a "zip bomb": 2 MiB of zeros is a few KiB of zlib) stops at the limit.
    assert_eq!(
        decode(&"A".repeat(MAX_LINK_CHARS + 1)),
        Err(LinkError::TooLong {
            chars: MAX_LINK_CHARS + 1
        })
    );
    let bomb = base64(&miniz_oxide::deflate::compress_to_vec_zlib(
        &vec![b'0'; 2 << 20],
        9,
    ));
    assert!(bomb.len() < MAX_LINK_CHARS);
    assert_eq!(decode(&bomb), Err(LinkError::ExpandsTooFar));
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn base64_bytes(payload: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap()
}

/// Every failure is an error with a short message of printable characters.
fn check(payload: &str) -> Result<(), TestCaseError> {
    if let Err(e) = decode(payload) {
        let message = e.to_string();
        prop_assert!(
            message.starts_with("the data in the link is damaged"),
            "{}",
            message
        );
        prop_assert!(message.chars().all(|c| !c.is_control()), "{:?}", message);
        prop_assert!(message.len() < 200, "{}", message);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn fuzz_arbitrary_strings(payload in any::<String>()) {
        check(&payload)?;
    }

    #[test]
    fn fuzz_base64_alphabet(payload in "[A-Za-z0-9_-]{0,300}") {
        check(&payload)?;
    }

    #[test]
    fn fuzz_arbitrary_bytes_as_zlib(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        check(&base64(&bytes))?;
    }

    #[test]
    fn fuzz_edits_of_a_valid_payload(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4)) {
        let mut bytes = base64_bytes(&encode("x,y,label\n1,2,0\n3,4,1\n5,6,0\n").unwrap());
        for (at, b) in edits {
            let n = bytes.len();
            bytes[at % n] ^= b | 1;
        }
        // Altered bytes never decode to other text silently unless the checksum matches by chance.
        check(&base64(&bytes))?;
    }
}
