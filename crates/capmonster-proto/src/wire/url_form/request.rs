//! Encoding the parameters and building the request.

use std::fmt::Write as _;

use crate::error::BuildError;
use crate::key::ClientKey;
use crate::service::Service;

use super::params::Pairs;

pub(super) use crate::service::{QueryEncoding, UrlFormOptions, UrlFormTransport};

// ---------------------------------------------------------------------------------------------
// Encoding and request building
// ---------------------------------------------------------------------------------------------

pub(super) fn encode_pairs(pairs: &[(String, String)], encoding: QueryEncoding) -> String {
    match encoding {
        QueryEncoding::Percent => serde_urlencoded::to_string(pairs).unwrap_or_default(),
        QueryEncoding::AsDocumented => {
            let mut out = String::new();
            for (i, (k, v)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push('&');
                }
                minimal_encode(&mut out, k, true);
                out.push('=');
                minimal_encode(&mut out, v, false);
            }
            out
        }
    }
}

/// Percent-encodes only what would change the query's meaning or is not a legal URI byte.
pub(super) fn minimal_encode(out: &mut String, s: &str, is_key: bool) {
    for &b in s.as_bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b','
                    | b';'
                    | b':'
                    | b'@'
                    | b'/'
                    | b'?'
            )
            || (b == b'=' && !is_key);
        if keep {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

pub(super) fn url_form_request(
    service: &Service,
    script: &str,
    pairs: &[(String, String)],
    options: UrlFormOptions,
) -> Result<http::Request<Vec<u8>>, BuildError> {
    let base = service.method_url(script);
    let builder =
        http::Request::builder().header(http::header::USER_AGENT, service.http_user_agent());
    let built = match options.transport {
        UrlFormTransport::PostForm => builder
            .method(http::Method::POST)
            .uri(base)
            .header(
                http::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(encode_pairs(pairs, QueryEncoding::Percent).into_bytes()),
        UrlFormTransport::Get => {
            let url = format!("{base}?{}", encode_pairs(pairs, options.encoding));
            builder.method(http::Method::GET).uri(url).body(Vec::new())
        }
    };
    built.map_err(|_| {
        BuildError::Validation(crate::error::ValidationError::new(
            "url",
            "the URL-form request is not a valid URI",
        ))
    })
}

pub(super) fn key_pair(key: &ClientKey) -> (String, String) {
    ("key".to_owned(), key.expose_secret())
}

pub(super) fn json_pair(options: UrlFormOptions, pairs: &mut Pairs) {
    if options.json {
        pairs.push(("json".to_owned(), "1".to_owned()));
    }
}
