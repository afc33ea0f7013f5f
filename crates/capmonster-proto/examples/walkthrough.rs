//! Builds a createTask request and parses the documented answers, without any network.
//!
//! Run with `cargo run -p capmonster-proto --example walkthrough`.

use capmonster_proto::{
    ClientKey, CreateTask, Endpoint, GetTaskResult, Service, http, solution::TaskResult,
    task::RecaptchaV2Task,
};

fn show(req: &http::Request<Vec<u8>>) {
    println!("{} {}", req.method(), req.uri());
    for (name, value) in req.headers() {
        println!("{name}: {}", value.to_str().unwrap_or("?"));
    }
    // The body carries the key: print it with the key masked.
    let mut body: serde_json::Value = serde_json::from_slice(req.body()).expect("JSON body");
    body["clientKey"] = "[redacted]".into();
    println!(
        "\n{}\n",
        serde_json::to_string_pretty(&body).expect("printable")
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let service = Service::default();
    let key = ClientKey::new("0123456789abcdef0123456789abcdef")?;
    let create = CreateTask::new(
        RecaptchaV2Task::new(
            "https://lessons.zennolab.com/captchas/recaptcha/v2_simple.php?level=high",
            "6Lcg7CMUAAAAANphynKgn9YAgA4tQ2KI_iqRyTwd",
        )
        .with_nocache(true),
    );
    println!("== the request a front end would send");
    show(&create.build(&service, &key)?);

    let answer = |body: &'static str| http::Response::builder().status(200).body(body.as_bytes());
    let task_id = create.parse(&service, answer(r#"{"errorId":0,"taskId":7654321}"#)?)?;
    println!("== createTask answered: task {task_id}");

    let poll = GetTaskResult::new(task_id, create.task.kind());
    let processing = poll.parse(
        &service,
        answer(r#"{"errorId":0,"status":"processing","errorCode":null}"#)?,
    )?;
    println!("== first poll: {processing:?}");
    let ready = poll.parse(
        &service,
        answer(r#"{"errorId":0,"status":"ready","solution":{"gRecaptchaResponse":"3AHJ_VuvYIBNBW5yyv0zRYJ75VkOKvhKj9_xGBJKnQimF72rfoq3Iy-DyGHMwLAo6a3"}}"#)?,
    )?;
    if let TaskResult::Ready(ready) = ready {
        println!(
            "== second poll: ready, token {}",
            ready.solution.main_value().unwrap_or("?")
        );
    }

    let refused = create.parse(
        &service,
        http::Response::builder().status(402).body(
            &br#"{"errorId":1,"errorCode":"ERROR_ZERO_BALANCE","errorDescription":"Account has zero balance"}"#[..],
        )?,
    );
    if let Err(e) = refused {
        println!("== an error answer reads as: {e}");
    }
    Ok(())
}
