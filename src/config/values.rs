//! The value types of the query keys — whole numbers and floats in ranges, enum names, lists, booleans —
//! with their parsers, their canonical text and the "expected …" part of the messages.

use super::error::{complain, complain_entry, shown, Bad};
use super::limits;
use super::{ClassLabel, LabelColumn, Named};

/// An inclusive range of whole numbers.
#[derive(Clone, Copy)]
pub(super) struct Whole {
    pub(super) min: u64,
    pub(super) max: u64,
}

impl Whole {
    pub(super) fn allowed(self) -> String {
        format!("a whole number in [{}, {}]", self.min, self.max)
    }

    pub(super) fn parse(self, s: &str) -> Result<u64, Bad> {
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if digits(s) {
            // Digits that overflow u64 are out of range too.
            s.parse::<u64>()
                .ok()
                .filter(|v| (self.min..=self.max).contains(v))
                .ok_or(Bad::OutOfRange)
        } else if s.strip_prefix('-').is_some_and(digits) {
            Err(Bad::OutOfRange)
        } else {
            Err(Bad::NotWhole)
        }
    }
}

/// A range of finite floats, each end open or closed.
#[derive(Clone, Copy)]
pub(super) struct Number {
    pub(super) lo: f64,
    pub(super) lo_open: bool,
    pub(super) hi: f64,
    pub(super) hi_open: bool,
}

impl Number {
    pub(super) const fn new(lo: f64, lo_open: bool, hi: f64, hi_open: bool) -> Number {
        Number {
            lo,
            lo_open,
            hi,
            hi_open,
        }
    }

    pub(super) fn contains(self, x: f64) -> bool {
        let above = if self.lo_open {
            x > self.lo
        } else {
            x >= self.lo
        };
        let below = if self.hi_open {
            x < self.hi
        } else {
            x <= self.hi
        };
        above && below
    }

    pub(super) fn allowed(self) -> String {
        format!(
            "a number in {}{}, {}{}",
            if self.lo_open { '(' } else { '[' },
            fmt_f64(self.lo),
            fmt_f64(self.hi),
            if self.hi_open { ')' } else { ']' }
        )
    }

    pub(super) fn parse(self, s: &str) -> Result<f64, Bad> {
        match s.parse::<f64>() {
            Err(_) => Err(Bad::NotNumber),
            Ok(x) if !x.is_finite() => Err(Bad::NotFinite),
            Ok(x) if !self.contains(x) => Err(Bad::OutOfRange),
            Ok(x) => Ok(x),
        }
    }
}

