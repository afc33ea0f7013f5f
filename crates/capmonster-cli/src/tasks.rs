//! The task flags of `solve` and `create`, and how they become typed tasks of the core.
//!
//! Nothing here checks the documented rules: the core's `Task::validate` does that when the
//! task is sent, and its error names the field.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use capmonster_blocking::proto::inputs::base64_encode;
use capmonster_blocking::{
    AmazonTask, DataDomeTask, FunCaptchaTask, GeeTestTask, HCaptchaTask, ImageToTextTask, Proxy,
    ProxyType, RecaptchaV2EnterpriseTask, RecaptchaV2Task, RecaptchaV3Task, Task, TurnstileTask,
};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Map, Value};

use crate::Failure;

/// The task of `solve` or `create`: a kind with its flags, or a JSON file.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct TaskArgs {
    /// Any task as a JSON object (the createTask `task` field), from FILE or `-` for stdin.
    /// Types without flags go this way; a type this tool does not know is sent as it is.
    #[arg(long = "task", value_name = "FILE")]
    pub(crate) task_file: Option<PathBuf>,
    /// The kind of captcha, with its flags.
    #[command(subcommand)]
    pub(crate) kind: Option<Kind>,
}

impl TaskArgs {
    /// The typed task these flags describe.
    pub(crate) fn task(self) -> Result<Task, Failure> {
        match (self.task_file, self.kind) {
            (Some(path), None) => task_from_file(&path),
            (None, Some(kind)) => kind.task(),
            _ => Err(Failure::usage(
                "name a kind (e.g. `recaptcha-v2 --website-url ... --website-key ...`) or give --task FILE.json",
            )),
        }
    }
}

fn read_input(path: &Path, what: &str) -> Result<Vec<u8>, Failure> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| Failure::usage(format!("cannot read the {what} from stdin: {e}")))?;
        Ok(buf)
    } else {
        std::fs::read(path)
            .map_err(|e| Failure::usage(format!("cannot read the {what} {}: {e}", path.display())))
    }
}

fn task_from_file(path: &Path) -> Result<Task, Failure> {
    let bytes = read_input(path, "task file")?;
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| Failure::usage(format!("the task file is not JSON: {e}")))?;
    Task::from_json_value(value).map_err(|e| Failure::usage(format!("{e}; nothing was sent")))
}

fn json_object(text: &str, flag: &str) -> Result<Map<String, Value>, Failure> {
    match serde_json::from_str(text) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(Failure::usage(format!("{flag} must be a JSON object"))),
    }
}

/// The captcha kinds with flags of their own.
#[derive(Debug, Subcommand)]
pub(crate) enum Kind {
    /// An image with text (ImageToTextTask).
    #[command(
        after_help = "Example:\n  capmonster solve image-to-text --image captcha.png --numeric"
    )]
    ImageToText(ImageArgs),
    /// reCAPTCHA v2, visible or invisible (RecaptchaV2Task).
    #[command(
        after_help = "Example:\n  capmonster solve recaptcha-v2 --website-url https://example.com/login --website-key 6Le-SITE-KEY"
    )]
    RecaptchaV2(RecaptchaV2Args),
    /// reCAPTCHA v2 Enterprise (RecaptchaV2EnterpriseTask).
    #[command(
        after_help = "Example:\n  capmonster solve recaptcha-v2-enterprise --website-url https://example.com --website-key 6Le-SITE-KEY --enterprise-payload '{\"s\":\"...\"}'"
    )]
    RecaptchaV2Enterprise(RecaptchaV2EnterpriseArgs),
    /// reCAPTCHA v3 (RecaptchaV3TaskProxyless).
    #[command(
        after_help = "Example:\n  capmonster solve recaptcha-v3 --website-url https://example.com --website-key 6Le-SITE-KEY --min-score 0.7 --page-action login"
    )]
    RecaptchaV3(RecaptchaV3Args),
    /// Cloudflare Turnstile, and Cloudflare Challenge / Waiting Room (TurnstileTask).
    #[command(after_help = "\
