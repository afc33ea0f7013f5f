//! One proxy policy for both front ends: neither reads HTTP_PROXY, HTTPS_PROXY, ALL_PROXY or
//! NO_PROXY (issue 13). The test runs itself again as a child process whose environment points
//! every proxy variable at a loopback "proxy" that counts its connections; in the child, both
//! clients reach an emulator directly, and the proxy sees no connection.

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use capmonster_tests::raw::RawServer;
use capmonster_tests::{Kind, config, emulator, front};

const CHILD: &str = "CAPMONSTER_PROXY_ENV_CHILD";

#[test]
fn neither_client_reads_the_proxy_environment() {
    if std::env::var_os(CHILD).is_some() {
        let emu = emulator(config());
        for kind in [Kind::Blocking, Kind::Async] {
            let balance = front(kind, &emu).balance();
            assert!(balance.is_ok(), "{kind:?}: {balance:?}");
        }
        return;
    }
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let proxy = RawServer::start(
        8,
        Duration::from_secs(30),
        move |_stream, _request, _stop| {
            counter.fetch_add(1, Ordering::SeqCst);
        },
    );
    let url = proxy.base_url();
    let mut child = Command::new(std::env::current_exe().expect("this test binary"));
    child
        .args(["--exact", "neither_client_reads_the_proxy_environment"])
        .env(CHILD, "1")
        .env_remove("NO_PROXY")
        .env_remove("no_proxy");
    for name in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        child.env(name, &url);
    }
    let out = child.output().expect("the child runs");
    assert!(
        out.status.success(),
        "child failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(seen.load(Ordering::SeqCst), 0, "the proxy saw a connection");
}
