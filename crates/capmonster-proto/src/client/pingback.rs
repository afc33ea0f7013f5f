//! The pingback desk: one per client in pingback mode. It hands each solve an unguessable
//! callback URL under the user's base, and matches each delivery (the path and body the user's
//! web server received) to the solve that waits for it, refusing everything else.
//!
//! The token in each URL is 128 bits the front end draws from the operating system for that
//! solve (the core has no random source); it is the only thing that tells a real delivery from
//! a forged one, so it is compared in full and never logged.

use std::collections::{HashMap, HashSet, VecDeque};
use std::task::Waker;

use crate::endpoint::TaskId;
use crate::error::ValidationError;
use crate::service::Service;
use crate::solver::{is_final, read_delivered};
use crate::task::TaskKind;

/// Bytes of entropy in a callback URL's token (128 bits, written as 32 hex digits).
pub(crate) const TOKEN_BYTES: usize = 16;

/// Finished solves remembered, so that a late delivery is named as late rather than unknown.
const FINISHED_REMEMBERED: usize = 4096;

/// Why [`Shared::deliver`](super::Shared::deliver) refused a delivery. A refused delivery
/// changes nothing: the solve it names (if any) goes on waiting, and polls on its fallback
/// schedule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeliveryRefused {
    /// The client was built without a pingback base.
    #[error("this client has no pingback base")]
    NotConfigured,
    /// The path is not the pingback base's path followed by one token.
    #[error("the path is not under this client's pingback base")]
    NotOurs,
    /// No solve of this client waits on this token (never issued, or forgotten long ago).
    #[error("no solve waits for this callback URL")]
    UnknownToken,
    /// The solve of this token has finished; the delivery came too late.
    #[error("the solve of this callback URL has finished")]
    Finished,
    /// A result was already delivered for this token.
    #[error("a result was already delivered to this callback URL")]
    Duplicate,
    /// The body is larger than the client's answer cap.
    #[error("the body is larger than {limit} bytes")]
    TooLarge {
        /// The cap (the client's `max_response_bytes`).
        limit: usize,
    },
    /// The body is not a getTaskResult answer that ends the task (not readable, "processing",
    /// or an error that says to ask again).
    #[error("the body is not a final getTaskResult answer: {reason}")]
    NotAResult {
        /// Why, with any quoted bytes bounded and escaped.
        reason: String,
    },
    /// The body names another task than the one this token was issued for.
    #[error("the body names task {named}, but this callback URL is for task {expected}")]
    OtherTask {
        /// The `taskId` in the body.
        named: TaskId,
        /// The task of the token.
        expected: TaskId,
    },
}

/// One solve waiting for its delivery.
#[derive(Debug)]
struct Slot {
    kind: TaskKind,
    task_id: Option<TaskId>,
    /// A delivered body the solve has not taken yet.
    delivered: Option<Vec<u8>>,
    /// A delivery was accepted (taken or not): any other one is a duplicate.
    accepted: bool,
    waker: Waker,
}

/// The callback URLs of one client's solves in flight. Front ends reach it through
/// [`Shared`](super::Shared) and [`Run`](super::Run).
#[derive(Debug)]
pub(crate) struct PingbackDesk {
    /// The base URL without its trailing `/`.
    base: String,
    /// The base URL's path without its trailing `/` (empty for the root).
    base_path: String,
    service: Service,
    max_body: usize,
    slots: HashMap<[u8; TOKEN_BYTES], Slot>,
    finished: HashSet<[u8; TOKEN_BYTES]>,
    finished_order: VecDeque<[u8; TOKEN_BYTES]>,
}

impl PingbackDesk {
    /// A desk for callback URLs under `base` (checked by [`check_base`]).
    pub(crate) fn new(base: &str, service: Service, max_body: usize) -> Self {
        let base = base.trim_end_matches('/').to_owned();
        let base_path = base
            .parse::<http::Uri>()
            .map(|u| u.path().trim_end_matches('/').to_owned())
            .unwrap_or_default();
        Self {
            base,
            base_path,
            service,
            max_body,
            slots: HashMap::new(),
            finished: HashSet::new(),
            finished_order: VecDeque::new(),
        }
    }

    /// Opens a slot for a new solve of `kind`; returns its callback URL.
    pub(crate) fn open(
        &mut self,
        token: [u8; TOKEN_BYTES],
        kind: TaskKind,
        waker: Waker,
    ) -> String {
        let slot = Slot {
            kind,
            task_id: None,
            delivered: None,
            accepted: false,
            waker,
        };
        self.slots.insert(token, slot);
        format!("{}/{}", self.base, hex(&token))
    }

    /// Records the task id of a slot, once createTask has answered.
    pub(crate) fn set_task_id(&mut self, token: &[u8; TOKEN_BYTES], task_id: TaskId) {
        if let Some(slot) = self.slots.get_mut(token) {
            slot.task_id = Some(task_id);
        }
    }

    /// The delivered body waiting for the solve, if any.
    pub(crate) fn take(&mut self, token: &[u8; TOKEN_BYTES]) -> Option<Vec<u8>> {
        self.slots.get_mut(token)?.delivered.take()
    }

    /// Takes back the acceptance of a body the solve could not use (it named another task, and
    /// came before the task id was known), so that the real delivery is still taken.
    pub(crate) fn reopen(&mut self, token: &[u8; TOKEN_BYTES]) {
        if let Some(slot) = self.slots.get_mut(token) {
            slot.accepted = false;
        }
    }