Modes (--mode):
  token            the widget's token (the default)
  challenge-token  a Challenge page, solved into a token;
                   needs --page-action, --data, --page-data, --user-agent
  cf-clearance     a Challenge page, solved into the cf_clearance cookie;
                   needs --html-page, --user-agent, --proxy (with login and password)
  wait-room        a Waiting Room, solved into cf_clearance; needs what cf-clearance needs

Example:
  capmonster solve turnstile --website-url https://example.com --website-key 0x4AAAAAAA")]
    Turnstile(TurnstileArgs),
    /// GeeTest v3 (--gt and --challenge) or v4 (--v4 --captcha-id) (GeeTestTask).
    #[command(after_help = "\
Examples:
  capmonster solve geetest --website-url https://example.com --gt 022397c9... --challenge 1a2b3c...
  capmonster solve geetest --website-url https://example.com --v4 --captcha-id e392e1d7...")]
    Geetest(GeeTestArgs),
    /// hCaptcha (HCaptchaTask; a draft in the service's docs, it may be refused).
    #[command(
        after_help = "Example:\n  capmonster solve hcaptcha --website-url https://example.com --website-key 10000000-ffff-ffff-ffff-000000000001"
    )]
    Hcaptcha(HCaptchaArgs),
    /// FunCaptcha / Arkose Labs (FunCaptchaTask).
    #[command(
        after_help = "Example:\n  capmonster solve funcaptcha --website-url https://example.com --website-public-key 69A21A01-..."
    )]
    Funcaptcha(FunCaptchaArgs),
    /// Amazon AWS WAF (AmazonTask), in its three parameter sets.
    #[command(after_help = "\
Parameter sets:
  1. a captcha (jsapi.js):    --website-key --captcha-script
  2. a challenge (gokuProps): --website-key --challenge-script --context --iv
                              [--captcha-script]
  3. challenge.js only:       --challenge-script
                              (the other fields go empty, cookieSolution on)

Example:
  capmonster solve amazon --website-url https://example.com --website-key AQIDAHj... --captcha-script https://.../jsapi.js")]
    Amazon(AmazonArgs),
    /// DataDome (CustomTask, class DataDome); needs your own proxy.
    #[command(
        after_help = "Example:\n  capmonster solve data-dome --website-url https://example.com --captcha-url 'https://geo.captcha-delivery.com/captcha/?...' --datadome-cookie 'datadome=...' --proxy http://user:pass@203.0.113.5:8080"
    )]
    DataDome(DataDomeArgs),
}

impl Kind {
    fn task(self) -> Result<Task, Failure> {
        Ok(match self {
            Self::ImageToText(a) => a.task()?.into(),
            Self::RecaptchaV2(a) => a.task()?.into(),
            Self::RecaptchaV2Enterprise(a) => a.task()?.into(),
            Self::RecaptchaV3(a) => a.task().into(),
            Self::Turnstile(a) => a.task()?.into(),
            Self::Geetest(a) => a.task()?.into(),
            Self::Hcaptcha(a) => a.task()?.into(),
            Self::Funcaptcha(a) => a.task()?.into(),
            Self::Amazon(a) => a.task()?.into(),
            Self::DataDome(a) => a.task()?.into(),
        })
    }
}

/// The page and its site key.
#[derive(Debug, Args)]
pub(crate) struct Site {
    /// The page with the captcha (websiteURL).
    #[arg(long, value_name = "URL")]
    website_url: String,
    /// The site key (websiteKey).
    #[arg(long, value_name = "KEY")]
    website_key: String,
}

/// Your own proxy for the task (the service solves through it).
#[derive(Debug, Args)]
#[group(multiple = true)]
pub(crate) struct ProxyArgs {
    /// The proxy as a URL: http://user:pass@host:port (also https, socks4, socks5). The password
    /// is never printed.
    #[arg(long, value_name = "URL", conflicts_with_all = ["proxy_type", "proxy_address", "proxy_port", "proxy_login", "proxy_password"])]
    proxy: Option<String>,
    /// The proxy's protocol.
    #[arg(long, value_enum, value_name = "TYPE")]
    proxy_type: Option<ProxyKind>,
    /// The proxy's IP address or host name.
    #[arg(long, value_name = "HOST")]
    proxy_address: Option<String>,
    /// The proxy's port.
    #[arg(long, value_name = "PORT")]
    proxy_port: Option<u16>,
    /// The proxy's login.
    #[arg(long, value_name = "LOGIN")]
    proxy_login: Option<String>,
    /// The proxy's password (never printed).
    #[arg(long, value_name = "PASSWORD", hide_env_values = true)]
    proxy_password: Option<String>,
}

