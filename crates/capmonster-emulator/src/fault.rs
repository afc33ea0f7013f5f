//! Fault injection: what can go wrong on the wire, where, and how often.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::Serialize;

/// One kind of misbehaviour the emulator can inject instead of (or on top of) a normal answer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[non_exhaustive]
pub enum FaultKind {
    /// HTTP 200 with `ERROR_NO_SLOT_AVAILABLE`; the request is not carried out.
    NoSlot,
    /// HTTP 429 with a JSON error body (`ERROR_TOO_MUCH_REQUESTS`).
    Http429Json,
    /// HTTP 429 with an empty body.
    Http429Empty,
    /// HTTP 500 with a short plain-text body.
    Http500,
    /// HTTP 503 with a JSON error body (`ERROR_NO_SLOT_AVAILABLE`).
    Http503Json,
    /// HTTP 502 with an nginx-style HTML page.
    Html502,
    /// HTTP 200 with an empty body.
    EmptyBody,
    /// The connection is closed (with `SO_LINGER` 0, so the peer sees a reset) before any
    /// response; the request is not carried out.
    Reset,
    /// The request is carried out, then the connection is reset instead of answering: the client
    /// cannot know whether its createTask happened.
    ResetAfterProcessing,
    /// The answer is held back this long (divided by the speed factor), then sent normally.
    Stall {
        /// How long to hold the answer, in emulated time.
        duration: Duration,
    },
    /// The normal answer is sent a few bytes at a time, with a pause between pieces.
    Dribble {
        /// Bytes per piece.
        chunk: usize,
        /// Pause between pieces (real time: the speed factor does not apply).
        interval: Duration,
    },
}

impl FaultKind {
    /// Every kind with default parameters, for documentation and tests.
    pub const ALL: &'static [FaultKind] = &[
        FaultKind::NoSlot,
        FaultKind::Http429Json,
        FaultKind::Http429Empty,
        FaultKind::Http500,
        FaultKind::Http503Json,
        FaultKind::Html502,
        FaultKind::EmptyBody,
        FaultKind::Reset,
        FaultKind::ResetAfterProcessing,
        FaultKind::Stall {
            duration: Duration::from_secs(5),
        },
        FaultKind::Dribble {
            chunk: 4,
            interval: Duration::from_millis(5),
        },
    ];

    /// A stable name, as used on the command line and in stats (`no-slot`, `http429`, `stall`...).
    pub fn name(&self) -> &'static str {
        match self {
            Self::NoSlot => "no-slot",
            Self::Http429Json => "http429",
            Self::Http429Empty => "http429-empty",
            Self::Http500 => "http500",
            Self::Http503Json => "http503",
            Self::Html502 => "html502",
            Self::EmptyBody => "empty-body",
            Self::Reset => "reset",
            Self::ResetAfterProcessing => "reset-after",
            Self::Stall { .. } => "stall",
            Self::Dribble { .. } => "dribble",
        }
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Stall { duration } => write!(f, "stall={}", duration.as_secs_f64()),
            Self::Dribble { chunk, interval } => {
                write!(f, "dribble={chunk}/{}", interval.as_millis())
            }
            other => f.write_str(other.name()),
        }
    }
}

/// A fault description that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseFaultError(String);

impl fmt::Display for ParseFaultError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseFaultError {}

impl FromStr for FaultKind {
    type Err = ParseFaultError;

    /// Reads `no-slot`, `http429`, `http429-empty`, `http500`, `http503`, `html502`, `empty-body`,
    /// `reset`, `reset-after`, `stall=SECONDS` (or `stall`, 5 s), `dribble=BYTES/MILLIS` (or
    /// `dribble`, 4 bytes every 5 ms).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ParseFaultError(format!("unknown fault kind `{s}`"));
        let (name, arg) = match s.split_once('=') {
            Some((n, a)) => (n, Some(a)),
            None => (s, None),
        };
        let kind = match name {
            "no-slot" | "noslot" => Self::NoSlot,
            "http429" | "429" => Self::Http429Json,
            "http429-empty" | "429-empty" => Self::Http429Empty,
            "http500" | "500" => Self::Http500,
            "http503" | "503" => Self::Http503Json,
            "html502" | "502" => Self::Html502,
            "empty-body" | "empty" => Self::EmptyBody,
            "reset" => Self::Reset,
            "reset-after" => Self::ResetAfterProcessing,
            "stall" => {
                let secs: f64 = match arg {
                    Some(a) => a.parse().map_err(|_| bad())?,
                    None => 5.0,
                };
                let Ok(duration) = Duration::try_from_secs_f64(secs) else {
                    return Err(bad());
                };
                return Ok(Self::Stall { duration });
            }
            "dribble" => {
                let (chunk, ms) = match arg {
                    Some(a) => {
                        let (c, m) = a.split_once('/').ok_or_else(bad)?;
                        (c.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?)
                    }
                    None => (4, 5),
                };
                if chunk == 0 {
                    return Err(bad());
                }
                return Ok(Self::Dribble {
                    chunk,
                    interval: Duration::from_millis(ms),
                });
            }
            _ => return Err(bad()),
        };
        if arg.is_some() {
            return Err(bad());
        }
        Ok(kind)
    }
}