/// The shortest digits that parse back to the same bits (Rust's `{}`/`{:e}`), in plain notation
/// except below 1e-6 or from 1e21 on, like JavaScript prints numbers: `0.02`, `0.0005`, `1e-7`, `-0`.
pub(super) fn fmt_f64(x: f64) -> String {
    let a = x.abs();
    if a != 0.0 && !(1e-6..1e21).contains(&a) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

pub(super) fn enum_allowed<T: Named>() -> String {
    let names: Vec<&str> = T::all().iter().map(|v| v.name_of()).collect();
    format!("one of {}", names.join(", "))
}

pub(super) fn parse_enum<T: Named>(s: &str) -> Result<T, String> {
    T::all()
        .iter()
        .copied()
        .find(|v| v.name_of() == s)
        .ok_or_else(|| complain(s, Bad::Unknown, &enum_allowed::<T>()))
}

pub(super) fn whole(s: &str, range: Whole) -> Result<u64, String> {
    range
        .parse(s)
        .map_err(|bad| complain(s, bad, &range.allowed()))
}

pub(super) fn number(s: &str, range: Number) -> Result<f64, String> {
    range
        .parse(s)
        .map_err(|bad| complain(s, bad, &range.allowed()))
}

/// `None` for `default`, else the value.
pub(super) fn optional<T>(
    s: &str,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<Option<T>, String> {
    if s == DEFAULT {
        Ok(None)
    } else {
        parse(s).map(Some)
    }
}

pub(super) fn or_default(allowed: String) -> String {
    format!("{DEFAULT}, or {allowed}")
}

pub(super) fn encode_optional<T>(value: Option<T>, encode: impl FnOnce(T) -> String) -> String {
    value.map_or_else(|| DEFAULT.to_string(), encode)
}

pub(super) const DEFAULT: &str = "default";
pub(super) const NO_LAYERS: &str = "none";
pub(super) const BOOL_ALLOWED: &str = "1, 0, true or false";

pub(super) const SEED: Whole = Whole {
    min: 0,
    max: u64::MAX,
};
pub(super) const N: Whole = Whole {
    min: 2,
    max: limits::MAX_POINTS as u64,
};
pub(super) const NOISE: Number = Number::new(0.0, false, 10.0, false);
pub(super) const TRAIN: Number = Number::new(0.0, true, 1.0, false);
pub(super) const LABEL: Whole = Whole {
    min: 0,
    max: u32::MAX as u64,
};
pub(super) const WIDTH: Whole = Whole {
    min: 1,
    max: limits::MAX_WIDTH as u64,
};
pub(super) const LR: Number = Number::new(0.0, true, 10.0, false);
pub(super) const MOMENTUM: Number = Number::new(0.0, false, 1.0, true);
pub(super) const WD: Number = Number::new(0.0, false, 1.0, false);
pub(super) const BATCH: Whole = Whole {
    min: 1,
    max: limits::MAX_POINTS as u64,
};
pub(super) const EPOCHS: Whole = Whole {
    min: 0,
    max: limits::MAX_EPOCHS as u64,
};
pub(super) const K: Whole = Whole {
    min: 1,
    max: limits::MAX_K as u64,
};
pub(super) const TOL: Number = Number::new(0.0, true, 0.1, false);
pub(super) const GRID: Whole = Whole { min: 8, max: 512 };

pub(super) fn layers_allowed() -> String {
    format!(
        "{NO_LAYERS} (or empty) for a linear model, or up to {} comma-separated widths, each {}",
        limits::MAX_HIDDEN_LAYERS,
        WIDTH.allowed()
    )
}

pub(super) fn parse_layers(s: &str) -> Result<Vec<usize>, String> {
    if s.is_empty() || s == NO_LAYERS {
        return Ok(Vec::new());
    }
    let entries: Vec<&str> = s.split(',').map(str::trim).collect();
    if entries.len() > limits::MAX_HIDDEN_LAYERS {
        return Err(format!(
            "\"{}\" has {} layers; expected {}",
            shown(s),
            entries.len(),
            layers_allowed()
        ));
    }
    entries
        .iter()
        .map(|e| {
            WIDTH
                .parse(e)
                .map(|w| w as usize)
                .map_err(|bad| complain_entry(s, e, bad, &layers_allowed()))
        })
        .collect()
}

pub(super) fn encode_list<T: ToString>(items: &[T]) -> String {
    items.iter().map(T::to_string).collect::<Vec<_>>().join(",")
}

pub(super) fn classes_allowed() -> String {
    format!(
        "{DEFAULT}, or 2 to {} distinct comma-separated labels, each {} or a class name",
        limits::MAX_CLASSES,
        LABEL.allowed()
    )
}

/// Entries of decimal digits are numeric labels; any other non-empty entry is a class name.
pub(super) fn parse_classes(s: &str) -> Result<Vec<ClassLabel>, String> {
    let entries: Vec<&str> = s.split(',').map(str::trim).collect();
    let count_error = || {
        format!(
            "\"{}\" names {} labels; expected {}",
            shown(s),
            entries.len(),
            classes_allowed()
        )
    };
    if entries.len() > limits::MAX_CLASSES {
        return Err(count_error());
    }
    let labels = entries
        .iter()
        .map(|e| match LABEL.parse(e) {
            Ok(l) => Ok(ClassLabel::Number(l as u32)),
            Err(Bad::NotWhole) if !e.is_empty() => Ok(ClassLabel::Name(e.to_string())),
            Err(bad) => Err(complain_entry(s, e, bad, &classes_allowed())),
        })
        .collect::<Result<Vec<ClassLabel>, String>>()?;
    if labels.len() < 2 {
        return Err(count_error());
    }
    // Names and numbers compare by their text, as they match the data's labels.
    let texts: Vec<String> = labels.iter().map(ClassLabel::to_string).collect();
    if let Some(repeated) =
        (1..texts.len()).find_map(|i| texts[..i].contains(&texts[i]).then(|| &texts[i]))
    {
        return Err(format!(
            "\"{}\" repeats label {}; expected {}",
            shown(s),
            shown(repeated),
            classes_allowed()
        ));
    }
    Ok(labels)
}

/// `label-column`'s values: `last`, a column number, or a header name.
pub(super) const LAST_COLUMN: &str = "last";
/// Column numbers: the label and up to [`limits::MAX_DIM`] features.
pub(super) const COLUMN: Whole = Whole {
    min: 1,
    max: limits::MAX_DIM as u64 + 1,
};

pub(super) fn label_column_allowed() -> String {
    format!(
        "{LAST_COLUMN}, a column's number ({}), or its name in the CSV's header",
        COLUMN.allowed()
    )
}

pub(super) fn parse_label_column(s: &str) -> Result<Option<LabelColumn>, String> {
    match COLUMN.parse(s) {
        _ if s == LAST_COLUMN => Ok(None),
        Ok(n) => Ok(Some(LabelColumn::Number(n as usize))),
        Err(Bad::NotWhole) if !s.is_empty() => Ok(Some(LabelColumn::Name(s.to_string()))),
        Err(bad) => Err(complain(s, bad, &label_column_allowed())),
    }
}

pub(super) fn parse_bool(s: &str) -> Result<bool, String> {
    match s {
        "1" | "true" => Ok(true),
        "0" | "false" => Ok(false),
        _ => Err(complain(s, Bad::NotBool, BOOL_ALLOWED)),
    }
}
