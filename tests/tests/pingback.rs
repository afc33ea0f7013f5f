//! Pingback mode on both front ends against the emulator, whose callbacks go to the async
//! crate's receiver (`serve_pingbacks`) on 127.0.0.1: a normal delivery (one createTask, no
//! poll), a lost one (the fallback poll finds the result), a duplicated one, a late one, and
//! forged ones (refused, and the solve ends with the real result).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use capmonster_async::{DeliveryRefused, ImageToTextTask, Policy, Solved, TaskKind, Timing};
use capmonster_emulator::{CallbackFault, Config, EmulatorHandle, ExampleTarget, SolveTime};
use serde_json::Value;

type Deliver = Arc<dyn Fn(&str, &[u8]) -> Result<(), DeliveryRefused> + Send + Sync>;

/// One delivery the receiver saw: path, body, and what the client said.
type Seen = (String, Vec<u8>, Result<(), DeliveryRefused>);

/// The receiver: `serve_pingbacks` on its own thread and runtime, handing each POST to
/// `forge` (which may try forged deliveries first) and then to the client. Stops when dropped,
/// and by itself after 60 s.
struct Receiver {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Receiver {
    fn start(deliver: Deliver) -> Self {
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let (tx, rx) = std::sync::mpsc::channel();
        let log = Arc::clone(&seen);
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                let serve = capmonster_async::serve_pingbacks(listener, move |path, body| {
                    let outcome = deliver(path, body);
                    let entry = (path.to_owned(), body.to_vec(), outcome.clone());
                    log.lock().unwrap().push(entry);
                    outcome
                });
                let limit = tokio::time::sleep(Duration::from_secs(60));
                futures_util::future::select(
                    Box::pin(serve),
                    futures_util::future::select(stopped, Box::pin(limit)),
                )
                .await;
            });
        });
        let addr = rx.recv().unwrap();
        Self {
            base: format!("http://{addr}/capmonster/cb"),
            seen,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Waits (up to 5 s) until the receiver has seen `n` deliveries.
    fn wait_for(&self, n: usize) -> Vec<Seen> {
        let until = Instant::now() + Duration::from_secs(5);
        while self.seen().len() < n && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(10));
        }
        self.seen()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

const KEY: &str = "0123456789abcdef0123456789abcdef";

/// Solves a few ms long (2 s at speed 100), polls every 100 ms, a 3 s deadline: the fallback
/// poll comes at 2.9 s.
fn emulator(fault: CallbackFault) -> EmulatorHandle {
    let config = Config::new()
        .speed(100.0)
        .solve_time(SolveTime::Fixed(Duration::from_secs(2)))
        .callback_fault(fault);
    EmulatorHandle::start_blocking(config).unwrap()
}

fn policy(deadline: Duration) -> Policy {
    let ms = Duration::from_millis;
    let row = Timing::new(ms(50), ms(100), deadline);
    Policy::new()
        .with_min_interval(ms(100))
        .with_timing(TaskKind::ImageToText, row)
}

fn task() -> ImageToTextTask {
    ImageToTextTask::from_image_bytes(&ExampleTarget::demo_image("pb42"))
}

/// Which front end solves.
#[derive(Debug, Clone, Copy)]
enum Front {
    Blocking,
    Async,
}

/// A client of `front` against `emu` in pingback mode under `base`; its `deliver` and `solve`.
type Solve = Box<dyn FnOnce() -> Result<Solved, capmonster_async::Error>>;

fn client(front: Front, emu: &EmulatorHandle, base: &str, deadline: Duration) -> (Deliver, Solve) {
    match front {
        Front::Blocking => {
            let client = capmonster_blocking::Client::builder()
                .api_key(KEY)
                .base_url(emu.base_url())
                .policy(policy(deadline))
                .pingback(base)
                .build()
                .unwrap();
            let c = client.clone();
            (
                Arc::new(move |p: &str, b: &[u8]| c.deliver(p, b)),
                Box::new(move || client.solve(task())),
            )
        }
        Front::Async => {
            let client = capmonster_async::Client::builder()
                .api_key(KEY)
                .base_url(emu.base_url())
                .policy(policy(deadline))
                .pingback(base)
                .build()
                .unwrap();
            let c = client.clone();
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            (
                Arc::new(move |p: &str, b: &[u8]| c.deliver(p, b)),
                Box::new(move || rt.block_on(client.solve(task()))),
            )
        }
    }
}

