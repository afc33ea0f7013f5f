//! Bounded tasks: in progress per key, kept in all, and what a flood gets.

mod common;

use std::time::Duration;

use capmonster_emulator::{Config, Dialect, SolveTime};
use common::*;
use serde_json::json;

fn poll(a: std::net::SocketAddr, key: &str, id: u64) -> serde_json::Value {
    post(
        a,
        "/getTaskResult",
        &json!({ "clientKey": key, "taskId": id }),
    )
    .json()
}

#[test]
fn a_flood_of_tasks_gets_no_slot_available_per_key_and_in_all() {
    let emu = fast(
        Config::new()
            .solve_time(SolveTime::Fixed(Duration::from_secs(60)))
            .max_live_tasks_per_key(5)
            .max_tasks(8),
    );
    let a = emu.addr();
    for _ in 0..5 {
        create(a, &image_task_body("a"));
    }
    let r = post(a, "/createTask", &image_task_body("a")).json();
    assert_eq!(r["errorCode"], "ERROR_NO_SLOT_AVAILABLE", "{r}");
    assert_eq!(r["errorId"], 1);
    assert_eq!(r["taskId"], 0);
    // Another key still has room, up to the total.
    for _ in 0..3 {
        create(a, &image_task_body("b"));
    }
    let r = post(a, "/createTask", &image_task_body("b")).json();
    assert_eq!(r["errorCode"], "ERROR_NO_SLOT_AVAILABLE", "{r}");
    // The URL form answers with the same code.
    let r = form(
        a,
        "/in.php",
        "key=c&method=userrecaptcha&googlekey=6Lc_aCMTAAAAABx7u2W0WPXnVbI_v6ZdbM6rYf16&pageurl=https://example.com/",
    );
    assert_eq!(r.text(), "ERROR_NO_SLOT_AVAILABLE");
    let s = emu.stats();
    assert_eq!(
        (
            s.tasks_created,
            s.tasks_refused,
            s.tasks_over_key_limit,
            s.tasks_over_total_limit,
            s.tasks_kept
        ),
        (8, 3, 1, 2, 8)
    );
    assert_eq!(s.errors_by_code["ERROR_NO_SLOT_AVAILABLE"], 3);
}

#[test]
fn the_anti_captcha_dialect_numbers_no_slot_2() {
    let emu = fast(
        fast_config()
            .dialect(Dialect::AntiCaptcha)
            .max_live_tasks_per_key(0),
    );
    let r = post(emu.addr(), "/createTask", &image_task_body("a")).json();
    assert_eq!(
        (r["errorId"].clone(), r["errorCode"].clone()),
        (json!(2), json!("ERROR_NO_SLOT_AVAILABLE"))
    );
}

#[test]
fn a_finished_task_frees_its_slot() {
    // 20 emulated seconds at speed 1000: 20 ms.
    let emu = fast(fast_config().max_live_tasks_per_key(2));
    let a = emu.addr();
    let first = create(a, &image_task_body("a"));
    create(a, &image_task_body("a"));
    let r = post(a, "/createTask", &image_task_body("a")).json();
    assert_eq!(r["errorCode"], "ERROR_NO_SLOT_AVAILABLE");
    wait_ready(a, "a", first);
    std::thread::sleep(Duration::from_millis(50));
    create(a, &image_task_body("a"));
}

#[test]
fn at_the_total_cap_the_finished_task_expiring_first_is_dropped() {
    let emu = fast(
        Config::new()
            .solve_time(SolveTime::Fixed(Duration::ZERO))
            .max_tasks(4),
    );
    let a = emu.addr();
    let ids: Vec<u64> = (0..4).map(|_| create(a, &image_task_body("a"))).collect();
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(poll(a, "a", ids[3])["status"], "ready");
    let fifth = create(a, &image_task_body("a"));
    // The oldest finished result went early, like an expired one; the rest are kept.
    assert_eq!(poll(a, "a", ids[0])["errorCode"], "ERROR_NO_SUCH_CAPCHA_ID");
    assert_eq!(poll(a, "a", ids[1])["status"], "ready");
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(poll(a, "a", fifth)["status"], "ready");
    let s = emu.stats();
    assert_eq!((s.results_dropped_early, s.tasks_kept), (1, 4));
}