/// A proxy protocol on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ProxyKind {
    /// http.
    Http,
    /// https.
    Https,
    /// socks4.
    Socks4,
    /// socks5.
    Socks5,
}

impl From<ProxyKind> for ProxyType {
    fn from(k: ProxyKind) -> Self {
        match k {
            ProxyKind::Http => ProxyType::Http,
            ProxyKind::Https => ProxyType::Https,
            ProxyKind::Socks4 => ProxyType::Socks4,
            ProxyKind::Socks5 => ProxyType::Socks5,
        }
    }
}

impl ProxyArgs {
    /// The proxy, if any flag was given.
    fn proxy(self) -> Result<Option<Proxy>, Failure> {
        if let Some(url) = self.proxy {
            return parse_proxy_url(&url).map(Some);
        }
        let any = self.proxy_type.is_some()
            || self.proxy_address.is_some()
            || self.proxy_port.is_some()
            || self.proxy_login.is_some()
            || self.proxy_password.is_some();
        if !any {
            return Ok(None);
        }
        let (Some(kind), Some(address), Some(port)) =
            (self.proxy_type, self.proxy_address, self.proxy_port)
        else {
            return Err(Failure::usage(
                "a proxy needs --proxy-type, --proxy-address and --proxy-port (or --proxy URL)",
            ));
        };
        let proxy = Proxy::new(kind.into(), address, port);
        Ok(Some(match (self.proxy_login, self.proxy_password) {
            (Some(login), Some(password)) => proxy.with_auth(login, password),
            (None, None) => proxy,
            _ => {
                return Err(Failure::usage(
                    "--proxy-login and --proxy-password go together",
                ));
            }
        }))
    }
}

/// Reads `scheme://[login:password@]host:port` through the core. Its errors name the rule and
/// never repeat the text (it may hold a password).
fn parse_proxy_url(url: &str) -> Result<Proxy, Failure> {
    Proxy::from_url(url).map_err(|e| Failure::usage(format!("--proxy {}", e.rule())))
}

/// Flags of `image-to-text`.
#[derive(Debug, Args)]
pub(crate) struct ImageArgs {
    /// The image file, or `-` to read it from stdin.
    #[arg(long, value_name = "FILE")]
    image: PathBuf,
    /// The recognition module (capMonsterModule), e.g. `amazon`, `botdetect`, `solvemedia`.
    #[arg(long, value_name = "NAME")]
    module: Option<String>,
    /// The confidence threshold from 0 to 100 (recognizingThreshold): below it, no charge.
    #[arg(long, value_name = "0-100")]
    threshold: Option<u8>,
    /// The answer is case-sensitive.
    #[arg(long)]
    case: bool,
    /// The answer has digits only.
    #[arg(long)]
    numeric: bool,
    /// The image is a sum to work out.
    #[arg(long)]
    math: bool,
}

impl ImageArgs {
    fn task(self) -> Result<ImageToTextTask, Failure> {
        let bytes = read_input(&self.image, "image")?;
        let mut task = ImageToTextTask::from_image_bytes(&bytes);
        if let Some(m) = self.module {
            task = task.with_module(m);
        }
        if let Some(t) = self.threshold {
            task = task.with_recognizing_threshold(t);
        }
        if self.case {
            task = task.with_case(true);
        }
        if self.numeric {
            task = task.with_numeric(true);
        }
        if self.math {
            task = task.with_math(true);
        }
        Ok(task)
    }
}

/// Flags of `recaptcha-v2`.
#[derive(Debug, Args)]
pub(crate) struct RecaptchaV2Args {
    #[command(flatten)]
    site: Site,
    /// The widget is invisible.
    #[arg(long)]
    invisible: bool,
    /// The `data-s` value (Google services).
    #[arg(long, value_name = "VALUE")]
    data_s: Option<String>,
    /// The browser User-Agent to solve with.
    #[arg(long, value_name = "UA")]
    user_agent: Option<String>,
    /// Cookies to solve with: `name1=value1; name2=value2`.
    #[arg(long, value_name = "COOKIES")]
    cookies: Option<String>,
    /// Solve from scratch, without the token cache (slower).
    #[arg(long)]
    nocache: bool,
    #[command(flatten)]
    proxy: ProxyArgs,
}

