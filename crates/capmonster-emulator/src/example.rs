//! Where an example (or a quick script) should send its requests.

use std::io;

use crate::{Config, EmulatorHandle, SolveTime};

/// The target of an example: the real service when `CAPMONSTER_API_KEY` is set, otherwise an
/// emulator started in-process, so examples run anywhere with no account and no network.
///
/// `CAPMONSTER_BASE_URL` overrides the base URL in both cases.
#[derive(Debug)]
pub struct ExampleTarget {
    /// The key to use.
    pub api_key: String,
    /// The base URL, when not the service's default.
    pub base_url: Option<String>,
    /// The emulator, when one was started (it stops when this is dropped).
    pub emulator: Option<EmulatorHandle>,
}

impl ExampleTarget {
    /// Reads the environment, and starts an emulator if there is no key.
    pub fn from_env() -> io::Result<Self> {
        let base_url = std::env::var("CAPMONSTER_BASE_URL")
            .ok()
            .filter(|s| !s.is_empty());
        if let Some(api_key) = std::env::var("CAPMONSTER_API_KEY")
            .ok()
            .filter(|s| !s.is_empty())
        {
            return Ok(Self {
                api_key,
                base_url,
                emulator: None,
            });
        }
        let emulator = EmulatorHandle::start_blocking(
            Config::new()
                .speed(20.0)
                .solve_time(SolveTime::Fixed(std::time::Duration::from_secs(10))),
        )?;
        eprintln!(
            "CAPMONSTER_API_KEY is not set: using a local emulator at {}",
            emulator.base_url()
        );
        Ok(Self {
            api_key: "EMULATOR_DEMO_KEY_0123456789".to_owned(),
            base_url: Some(base_url.unwrap_or_else(|| emulator.base_url())),
            emulator: Some(emulator),
        })
    }

    /// True when requests go to the in-process emulator.
    pub fn is_emulated(&self) -> bool {
        self.emulator.is_some()
    }

    /// An image the emulator reads as `text`; a real service needs a real captcha image.
    pub fn demo_image(text: &str) -> Vec<u8> {
        let mut bytes = format!("TEXT:{text} ").into_bytes();
        bytes.resize(200, b' ');
        bytes
    }
}
