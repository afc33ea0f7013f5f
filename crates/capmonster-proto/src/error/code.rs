//! The error codes: one table of each code's spelling, class, numeric id and hint.

use std::fmt;

use super::escape_control;

/// What a caller should do about an error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorClass {
    /// The task is still being solved: poll again later.
    NotReady,
    /// Transient: send the same call again after a delay. Nothing new is charged.
    RetryCall,
    /// This task failed, but a new task with the same or fresh input may succeed (and may cost money).
    RetryTask,
    /// This task or its input is bad: fix the input before creating another.
    FatalTask,
    /// The key, balance, account or client configuration is wrong: stop and fix it.
    /// Repeating the call can get the IP banned.
    FatalConfig,
}

impl ErrorClass {
    /// A stable lowercase name (`not-ready`, `retry-call`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotReady => "not-ready",
            Self::RetryCall => "retry-call",
            Self::RetryTask => "retry-task",
            Self::FatalTask => "fatal-task",
            Self::FatalConfig => "fatal-config",
        }
    }
}

impl fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text of an error code this crate does not know. Opaque on purpose: read it with
/// [`UnknownCode::as_str`] (or [`ErrorCode::as_str`]), and do not match on it, since a later
/// release may give the code its own [`ErrorCode`] variant.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnknownCode(pub(crate) String);

impl UnknownCode {
    /// The code as the service spelled it (never empty).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $text:literal, $class:ident, $ac:expr, $hint:literal; )*) => {
        /// An error code sent by the service, spelled exactly as the service spells it.
        ///
        /// Every code in CapMonster Cloud's glossary is here, plus the codes of the compatible
        /// dialects (Anti-Captcha, 2Captcha, and the in.php/res.php URL form). A code this crate
        /// does not know is kept as [`ErrorCode::Unknown`] with its raw text, and an error answer
        /// that names no code is [`ErrorCode::Missing`]. Read the text of any code with
        /// [`ErrorCode::as_str`]: match on [`ErrorCode::Unknown`]'s content never, because a later
        /// release may give that code its own variant.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[$doc])* #[doc = concat!("`", $text, "`")] $variant, )*
            /// A code this crate does not know, kept verbatim (read it with [`ErrorCode::as_str`]).
            Unknown(UnknownCode),
            /// The error answer named no code (`errorCode` absent, null or empty, and no
            /// `errorId` this dialect maps to a code). [`ErrorCode::as_str`] gives `""`.
            Missing,
        }

        impl ErrorCode {
            /// Every known code, in glossary order.
            pub const KNOWN: &'static [ErrorCode] = &[ $( ErrorCode::$variant, )* ];

            /// Reads a code from its wire text. Never fails: empty text is [`ErrorCode::Missing`],
            /// unknown text becomes [`ErrorCode::Unknown`].
            pub fn parse(text: &str) -> Self {
                match text {
                    "" => Self::Missing,
                    $( $text => Self::$variant, )*
                    // The URL form's spelling of not-ready (see docs/PROTOCOL-NOTES.md).
                    "CAPCHA_NOT_READY" => Self::CaptchaNotReady,
                    // The URL form's bare spelling of the IP ban.
                    "IP_BANNED" => Self::IpBanned,
                    // 2Captcha's prefixed spelling of the wrong id.
                    "ERROR_WRONG_CAPTCHA_ID" => Self::WrongCaptchaId,
                    "ERR_PROXY_CONNECTION_FAILED" => Self::ProxyConnectionFailed,
                    other => Self::Unknown(UnknownCode(other.to_owned())),
                }
            }

            /// The code as the service spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )*
                    Self::Unknown(u) => u.as_str(),
                    Self::Missing => "",
                }
            }

            /// What a caller should do about it. Unknown codes are [`ErrorClass::FatalTask`]:
            /// stop this task, and do not retry blindly.
            pub fn class(&self) -> ErrorClass {
                match self {
                    $( Self::$variant => ErrorClass::$class, )*
                    Self::Unknown(_) | Self::Missing => ErrorClass::FatalTask,
                }
            }

            /// True for a code this crate knows (neither [`ErrorCode::Unknown`] nor
            /// [`ErrorCode::Missing`]).
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_) | Self::Missing)
            }

            /// The `errorId` Anti-Captcha (and 2Captcha's JSON API) send for this code, where known.
            pub fn anti_captcha_id(&self) -> Option<u32> {
                match self {
                    $( Self::$variant => $ac, )*
                    Self::Unknown(_) | Self::Missing => None,
                }
            }

            /// The code whose Anti-Captcha `errorId` is `id`, where the id is unique.
            pub fn from_anti_captcha_id(id: u32) -> Option<Self> {
                Self::KNOWN.iter().find(|c| c.anti_captcha_id() == Some(id)).cloned()
            }

            /// One line on what to do next.
            pub fn hint(&self) -> &'static str {
                match self {
                    $( Self::$variant => $hint, )*
                    Self::Unknown(_) | Self::Missing => "unknown code: read the description, and check the service's error list before retrying",
                }
            }
        }
    };
}

