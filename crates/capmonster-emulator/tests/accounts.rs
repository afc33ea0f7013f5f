//! Keys, balances, suffixes and charging.

mod common;

use std::time::Duration;

use capmonster_emulator::{Config, SolveTime};
use common::*;
use serde_json::json;

fn balance(a: std::net::SocketAddr, key: &str) -> serde_json::Value {
    post(a, "/getBalance", &json!({ "clientKey": key })).json()
}

#[test]
fn any_key_is_accepted_when_none_are_configured() {
    let emu = fast(fast_config());
    let a = emu.addr();
    let r = balance(a, "whatever");
    assert_eq!(r["errorId"], 0);
    assert_eq!(r["balance"], 100.0);
    create(a, &image_task_body("another"));
    // An empty or missing key is still refused.
    assert_eq!(balance(a, "")["errorCode"], "ERROR_KEY_DOES_NOT_EXIST");
    let r = post(a, "/getBalance", &json!({})).json();
    assert_eq!(r["errorCode"], "ERROR_KEY_DOES_NOT_EXIST");
    let r = post(a, "/createTask", &json!({ "clientKey": 5, "task": {} })).json();
    assert_eq!(r["errorCode"], "ERROR_KEY_DOES_NOT_EXIST");
}

#[test]
fn configured_keys_balances_and_charges() {
    let emu = fast(fast_config().key("rich", 1.0).key("poor", 0.0).price(0.25));
    let a = emu.addr();
    // Unknown key, on every method.
    for path in [
        "/getBalance",
        "/getTaskResult",
        "/reportIncorrectImageCaptcha",
    ] {
        let r = post(a, path, &json!({ "clientKey": "nobody", "taskId": 1 })).json();
        assert_eq!(r["errorCode"], "ERROR_KEY_DOES_NOT_EXIST", "{path}");
        assert_eq!(r["errorId"], 1);
    }
    let r = post(a, "/createTask", &image_task_body("nobody")).json();
    assert_eq!(r["errorCode"], "ERROR_KEY_DOES_NOT_EXIST");
    assert_eq!(
        r["errorDescription"],
        "Account authorization key not found in the system or has incorrect format"
    );
    // Empty balance.
    let r = post(a, "/createTask", &image_task_body("poor")).json();
    assert_eq!(r["errorCode"], "ERROR_ZERO_BALANCE");
    assert_eq!(balance(a, "poor")["balance"], 0.0);
    // Charged when ready, not when created.
    let id = create(a, &image_task_body("rich"));
    assert_eq!(balance(a, "rich")["balance"], 1.0);
    let r = wait_ready(a, "rich", id);
    assert_eq!(r["cost"], 0.25);
    assert_eq!(balance(a, "rich")["balance"], 0.75);
    // Ready tasks are charged even if never polled.
    for _ in 0..3 {
        create(a, &image_task_body("rich"));
    }
    std::thread::sleep(Duration::from_millis(60));
    assert_eq!(balance(a, "rich")["balance"], 0.0);
    let r = post(a, "/createTask", &image_task_body("rich")).json();
    assert_eq!(r["errorCode"], "ERROR_ZERO_BALANCE");
    // Topped up from the handle.
    emu.set_balance("rich", 0.5);
    create(a, &image_task_body("rich"));
    // Another key's task is not found.
    emu.set_balance("other", 1.0);
    let r = post(
        a,
        "/getTaskResult",
        &json!({ "clientKey": "other", "taskId": id }),
    )
    .json();
    assert_eq!(r["errorCode"], "ERROR_NO_SUCH_CAPCHA_ID");
}

