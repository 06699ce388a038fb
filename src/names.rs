//! serde's "unknown field" and "unknown variant" messages made helpful: the known name nearest
//! to a misspelt one, for settings and designs from files, links and the page (both parts).

/// serde's "unknown field `x`, expected one of `a`, `b`" (a setting) or "unknown variant `x`,
/// …" (a value, e.g. the model) with the known name nearest to `x` added (case, `_` and `-`
/// ignored, then fewest edits); any other message as it is.
pub fn nearest_name(message: &str) -> String {
    let (what, rest) = match (message.strip_prefix("unknown field `"), message.strip_prefix("unknown variant `")) {
        (Some(rest), _) => ("setting", rest),
        (_, Some(rest)) => ("value", rest),
        _ => return message.to_string(),
    };
    let Some((unknown, expected)) = rest.split_once('`') else { return message.to_string() };
    let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    let plain = |s: &str| s.to_lowercase().replace(['_', '-'], "");
    let distance = |known: &str| strsim::levenshtein(&plain(unknown), &plain(known));
    match known.iter().min_by_key(|k| distance(k)) {
        Some(best) if distance(best) <= 3 => {
            format!("unknown {what} '{unknown}' (did you mean '{best}'?); known: {}", known.join(", "))
        }
        _ => format!("unknown {what} '{unknown}'; known: {}", known.join(", ")),
    }
}
