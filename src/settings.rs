//! What is wrong with a setting, in both parts: the setting at fault, named as the page's form
//! and its address name it (Part 1's field, e.g. `learningRates`; Part 2's path into its
//! settings, e.g. `optimizer.momentum`), and the rule it breaks. Each part's settings have one
//! `check` that returns the first one found.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Invalid {
    pub field: &'static str,
    pub message: String,
}

impl Invalid {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Invalid { field, message: message.into() }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for Invalid {}