impl RecaptchaV2Args {
    fn task(self) -> Result<RecaptchaV2Task, Failure> {
        let mut t = RecaptchaV2Task::new(self.site.website_url, self.site.website_key);
        if self.invisible {
            t = t.with_invisible(true);
        }
        if self.nocache {
            t = t.with_nocache(true);
        }
        t.recaptcha_data_s_value = self.data_s;
        t.user_agent = self.user_agent;
        t.cookies = self.cookies;
        t.proxy = self.proxy.proxy()?;
        Ok(t)
    }
}

/// Flags of `recaptcha-v2-enterprise`.
#[derive(Debug, Args)]
pub(crate) struct RecaptchaV2EnterpriseArgs {
    #[command(flatten)]
    site: Site,
    /// The `enterprisePayload` object, as JSON (e.g. `{"s":"..."}`).
    #[arg(long, value_name = "JSON")]
    enterprise_payload: Option<String>,
    /// The domain the widget loads from (`www.google.com` or `www.recaptcha.net`).
    #[arg(long, value_name = "DOMAIN")]
    api_domain: Option<String>,
    /// The widget's action (pageAction).
    #[arg(long, value_name = "ACTION")]
    page_action: Option<String>,
    /// The browser User-Agent to solve with.
    #[arg(long, value_name = "UA")]
    user_agent: Option<String>,
    /// Cookies to solve with.
    #[arg(long, value_name = "COOKIES")]
    cookies: Option<String>,
    #[command(flatten)]
    proxy: ProxyArgs,
}

impl RecaptchaV2EnterpriseArgs {
    fn task(self) -> Result<RecaptchaV2EnterpriseTask, Failure> {
        let mut t = RecaptchaV2EnterpriseTask::new(self.site.website_url, self.site.website_key);
        if let Some(p) = self.enterprise_payload {
            t = t.with_enterprise_payload(json_object(&p, "--enterprise-payload")?);
        }
        t.api_domain = self.api_domain;
        t.page_action = self.page_action;
        t.user_agent = self.user_agent;
        t.cookies = self.cookies;
        t.proxy = self.proxy.proxy()?;
        Ok(t)
    }
}

/// Flags of `recaptcha-v3`.
#[derive(Debug, Args)]
pub(crate) struct RecaptchaV3Args {
    #[command(flatten)]
    site: Site,
    /// The score to reach, from 0.1 to 0.9.
    #[arg(long, value_name = "SCORE")]
    min_score: Option<f64>,
    /// The widget's action (pageAction).
    #[arg(long, value_name = "ACTION")]
    page_action: Option<String>,
    /// The site uses reCAPTCHA v3 Enterprise (isEnterprise).
    #[arg(long)]
    enterprise: bool,
    /// Solve from scratch, without the token cache.
    #[arg(long)]
    nocache: bool,
}

impl RecaptchaV3Args {
    fn task(self) -> RecaptchaV3Task {
        let mut t = RecaptchaV3Task::new(self.site.website_url, self.site.website_key);
        if let Some(s) = self.min_score {
            t = t.with_min_score(s);
        }
        if let Some(a) = self.page_action {
            t = t.with_page_action(a);
        }
        if self.enterprise {
            t = t.with_enterprise(true);
        }
        if self.nocache {
            t = t.with_nocache(true);
        }
        t
    }
}

/// A Turnstile mode.
#[derive(Debug, Clone, Copy, Default, ValueEnum)]
pub(crate) enum TurnstileMode {
    /// The widget's token.
    #[default]
    Token,
    /// A Cloudflare Challenge solved into a token.
    ChallengeToken,
    /// A Cloudflare Challenge solved into the cf_clearance cookie.
    CfClearance,
    /// A Cloudflare Waiting Room solved into the cf_clearance cookie.
    WaitRoom,
}

