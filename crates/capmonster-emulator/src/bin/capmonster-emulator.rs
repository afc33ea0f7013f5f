//! `capmonster-emulator`: run a local CapMonster Cloud-compatible service.
//!
//! Prints its base URL on the first line of stdout, then serves until SIGINT/SIGTERM or
//! `--max-seconds`.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use capmonster_emulator::{Config, Dialect, Emulator, FaultRule, MAX_SITES, Site, SolveTime};

const USAGE: &str = "\
capmonster-emulator: a local CapMonster Cloud-compatible service (loopback by default)

USAGE:
    capmonster-emulator [OPTIONS]

OPTIONS:
    --host ADDR            address to bind [default: 127.0.0.1]
    --port PORT            port to bind, 0 = any free port [default: 0]
    --key KEY[:BALANCE]    accept only these keys (repeatable); balance in USD [default: 100]
    --price USD            price of one solved task [default: 0.0006]
    --speed FACTOR         time speed-up: solve times, expiry and stalls are divided by it [default: 1]
    --solve-ms MS          solve every task in MS milliseconds (emulated) [default: documented per type]
    --solve-jitter SIGMA   draw solve times log-normally around --solve-ms with this sigma
    --fault RULE           inject a fault (repeatable): [SCOPE/]KIND:RATE or [SCOPE/]KIND:#N
                           SCOPE: create (createTask, in.php), poll (getTaskResult, res.php get/get2),
                                  balance (getBalance, res.php getbalance),
                                  report (report methods, res.php reportbad/reportgood), any
                                  [default: any]
                           KIND: no-slot, http429, http429-empty, http500, http503, html502,
                                 empty-body, reset, reset-after, stall[=SECONDS], dribble[=BYTES/MS]
                           RATE: 0..1; #N: the next N requests in scope
    --seed N               random seed [default: 1]
    --dialect NAME         capmonster or anti-captcha [default: capmonster]
    --http-error-status    answer bad keys with 403, zero balance with 402, too many polls with 429
                           (JSON body kept) instead of 200
    --one-report-per-task  in the CapMonster dialect, accept one report per task (not in CapMonster's
                           docs, so off by default; always on for anti-captcha and the URL form)
    --site HOST,KEY,P_PLAIN,P_NOCACHE[,EXTRA_MS]
                           simulate a site (repeatable, at most 1000): tokens of tasks for page host
                           HOST and site key KEY (* = any key of HOST) are accepted by
                           POST /_emulator/sites/verify with probability P_PLAIN, or P_NOCACHE
                           for tasks solved with nocache, which take EXTRA_MS (emulated) longer;
                           other sites accept every fresh token
    --max-seconds N        stop after N seconds (real time)
    --max-connections N    connections open at once; over it the longest idle is closed [default: 1024]
    --max-accounts N       accounts made for unconfigured keys, least recently used evicted [default: 10000]
    --max-live-tasks N     tasks in progress per key, then ERROR_NO_SLOT_AVAILABLE [default: 10000]
    --max-tasks N          tasks kept in all (finished ones dropped first) [default: 100000]
    --header-timeout-ms MS time to send a request head, from its first byte [default: 10000]
    --body-timeout-ms MS   time to send a request body, then 408 [default: 10000]
    --idle-timeout-ms MS   time a connection may sit with no request in progress [default: 60000]
    -h, --help             print this help

The first line of stdout is the base URL, e.g. http://127.0.0.1:41234
JSON API: POST <base>/createTask, /getTaskResult, /getBalance, /reportIncorrect...
URL form: GET or POST <base>/in.php and <base>/res.php (same tasks, keys and balances)
User agent: GET <base>/api/useragent/actual
Stats: GET <base>/_emulator/stats (counters; ?tasks=1&page=N&per_page=M for task records)
Sites: POST <base>/_emulator/sites/verify {\"websiteURL\":...,\"websiteKey\":...,\"token\":...}
       or {\"taskId\":...} answers {\"accepted\":true|false,\"reason\":...}; each token once
";

struct Args {
    config: Config,
    max_seconds: Option<f64>,
}

fn value<'a>(it: &mut impl Iterator<Item = &'a String>, flag: &str) -> Result<&'a String, String> {
    it.next().ok_or_else(|| format!("{flag} needs a value"))
}

fn parse<T: std::str::FromStr>(s: &str, flag: &str) -> Result<T, String> {
    s.parse().map_err(|_| format!("{flag}: cannot read `{s}`"))
}