error_codes! {
    KeyDoesNotExist = "ERROR_KEY_DOES_NOT_EXIST", FatalConfig, Some(1),
        "check the API key in your dashboard; repeating a wrong key gets the IP banned";
    ZeroBalance = "ERROR_ZERO_BALANCE", FatalConfig, Some(10),
        "top up the balance; repeating this gets the IP banned for 10 minutes";
    TooBigCaptchaFilesize = "ERROR_TOO_BIG_CAPTCHA_FILESIZE", FatalTask, Some(4),
        "shrink the image below 50 KB";
    ZeroCaptchaFilesize = "ERROR_ZERO_CAPTCHA_FILESIZE", FatalTask, Some(3),
        "the image is under 100 bytes: capture it again";
    NoSuchCapchaId = "ERROR_NO_SUCH_CAPCHA_ID", FatalTask, Some(16),
        "the task id is unknown or expired (results are kept about 5 minutes): create a new task";
    WrongCaptchaId = "WRONG_CAPTCHA_ID", FatalTask, None,
        "the task id is unknown or expired: create a new task";
    CaptchaUnsolvable = "ERROR_CAPTCHA_UNSOLVABLE", RetryTask, Some(12),
        "check the task's parameters, then create a new task with fresh data";
    CaptchaNotReady = "CAPTCHA_NOT_READY", NotReady, None,
        "still solving: poll again in 2 seconds or more";
    IpNotAllowed = "ERROR_IP_NOT_ALLOWED", FatalConfig, Some(11),
        "add this machine's IP to the key's trusted list in the dashboard";
    IpBanned = "ERROR_IP_BANNED", FatalConfig, None,
        "the IP is banned for too many bad requests; wait about 10 minutes and fix the key";
    NoSuchMethod = "ERROR_NO_SUCH_METHOD", FatalConfig, Some(14),
        "the method or task type is not recognised: check the service profile and the task type";
    TooMuchRequests = "ERROR_TOO_MUCH_REQUESTS", RetryCall, None,
        "poll no more than once every 2 seconds per task";
    DomainNotAllowed = "ERROR_DOMAIN_NOT_ALLOWED", FatalTask, None,
        "the service refuses captchas from this domain";
    TokenExpired = "ERROR_TOKEN_EXPIRED", FatalTask, Some(34),
        "a dynamic value (such as a GeeTest challenge) is stale: fetch a fresh one and create a new task";
    NoSlotAvailable = "ERROR_NO_SLOT_AVAILABLE", RetryCall, Some(2),
        "no free capacity right now: retry after a short backoff";
    RecaptchaInvalidSitekey = "ERROR_RECAPTCHA_INVALID_SITEKEY", FatalTask, Some(31),
        "check websiteKey against the page's data-sitekey";
    RecaptchaInvalidDomain = "ERROR_RECAPTCHA_INVALID_DOMAIN", FatalTask, Some(32),
        "websiteURL must be the http(s) page the site key belongs to";
    RecaptchaTimeout = "ERROR_RECAPTCHA_TIMEOUT", RetryTask, Some(30),
        "the solve timed out (slow proxy or Google): try again later or with another proxy";
    IpBlocked = "ERROR_IP_BLOCKED", FatalConfig, Some(21),
        "this IP is blocked for too many failed requests: check the key and parameters, then wait";
    ProxyConnectRefused = "ERROR_PROXY_CONNECT_REFUSED", FatalTask, Some(25),
        "the proxy refused the connection: use a working proxy";
    ProxyBanned = "ERROR_PROXY_BANNED", FatalTask, Some(28),
        "the proxy's IP is banned by the captcha provider: use another proxy";
    ProxyMissing = "ERROR_PROXY_MISSING", FatalConfig, None,
        "this task needs proxyType, proxyAddress and proxyPort, with a valid proxyType";
    ProxyNotAuthorised = "ERROR_PROXY_NOT_AUTHORISED", FatalConfig, Some(49),
        "check the proxy login and password";
    ProxyReadTimeout = "ERROR_PROXY_READ_TIMEOUT", FatalConfig, Some(27),
        "check proxyAddress and proxyPort, or use another proxy";
    TaskNotSupported = "ERROR_TASK_NOT_SUPPORTED", FatalConfig, Some(23),
        "the service does not support this task type: check the type and class names";
    TaskAbsent = "ERROR_TASK_ABSENT", FatalConfig, Some(22),
        "the request had no task or invalid JSON: this is a client bug, please report it";
    WrongUserAgent = "ERROR_WRONG_USERAGENT", FatalTask, None,
        "the User-Agent is outdated: fetch a current one with getUserAgent and create a new task";
    // Anti-Captcha and 2Captcha JSON codes.
    ImageTypeNotSupported = "ERROR_IMAGE_TYPE_NOT_SUPPORTED", FatalTask, Some(15),
        "send a JPEG, PNG or GIF image";
    BadDuplicates = "ERROR_BAD_DUPLICATES", RetryTask, Some(13),
        "the workers did not agree on an answer: create a new task";
    IncorrectSessionData = "ERROR_INCORRECT_SESSION_DATA", FatalTask, Some(24),
        "the task's session data is incomplete or wrong";
    ProxyConnectTimeout = "ERROR_PROXY_CONNECT_TIMEOUT", FatalTask, Some(26),
        "the proxy timed out: use a faster proxy";
    ProxyTransparent = "ERROR_PROXY_TRANSPARENT", FatalTask, Some(29),
        "the proxy reveals the client IP: use an anonymous proxy";
    RecaptchaOldBrowser = "ERROR_RECAPTCHA_OLD_BROWSER", FatalTask, Some(33),
        "send a current browser User-Agent";
    ProxyHasNoImageSupport = "ERROR_PROXY_HAS_NO_IMAGE_SUPPORT", FatalTask, Some(35),
        "the proxy cannot load images: use another proxy";
    ProxyIncompatibleHttpVersion = "ERROR_PROXY_INCOMPATIBLE_HTTP_VERSION", FatalTask, Some(36),
        "the proxy's HTTP version is not supported: use another proxy";
    InvisibleRecaptcha = "ERROR_INVISIBLE_RECAPTCHA", FatalTask, Some(51),
        "the reCAPTCHA is invisible: set isInvisible to true";
    FailedLoadingWidget = "ERROR_FAILED_LOADING_WIDGET", RetryTask, Some(52),
        "the widget did not load: try again, or with another proxy";
    VisibleRecaptcha = "ERROR_VISIBLE_RECAPTCHA", FatalTask, Some(53),
        "the reCAPTCHA is visible: set isInvisible to false";
    AllWorkersFiltered = "ERROR_ALL_WORKERS_FILTERED", RetryCall, Some(54),
        "every worker is filtered by your reports: retry later";
    AccountSuspended = "ERROR_ACCOUNT_SUSPENDED", FatalConfig, Some(55),
        "the account is suspended: contact the service's support";
    TemplateNotFound = "ERROR_TEMPLATE_NOT_FOUND", FatalTask, Some(56),
        "the template name is unknown";
    TaskCanceled = "ERROR_TASK_CANCELED", RetryTask, Some(57),
        "the task was cancelled by the service: create a new task";
    AccessDenied = "ERROR_ACCESS_DENIED", FatalConfig, None,
        "this key may not call that method";
    BadParameters = "ERROR_BAD_PARAMETERS", FatalTask, Some(110),
        "the task's parameters are wrong: check them against the documentation";
    BadImgInstructions = "ERROR_BAD_IMGINSTRUCTIONS", FatalTask, Some(115),
        "the instruction image is not valid";
    BadProxy = "ERROR_BAD_PROXY", FatalTask, Some(130),
        "the proxy was marked bad: use another proxy";
    ProxyConnectionFailed = "ERROR_PROXY_CONNECTION_FAILED", RetryTask, None,
        "the proxy failed: try again with another proxy";
    ServiceOverload = "ERROR_SERVICE_OVERLOAD", RetryCall, None,
        "the service is overloaded: retry after a backoff";
    RateLimit = "ERROR_RATE_LIMIT", RetryCall, None,
        "too many requests: slow down and retry";
    // The in.php/res.php URL form's codes.
    WrongUserKey = "ERROR_WRONG_USER_KEY", FatalConfig, None,
        "the key has the wrong format: copy it again from the dashboard";
    WrongFileExtension = "ERROR_WRONG_FILE_EXTENSION", FatalTask, None,
        "send a jpg, jpeg, gif or png image";
    Upload = "ERROR_UPLOAD", FatalTask, None,
        "the upload was malformed: check the base64 or multipart body";
    MaxUserTurn = "MAX_USER_TURN", RetryCall, None,
        "too many submissions at once: wait 10 seconds and leave at least 100 ms between them";
    TooManyBadImages = "TOO_MANY_BAD_IMAGES", FatalConfig, None,
        "too many unreadable images: fix how images are captured";
    CaptchaImageBlocked = "ERROR_CAPTCHAIMAGE_BLOCKED", FatalTask, None,
        "the site serves a blocked image: capture a real captcha";
    PageUrl = "ERROR_PAGEURL", FatalTask, None,
        "pageurl is missing or invalid";
    GoogleKey = "ERROR_GOOGLEKEY", FatalTask, None,
        "googlekey is missing or invalid";
    WrongGoogleKey = "ERROR_WRONG_GOOGLEKEY", FatalTask, None,
        "googlekey is wrong: check the page's site key";
    BadTokenOrPageUrl = "ERROR_BAD_TOKEN_OR_PAGEURL", FatalTask, None,
        "the site key and page URL do not match";
    ProxyFormat = "ERROR_PROXY_FORMAT", FatalConfig, None,
        "the proxy must be written as login:password@host:port";
    WrongIdFormat = "ERROR_WRONG_ID_FORMAT", FatalConfig, None,
        "the task id must be digits only: this is a client bug, please report it";
    ReportNotRecorded = "ERROR_REPORT_NOT_RECORDED", FatalTask, None,
        "the report was refused (too late, or too many reports of correct answers); do not resend it";
    DuplicateReport = "ERROR_DUPLICATE_REPORT", FatalTask, None,
        "this task was already reported; do not resend it";
    IpAddres = "ERROR_IP_ADDRES", FatalConfig, None,
        "register the pingback address from the IP that sends the requests";
    EmptyAction = "ERROR_EMPTY_ACTION", FatalConfig, None,
        "the res.php action is missing: this is a client bug, please report it";
    // The URL form's lockouts, written `ERROR: <number>`; the number is also the error id.
    Lockout1001 = "ERROR: 1001", FatalConfig, None,
        "locked for 10 minutes after 120 ERROR_NO_SLOT_AVAILABLE in a minute: raise the maximum bid, then wait";
    Lockout1002 = "ERROR: 1002", FatalConfig, None,
        "locked for 5 minutes after 120 ERROR_ZERO_BALANCE in a minute: top up the balance, then wait";
    Lockout1003 = "ERROR: 1003", RetryCall, None,
        "locked for 30 seconds: too many ERROR_NO_SLOT_AVAILABLE for the captchas sent; slow down";
    Lockout1004 = "ERROR: 1004", FatalConfig, None,
        "this IP is locked for 10 minutes after 5 requests with a wrong key: fix the key, then wait";
    Lockout1005 = "ERROR: 1005", FatalConfig, None,
        "locked for 5 minutes: too many res.php calls (balance calls count too); poll at most 20 times per captcha";
}

