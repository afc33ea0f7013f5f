//! Reading a key with suffixes never panics, and what it writes reads back the same.
#![no_main]

use capmonster_proto::ClientKey;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(key) = ClientKey::parse_with_suffixes(text) {
        let wire = key.expose_secret();
        let again = ClientKey::parse_with_suffixes(&wire).expect("our own output reads back");
        assert_eq!(again.expose_secret(), wire);
        assert!(format!("{key:?}").starts_with("ClientKey([redacted]"));
    }
});
