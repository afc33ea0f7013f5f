//! Reading a task from arbitrary JSON, validating it and writing it back must never panic, and
//! a task read back from its own JSON must be the same task.
#![no_main]

use capmonster_proto::{TypeNaming, task::Task};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let Ok(task) = Task::from_json_value(value) else {
        return;
    };
    let _ = task.validate();
    let _ = serde_json::to_vec(&task.wire(TypeNaming::Legacy));
    let json = serde_json::to_value(&task).expect("a task always serialises");
    let back = Task::from_json_value(json).expect("a task reads back its own JSON");
    assert_eq!(back, task);
});
