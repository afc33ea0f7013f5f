//! Solves an image captcha: `cargo run -p capmonster-blocking --example blocking_image [FILE]`.
//!
//! With `CAPMONSTER_API_KEY` set it uses the real service and needs a real image file; without
//! it, a local emulator reads a demo image.

use capmonster_blocking::{Client, ImageToTextTask};
use capmonster_emulator::ExampleTarget;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = ExampleTarget::from_env()?;
    let image = match std::env::args().nth(1) {
        Some(path) => std::fs::read(&path).map_err(|e| format!("cannot read {path}: {e}"))?,
        None if target.is_emulated() => ExampleTarget::demo_image("h3ll0"),
        None => return Err("give the path of a captcha image".into()),
    };
    let mut builder = Client::builder().api_key(&target.api_key);
    if let Some(url) = &target.base_url {
        builder = builder.base_url(url);
    }
    let client = builder.build()?;
    let solved = client.solve(ImageToTextTask::from_image_bytes(&image).with_case(true))?;
    println!(
        "task {}: {} ({} polls, {:.1} s)",
        solved.task_id,
        solved.ready.solution.main_value().unwrap_or_default(),
        solved.polls,
        solved.returned_after.as_secs_f64()
    );
    Ok(())
}