impl ErrorCode {
    /// How long the service says it locks the key or IP out after this code, where it says so
    /// (the URL form's `ERROR: 1001`...`1005`, `MAX_USER_TURN`, `IP_BANNED`). Waiting less and
    /// retrying only extends the lockout.
    pub fn lockout(&self) -> Option<std::time::Duration> {
        let secs = match self {
            // IP_BANNED: 5 minutes on 2captcha's in.php, 10 on CapMonster; take the longer.
            Self::Lockout1001 | Self::Lockout1004 | Self::IpBanned => 600,
            Self::Lockout1002 | Self::Lockout1005 => 300,
            Self::Lockout1003 => 30,
            Self::MaxUserTurn => 10,
            _ => return None,
        };
        Some(std::time::Duration::from_secs(secs))
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&escape_control(self.as_str()))
    }
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_spelled_exactly() {
        for code in ErrorCode::KNOWN {
            assert_eq!(&ErrorCode::parse(code.as_str()), code);
        }
        assert_eq!(
            ErrorCode::parse("ERROR_NO_SUCH_CAPCHA_ID"),
            ErrorCode::NoSuchCapchaId
        );
        assert_eq!(
            ErrorCode::parse("ERROR_PROXY_NOT_AUTHORISED"),
            ErrorCode::ProxyNotAuthorised
        );
        assert_eq!(
            ErrorCode::parse("CAPCHA_NOT_READY"),
            ErrorCode::CaptchaNotReady
        );
        assert_eq!(ErrorCode::parse("IP_BANNED"), ErrorCode::IpBanned);
        let other = ErrorCode::parse("ERROR_SOMETHING_NEW");
        assert_eq!(other.as_str(), "ERROR_SOMETHING_NEW");
        assert_eq!(other.class(), ErrorClass::FatalTask);
        assert!(matches!(other, ErrorCode::Unknown(_)) && !other.is_known());
        assert_eq!(other, ErrorCode::parse("ERROR_SOMETHING_NEW"));
        // No code is its own shape, not an unknown code with empty text.
        assert_eq!(ErrorCode::parse(""), ErrorCode::Missing);
        assert_eq!(ErrorCode::Missing.as_str(), "");
        assert_eq!(ErrorCode::Missing.class(), ErrorClass::FatalTask);
        assert!(!ErrorCode::Missing.is_known() && ErrorCode::ZeroBalance.is_known());
    }

    #[test]
    fn classes_follow_the_glossary() {
        assert_eq!(ErrorCode::CaptchaNotReady.class(), ErrorClass::NotReady);
        assert_eq!(ErrorCode::NoSlotAvailable.class(), ErrorClass::RetryCall);
        assert_eq!(ErrorCode::TooMuchRequests.class(), ErrorClass::RetryCall);
        assert_eq!(ErrorCode::CaptchaUnsolvable.class(), ErrorClass::RetryTask);
        assert_eq!(ErrorCode::TokenExpired.class(), ErrorClass::FatalTask);
        assert_eq!(ErrorCode::KeyDoesNotExist.class(), ErrorClass::FatalConfig);
        assert_eq!(
            ErrorCode::from_anti_captcha_id(16),
            Some(ErrorCode::NoSuchCapchaId)
        );
    }

    #[test]
    fn lockouts_keep_their_number_and_duration() {
        use std::time::Duration;
        for (n, secs) in [
            (1001, 600),
            (1002, 300),
            (1003, 30),
            (1004, 600),
            (1005, 300),
        ] {
            let code = ErrorCode::parse(&format!("ERROR: {n}"));
            assert_eq!(code.as_str(), format!("ERROR: {n}"));
            assert_eq!(code.lockout(), Some(Duration::from_secs(secs)));
        }
        assert_eq!(ErrorCode::Lockout1003.class(), ErrorClass::RetryCall);
        assert_eq!(ErrorCode::Lockout1004.class(), ErrorClass::FatalConfig);
        assert_eq!(
            ErrorCode::MaxUserTurn.lockout(),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            ErrorCode::IpBanned.lockout(),
            Some(Duration::from_secs(600))
        );
        assert_eq!(ErrorCode::ZeroBalance.lockout(), None);
    }
}
