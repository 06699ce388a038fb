//! The `gradbook` binary as a user runs it.

use std::process::Command;

fn gradbook(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gradbook")).args(args).output().expect("run gradbook")
}

#[test]
fn tiny_csv_prints_the_sheet() {
    let out = gradbook(&["tiny", "--lr", "0.1,0.2,0.5,0.8,1.0,2.0", "--iterations", "40", "--csv"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1 + 6 * 41);
    assert!(lines[0].starts_with("lr,iteration,w1,"));
    let first: Vec<f64> = lines[1].split(',').map(|v| v.parse().unwrap()).collect();
    assert!((first[20] - 0.242519857).abs() < 1e-9, "E_total at iteration 0: {}", first[20]);
}

#[test]
fn tiny_burn_engine_agrees_with_exact() {
    let exact = gradbook(&["tiny", "--iterations", "20", "--bias", "0.35,0.60", "--csv"]);
    let burn = gradbook(&["tiny", "--iterations", "20", "--bias", "0.35,0.60", "--engine", "burn", "--csv"]);
    assert!(exact.status.success() && burn.status.success());
    let parse = |o: &std::process::Output| -> Vec<f64> {
        String::from_utf8_lossy(&o.stdout).lines().skip(1).flat_map(|l| l.split(',').map(|v| v.parse::<f64>().unwrap()).collect::<Vec<_>>()).collect()
    };
    let (a, b) = (parse(&exact), parse(&burn));
    assert_eq!(a.len(), b.len());
    let worst = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max);
    assert!(worst < 1e-5, "engines differ by {worst}");
}

#[test]
fn bad_input_exits_nonzero_with_one_line() {
    for args in [
        vec!["tiny", "--lr", "0"],
        vec!["tiny", "--lr", "abc"],
        vec!["tiny", "--iterations", "0"],
        vec!["tiny", "--weights", "1,2,3"],
        vec!["tiny", "--targets", "0.5,NaN"],
    ] {
        let out = gradbook(&args);
        assert!(!out.status.success(), "{args:?} should fail");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.trim().is_empty(), "{args:?} gave no reason");
    }
}