/// A receiver whose deliveries go to the client made after it (the base URL comes first).
fn receiver_and_client(
    front: Front,
    emu: &EmulatorHandle,
    deadline: Duration,
    forge: fn(&str, &[u8], &Deliver),
) -> (Receiver, Deliver, Solve) {
    let slot: Arc<Mutex<Option<Deliver>>> = Arc::default();
    let late = Arc::clone(&slot);
    let receiver = Receiver::start(Arc::new(move |path, body| {
        let deliver = late.lock().unwrap().clone().expect("client made");
        forge(path, body, &deliver);
        deliver(path, body)
    }));
    let (deliver, solve) = client(front, emu, &receiver.base, deadline);
    *slot.lock().unwrap() = Some(Arc::clone(&deliver));
    (receiver, deliver, solve)
}

fn no_forgery(_: &str, _: &[u8], _: &Deliver) {}

fn requests(emu: &EmulatorHandle, endpoint: &str) -> u64 {
    emu.stats()
        .requests_by_endpoint
        .get(endpoint)
        .copied()
        .unwrap_or(0)
}

const FRONTS: [Front; 2] = [Front::Blocking, Front::Async];
const DEADLINE: Duration = Duration::from_secs(3);

#[test]
fn a_delivery_ends_the_solve_with_one_request() {
    for front in FRONTS {
        let emu = emulator(CallbackFault::None);
        let (receiver, _, solve) = receiver_and_client(front, &emu, DEADLINE, no_forgery);
        let started = Instant::now();
        let solved = solve().unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{front:?}: no fallback poll"
        );
        assert_eq!(
            solved.ready.solution.main_value(),
            Some("pb42"),
            "{front:?}"
        );
        assert_eq!((solved.create_attempts, solved.polls), (1, 0), "{front:?}");
        assert_eq!(requests(&emu, "createTask"), 1, "{front:?}");
        assert_eq!(requests(&emu, "getTaskResult"), 0, "{front:?}");
        // The solve may end before the receiver has logged the delivery.
        let seen = receiver.wait_for(1);
        assert_eq!(seen.len(), 1, "{front:?}");
        assert_eq!(seen[0].2, Ok(()), "{front:?}");
        assert!(seen[0].0.starts_with("/capmonster/cb/"), "{front:?}");
    }
}

#[test]
fn a_lost_delivery_still_ends_in_a_solution_through_the_fallback_poll() {
    for front in FRONTS {
        let emu = emulator(CallbackFault::Drop);
        let (receiver, _, solve) = receiver_and_client(front, &emu, DEADLINE, no_forgery);
        let started = Instant::now();
        let solved = solve().unwrap();
        assert!(
            started.elapsed() >= Duration::from_millis(2800),
            "{front:?}"
        );
        assert_eq!(
            solved.ready.solution.main_value(),
            Some("pb42"),
            "{front:?}"
        );
        assert_eq!((solved.create_attempts, solved.polls), (1, 1), "{front:?}");
        assert_eq!(requests(&emu, "getTaskResult"), 1, "{front:?}");
        assert!(receiver.seen().is_empty(), "{front:?}");
        assert_eq!(emu.stats().callbacks_failed, 1, "{front:?}");
    }
}

#[test]
fn a_duplicated_delivery_is_refused() {
    for front in FRONTS {
        let emu = emulator(CallbackFault::Twice);
        let (receiver, deliver, solve) = receiver_and_client(front, &emu, DEADLINE, no_forgery);
        let solved = solve().unwrap();
        assert_eq!(solved.polls, 0, "{front:?}");
        let seen = receiver.wait_for(2);
        assert_eq!(seen.len(), 2, "{front:?}");
        assert_eq!(seen[0].2, Ok(()), "{front:?}");
        // The second copy comes while the solve ends, or after: a duplicate, or late.
        let second = seen[1].2.clone().unwrap_err();
        assert!(
            matches!(
                second,
                DeliveryRefused::Duplicate | DeliveryRefused::Finished
            ),
            "{front:?}: {second}"
        );
        // Handed in once more by the user's own server: refused again.
        assert_eq!(
            deliver(&seen[0].0, &seen[0].1),
            Err(DeliveryRefused::Finished),
            "{front:?}"
        );
    }
}