/// Flags of `turnstile`.
#[derive(Debug, Args)]
pub(crate) struct TurnstileArgs {
    #[command(flatten)]
    site: Site,
    /// What to solve.
    #[arg(long, value_enum, default_value_t = TurnstileMode::Token)]
    mode: TurnstileMode,
    /// The render call's `action` (pageAction; challenge-token).
    #[arg(long, value_name = "ACTION")]
    page_action: Option<String>,
    /// The render call's `cData` (data; challenge-token).
    #[arg(long, value_name = "CDATA")]
    data: Option<String>,
    /// The render call's `chlPageData` (pageData; challenge-token).
    #[arg(long, value_name = "DATA")]
    page_data: Option<String>,
    /// The 403 or waiting-room page's HTML, from FILE or `-` (cf-clearance, wait-room).
    #[arg(long, value_name = "FILE")]
    html_page: Option<PathBuf>,
    /// The URL of Turnstile's api.js, if not the usual one.
    #[arg(long, value_name = "URL")]
    api_js_url: Option<String>,
    /// The browser User-Agent (required by the Challenge modes).
    #[arg(long, value_name = "UA")]
    user_agent: Option<String>,
    #[command(flatten)]
    proxy: ProxyArgs,
}

impl TurnstileArgs {
    fn task(self) -> Result<TurnstileTask, Failure> {
        let (url, key) = (self.site.website_url, self.site.website_key);
        let need = |v: Option<String>, flag: &str| {
            v.ok_or_else(|| Failure::usage(format!("--mode {:?} needs {flag}", self.mode)))
        };
        let proxy = self.proxy.proxy()?;
        let mut t = match self.mode {
            TurnstileMode::Token => {
                let mut t = TurnstileTask::new(url, key);
                t.page_action = self.page_action;
                t.data = self.data;
                t.user_agent = self.user_agent;
                t.proxy = proxy;
                t
            }
            TurnstileMode::ChallengeToken => {
                let mut t = TurnstileTask::challenge_token(
                    url,
                    key,
                    need(self.page_action, "--page-action")?,
                    need(self.data, "--data")?,
                    need(self.page_data, "--page-data")?,
                    need(self.user_agent, "--user-agent")?,
                );
                t.proxy = proxy;
                t
            }
            TurnstileMode::CfClearance | TurnstileMode::WaitRoom => {
                let path = self.html_page.ok_or_else(|| {
                    Failure::usage("this mode needs --html-page FILE (the page's HTML)")
                })?;
                let html = base64_encode(&read_input(&path, "HTML page")?);
                let ua = need(self.user_agent, "--user-agent")?;
                let proxy = proxy.ok_or_else(|| {
                    Failure::usage("this mode needs your own proxy (--proxy URL)")
                })?;
                if matches!(self.mode, TurnstileMode::CfClearance) {
                    TurnstileTask::cf_clearance(url, key, html, ua, proxy)
                } else {
                    TurnstileTask::wait_room(url, key, html, ua, proxy)
                }
            }
        };
        if let Some(u) = self.api_js_url {
            t = t.with_api_js_url(u);
        }
        Ok(t)
    }
}

/// Flags of `geetest`.
#[derive(Debug, Args)]
pub(crate) struct GeeTestArgs {
    /// The page with the captcha (websiteURL).
    #[arg(long, value_name = "URL")]
    website_url: String,
    /// v3: the static `gt` key.
    #[arg(long, value_name = "GT", conflicts_with = "captcha_id")]
    gt: Option<String>,
    /// v3: a fresh `challenge` (get a new one for each task).
    #[arg(long, value_name = "CHALLENGE")]
    challenge: Option<String>,
    /// Solve GeeTest v4.
    #[arg(long, requires = "captcha_id", conflicts_with = "challenge")]
    v4: bool,
    /// v4: the `captcha_id`.
    #[arg(long, value_name = "ID", requires = "v4")]
    captcha_id: Option<String>,
    /// v4: `initParameters` as a JSON object.
    #[arg(long, value_name = "JSON")]
    init_parameters: Option<String>,
    /// The GeeTest API server's domain (geetestApiServerSubdomain).
    #[arg(long, value_name = "HOST")]
    api_server_subdomain: Option<String>,
    /// The browser User-Agent.
    #[arg(long, value_name = "UA")]
    user_agent: Option<String>,
    #[command(flatten)]
    proxy: ProxyArgs,
}

