//! The page's TypeScript types are generated from the Rust ones: a change on one side that the
//! other does not follow fails here, not at run time in a browser.
#![cfg(not(target_arch = "wasm32"))]

#[test]
fn the_pages_types_are_generated_from_the_rust_ones() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("www/generated/engine.ts");
    let generated = gradbook::boundary::typescript().unwrap();
    if std::env::var_os("GRADBOOK_WRITE_TYPES").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "{} is not what the Rust types generate: run `GRADBOOK_WRITE_TYPES=1 cargo test --test typescript`",
        path.display()
    );
}