    /// Closes a slot when its solve ends (or is dropped); later deliveries are late.
    pub(crate) fn close(&mut self, token: &[u8; TOKEN_BYTES]) {
        if self.slots.remove(token).is_none() {
            return;
        }
        if self.finished_order.len() >= FINISHED_REMEMBERED {
            if let Some(old) = self.finished_order.pop_front() {
                self.finished.remove(&old);
            }
        }
        self.finished.insert(*token);
        self.finished_order.push_back(*token);
    }

    /// Checks one delivery and stores it for its solve. Returns the solve's waker, to be woken
    /// once the desk's lock is released.
    pub(crate) fn deliver(&mut self, path: &str, body: &[u8]) -> Result<Waker, DeliveryRefused> {
        if body.len() > self.max_body {
            return Err(DeliveryRefused::TooLarge {
                limit: self.max_body,
            });
        }
        let token = self.token_in(path)?;
        let Some(slot) = self.slots.get_mut(&token) else {
            return Err(if self.finished.contains(&token) {
                DeliveryRefused::Finished
            } else {
                DeliveryRefused::UnknownToken
            });
        };
        if slot.accepted {
            return Err(DeliveryRefused::Duplicate);
        }
        check_body(&self.service, slot.kind, slot.task_id, body)?;
        slot.accepted = true;
        slot.delivered = Some(body.to_vec());
        Ok(slot.waker.clone())
    }

    /// The token at the end of `path`, when the rest of it is the base's path.
    fn token_in(&self, path: &str) -> Result<[u8; TOKEN_BYTES], DeliveryRefused> {
        // An absolute URL or an origin-form path (with or without a query): keep the path.
        let uri: http::Uri = path.parse().map_err(|_| DeliveryRefused::NotOurs)?;
        let (prefix, last) = uri
            .path()
            .rsplit_once('/')
            .ok_or(DeliveryRefused::NotOurs)?;
        if prefix != self.base_path {
            return Err(DeliveryRefused::NotOurs);
        }
        unhex(last).ok_or(DeliveryRefused::UnknownToken)
    }
}

/// A delivered body must be a final getTaskResult answer, and must not name another task.
fn check_body(
    service: &Service,
    kind: TaskKind,
    task_id: Option<TaskId>,
    body: &[u8],
) -> Result<(), DeliveryRefused> {
    let result = read_delivered(service, task_id.unwrap_or(0), kind, body);
    if !is_final(&result) {
        let reason = match &result {
            Err(e) => e.to_string(),
            Ok(_) => "the task is still processing".to_owned(),
        };
        return Err(DeliveryRefused::NotAResult { reason });
    }
    #[derive(serde::Deserialize)]
    struct Named {
        #[serde(rename = "taskId")]
        task_id: Option<serde_json::Value>,
    }
    let named = serde_json::from_slice::<Named>(body)
        .ok()
        .and_then(|n| n.task_id);
    match (named, task_id) {
        (None, _) => Ok(()),
        (Some(serde_json::Value::Number(n)), Some(expected)) => match n.as_u64() {
            Some(named) if named == expected => Ok(()),
            Some(named) => Err(DeliveryRefused::OtherTask { named, expected }),
            None => Err(not_a_task_id()),
        },
        // The task id is not known yet (createTask has not answered): the solve checks again
        // when it takes the body.
        (Some(serde_json::Value::Number(n)), None) if n.as_u64().is_some() => Ok(()),
        (Some(_), _) => Err(not_a_task_id()),
    }
}

fn not_a_task_id() -> DeliveryRefused {
    DeliveryRefused::NotAResult {
        reason: "taskId is not a task id".to_owned(),
    }
}

/// The `taskId` a delivered body names, if it names one (for the solve's own check).
pub(crate) fn named_task_id(body: &[u8]) -> Option<TaskId> {
    #[derive(serde::Deserialize)]
    struct Named {
        #[serde(rename = "taskId")]
        task_id: Option<TaskId>,
    }
    serde_json::from_slice::<Named>(body).ok()?.task_id
}

/// Checks a pingback base URL: `http://` or `https://`, a host, a path if any, no query,
/// fragment, user info, whitespace or control character, at most 512 bytes; and a service that
/// speaks JSON (the URL form's `pingback` carries another body).
pub(crate) fn check_base(base: &str, service: &Service) -> Result<(), ValidationError> {
    let bad = |rule: &str| Err(ValidationError::new("pingbackBase", rule));
    if crate::wire::is_url_form(service) {
        return bad("needs a JSON-API service: the URL form's pingback carries another body");
    }
    if base.len() > 512 || base.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return bad("must be at most 512 bytes, without spaces or control characters");
    }
    if base.contains(['?', '#', '@']) {
        return bad("must not carry a query, a fragment or user info");
    }
    let Ok(uri) = base.parse::<http::Uri>() else {
        return bad("must be a full http:// or https:// URL");
    };
    if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
        return bad("must be a full http:// or https:// URL with a host");
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// Exactly `2 * TOKEN_BYTES` lowercase hex digits.
fn unhex(text: &str) -> Option<[u8; TOKEN_BYTES]> {
    let digits = text.as_bytes();
    if digits.len() != 2 * TOKEN_BYTES {
        return None;
    }
    let value = |d: u8| match d {
        b'0'..=b'9' => Some(d - b'0'),
        b'a'..=b'f' => Some(d - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; TOKEN_BYTES];
    for (i, pair) in digits.chunks(2).enumerate() {
        out[i] = value(pair[0])? << 4 | value(pair[1])?;
    }
    Some(out)
}
