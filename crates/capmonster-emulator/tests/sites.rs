//! Simulated sites: tokens checked at `POST /_emulator/sites/verify`, accepted with the site's
//! probability (another with nocache), once; per-site stats; nocache's extra solve time.

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::Duration;

use capmonster_emulator::{Config, Dialect, Site, SolveTime};
use common::*;
use serde_json::{Value, json};

const HOST: &str = "shop.example";
const KEY: &str = "6Lc_aCMTAAAAABx7u2W0WPXnVbI_v6ZdbM6rYf16";
const URL: &str = "https://Shop.Example:8443/login?next=/cart";

fn recaptcha(client_key: &str, url: &str, site_key: &str, nocache: bool) -> Value {
    let mut task =
        json!({ "type": "RecaptchaV2TaskProxyless", "websiteURL": url, "websiteKey": site_key });
    if nocache {
        task["nocache"] = json!(true);
    }
    json!({ "clientKey": client_key, "task": task })
}

/// Creates a task, waits for it, and returns its id and token.
fn solve(conn: &mut Conn, body: &Value) -> (u64, String) {
    let r = conn.post("/createTask", body).unwrap().json();
    let id = r["taskId"].as_u64().unwrap_or_else(|| panic!("{r}"));
    let key = body["clientKey"].as_str().unwrap();
    for _ in 0..400 {
        let r = conn
            .post("/getTaskResult", &json!({ "clientKey": key, "taskId": id }))
            .unwrap()
            .json();
        if r["status"] == "ready" {
            let token = r["solution"]["gRecaptchaResponse"]
                .as_str()
                .or(r["solution"]["token"].as_str())
                .unwrap_or_default()
                .to_owned();
            return (id, token);
        }
        assert_eq!(r["errorId"], 0, "{r}");
        std::thread::sleep(Duration::from_millis(2));
    }
    panic!("task {id} never became ready");
}

