//! Keeping the client's secrets (the key, proxy passwords) out of every text that came from
//! outside: [`redact`] for one text, `scrub` for every text in an error.

use std::borrow::Cow;

use super::ClientError;
use crate::error::{ApiError, UnparseableResponse};
use crate::solver::{AmbiguousCause, SolveError};

impl ClientError {
    /// Scrubs `secrets` (the key with and without its suffixes, proxy passwords) from every text
    /// in the error that came from outside: the service's codes and descriptions, the body's
    /// first bytes, the HTTP library's text. Both front ends pass every error they return
    /// through it, with `ClientConfig::secrets`.
    #[must_use]
    pub fn scrub(mut self, secrets: &[&str]) -> Self {
        match &mut self {
            Self::Api { error, .. } => error.scrub(secrets),
            Self::Unparseable { error, .. }
            | Self::AmbiguousCreate {
                cause: AmbiguousCause::Response(error),
                ..
            } => error.scrub(secrets),
            Self::Transport { error, .. } => error.detail = redact(&error.detail, secrets),
            Self::Timeout {
                last_cause: Some(cause),
                ..
            } => *cause = redact(cause, secrets),
            Self::NoSolution { raw, .. } => *raw = redact(raw, secrets),
            _ => {}
        }
        if let Self::AmbiguousCreate { detail, .. } = &mut self {
            *detail = redact(detail, secrets);
        }
        self
    }
}

/// Replaces every occurrence of the secrets in `text` with `[redacted]`, as written and
/// percent-encoded. The front ends run the HTTP library's error text through it, since some put
/// the request URL in their messages (and a URL-form GET carries the key); [`ClientError::scrub`]
/// runs every text that came from the server through it.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        for form in [Cow::Borrowed(*secret), percent_encoded(secret)] {
            if out.contains(form.as_ref()) {
                out = out.replace(form.as_ref(), "[redacted]");
            }
        }
    }
    out
}

/// [`redact`] for a text cut from a longer one (a body's first bytes): a secret cut in two at
/// the end is redacted too, when at least 4 of its characters made it in.
fn redact_cut(text: &str, secrets: &[&str]) -> String {
    let mut out = redact(text, secrets);
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        let longest = (4..secret.len())
            .rev()
            .filter(|&n| secret.is_char_boundary(n))
            .find(|&n| out.ends_with(&secret[..n]));
        if let Some(n) = longest {
            out.truncate(out.len() - n);
            out.push_str("[redacted]");
        }
    }
    out
}

fn percent_encoded(secret: &str) -> Cow<'_, str> {
    let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~');
    if secret.bytes().all(plain) {
        return Cow::Borrowed(secret);
    }
    let mut out = String::with_capacity(secret.len() * 3);
    for b in secret.bytes() {
        if plain(b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Cow::Owned(out)
}

impl ApiError {
    /// Scrubs `secrets` from the texts the service sent (code and description).
    pub(crate) fn scrub(&mut self, secrets: &[&str]) {
        if let Some(d) = &mut self.description {
            *d = redact(d, secrets);
        }
        if let crate::error::ErrorCode::Unknown(code) = &mut self.code {
            code.0 = redact(&code.0, secrets);
        }
    }
}

impl UnparseableResponse {
    /// Scrubs `secrets` from the reason (which may quote the body) and the body's first bytes.
    pub(crate) fn scrub(&mut self, secrets: &[&str]) {
        self.reason = redact(&self.reason, secrets);
        self.body_prefix = if self.body_len > self.body_prefix.len() {
            redact_cut(&self.body_prefix, secrets)
        } else {
            redact(&self.body_prefix, secrets)
        };
    }
}

impl SolveError {
    /// Scrubs `secrets` from every text in the error that came from the server.
    #[must_use]
    pub fn scrub(mut self, secrets: &[&str]) -> Self {
        match &mut self {
            Self::Api { error, .. } => error.scrub(secrets),
            Self::Unparseable { error, .. }
            | Self::AmbiguousCreate {
                cause: AmbiguousCause::Response(error),
                ..
            } => error.scrub(secrets),
            Self::Timeout {
                last_cause: Some(cause),
                ..
            } => *cause = redact(cause, secrets),
            Self::NoSolution { raw, .. } => *raw = redact(raw, secrets),
            _ => {}
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::solver::Phase;

    #[test]
    fn scrub_covers_everything_that_came_from_the_server() {
        let secrets = ["SECRETKEY1__nocache", "SECRETKEY1", "p@ss w"];
        let api = ClientError::Api {
            error: ApiError::new(
                ErrorCode::parse("ERR_SECRETKEY1"),
                Some("key SECRETKEY1__nocache is bad; proxy p%40ss%20w".into()),
                1,
                200,
            ),
            phase: Some(Phase::Create),
            task_id: None,
        };
        let page = format!("<html>clientKey=SECRETKEY1&x={}SECRETK", "y".repeat(480));
        let mut cut = UnparseableResponse::new(404, "not a JSON object", page.as_bytes());
        cut.body_len += 100;
        let unreadable = ClientError::Unparseable {
            error: cut,
            phase: None,
        };
        let ambiguous = ClientError::AmbiguousCreate {
            cause: AmbiguousCause::Response(UnparseableResponse::new(
                200,
                "not a JSON object",
                b"echo key=SECRETKEY1",
            )),
            detail: "GET /?key=SECRETKEY1".into(),
        };
        for e in [api, unreadable, ambiguous] {
            let e = e.scrub(&secrets);
            for text in [e.to_string(), format!("{e:?}")] {
                for needle in ["SECRETKEY1", "p@ss w", "p%40ss%20w", "SECRETK\""] {
                    assert!(!text.contains(needle), "{needle} in {text}");
                }
                assert!(text.contains("[redacted]"), "{text}");
            }
        }
    }

    #[test]
    fn redact_removes_every_secret() {
        let text = "GET http://h/in.php?key=SECRETKEY&x=1 failed; SECRETKEY again; pw hunter22";
        let out = redact(text, &["SECRETKEY", "hunter22", ""]);
        assert!(
            !out.contains("SECRETKEY") && !out.contains("hunter22"),
            "{out}"
        );
        assert_eq!(out.matches("[redacted]").count(), 3);
    }
}
