//! The acceptance loop in ten lines, as the workspace README shows it (the scenario tests keep
//! the two equal). `submit_login` stands for your own code that posts the form with the token.

// readme-start
use capmonster_blocking::{Client, RecaptchaV2Task, Verdict};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key = std::env::var("CAPMONSTER_API_KEY").unwrap_or_default();
    let client = Client::builder().api_key(&key).build()?;
    let task = RecaptchaV2Task::new("https://example.com/login", "6Le-SITE-KEY");
    // Solve, submit, report a rejection where the rules allow, retry (with nocache once the
    // site keeps rejecting) until the site takes a token:
    let accepted = client.solve_accepted(task, |solved| {
        let token = solved.ready.solution.main_value().unwrap_or_default();
        submit_login(token) // your code: Verdict::Accepted, Rejected, or Unsure
    })?;
    println!("accepted after {} tasks", accepted.attempts.len());
    Ok(())
}
// readme-end

/// Your site's login: what the site said about the token.
fn submit_login(token: &str) -> Verdict {
    if token.is_empty() {
        Verdict::Unsure
    } else {
        Verdict::Accepted
    }
}
