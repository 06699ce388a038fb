//! Where each number of an iteration comes from: its formula with the numbers it is computed
//! from, each weight's gradient factor by factor along its paths, the computation graph, and
//! finite differences beside the chain rule. The page's "what feeds this number", step-through
//! and gradient paths all read this; the page only lays it out.
//!
//! A formula is written once, as a template over the sheet's names (`"σ({h1})"`); the same
//! template gives the formula in symbols, in numbers, the cells it reads, and (evaluated here)
//! its value, which the tests hold to the row's.

use std::collections::BTreeMap;

use serde::Serialize;

use super::graph::{self, Graph};
use super::trace::{column, COLUMNS};
use super::{exact, Row, TinyConfig};

/// The pass a number belongs to, in the order the step-through walks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum Pass {
    /// The sheet's starting value (a weight at iteration 0).
    Given,
    Forward,
    Backward,
    Update,
}

/// A table cell: a column of this iteration's row or of the one before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Cell {
    pub column: String,
    pub previous: bool,
}

/// One piece of a formula: text, or a value with its name (`label`) and, when the table
/// shows it, its cell.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Piece {
    pub text: String,
    pub value: Option<f64>,
    pub cell: Option<Cell>,
}

/// One number and how it is computed.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Formula {
    /// The column it fills (for an update: the weight it gives the next iteration).
    pub column: String,
    /// How the page names it: the table's heading (an update's says which iteration it gives).
    pub label: String,
    pub pass: Pass,
    pub pieces: Vec<Piece>,
    /// The cells it is computed from, each once.
    pub feeds: Vec<Cell>,
    pub value: f64,
    /// Where it sits on the diagram: a neuron ("h1"), a weight's edge ("w5"), "E1", "E_total".
    pub at: String,
}

/// One factor of a gradient path, ∂(one thing)/∂(the next), where the diagram shows it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Factor {
    /// In symbols: "∂a_o1/∂o1".
    pub symbol: String,
    pub pieces: Vec<Piece>,
    pub value: f64,
    pub at: String,
}

/// A path from E_total back to a weight: its factors, whose product is its share of ∂E/∂w.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Path {
    pub factors: Vec<Factor>,
    pub value: f64,
}

/// Everything the page explains about one iteration of one learning rate.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    pub learning_rate: f64,
    pub iteration: usize,
    /// Every column of the row, in the step-through's order: forward, then backward.
    pub formulas: Vec<Formula>,
    /// w ← w − η·∂E/∂w, which gives the next iteration's weights.
    pub updates: Vec<Formula>,
    /// For each weight, its paths from E_total (one for w5…w8, two for w1…w4).
    pub paths: Vec<Vec<Path>>,
    /// E_total's computation graph, from the scalar engine (graph.rs).
    pub graph: Graph,
    /// Central finite differences (E(w + h) − E(w − h)) / 2h for each weight.
    pub numeric: [f64; 8],
    /// The step h they use.
    pub step: f64,
}

/// The step of the finite differences: small enough that their error (∝ h²) is ~1e-10,
/// large enough that f64 rounding (∝ 1/h) stays below it.
pub const STEP: f64 = 1e-5;

/// The names a template may use, and their values: the row's columns, the same with ′ for
/// the previous row's, and the settings' constants.
type Env = BTreeMap<String, f64>;

fn env(config: &TinyConfig, learning_rate: f64, row: &Row, previous: Option<&Row>) -> Env {
    let mut env = Env::new();
    for (c, v) in COLUMNS.iter().zip(row.values()) {
        env.insert(c.name.to_string(), v);
    }
    if let Some(p) = previous {
        for (c, v) in COLUMNS.iter().zip(p.values()) {
            env.insert(format!("{}'", c.name), v);
        }
    }
    let [b1, b2] = config.bias.unwrap_or([0.0, 0.0]);
    for (name, v) in [("i1", config.inputs[0]), ("i2", config.inputs[1]), ("t1", config.targets[0]), ("t2", config.targets[1]), ("b1", b1), ("b2", b2), ("eta", learning_rate)] {
        env.insert(name.to_string(), v);
    }
    env
}