#[test]
fn a_late_delivery_after_the_fallback_poll_is_refused() {
    for front in FRONTS {
        // The poll at 0.5 s - 0.1 s finds the task; the callback comes 1 s after it is done.
        let emu = emulator(CallbackFault::Delay(Duration::from_secs(1)));
        let deadline = Duration::from_millis(500);
        let (receiver, _, solve) = receiver_and_client(front, &emu, deadline, no_forgery);
        let solved = solve().unwrap();
        assert_eq!(solved.polls, 1, "{front:?}");
        let seen = receiver.wait_for(1);
        assert_eq!(seen.len(), 1, "{front:?}");
        assert_eq!(seen[0].2, Err(DeliveryRefused::Finished), "{front:?}");
    }
}

/// Before the real delivery, tries forged ones on the receiver's behalf: another token, the
/// right token with a body naming another task or carrying a "processing" answer, and garbage.
/// Each must be refused, else the real one would be refused as a duplicate.
fn forge(path: &str, body: &[u8], deliver: &Deliver) {
    let (head, token) = path.rsplit_once('/').unwrap();
    let flipped: String = token
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i == 0 {
                if c == '0' { '1' } else { '0' }
            } else {
                c
            }
        })
        .collect();
    let mut forged: Value = serde_json::from_slice(body).unwrap();
    forged["solution"]["text"] = "FORGED".into();
    let wrong_token = deliver(&format!("{head}/{flipped}"), body);
    assert_eq!(wrong_token, Err(DeliveryRefused::UnknownToken));
    forged["taskId"] = 1.into();
    let other = deliver(path, forged.to_string().as_bytes());
    assert!(
        matches!(other, Err(DeliveryRefused::OtherTask { named: 1, .. })),
        "{other:?}"
    );
    let processing = deliver(path, br#"{"errorId":0,"status":"processing"}"#);
    assert!(matches!(
        processing,
        Err(DeliveryRefused::NotAResult { .. })
    ));
    let garbage = deliver(path, b"\x00\xff not json");
    assert!(matches!(garbage, Err(DeliveryRefused::NotAResult { .. })));
}

#[test]
fn forged_deliveries_are_refused_and_do_not_finish_the_solve() {
    for front in FRONTS {
        let emu = emulator(CallbackFault::None);
        let (receiver, _, solve) = receiver_and_client(front, &emu, DEADLINE, forge);
        let solved = solve().unwrap();
        assert_eq!(
            solved.ready.solution.main_value(),
            Some("pb42"),
            "{front:?}"
        );
        assert_eq!(solved.polls, 0, "{front:?}");
        let seen = receiver.wait_for(1);
        assert_eq!(seen.len(), 1, "{front:?}");
        assert_eq!(
            seen[0].2,
            Ok(()),
            "{front:?}: the real delivery came after the forged ones"
        );
    }
}

#[test]
fn a_forged_delivery_alone_leaves_the_solve_to_its_fallback_poll() {
    for front in FRONTS {
        // The real callback is lost; a forger with an unknown token is all that comes.
        let emu = emulator(CallbackFault::Drop);
        let (receiver, deliver, solve) = receiver_and_client(front, &emu, DEADLINE, no_forgery);
        let path = format!("/capmonster/cb/{}", "0".repeat(32));
        let forged = br#"{"errorId":0,"status":"ready","solution":{"text":"FORGED"}}"#;
        let forger = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            deliver(&path, forged)
        });
        let solved = solve().unwrap();
        assert_eq!(forger.join().unwrap(), Err(DeliveryRefused::UnknownToken));
        assert_eq!(
            solved.ready.solution.main_value(),
            Some("pb42"),
            "{front:?}"
        );
        assert_eq!(solved.polls, 1, "{front:?}");
        drop(receiver);
    }
}
