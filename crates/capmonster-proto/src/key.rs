//! The account key and its documented suffix modifiers.

use std::fmt;

use crate::error::ValidationError;

/// The CapMonster Cloud account key (`clientKey`).
///
/// The key is kept private: its `Debug` output is redacted, it has no `Display`, and no
/// `PartialEq`. The only way to read it back is [`ClientKey::expose_secret`], which is easy to
/// search for.
///
/// The documented suffix modifiers (`__<module>`, `__recognizingthreshold_<n>`, `__nocache`) are
/// typed options. They are appended when the key is serialised, in the documented order: key,
/// module, threshold, then `nocache` (see docs/PROTOCOL-NOTES.md, "key suffix order").
///
/// ```
/// use capmonster_proto::ClientKey;
/// let key = ClientKey::new("0123456789abcdef").unwrap().with_nocache(true);
/// assert_eq!(format!("{key:?}"), "ClientKey([redacted], nocache)");
/// assert_eq!(key.expose_secret(), "0123456789abcdef__nocache");
/// ```
#[derive(Clone)]
pub struct ClientKey {
    key: String,
    module: Option<String>,
    threshold: Option<u8>,
    nocache: bool,
}

impl ClientKey {
    /// Wraps an account key.
    ///
    /// The key must be non-empty, must not contain whitespace or control characters, and must
    /// not already contain `__` (suffixes are typed options: use the `with_*` methods). Use
    /// [`ClientKey::parse_with_suffixes`] to read a key that already carries suffixes.
    pub fn new(key: impl Into<String>) -> Result<Self, ValidationError> {
        let key = key.into();
        check_key_chars(&key)?;
        if key.contains("__") {
            return Err(ValidationError::new(
                "clientKey",
                "must not contain `__`; use ClientKey::parse_with_suffixes for a key that carries suffixes",
            ));
        }
        Ok(Self {
            key,
            module: None,
            threshold: None,
            nocache: false,
        })
    }

    /// Reads a key written with suffixes, such as `KEY__solvemedia__recognizingthreshold_70`
    /// or `KEY__nocache`, into the typed options. Suffixes may come in any order.
    pub fn parse_with_suffixes(text: &str) -> Result<Self, ValidationError> {
        check_key_chars(text)?;
        let mut parts = text.split("__");
        let base = parts.next().unwrap_or_default();
        let mut key = Self::new(base)?;
        for part in parts {
            if part == "nocache" {
                key.nocache = true;
            } else if let Some(n) = part.strip_prefix("recognizingthreshold_") {
                let value: u8 = n.parse().map_err(|_| {
                    ValidationError::new(
                        "clientKey",
                        "the recognizingthreshold suffix takes an integer from 0 to 100",
                    )
                })?;
                key = key.with_recognizing_threshold(value)?;
            } else {
                key = key.with_module(part)?;
            }
        }
        Ok(key)
    }

    /// Sets the ImageToText recognition module suffix (`KEY__<module>`).
    pub fn with_module(mut self, module: impl Into<String>) -> Result<Self, ValidationError> {
        let module = module.into();
        // A name starting or ending with `_` would run into the `__` separator and read back
        // as a different key (`K` + `__` + `_` + `__...` is `K_____...`).
        if module.is_empty()
            || module.contains("__")
            || module.starts_with('_')
            || module.ends_with('_')
            || !module
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(ValidationError::new(
                "clientKey.module",
                "a module name is non-empty Latin letters, digits, `_` or `-`, without `__`, \
                 not starting or ending with `_`",
            ));
        }
        self.module = Some(module);
        Ok(self)
    }

    /// Sets the recognition threshold suffix (`KEY__recognizingthreshold_<0..100>`).
    pub fn with_recognizing_threshold(mut self, threshold: u8) -> Result<Self, ValidationError> {
        if threshold > 100 {
            return Err(ValidationError::new(
                "clientKey.recognizingThreshold",
                "must be from 0 to 100",
            ));
        }
        self.threshold = Some(threshold);
        Ok(self)
    }

    /// Turns on the `__nocache` suffix, which applies `nocache` to every task sent with the key.
    #[must_use]
    pub fn with_nocache(mut self, nocache: bool) -> Self {
        self.nocache = nocache;
        self
    }

    /// Whether the `__nocache` suffix is on.
    pub fn nocache(&self) -> bool {
        self.nocache
    }

    /// The module suffix, if any.
    pub fn module(&self) -> Option<&str> {
        self.module.as_deref()
    }

    /// The threshold suffix, if any.
    pub fn recognizing_threshold(&self) -> Option<u8> {
        self.threshold
    }

    /// The key as it goes on the wire, suffixes included. This is the one place the secret is
    /// read; do not log what it returns.
    pub fn expose_secret(&self) -> String {
        let mut out = String::with_capacity(self.key.len() + 48);
        self.write_secret(&mut out);
        out
    }

    /// The bare key without suffixes. Do not log what it returns.
    pub fn expose_base_secret(&self) -> &str {
        &self.key
    }

    pub(crate) fn write_secret(&self, out: &mut String) {
        use fmt::Write as _;
        // Writing into a String cannot fail.
        let _ = write!(out, "{}", WireKey(self));
    }
}