/// How the page names `name`: a column's heading, η, or a constant as it is.
fn label(name: &str) -> String {
    let (base, previous) = name.strip_suffix('\'').map_or((name, false), |b| (b, true));
    let l = match column(base) {
        Some(k) => COLUMNS[k].label.to_string(),
        None if base == "eta" => "η".to_string(),
        None => base.to_string(),
    };
    if previous { format!("{l}′") } else { l }
}

/// `template`'s pieces: text between `{name}`s, each name with its value and cell.
fn pieces(template: &str, env: &Env) -> Result<Vec<Piece>, String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = open + rest[open..].find('}').ok_or_else(|| format!("the template {template:?} leaves a `{{` open"))?;
        if open > 0 {
            out.push(Piece { text: rest[..open].to_string(), value: None, cell: None });
        }
        let name = &rest[open + 1..close];
        let base = name.trim_end_matches('\'');
        let value = *env.get(name).ok_or_else(|| format!("the template {template:?} names {name}, which has no value"))?;
        let cell = column(base).map(|_| Cell { column: base.to_string(), previous: name.ends_with('\'') });
        out.push(Piece { text: label(name), value: Some(value), cell });
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece { text: rest.to_string(), value: None, cell: None });
    }
    Ok(out)
}

/// The value of `pieces` as arithmetic: + − · ( ) ½ σ(…) and a trailing ², the only
/// operations the templates use.
pub fn evaluate(pieces: &[Piece]) -> Result<f64, String> {
    // Tokens: a value, or one character of text (spaces dropped).
    let mut tokens: Vec<Token> = Vec::new();
    for p in pieces {
        match p.value {
            Some(v) => tokens.push(Token::Number(v)),
            None => {
                let mut chars = p.text.chars().filter(|c| !c.is_whitespace()).peekable();
                while let Some(c) = chars.next() {
                    if c.is_ascii_digit() {
                        let mut digits = c.to_string();
                        while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit() || **d == '.') {
                            digits.push(d);
                            chars.next();
                        }
                        tokens.push(Token::Number(digits.parse().map_err(|_| format!("{digits:?} is not a number"))?));
                    } else {
                        tokens.push(Token::Char(c));
                    }
                }
            }
        }
    }
    let mut parser = Parser { tokens, at: 0 };
    let v = parser.sum()?;
    if parser.at != parser.tokens.len() {
        return Err("a formula has more after its end".into());
    }
    Ok(v)
}

#[derive(Debug, Clone, Copy)]
enum Token {
    Number(f64),
    Char(char),
}

/// Recursive descent: sum = product (± product)*; product = power (· power)*;
/// power = atom ²?; atom = number | (sum) | σ(sum) | ½.
struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        match self.tokens.get(self.at) {
            Some(Token::Char(c)) => Some(*c),
            _ => None,
        }
    }

    /// Steps past `c`, or says which bracket the formula lacks.
    fn eat(&mut self, c: char) -> Result<(), String> {
        if self.peek() != Some(c) {
            return Err(format!("a formula lacks its {c}"));
        }
        self.at += 1;
        Ok(())
    }

    fn sum(&mut self) -> Result<f64, String> {
        let mut v = self.product()?;
        while let Some(c @ ('+' | '−')) = self.peek() {
            self.at += 1;
            let rhs = self.product()?;
            v = if c == '+' { v + rhs } else { v - rhs };
        }
        Ok(v)
    }

    fn product(&mut self) -> Result<f64, String> {
        let mut v = self.power()?;
        while self.peek() == Some('·') {
            self.at += 1;
            v *= self.power()?;
        }
        Ok(v)
    }

    fn power(&mut self) -> Result<f64, String> {
        let v = self.atom()?;
        if self.peek() == Some('²') {
            self.at += 1;
            return Ok(v * v);
        }
        Ok(v)
    }

    fn atom(&mut self) -> Result<f64, String> {
        let token = *self.tokens.get(self.at).ok_or("a formula ends too soon")?;
        self.at += 1;
        match token {
            Token::Number(v) => Ok(v),
            Token::Char('½') => Ok(0.5),
            Token::Char('(') => {
                let v = self.sum()?;
                self.eat(')')?;
                Ok(v)
            }
            Token::Char('σ') => {
                self.eat('(')?;
                let v = self.sum()?;
                self.eat(')')?;
                Ok(exact::sigmoid(v))
            }
            Token::Char(c) => Err(format!("a formula cannot read {c}")),
        }
    }
}

