//! The async library in ten lines, as the README shows it (a test keeps the two equal).

// readme-start
use capmonster_async::{Client, Error, RecaptchaV2Task};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let key = std::env::var("CAPMONSTER_API_KEY").unwrap_or_default();
    let client = Client::builder().api_key(&key).build()?;
    let task = RecaptchaV2Task::new("https://example.com/login", "6Le-SITE-KEY");
    let solved = client.solve(task).await?; // dropping the future cancels the solve
    println!("{}", solved.ready.solution.main_value().unwrap_or_default());
    Ok(())
}
// readme-end