fn check_key_chars(key: &str) -> Result<(), ValidationError> {
    if key.is_empty() {
        return Err(ValidationError::new("clientKey", "must not be empty"));
    }
    if key.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ValidationError::new(
            "clientKey",
            "must not contain whitespace or control characters (was it pasted with a newline?)",
        ));
    }
    Ok(())
}

impl fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientKey([redacted]")?;
        if let Some(m) = &self.module {
            write!(f, ", module={m}")?;
        }
        if let Some(t) = self.threshold {
            write!(f, ", recognizingthreshold={t}")?;
        }
        if self.nocache {
            f.write_str(", nocache")?;
        }
        f.write_str(")")
    }
}

/// Writes the wire form without allocating. Private: the key has no public `Display`.
struct WireKey<'a>(&'a ClientKey);

impl fmt::Display for WireKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = self.0;
        f.write_str(&key.key)?;
        if let Some(module) = &key.module {
            write!(f, "__{module}")?;
        }
        if let Some(t) = key.threshold {
            write!(f, "__recognizingthreshold_{t}")?;
        }
        if key.nocache {
            f.write_str("__nocache")?;
        }
        Ok(())
    }
}

impl serde::Serialize for ClientKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&WireKey(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_suffix_order() {
        let key = ClientKey::new("API_KEY")
            .unwrap()
            .with_module("solvemedia")
            .unwrap()
            .with_recognizing_threshold(70)
            .unwrap();
        assert_eq!(
            key.expose_secret(),
            "API_KEY__solvemedia__recognizingthreshold_70"
        );
    }

    /// Found by the `client_key` fuzz target: a module named `_` was accepted, and the key it
    /// wrote (`!5_____recognizingthreshold_5`) did not read back.
    #[test]
    fn module_names_cannot_touch_the_separator() {
        let fuzzed = "!5__recognizingthreshold_05__0__1_0__2__2___1_0__2__2__2___";
        assert!(ClientKey::parse_with_suffixes(fuzzed).is_err());
        for bad in ["_", "_a", "a_", "__"] {
            assert!(
                ClientKey::new("K").unwrap().with_module(bad).is_err(),
                "{bad}"
            );
        }
        let key = ClientKey::new("K")
            .unwrap()
            .with_module("a_b-c")
            .unwrap()
            .with_recognizing_threshold(5)
            .unwrap();
        let wire = key.expose_secret();
        assert_eq!(wire, "K__a_b-c__recognizingthreshold_5");
        let again = ClientKey::parse_with_suffixes(&wire).unwrap();
        assert_eq!(again.module(), Some("a_b-c"));
        assert_eq!(again.recognizing_threshold(), Some(5));
    }

    #[test]
    fn parse_round_trips() {
        for text in [
            "API_KEY__nocache",
            "API_KEY__solvemedia",
            "API_KEY__recognizingthreshold_70",
            "API_KEY__solvemedia__recognizingthreshold_70",
            "API_KEY__solvemedia__recognizingthreshold_0__nocache",
        ] {
            assert_eq!(
                ClientKey::parse_with_suffixes(text)
                    .unwrap()
                    .expose_secret(),
                text
            );
        }
        // Any order is read; the documented order is written.
        let k =
            ClientKey::parse_with_suffixes("K__nocache__recognizingthreshold_5__amazon").unwrap();
        assert_eq!(
            k.expose_secret(),
            "K__amazon__recognizingthreshold_5__nocache"
        );
    }

    #[test]
    fn bad_keys_name_the_rule() {
        let e = ClientKey::new("").unwrap_err();
        assert_eq!(e.field(), "clientKey");
        assert!(
            ClientKey::new("abc\n")
                .unwrap_err()
                .rule()
                .contains("whitespace")
        );
        assert!(ClientKey::new("a__b").is_err());
        let e = ClientKey::new("k")
            .unwrap()
            .with_recognizing_threshold(101)
            .unwrap_err();
        assert!(e.to_string().contains("0 to 100"), "{e}");
        assert!(ClientKey::parse_with_suffixes("k__recognizingthreshold_x").is_err());
        assert!(ClientKey::new("k").unwrap().with_module("a b").is_err());
    }

    #[test]
    fn debug_is_redacted() {
        let key = ClientKey::new("SECRET123")
            .unwrap()
            .with_module("yandex")
            .unwrap()
            .with_recognizing_threshold(9)
            .unwrap()
            .with_nocache(true);
        let shown = format!("{key:?} {key:#?}");
        assert!(!shown.contains("SECRET123"), "{shown}");
        assert!(shown.contains("[redacted]"));
    }
}
