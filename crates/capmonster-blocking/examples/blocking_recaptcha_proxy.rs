//! Solves a reCAPTCHA v2 through your own proxy:
//! `CAPMONSTER_PROXY=http://user:pass@1.2.3.4:8080 cargo run -p capmonster-blocking --example blocking_recaptcha_proxy`.
//!
//! Without `CAPMONSTER_API_KEY` it runs against a local emulator with a placeholder proxy.

use capmonster_blocking::{Client, Proxy, ProxyType, RecaptchaV2Task};
use capmonster_emulator::ExampleTarget;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = ExampleTarget::from_env()?;
    let proxy = match std::env::var("CAPMONSTER_PROXY") {
        Ok(url) => Proxy::from_url(&url)?,
        Err(_) if target.is_emulated() => {
            Proxy::new(ProxyType::Http, "8.8.8.8", 8080).with_auth("demo", "demo-password")
        }
        Err(_) => return Err("set CAPMONSTER_PROXY=http://user:pass@host:port".into()),
    };
    let mut builder = Client::builder().api_key(&target.api_key);
    if let Some(url) = &target.base_url {
        builder = builder.base_url(url);
    }
    let client = builder.build()?;
    let task = RecaptchaV2Task::new(
        "https://lessons.zennolab.com/captchas/recaptcha/v2_simple.php?level=high",
        "6Lcg7CMUAAAAANphynKgn9YAgA4tQ2KI_iqRyTwd",
    )
    .with_proxy(proxy);
    let solved = client.solve(task)?;
    let token = solved.ready.solution.main_value().unwrap_or_default();
    println!(
        "task {}: token {}... ({} chars)",
        solved.task_id,
        &token[..token.len().min(40)],
        token.len()
    );
    Ok(())
}