fn parse_args(args: &[String]) -> Result<Option<Args>, String> {
    let mut config = Config::new();
    let mut max_seconds = None;
    let mut solve_ms: Option<f64> = None;
    let mut jitter: Option<f64> = None;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        // Accept --flag=value as well as --flag value.
        let (flag, inline) = match flag.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
            _ => (flag.as_str(), None),
        };
        let val = |it: &mut std::slice::Iter<'_, String>| -> Result<String, String> {
            match &inline {
                Some(v) => Ok(v.clone()),
                None => value(it, flag).cloned(),
            }
        };
        match flag {
            "-h" | "--help" => return Ok(None),
            "--host" => config.host = parse(&val(&mut it)?, flag)?,
            "--port" => config.port = parse(&val(&mut it)?, flag)?,
            "--key" => {
                let v = val(&mut it)?;
                let (key, balance) = match v.rsplit_once(':') {
                    Some((k, b)) => (k.to_owned(), parse(b, flag)?),
                    None => (v.clone(), config.default_balance),
                };
                if key.is_empty() {
                    return Err("--key: empty key".into());
                }
                config.keys.insert(key, balance);
            }
            "--price" => config.price = parse(&val(&mut it)?, flag)?,
            "--speed" => {
                let s: f64 = parse(&val(&mut it)?, flag)?;
                if !(s.is_finite() && s > 0.0) {
                    return Err("--speed must be a positive number".into());
                }
                config = config.speed(s);
            }
            "--solve-ms" => solve_ms = Some(parse(&val(&mut it)?, flag)?),
            "--solve-jitter" => jitter = Some(parse(&val(&mut it)?, flag)?),
            "--fault" => {
                let rule: FaultRule = val(&mut it)?.parse().map_err(|e| format!("--fault: {e}"))?;
                config.faults.push(rule);
            }
            "--site" => {
                let site: Site = val(&mut it)?.parse().map_err(|e| format!("--site: {e}"))?;
                if config.sites.len() >= MAX_SITES {
                    return Err(format!("--site: at most {MAX_SITES} sites"));
                }
                config.sites.push(site);
            }
            "--http-error-status" => config.http_error_status = true,
            "--one-report-per-task" => config.one_report_per_task = true,
            "--seed" => config.seed = parse(&val(&mut it)?, flag)?,
            "--dialect" => {
                config.dialect = match val(&mut it)?.as_str() {
                    "capmonster" => Dialect::CapMonster,
                    "anti-captcha" | "anticaptcha" => Dialect::AntiCaptcha,
                    other => return Err(format!("--dialect: unknown dialect `{other}`")),
                }
            }
            "--max-seconds" => {
                let s: f64 = parse(&val(&mut it)?, flag)?;
                if !(s.is_finite() && s >= 0.0) {
                    return Err("--max-seconds must be a non-negative number".into());
                }
                max_seconds = Some(s);
            }
            "--max-connections" => {
                let n: usize = parse(&val(&mut it)?, flag)?;
                if n == 0 {
                    return Err("--max-connections must be at least 1".into());
                }
                config.max_connections = n;
            }
            "--max-accounts" => {
                let n: usize = parse(&val(&mut it)?, flag)?;
                if n == 0 {
                    return Err("--max-accounts must be at least 1".into());
                }
                config.max_accounts = n;
            }
            "--max-live-tasks" => config.max_live_tasks_per_key = parse(&val(&mut it)?, flag)?,
            "--max-tasks" => config.max_tasks = parse(&val(&mut it)?, flag)?,
            "--header-timeout-ms" => config.header_read_timeout = millis(&val(&mut it)?, flag)?,
            "--body-timeout-ms" => config.body_read_timeout = millis(&val(&mut it)?, flag)?,
            "--idle-timeout-ms" => config.idle_timeout = millis(&val(&mut it)?, flag)?,
            other => return Err(format!("unknown option `{other}` (see --help)")),
        }
    }
    if let Some(ms) = solve_ms {
        if !(ms.is_finite() && ms >= 0.0) {
            return Err("--solve-ms must be a non-negative number".into());
        }
        let d = Duration::try_from_secs_f64(ms / 1000.0)
            .map_err(|_| "--solve-ms is too large".to_owned())?;
        config.solve_time = match jitter {
            Some(sigma) if sigma > 0.0 => SolveTime::LogNormal { median: d, sigma },
            _ => SolveTime::Fixed(d),
        };
    } else if jitter.is_some() {
        return Err("--solve-jitter needs --solve-ms".into());
    }
    Ok(Some(Args {
        config,
        max_seconds,
    }))
}

/// A positive whole number of milliseconds.
fn millis(v: &str, flag: &str) -> Result<Duration, String> {
    let ms: u64 = parse(v, flag)?;
    if ms == 0 {
        return Err(format!("{flag} must be at least 1 ms"));
    }
    Ok(Duration::from_millis(ms))
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args = match parse_args(&args) {
        Ok(Some(a)) => a,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("capmonster-emulator: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("capmonster-emulator: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(async move {
        let emu = match Emulator::start(args.config).await {
            Ok(e) => e,
            Err(e) => {
                eprintln!("capmonster-emulator: cannot bind: {e}");
                return ExitCode::FAILURE;
            }
        };
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", emu.base_url());
        let _ = out.flush();
        drop(out);
        let limit = async {
            match args.max_seconds {
                Some(s) => {
                    tokio::time::sleep(Duration::try_from_secs_f64(s).unwrap_or(Duration::MAX))
                        .await
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = wait_for_signal() => {}
            _ = limit => {}
        }
        emu.shutdown().await;
        ExitCode::SUCCESS
    })
}