fn verify(conn: &mut Conn, body: &Value) -> Value {
    let r = conn.post("/_emulator/sites/verify", body).unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

fn check(conn: &mut Conn, token: &str) -> Value {
    verify(
        conn,
        &json!({ "websiteURL": URL, "websiteKey": KEY, "token": token }),
    )
}

/// Fast solves (1 emulated second = 1 ms real), many tasks at once.
fn quick() -> Config {
    Config::new()
        .speed(1000.0)
        .solve_time(SolveTime::Fixed(Duration::from_secs(1)))
}

#[test]
fn acceptance_rates_follow_the_site_with_and_without_nocache() {
    let emu = fast(quick().site(Site::new(HOST, KEY).accept(0.3, 0.9)));
    let mut conn = Conn::open(emu.addr());
    let n = 300;
    let mut verdicts = Vec::new();
    for nocache in [false, true] {
        let mut accepted = 0;
        for _ in 0..n {
            let (_, token) = solve(&mut conn, &recaptcha("k", URL, KEY, nocache));
            let v = check(&mut conn, &token);
            assert_eq!(v["nocache"], nocache, "{v}");
            if v["accepted"] == true {
                assert_eq!(v["reason"], "accepted");
                accepted += 1;
            } else {
                assert_eq!(v["reason"], "rejected");
            }
            verdicts.push(v["accepted"].as_bool().unwrap());
        }
        let rate = f64::from(accepted) / f64::from(n);
        let want = if nocache { 0.9 } else { 0.3 };
        // Three standard deviations of a binomial share over 300 tokens: 0.08 at 0.3, 0.05 at 0.9.
        let tolerance = 3.0 * (want * (1.0 - want) / f64::from(n)).sqrt();
        assert!(
            (rate - want).abs() <= tolerance,
            "nocache={nocache}: {rate} accepted, want {want} ± {tolerance:.3}"
        );
    }
    let s = emu.stats();
    let site = &s.sites[&format!("{HOST}/{KEY}")];
    assert_eq!(site.tasks_without_nocache, 300);
    assert_eq!(site.tasks_with_nocache, 300);
    assert_eq!(site.accepted + site.rejected, 600);
    let accepted = verdicts.iter().filter(|v| **v).count() as u64;
    assert_eq!(site.accepted, accepted);
    assert_eq!(
        site.accepted_with_nocache,
        verdicts[300..].iter().filter(|v| **v).count() as u64
    );
    assert_eq!(
        site.rejected_with_nocache,
        verdicts[300..].iter().filter(|v| !**v).count() as u64
    );
    assert_eq!((site.reused, site.unknown, site.reported), (0, 0, 0));
    assert_eq!((site.accept_plain, site.accept_nocache), (0.3, 0.9));
    assert_eq!(s.tokens_verified, 600);
    assert_eq!(s.tokens_accepted, accepted);

    // Seeded: the same run gives the same verdicts, task by task.
    let again = fast(quick().site(Site::new(HOST, KEY).accept(0.3, 0.9)));
    let mut conn = Conn::open(again.addr());
    for (i, want) in verdicts.iter().take(40).enumerate() {
        let (_, token) = solve(&mut conn, &recaptcha("k", URL, KEY, false));
        assert_eq!(check(&mut conn, &token)["accepted"], *want, "token {i}");
    }
}

#[test]
fn every_form_of_nocache_counts_and_only_where_the_type_takes_it() {
    let site = Site::new(HOST, "*").accept(0.0, 1.0);
    let emu = fast(quick().site(site));
    let a = emu.addr();
    let mut conn = Conn::open(a);
    // Key suffix and task field: nocache, so accepted by this site.
    let (_, t) = solve(&mut conn, &recaptcha("k__nocache", URL, KEY, false));
    assert_eq!(check(&mut conn, &t)["accepted"], true);
    let (_, t) = solve(&mut conn, &recaptcha("k", URL, KEY, true));
    assert_eq!(check(&mut conn, &t)["accepted"], true);
    // in.php's nocache=1.
    let r = form(
        a,
        "/in.php",
        &format!(
            "key=k&method=userrecaptcha&googlekey={KEY}&pageurl=https://shop.example/p&nocache=1"
        ),
    );
    let id: u64 = r.text().strip_prefix("OK|").unwrap().parse().unwrap();
    wait_ready(a, "k", id);
    let v = verify(&mut conn, &json!({ "taskId": id }));
    assert_eq!(
        (&v["accepted"], &v["nocache"]),
        (&json!(true), &json!(true))
    );
    // Plain: rejected.
    let (_, t) = solve(&mut conn, &recaptcha("k", URL, KEY, false));
    assert_eq!(check(&mut conn, &t)["reason"], "rejected");
    // Turnstile does not take nocache: the suffix does not change its verdict.
    let body = json!({ "clientKey": "k__nocache", "task": { "type": "TurnstileTaskProxyless",
        "websiteURL": "https://shop.example/", "websiteKey": "0x4AAAAAAABS7vwvV6VFfMcD" } });
    let (id, t) = solve(&mut conn, &body);
    assert!(t.starts_with("0."), "{t}");
    let v = verify(
        &mut conn,
        &json!({ "websiteURL": "https://shop.example/", "websiteKey": "0x4AAAAAAABS7vwvV6VFfMcD", "token": t }),
    );
    assert_eq!(
        v,
        json!({ "accepted": false, "reason": "rejected", "taskId": id, "nocache": false })
    );
    let site = &emu.stats().sites[&format!("{HOST}/*")];
    assert_eq!(
        (site.tasks_with_nocache, site.tasks_without_nocache),
        (3, 2)
    );
    assert_eq!((site.accepted, site.rejected), (3, 2));
}

#[test]
fn a_token_is_accepted_at_most_once() {
    let emu = fast(quick().site(Site::new(HOST, KEY).accept(1.0, 1.0)));
    let mut conn = Conn::open(emu.addr());
    let (id, token) = solve(&mut conn, &recaptcha("k", URL, KEY, false));
    let v = check(&mut conn, &token);
    assert_eq!(
        v,
        json!({ "accepted": true, "reason": "accepted", "taskId": id, "nocache": false })
    );
    for again in [
        json!({ "websiteURL": URL, "websiteKey": KEY, "token": token }),
        json!({ "taskId": id }),
        json!({ "token": token, "taskId": id }),
    ] {
        let v = verify(&mut conn, &again);
        assert_eq!(
            (&v["accepted"], &v["reason"]),
            (&json!(false), &json!("already_used")),
            "{again}"
        );
    }
    // A rejected token is used up too.
    let emu = fast(quick().site(Site::new(HOST, KEY).accept(0.0, 0.0)));
    let mut conn = Conn::open(emu.addr());
    let (_, token) = solve(&mut conn, &recaptcha("k", URL, KEY, false));
    assert_eq!(check(&mut conn, &token)["reason"], "rejected");
    assert_eq!(check(&mut conn, &token)["reason"], "already_used");
    // On a site that is not simulated, every fresh token is accepted, once.
    let (_, token) = solve(
        &mut conn,
        &recaptcha("k", "https://other.example/", KEY, false),
    );
    let other =
        json!({ "websiteURL": "https://other.example/", "websiteKey": KEY, "token": token });
    assert_eq!(verify(&mut conn, &other)["accepted"], true);
    assert_eq!(verify(&mut conn, &other)["reason"], "already_used");
    let s = emu.stats();
    let site = &s.sites[&format!("{HOST}/{KEY}")];
    assert_eq!((site.accepted, site.rejected, site.reused), (0, 2, 1));
    assert_eq!(s.sites.len(), 1, "unconfigured sites are not listed");
    assert_eq!((s.tokens_verified, s.tokens_accepted), (4, 1));
    assert_eq!(s.requests_by_endpoint["sitesVerify"], 4);
}

#[test]
fn forged_unready_and_misdirected_tokens_are_rejected() {
    let emu = fast(
        Config::new()
            .speed(1000.0)
            .solve_time(SolveTime::Fixed(Duration::from_secs(3600)))
            .site(Site::new(HOST, KEY)),
    );
    let mut conn = Conn::open(emu.addr());
    // A token the emulator never issued, of the right shape.
    let forged = format!("03AFcWeA{}", "A".repeat(640));
    let v = check(&mut conn, &forged);
    assert_eq!(v, json!({ "accepted": false, "reason": "unknown_token" }));
    let v = verify(&mut conn, &json!({ "taskId": 424_242 }));
    assert_eq!(v["reason"], "unknown_token");
    // A task that is not solved yet has no token to check.
    let r = conn
        .post("/createTask", &recaptcha("k", URL, KEY, false))
        .unwrap()
        .json();
    let id = r["taskId"].as_u64().unwrap();
    let v = verify(&mut conn, &json!({ "taskId": id }));
    assert_eq!(
        (&v["accepted"], &v["reason"]),
        (&json!(false), &json!("not_ready"))
    );
    // Solved: checked by another site (host or key), it is not that site's token.
    emu.set_solve_time(SolveTime::Fixed(Duration::from_secs(1)));
    let (id, token) = solve(&mut conn, &recaptcha("k", URL, KEY, false));
    for (url, key) in [("https://elsewhere.example/", KEY), (URL, "6LcOTHERKEY")] {
        let v = verify(
            &mut conn,
            &json!({ "websiteURL": url, "websiteKey": key, "token": token }),
        );
        assert_eq!(
            (&v["accepted"], &v["reason"]),
            (&json!(false), &json!("wrong_site")),
            "{url} {key}"
        );
    }
    // A token and a task id that disagree.
    let v = verify(&mut conn, &json!({ "token": token, "taskId": id - 1 }));
    assert_eq!(v["reason"], "unknown_token");
    // None of that used the token up.
    assert_eq!(check(&mut conn, &token)["accepted"], true);
    let site = &emu.stats().sites[&format!("{HOST}/{KEY}")];
    // The forged token, the unready task and the mismatched pair were sent to this site.
    assert_eq!((site.accepted, site.unknown, site.rejected), (1, 2, 2));

    // Malformed requests name what is wrong.
    for (body, needle) in [
        (json!({}), "token"),
        (json!({ "token": 5 }), "token must be a string"),
        (json!({ "taskId": "x" }), "taskId"),
        (json!({ "taskId": 1, "websiteURL": 3 }), "websiteURL"),
    ] {
        let r = conn.post("/_emulator/sites/verify", &body).unwrap();
        assert_eq!(r.status, 400, "{body}");
        let v = r.json();
        assert_eq!(v["reason"], "bad_request");
        assert!(v["error"].as_str().unwrap().contains(needle), "{v}");
    }
    let r = conn
        .send("POST", "/_emulator/sites/verify", b"not json")
        .unwrap();
    assert_eq!(r.status, 400);
    let r = conn.send("GET", "/_emulator/sites/verify", b"").unwrap();
    assert_eq!(r.status, 405);
}

#[test]
fn reports_are_counted_per_site() {
    for dialect in [Dialect::CapMonster, Dialect::AntiCaptcha] {
        // Anti-Captcha takes reports within 60 emulated seconds of completion: at 20x, 3 s real.
        let emu = fast(
            Config::new()
                .speed(20.0)
                .solve_time(SolveTime::Fixed(Duration::from_secs(1)))
                .dialect(dialect)
                .site(Site::new(HOST, KEY).accept(0.0, 0.0))
                .site(Site::new("other.example", "*")),
        );
        let a = emu.addr();
        let mut conn = Conn::open(a);
        let report = |conn: &mut Conn, id: u64| {
            conn.post(
                "/reportIncorrectRecaptcha",
                &json!({ "clientKey": "k", "taskId": id }),
            )
            .unwrap()
            .json()
        };
        for _ in 0..3 {
            let (id, token) = solve(&mut conn, &recaptcha("k", URL, KEY, false));
            assert_eq!(check(&mut conn, &token)["accepted"], false);
            assert_eq!(report(&mut conn, id)["errorId"], 0);
        }
        let (id, _) = solve(
            &mut conn,
            &recaptcha("k", "https://other.example/", "k2", false),
        );
        assert_eq!(report(&mut conn, id)["errorId"], 0);
        // A refused report (an image task through the token method) counts nowhere.
        let img = create(a, &image_task_body("k"));
        wait_ready(a, "k", img);
        assert_ne!(report(&mut conn, img)["errorId"], 0);
        let s = emu.stats();
        assert_eq!(s.reports_accepted, 4, "{dialect:?}");
        assert_eq!(s.sites[&format!("{HOST}/{KEY}")].reported, 3, "{dialect:?}");
        assert_eq!(s.sites["other.example/*"].reported, 1, "{dialect:?}");
        // The same on the stats page.
        let page = get(a, "/_emulator/stats").json();
        assert_eq!(page["sites"][format!("{HOST}/{KEY}")]["reported"], 3);
        assert_eq!(page["sites"][format!("{HOST}/{KEY}")]["rejected"], 3);
        assert_eq!(page["tokens_verified"], 3);
    }
}

#[test]
fn nocache_costs_the_sites_extra_solve_time() {
    // An hour of extra time (3.6 s real): the nocache task cannot be ready before the check
    // below, however loaded the machine.
    let extra = Duration::from_secs(3600);
    let mut config = Config::new()
        .speed(1000.0)
        .solve_time(SolveTime::Fixed(Duration::from_secs(10)))
        .site(Site::new(HOST, KEY).nocache_extra(extra));
    // Kept long enough to be read once the clock runs a million times faster.
    config.result_ttl = Duration::from_secs(30 * 24 * 3600);
    let emu = fast(config);
    let a = emu.addr();
    let plain = create(a, &recaptcha("k", URL, KEY, false));
    let nocache = create(a, &recaptcha("k", URL, KEY, true));
    let suffix = create(a, &recaptcha("k__nocache", URL, KEY, false));
    let elsewhere = create(a, &recaptcha("k", "https://other.example/", KEY, true));
    let s = emu.stats();
    let solve_ms = |id: u64| {
        let t = &s.tasks[&id];
        (t.ready_emulated_ms - t.created_emulated_ms).round()
    };
    assert_eq!(solve_ms(plain), 10_000.0);
    assert_eq!(solve_ms(nocache), 3_610_000.0);
    assert_eq!(solve_ms(suffix), 3_610_000.0);
    // Another site's nocache costs nothing extra.
    assert_eq!(solve_ms(elsewhere), 10_000.0);
    // The nocache task really is ready later.
    wait_ready(a, "k", plain);
    let r = post(
        a,
        "/getTaskResult",
        &json!({ "clientKey": "k", "taskId": nocache }),
    )
    .json();
    assert_eq!(r["status"], "processing", "{r}");
    // Sped up a thousand times more, the hour passes.
    emu.set_speed(1e6);
    assert_eq!(wait_ready(a, "k", nocache)["status"], "ready");
}

#[test]
fn the_binary_simulates_sites_from_its_flags() {
    let bin = env!("CARGO_BIN_EXE_capmonster-emulator");
    let mut child = Command::new(bin)
        .args([
            "--speed",
            "1000",
            "--solve-ms",
            "1000",
            "--max-seconds",
            "60",
        ])
        .args(["--site", &format!("{HOST},{KEY},0,1,5000")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr: SocketAddr = line.trim().trim_start_matches("http://").parse().unwrap();
    let mut conn = Conn::open(addr);
    let (plain, t1) = solve(&mut conn, &recaptcha("k", URL, KEY, false));
    let (nocache, t2) = solve(&mut conn, &recaptcha("k", URL, KEY, true));
    let r1 = check(&mut conn, &t1);
    let r2 = check(&mut conn, &t2);
    let page = get(addr, "/_emulator/stats?tasks=1").json();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(r1["accepted"], false);
    assert_eq!(r2["accepted"], true);
    let solve_ms = |id: u64| {
        let t = &page["tasks"][id.to_string()];
        (t["ready_emulated_ms"].as_f64().unwrap() - t["created_emulated_ms"].as_f64().unwrap())
            .round()
    };
    assert_eq!(solve_ms(plain), 1000.0);
    assert_eq!(solve_ms(nocache), 6000.0);
    assert_eq!(page["sites"][format!("{HOST}/{KEY}")]["accepted"], 1);

    // A bad site definition is bad usage, and says what the form is.
    let out = Command::new(bin)
        .args(["--site", "shop.example,k,2,0.5"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("HOST,KEY,P_PLAIN,P_NOCACHE"), "{err}");
}

#[test]
fn sites_are_capped_and_replaced_by_host_and_key() {
    let mut config = quick();
    for i in 0..=capmonster_emulator::MAX_SITES {
        config = config.site(Site::new(&format!("s{i}.example"), "k"));
    }
    let err = capmonster_emulator::EmulatorHandle::start_blocking(config).unwrap_err();
    assert!(err.to_string().contains("at most 1000"), "{err}");

    let emu = fast(quick().site(Site::new(HOST, KEY).accept(0.0, 0.0)));
    // The same host and key again: replaced, not added.
    assert!(emu.set_site(Site::new(HOST, KEY).accept(1.0, 1.0)));
    let mut conn = Conn::open(emu.addr());
    let (_, token) = solve(&mut conn, &recaptcha("k", URL, KEY, false));
    assert_eq!(check(&mut conn, &token)["accepted"], true);
    let s = emu.stats();
    assert_eq!(s.sites.len(), 1);
    assert_eq!(s.sites[&format!("{HOST}/{KEY}")].accept_plain, 1.0);
    for i in 1..capmonster_emulator::MAX_SITES {
        assert!(emu.set_site(Site::new(&format!("s{i}.example"), "k")));
    }
    assert!(!emu.set_site(Site::new("one-too-many.example", "k")));
    assert_eq!(emu.stats().sites.len(), capmonster_emulator::MAX_SITES);
}
