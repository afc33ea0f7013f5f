//! `capmonster serve`: the emulator in the foreground, with the emulator binary's options.

use std::io::Write as _;
use std::net::IpAddr;
use std::time::Duration;

use capmonster_emulator::{Config, Dialect, EmulatorHandle, FaultRule, SolveTime};
use clap::{Args, ValueEnum};

use crate::Failure;

/// The options of `serve` (those of the `capmonster-emulator` binary).
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The address to bind.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    host: IpAddr,
    /// The port to bind; 0 picks a free one.
    #[arg(long, value_name = "PORT", default_value_t = 0)]
    port: u16,
    /// Accept only these keys (repeatable), each with a balance in USD [default balance: 100]
    #[arg(long = "key", value_name = "KEY[:BALANCE]")]
    keys: Vec<String>,
    /// The price of one solved task, in USD.
    #[arg(long, value_name = "USD", default_value_t = 0.0006)]
    price: f64,
    /// Time speed-up: solve times, expiry and stalls are divided by it.
    #[arg(long, value_name = "FACTOR", default_value_t = 1.0)]
    speed: f64,
    /// Solve every task in MS emulated milliseconds [default: the documented time per type]
    #[arg(long, value_name = "MS")]
    solve_ms: Option<f64>,
    /// Draw solve times log-normally around --solve-ms with this sigma.
    #[arg(long, value_name = "SIGMA", requires = "solve_ms")]
    solve_jitter: Option<f64>,
    /// Inject a fault (repeatable): [SCOPE/]KIND:RATE or [SCOPE/]KIND:#N. SCOPE: create, poll,
    /// balance, report, any. KIND: no-slot, http429, http429-empty, http500, http503, html502,
    /// empty-body, reset, reset-after, stall[=SECONDS], dribble[=BYTES/MS].
    #[arg(long = "fault", value_name = "RULE")]
    faults: Vec<String>,
    /// The random seed.
    #[arg(long, value_name = "N", default_value_t = 1)]
    seed: u64,
    /// The error numbering and report rules to follow.
    #[arg(long, value_enum, default_value_t = DialectName::Capmonster)]
    dialect: DialectName,
    /// Answer bad keys with HTTP 403, zero balance with 402, too many polls with 429 (JSON kept).
    #[arg(long)]
    http_error_status: bool,
    /// In the CapMonster dialect, accept one report per task (not in CapMonster's docs, so off by
    /// default; always on for anti-captcha and the URL form).
    #[arg(long)]
    one_report_per_task: bool,
    /// Stop after N seconds (real time) [default: run until killed]
    #[arg(long, value_name = "N")]
    max_seconds: Option<f64>,
}

/// The emulator's dialects.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum DialectName {
    /// CapMonster Cloud.
    Capmonster,
    /// Anti-Captcha.
    AntiCaptcha,
}

impl ServeArgs {
    fn config(self) -> Result<(Config, Option<Duration>), Failure> {
        let mut config = Config::new();
        config.host = self.host;
        config.port = self.port;
        for spec in self.keys {
            let (key, balance) = match spec.rsplit_once(':') {
                Some((k, b)) => (
                    k.to_owned(),
                    b.parse()
                        .map_err(|_| Failure::usage("--key: the balance is not a number"))?,
                ),
                None => (spec, config.default_balance),
            };
            if key.is_empty() {
                return Err(Failure::usage("--key: empty key"));
            }
            config.keys.insert(key, balance);
        }
        config.price = self.price;
        if !(self.speed.is_finite() && self.speed > 0.0) {
            return Err(Failure::usage("--speed must be a positive number"));
        }
        config = config.speed(self.speed);
        if let Some(ms) = self.solve_ms {
            let d = Duration::try_from_secs_f64(ms / 1000.0)
                .map_err(|_| Failure::usage("--solve-ms must be a non-negative number"))?;
            config.solve_time = match self.solve_jitter {
                Some(sigma) if sigma > 0.0 => SolveTime::LogNormal { median: d, sigma },
                _ => SolveTime::Fixed(d),
            };
        }
        for rule in self.faults {
            let rule: FaultRule = rule
                .parse()
                .map_err(|e| Failure::usage(format!("--fault: {e}")))?;
            config.faults.push(rule);
        }
        config.seed = self.seed;
        config.dialect = match self.dialect {
            DialectName::Capmonster => Dialect::CapMonster,
            DialectName::AntiCaptcha => Dialect::AntiCaptcha,
        };
        config.http_error_status = self.http_error_status;
        config.one_report_per_task = self.one_report_per_task;
        let limit = match self.max_seconds {
            Some(s) => Some(
                Duration::try_from_secs_f64(s)
                    .map_err(|_| Failure::usage("--max-seconds must be a non-negative number"))?,
            ),
            None => None,
        };
        Ok((config, limit))
    }
}

/// Runs the emulator until killed or `--max-seconds` pass.
pub(crate) fn run(args: ServeArgs) -> Result<(), Failure> {
    let (config, limit) = args.config()?;
    let emulator = EmulatorHandle::start_blocking(config).map_err(|e| Failure {
        message: format!("cannot start the emulator: {e}"),
        code: crate::EXIT_TRANSPORT,
        error: None,
        extra: None,
    })?;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", emulator.base_url());
    let _ = out.flush();
    drop(out);
    eprintln!("capmonster: serving; stop with Ctrl-C");
    match limit {
        Some(d) => std::thread::sleep(d),
        None => loop {
            std::thread::park();
        },
    }
    emulator.stop();
    Ok(())
}