#[test]
fn key_suffixes_are_stripped() {
    // A task is charged when it becomes ready, so a solve of 20 emulated seconds (20 ms real)
    // could finish between one key's createTask and the next key's balance check on a loaded
    // machine. Solves of a day (86 s real) keep every task unfinished, hence uncharged, for
    // the whole test: every balance below is the untouched 5.0.
    let emu = fast(
        fast_config()
            .solve_time(SolveTime::Fixed(Duration::from_secs(24 * 3600)))
            .key("0123456789abcdef0123456789abcdef", 5.0),
    );
    let a = emu.addr();
    for key in [
        "0123456789abcdef0123456789abcdef__nocache",
        "0123456789abcdef0123456789abcdef__solvemedia",
        "0123456789abcdef0123456789abcdef__recognizingthreshold_70",
        "0123456789abcdef0123456789abcdef__solvemedia__recognizingthreshold_70",
    ] {
        assert_eq!(balance(a, key)["balance"], 5.0, "{key}");
        let id = create(a, &image_task_body(key));
        // The task belongs to the bare key.
        let r = post(
            a,
            "/getTaskResult",
            &json!({ "clientKey": "0123456789abcdef0123456789abcdef", "taskId": id }),
        )
        .json();
        assert_eq!(r["errorId"], 0, "{r}");
        assert_eq!(r["status"], "processing", "{r}");
    }
    for bad in [
        "0123456789abcdef0123456789abcdef__recognizingthreshold_101",
        "0123456789abcdef0123456789abcdef__recognizingthreshold_x",
        "0123456789abcdef0123456789abcdef____",
        "__nocache",
        "other__nocache",
    ] {
        assert_eq!(
            balance(a, bad)["errorCode"],
            "ERROR_KEY_DOES_NOT_EXIST",
            "{bad}"
        );
    }
}

#[test]
fn price_can_change_at_run_time() {
    let emu = fast(
        Config::new()
            .speed(1000.0)
            .solve_time(SolveTime::Fixed(Duration::from_secs(1)))
            .key("k", 10.0),
    );
    let a = emu.addr();
    emu.set_price(1.5);
    let id = create(a, &image_task_body("k"));
    assert_eq!(wait_ready(a, "k", id)["cost"], 1.5);
    assert_eq!(balance(a, "k")["balance"], 8.5);
}

#[test]
fn optional_http_error_statuses() {
    let emu = fast(fast_config().key("k", 0.0).http_error_status(true));
    let a = emu.addr();
    let r = post(a, "/getBalance", &json!({ "clientKey": "nobody" }));
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["errorCode"], "ERROR_KEY_DOES_NOT_EXIST");
    let r = post(a, "/createTask", &image_task_body("k"));
    assert_eq!(r.status, 402);
    assert_eq!(r.json()["errorCode"], "ERROR_ZERO_BALANCE");
    // Other errors stay 200.
    let r = post(
        a,
        "/getTaskResult",
        &json!({ "clientKey": "k", "taskId": 5 }),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["errorCode"], "ERROR_NO_SUCH_CAPCHA_ID");
}

#[test]
fn accounts_are_bounded_by_key_length_and_by_count_least_recently_used_first() {
    let emu = fast(fast_config().max_accounts(3));
    let a = emu.addr();
    // A key over 256 bytes is refused without an account being made, on every method.
    let long = "k".repeat(257);
    assert_eq!(balance(a, &long)["errorCode"], "ERROR_KEY_DOES_NOT_EXIST");
    let r = post(a, "/createTask", &image_task_body(&long)).json();
    assert_eq!(r["errorCode"], "ERROR_KEY_DOES_NOT_EXIST");
    assert_eq!(emu.stats().accounts, 0);
    // 256 bytes, suffixes included, is still a key.
    let edge = format!("{}__nocache", "e".repeat(246));
    assert_eq!(balance(a, &edge)["errorId"], 0);
    // "b" spends, then "a" and "c" are used, then "a" again: "e" and "b" are the least recent.
    let id = create(a, &image_task_body("b"));
    wait_ready(a, "b", id);
    assert_eq!(balance(a, "b")["balance"], 99.9994);
    balance(a, "a");
    balance(a, "c");
    assert_eq!(emu.stats().accounts_evicted, 1); // "e" made room for "c"
    balance(a, "a");
    balance(a, "d"); // evicts "b"
    let s = emu.stats();
    assert_eq!((s.accounts, s.accounts_evicted), (3, 2));
    // "b" comes back as a new account: its balance is the default again. That evicts "c".
    assert_eq!(balance(a, "b")["balance"], 100.0);
    assert_eq!(emu.stats().accounts_evicted, 3);
    // Keys set by hand are never evicted (and close the door to unknown keys).
    emu.set_balance("kept", 5.0);
    for k in ["x", "y", "z"] {
        assert_eq!(balance(a, k)["errorCode"], "ERROR_KEY_DOES_NOT_EXIST");
    }
    assert_eq!(balance(a, "kept")["balance"], 5.0);
}
