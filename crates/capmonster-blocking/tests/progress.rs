//! `solve_observed` and `wait_observed` report each step of a solve.

use std::time::Duration;

use capmonster_blocking::proto::solver::TimingTable;
use capmonster_blocking::{Client, ImageToTextTask, Policy, Progress, TaskKind, Timing};
use capmonster_emulator::{Config, EmulatorHandle, SolveTime};

fn fast_policy() -> Policy {
    let row = Timing::new(
        Duration::from_millis(100),
        Duration::from_millis(100),
        Duration::from_secs(10),
    );
    let mut table = TimingTable::new();
    for kind in TaskKind::ALL {
        table.set(*kind, row);
    }
    Policy::new()
        .with_table(table)
        .with_min_interval(Duration::from_millis(100))
}

#[test]
fn the_observer_sees_the_task_and_each_poll() {
    let emu = EmulatorHandle::start_blocking(
        Config::new()
            .speed(10.0)
            .solve_time(SolveTime::Fixed(Duration::from_secs(5))),
    )
    .expect("the emulator starts");
    let client = Client::builder()
        .api_key("progress0test0key")
        .base_url(emu.base_url())
        .policy(fast_policy())
        .build()
        .expect("a client");
    let mut seen: Vec<Progress> = Vec::new();
    let task = ImageToTextTask::from_image_bytes(&[b'x'; 200]);
    let solved = client
        .solve_observed(task, &fast_policy(), &mut |p| seen.push(*p))
        .expect("solved");
    // One call per answer: the createTask, then each getTaskResult.
    assert_eq!(seen.len() as u32, 1 + solved.polls, "{seen:?}");
    assert_eq!(seen[0].task_id, Some(solved.task_id));
    assert_eq!(seen[0].polls, 0);
    assert!(seen.windows(2).all(|w| w[1].polls == w[0].polls + 1));
    assert!(seen.windows(2).all(|w| w[1].elapsed >= w[0].elapsed));
    assert!(solved.polls >= 2, "the solve takes 0.5 s: {solved:?}");

    let id = client
        .create_task(ImageToTextTask::from_image_bytes(&[b'y'; 200]))
        .expect("created");
    let mut seen = Vec::new();
    let solved = client
        .wait_observed(id, TaskKind::ImageToText, &mut |p| seen.push(*p))
        .expect("solved");
    assert_eq!(seen.len() as u32, solved.polls);
    assert!(seen.iter().all(|p| p.task_id == Some(id)));
}