/// Each column's template, in the step-through's order, and where the diagram shows it.
fn templates(config: &TinyConfig) -> Vec<(&'static str, String, &'static str)> {
    let (hb, ob) = if config.bias.is_some() { (" + {b1}", " + {b2}") } else { ("", "") };
    let mut t = vec![
        ("h1", format!("{{i1}}·{{w1}} + {{i2}}·{{w2}}{hb}"), "h1"),
        ("a_h1", "σ({h1})".to_string(), "h1"),
        ("h2", format!("{{i1}}·{{w3}} + {{i2}}·{{w4}}{hb}"), "h2"),
        ("a_h2", "σ({h2})".to_string(), "h2"),
        ("o1", format!("{{a_h1}}·{{w5}} + {{a_h2}}·{{w6}}{ob}"), "o1"),
        ("a_o1", "σ({o1})".to_string(), "o1"),
        ("o2", format!("{{a_h1}}·{{w7}} + {{a_h2}}·{{w8}}{ob}"), "o2"),
        ("a_o2", "σ({o2})".to_string(), "o2"),
        ("E1", "½·({t1} − {a_o1})²".to_string(), "E1"),
        ("E2", "½·({t2} − {a_o2})²".to_string(), "E2"),
        ("E_total", "{E1} + {E2}".to_string(), "E_total"),
        ("dE_do1", "({a_o1} − {t1})·{a_o1}·(1 − {a_o1})".to_string(), "o1"),
        ("dE_do2", "({a_o2} − {t2})·{a_o2}·(1 − {a_o2})".to_string(), "o2"),
    ];
    // Output weights: w5, w6 feed o1 and multiply a_h1, a_h2; w7, w8 feed o2.
    for (k, o, h) in [(5, 1, 1), (6, 1, 2), (7, 2, 1), (8, 2, 2)] {
        t.push((WEIGHT_GRADIENTS[k - 1], format!("{{dE_do{o}}}·{{a_h{h}}}"), WEIGHTS[k - 1]));
    }
    // Hidden deltas: h1 reaches o1 through w5 and o2 through w7; h2 through w6 and w8.
    t.push(("dE_dh1", "({dE_do1}·{w5} + {dE_do2}·{w7})·{a_h1}·(1 − {a_h1})".to_string(), "h1"));
    t.push(("dE_dh2", "({dE_do1}·{w6} + {dE_do2}·{w8})·{a_h2}·(1 − {a_h2})".to_string(), "h2"));
    // Input weights: w1, w2 feed h1 and multiply i1, i2; w3, w4 feed h2.
    for (k, h, i) in [(1, 1, 1), (2, 1, 2), (3, 2, 1), (4, 2, 2)] {
        t.push((WEIGHT_GRADIENTS[k - 1], format!("{{dE_dh{h}}}·{{i{i}}}"), WEIGHTS[k - 1]));
    }
    t
}

const WEIGHTS: [&str; 8] = ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"];
const WEIGHT_GRADIENTS: [&str; 8] = ["dE_dw1", "dE_dw2", "dE_dw3", "dE_dw4", "dE_dw5", "dE_dw6", "dE_dw7", "dE_dw8"];

fn formula(column: &str, label: String, pass: Pass, template: &str, at: &str, env: &Env) -> Result<Formula, String> {
    let pieces = pieces(template, env)?;
    let mut feeds: Vec<Cell> = Vec::new();
    for cell in pieces.iter().filter_map(|p| p.cell.clone()) {
        if !feeds.contains(&cell) {
            feeds.push(cell);
        }
    }
    let value = evaluate(&pieces)?;
    Ok(Formula { column: column.to_string(), label, pass, pieces, feeds, value, at: at.to_string() })
}

