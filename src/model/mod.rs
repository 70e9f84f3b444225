//! The model stage (being written).