impl GeeTestArgs {
    fn task(self) -> Result<GeeTestTask, Failure> {
        let mut t = if self.v4 {
            let id = self.captcha_id.unwrap_or_default();
            GeeTestTask::v4(self.website_url, id)
        } else {
            let (Some(gt), Some(challenge)) = (self.gt, self.challenge) else {
                return Err(Failure::usage(
                    "GeeTest v3 needs --gt and --challenge (or use --v4 --captcha-id)",
                ));
            };
            GeeTestTask::v3(self.website_url, gt, challenge)
        };
        if let Some(p) = self.init_parameters {
            t = t.with_init_parameters(json_object(&p, "--init-parameters")?);
        }
        t.geetest_api_server_subdomain = self.api_server_subdomain;
        t.user_agent = self.user_agent;
        t.proxy = self.proxy.proxy()?;
        Ok(t)
    }
}

/// Flags of `hcaptcha`.
#[derive(Debug, Args)]
pub(crate) struct HCaptchaArgs {
    #[command(flatten)]
    site: Site,
    /// The widget is invisible.
    #[arg(long)]
    invisible: bool,
    /// The `rqdata` value (data).
    #[arg(long, value_name = "RQDATA")]
    data: Option<String>,
    /// The browser User-Agent.
    #[arg(long, value_name = "UA")]
    user_agent: Option<String>,
    /// Cookies to solve with.
    #[arg(long, value_name = "COOKIES")]
    cookies: Option<String>,
    #[command(flatten)]
    proxy: ProxyArgs,
}

impl HCaptchaArgs {
    fn task(self) -> Result<HCaptchaTask, Failure> {
        let mut t = HCaptchaTask::new(self.site.website_url, self.site.website_key);
        if self.invisible {
            t = t.with_invisible(true);
        }
        t.data = self.data;
        t.user_agent = self.user_agent;
        t.cookies = self.cookies;
        t.proxy = self.proxy.proxy()?;
        Ok(t)
    }
}

/// Flags of `funcaptcha`.
#[derive(Debug, Args)]
pub(crate) struct FunCaptchaArgs {
    /// The page with the captcha (websiteURL).
    #[arg(long, value_name = "URL")]
    website_url: String,
    /// The public key (websitePublicKey).
    #[arg(long, value_name = "KEY", alias = "website-key")]
    website_public_key: String,
    /// The API subdomain (funcaptchaApiJSSubdomain).
    #[arg(long, value_name = "HOST")]
    subdomain: Option<String>,
    /// The `blob` value, sent as data `{"blob": ...}`.
    #[arg(long, value_name = "BLOB")]
    blob: Option<String>,
    /// The browser User-Agent.
    #[arg(long, value_name = "UA")]
    user_agent: Option<String>,
    /// Cookies to solve with.
    #[arg(long, value_name = "COOKIES")]
    cookies: Option<String>,
    #[command(flatten)]
    proxy: ProxyArgs,
}

impl FunCaptchaArgs {
    fn task(self) -> Result<FunCaptchaTask, Failure> {
        let mut t = FunCaptchaTask::new(self.website_url, self.website_public_key);
        if let Some(b) = self.blob {
            t = t.with_blob(&b);
        }
        t.funcaptcha_api_js_subdomain = self.subdomain;
        t.user_agent = self.user_agent;
        t.cookies = self.cookies;
        t.proxy = self.proxy.proxy()?;
        Ok(t)
    }
}