/// Which requests a fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Scope {
    /// `createTask` only.
    Create,
    /// `getTaskResult` only.
    Poll,
    /// `getBalance` only.
    Balance,
    /// The report methods only.
    Report,
    /// Every API method (not the stats page).
    Any,
}

impl Scope {
    /// A stable name (`create`, `poll`, `balance`, `report`, `any`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Poll => "poll",
            Self::Balance => "balance",
            Self::Report => "report",
            Self::Any => "any",
        }
    }

    /// Whether a request in scope `actual` (never `Any`) is covered by this scope.
    pub fn covers(self, actual: Scope) -> bool {
        self == Scope::Any || self == actual
    }
}

impl FromStr for Scope {
    type Err = ParseFaultError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "create" | "createTask" => Self::Create,
            "poll" | "getTaskResult" => Self::Poll,
            "balance" | "getBalance" => Self::Balance,
            "report" => Self::Report,
            "any" => Self::Any,
            _ => return Err(ParseFaultError(format!("unknown fault scope `{s}`"))),
        })
    }
}

/// How often a fault fires.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Trigger {
    /// On each request in scope with this probability (0 to 1), drawn from the seeded random source.
    Rate(f64),
    /// On the next `n` requests in scope, then never again. Scripted faults are used before rates.
    Next(u32),
}

/// One fault rule: a kind, where it applies, and how often.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FaultRule {
    /// What happens.
    pub kind: FaultKind,
    /// To which requests.
    pub scope: Scope,
    /// How often.
    pub trigger: Trigger,
}

impl FaultRule {
    /// `kind` on a `rate` fraction (0 to 1) of the requests in `scope`.
    pub fn rate(kind: FaultKind, scope: Scope, rate: f64) -> Self {
        Self {
            kind,
            scope,
            trigger: Trigger::Rate(rate.clamp(0.0, 1.0)),
        }
    }

    /// `kind` on the next `n` requests in `scope`.
    pub fn next(kind: FaultKind, scope: Scope, n: u32) -> Self {
        Self {
            kind,
            scope,
            trigger: Trigger::Next(n),
        }
    }
}

impl FromStr for FaultRule {
    type Err = ParseFaultError;

    /// Reads `[SCOPE/]KIND:RATE` or `[SCOPE/]KIND:#N` (the next N requests), e.g.
    /// `create/no-slot:#3`, `poll/http503:0.1`, `stall=2:0.05`. The scope defaults to `any`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (rest, how) = s
            .rsplit_once(':')
            .ok_or_else(|| ParseFaultError(format!("`{s}`: expected KIND:RATE or KIND:#N")))?;
        let (scope, kind) = match rest.split_once('/') {
            Some((sc, k)) => (sc.parse()?, k),
            None => (Scope::Any, rest),
        };
        let kind: FaultKind = kind.parse()?;
        let bad = || ParseFaultError(format!("`{s}`: bad rate `{how}`"));
        let trigger = match how.strip_prefix('#') {
            Some(n) => Trigger::Next(n.parse().map_err(|_| bad())?),
            None => {
                let r: f64 = how.parse().map_err(|_| bad())?;
                if !(0.0..=1.0).contains(&r) {
                    return Err(bad());
                }
                Trigger::Rate(r)
            }
        };
        Ok(Self {
            kind,
            scope,
            trigger,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rules() {
        let r: FaultRule = "create/no-slot:#3".parse().unwrap();
        assert_eq!(r, FaultRule::next(FaultKind::NoSlot, Scope::Create, 3));
        let r: FaultRule = "stall=2.5:0.25".parse().unwrap();
        assert_eq!(
            r,
            FaultRule::rate(
                FaultKind::Stall {
                    duration: Duration::from_millis(2500)
                },
                Scope::Any,
                0.25
            )
        );
        let r: FaultRule = "poll/dribble=2/10:1".parse().unwrap();
        assert_eq!(
            r.kind,
            FaultKind::Dribble {
                chunk: 2,
                interval: Duration::from_millis(10)
            }
        );
        assert!("nonsense:1".parse::<FaultRule>().is_err());
        assert!("reset:2".parse::<FaultRule>().is_err());
        assert!("reset".parse::<FaultRule>().is_err());
        assert!("x/reset:1".parse::<FaultRule>().is_err());
        for k in FaultKind::ALL {
            assert_eq!(k.to_string().parse::<FaultKind>().unwrap(), *k);
        }
    }
}
