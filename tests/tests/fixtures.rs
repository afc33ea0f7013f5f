//! The fixtures are the documented examples; a broken fixture would silently weaken every test
//! that reads it.

use capmonster_tests::{fixture, fixtures_dir};

#[test]
fn every_json_fixture_is_strict_json_and_the_set_is_complete() {
    let mut json = 0;
    let mut requests = 0;
    for entry in std::fs::read_dir(fixtures_dir()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".json") {
            let value: serde_json::Value = serde_json::from_str(&fixture(&name))
                .unwrap_or_else(|e| panic!("{name} is not strict JSON: {e}"));
            assert!(value.is_object(), "{name} is not an object");
            json += 1;
            if name.starts_with("createTask.") && name.ends_with(".request.json") {
                // One documented example is a fragment (the threshold page's), listed in INDEX.md.
                let fragment =
                    name == "createTask.ImageToTextTask.recognizingThreshold.request.json";
                assert_eq!(value["task"]["type"].is_string(), !fragment, "{name}");
                requests += 1;
            }
        }
    }
    assert!(json >= 220, "only {json} JSON fixtures");
    assert!(requests >= 50, "only {requests} createTask requests");
}