/// Flags of `amazon`.
#[derive(Debug, Args)]
pub(crate) struct AmazonArgs {
    /// The page with the captcha (websiteURL).
    #[arg(long, value_name = "URL")]
    website_url: String,
    /// The `apiKey` (set 1) or `gokuProps.key` (set 2).
    #[arg(long, value_name = "KEY")]
    website_key: Option<String>,
    /// The URL of `jsapi.js` (set 1; optional in set 2).
    #[arg(long, value_name = "URL")]
    captcha_script: Option<String>,
    /// The URL of `challenge.js` (sets 2 and 3).
    #[arg(long, value_name = "URL")]
    challenge_script: Option<String>,
    /// `gokuProps.context` (set 2).
    #[arg(long, value_name = "CONTEXT", requires = "iv")]
    context: Option<String>,
    /// `gokuProps.iv` (set 2).
    #[arg(long, value_name = "IV", requires = "context")]
    iv: Option<String>,
    /// Ask for the `aws-waf-token` cookie rather than the captcha's answer.
    #[arg(long)]
    cookie_solution: bool,
    /// The browser User-Agent.
    #[arg(long, value_name = "UA")]
    user_agent: Option<String>,
    #[command(flatten)]
    proxy: ProxyArgs,
}

impl AmazonArgs {
    fn task(self) -> Result<AmazonTask, Failure> {
        let url = self.website_url;
        let mut t = match (
            self.website_key,
            self.challenge_script,
            self.context.zip(self.iv),
        ) {
            (Some(key), Some(script), Some((context, iv))) => {
                let mut t = AmazonTask::challenge(url, key, script, context, iv);
                t.captcha_script = self.captcha_script;
                t
            }
            (None, Some(script), None) if self.captcha_script.is_none() => {
                AmazonTask::challenge_only(url, script)
            }
            (Some(key), None, None) => match self.captcha_script {
                Some(script) => AmazonTask::captcha(url, key, script),
                None => return Err(Failure::usage("set 1 needs --captcha-script")),
            },
            _ => {
                return Err(Failure::usage(
                    "pick one parameter set: --website-key --captcha-script; or --website-key \
                     --challenge-script --context --iv; or --challenge-script alone",
                ));
            }
        };
        if self.cookie_solution {
            t = t.with_cookie_solution(true);
        }
        t.user_agent = self.user_agent;
        t.proxy = self.proxy.proxy()?;
        Ok(t)
    }
}

/// Flags of `data-dome`.
#[derive(Debug, Args)]
pub(crate) struct DataDomeArgs {
    /// The protected page (websiteURL).
    #[arg(long, value_name = "URL")]
    website_url: String,
    /// The captcha's URL (metadata.captchaUrl).
    #[arg(long, value_name = "URL")]
    captcha_url: String,
    /// The cookie, written `datadome=...` (metadata.datadomeCookie).
    #[arg(long, value_name = "COOKIE")]
    datadome_cookie: String,
    /// `new` for the updated solver (metadata.datadomeVersion).
    #[arg(long, value_name = "VERSION")]
    datadome_version: Option<String>,
    /// The browser User-Agent.
    #[arg(long, value_name = "UA")]
    user_agent: Option<String>,
    #[command(flatten)]
    proxy: ProxyArgs,
}

impl DataDomeArgs {
    fn task(self) -> Result<DataDomeTask, Failure> {
        let proxy = self
            .proxy
            .proxy()?
            .ok_or_else(|| Failure::usage("data-dome needs your own proxy (--proxy URL)"))?;
        let mut t = DataDomeTask::new(
            self.website_url,
            self.captcha_url,
            self.datadome_cookie,
            proxy,
        );
        if let Some(v) = self.datadome_version {
            t = t.with_datadome_version(v);
        }
        t.user_agent = self.user_agent;
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_urls() {
        let p = parse_proxy_url("socks5://bob:s3cret@10.0.0.1:1080").expect("a proxy");
        assert_eq!(p.proxy_type, ProxyType::Socks5);
        assert_eq!(p.address, "10.0.0.1");
        assert_eq!(p.port, 1080);
        assert_eq!(p.login.as_deref(), Some("bob"));
        assert_eq!(
            p.password.as_ref().map(|s| s.expose_secret()),
            Some("s3cret")
        );
        let p = parse_proxy_url("http://[2001:db8::1]:8080").expect("a proxy");
        assert_eq!((p.address.as_str(), p.port), ("2001:db8::1", 8080));
        for bad in ["ftp://h:1", "http://h", "http://u:p@h:x", "h:1"] {
            let e = parse_proxy_url(bad).expect_err(bad);
            assert!(!e.message.contains(bad), "{}", e.message);
        }
    }
}
