//! What whoever watches a long computation (Part 1's training traced for the page, a Part 2
//! run) tells it after each report: go on, or stop after this step.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Continue,
    Stop,
}

impl Control {
    /// Stop if either says so.
    pub fn and(self, other: Control) -> Control {
        if self == Control::Stop { Control::Stop } else { other }
    }
}
