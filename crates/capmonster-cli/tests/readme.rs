//! README.md shows the library snippets that `examples/readme_*.rs` compile: keep them equal,
//! and keep its first command the one that works.

use std::path::Path;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The part of an example between its `// readme-start` and `// readme-end` lines.
fn snippet(example: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = read(&dir.join("examples").join(example));
    let start = text
        .find("// readme-start\n")
        .expect("a readme-start marker")
        + 16;
    let end = text.find("// readme-end").expect("a readme-end marker");
    text[start..end].to_owned()
}

#[test]
fn docs_show_the_compiled_snippets() {
    let doc = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"));
    for example in ["readme_blocking.rs", "readme_async.rs"] {
        let code = snippet(example);
        assert!(
            doc.contains(&format!("```rust\n{code}```")),
            "README.md does not show examples/{example} as it is:\n{code}"
        );
    }
    assert!(doc.contains(
        "cargo run -p capmonster-cli -- --emulator solve recaptcha-v2 --website-url https://example.com --website-key "
    ));
}