/// The paths from E_total back to weight `k` (0-based), factor by factor.
fn paths(k: usize, env: &Env) -> Result<Vec<Path>, String> {
    let factor = |symbol: String, template: String, at: &str| -> Result<Factor, String> {
        let pieces = pieces(&template, env)?;
        Ok(Factor { symbol, value: evaluate(&pieces)?, pieces, at: at.to_string() })
    };
    // The output end of a path: E_total → a_o → o.
    let output = |o: usize| {
        Ok::<_, String>(vec![
            factor(format!("∂E_total/∂a_o{o}"), format!("{{a_o{o}}} − {{t{o}}}"), if o == 1 { "E1" } else { "E2" })?,
            factor(format!("∂a_o{o}/∂o{o}"), format!("{{a_o{o}}}·(1 − {{a_o{o}}})"), if o == 1 { "o1" } else { "o2" })?,
        ])
    };
    let w = k + 1;
    let mut out = Vec::new();
    if w >= 5 {
        // w5, w6 feed o1; w7, w8 feed o2. Each multiplies a_h1 (w5, w7) or a_h2 (w6, w8).
        let (o, h) = ((w - 5) / 2 + 1, (w - 5) % 2 + 1);
        let mut factors = output(o)?;
        factors.push(factor(format!("∂o{o}/∂w{w}"), format!("{{a_h{h}}}"), WEIGHTS[k])?);
        out.push(factors);
    } else {
        // w1, w2 feed h1; w3, w4 feed h2; h reaches both outputs.
        let (h, i) = ((w - 1) / 2 + 1, (w - 1) % 2 + 1);
        for o in 1..=2 {
            let through = WEIGHTS[4 + (o - 1) * 2 + (h - 1)]; // the weight from h to o
            let mut factors = output(o)?;
            factors.push(factor(format!("∂o{o}/∂a_h{h}"), format!("{{{through}}}"), through)?);
            factors.push(factor(format!("∂a_h{h}/∂h{h}"), format!("{{a_h{h}}}·(1 − {{a_h{h}}})"), if h == 1 { "h1" } else { "h2" })?);
            factors.push(factor(format!("∂h{h}/∂w{w}"), format!("{{i{i}}}"), WEIGHTS[k])?);
            out.push(factors);
        }
    }
    Ok(out.into_iter().map(|factors| Path { value: factors.iter().map(|f| f.value).product(), factors }).collect())
}

/// Central finite differences of E_total at weights `w`, one per weight.
pub fn finite_differences(config: &TinyConfig, w: [f64; 8], step: f64) -> [f64; 8] {
    std::array::from_fn(|k| {
        let mut up = w;
        let mut down = w;
        up[k] += step;
        down[k] -= step;
        (exact::row(config, 0, up).E_total - exact::row(config, 0, down).E_total) / (2.0 * step)
    })
}

/// The explanation of row `iteration` of the run at `learning_rate` (the row before it gives
/// the weights' formulas). An error means a template here is wrong, not the settings.
pub fn explain(config: &TinyConfig, learning_rate: f64, iteration: usize) -> Result<Explanation, String> {
    let mut short = config.clone();
    short.iterations = iteration;
    let trace = exact::train(&short, learning_rate);
    let row = &trace.rows[iteration];
    let previous = iteration.checked_sub(1).map(|i| &trace.rows[i]);
    let env = env(config, learning_rate, row, previous);

    let mut formulas: Vec<Formula> = WEIGHTS
        .iter()
        .map(|&w| match previous {
            Some(_) => formula(w, label(w), Pass::Update, &format!("{{{w}'}} − {{eta}}·{{dE_d{w}'}}"), w, &env),
            None => formula(w, label(w), Pass::Given, &format!("{{{w}}}"), w, &env),
        })
        .collect::<Result<_, _>>()?;
    for (c, t, at) in templates(config) {
        formulas.push(formula(c, label(c), if c.starts_with("dE_") { Pass::Backward } else { Pass::Forward }, &t, at, &env)?);
    }
    let updates = WEIGHTS
        .iter()
        .map(|&w| formula(w, format!("{w} at iteration {}", iteration + 1), Pass::Update, &format!("{{{w}}} − {{eta}}·{{dE_d{w}}}"), w, &env))
        .collect::<Result<_, _>>()?;
    Ok(Explanation {
        learning_rate,
        iteration,
        formulas,
        updates,
        paths: (0..8).map(|k| paths(k, &env)).collect::<Result<_, _>>()?,
        graph: graph::network(config, row.w),
        numeric: finite_differences(config, row.w, STEP),
        step: STEP,
    })
}
