//! Reading in.php/res.php replies, text and JSON, before an endpoint gives them a meaning.

use serde_json::json;

use super::reply::*;
use crate::error::{ApiError, ErrorClass, ErrorCode, ResponseError};
use crate::solution::GeeTestV3Solution;

fn ok_text(body: &str) -> String {
    match parse_url_form_reply(200, body.as_bytes()).unwrap() {
        UrlFormReply::Ok(ok) => ok.answer.as_text().unwrap().to_owned(),
        other => panic!("{body:?} gave {other:?}"),
    }
}

fn api_error(body: &str) -> ApiError {
    match parse_url_form_reply(200, body.as_bytes()) {
        Err(ResponseError::Api(e)) => e,
        other => panic!("{body:?} gave {other:?}"),
    }
}

#[test]
fn text_replies() {
    assert_eq!(ok_text("OK|2122988149"), "2122988149");
    assert_eq!(ok_text("OK|2122988149\r\n"), "2122988149");
    // Answers that contain `|` are split once.
    assert_eq!(ok_text("OK|40|200|-120"), "40|200|-120");
    assert_eq!(
        ok_text("OK|337187b9f5.50|r=ap-southeast-1|pk=ABC"),
        "337187b9f5.50|r=ap-southeast-1|pk=ABC"
    );
    assert_eq!(ok_text("OK|click:3/8/9"), "click:3/8/9");
    assert_eq!(ok_text("OK|"), "");
    for not_ready in [
        "CAPCHA_NOT_READY",
        "CAPTCHA_NOT_READY",
        " CAPCHA_NOT_READY\n",
    ] {
        assert_eq!(
            parse_url_form_reply(200, not_ready.as_bytes()).unwrap(),
            UrlFormReply::NotReady
        );
    }
    assert_eq!(
        parse_url_form_reply(200, b"OK_REPORT_RECORDED").unwrap(),
        UrlFormReply::ReportRecorded
    );
    assert_eq!(
        parse_url_form_reply(200, b"17.87942").unwrap(),
        UrlFormReply::Number(17.87942)
    );
    assert_eq!(
        parse_url_form_reply(200, b"555").unwrap(),
        UrlFormReply::Number(555.0)
    );
}

#[test]
fn text_errors() {
    let e = api_error("ERROR_WRONG_USER_KEY");
    assert_eq!(e.code, ErrorCode::WrongUserKey);
    assert_eq!(e.class(), ErrorClass::FatalConfig);
    assert_eq!(api_error("ERROR_ZERO_BALANCE").code, ErrorCode::ZeroBalance);
    assert_eq!(
        api_error("ERROR_NO_SLOT_AVAILABLE").class(),
        ErrorClass::RetryCall
    );
    assert_eq!(
        api_error("ERROR_CAPTCHA_UNSOLVABLE").code,
        ErrorCode::CaptchaUnsolvable
    );
    assert_eq!(
        api_error("ERROR_WRONG_CAPTCHA_ID").code,
        ErrorCode::WrongCaptchaId
    );
    assert_eq!(
        api_error("ERROR_REPORT_NOT_RECORDED").code,
        ErrorCode::ReportNotRecorded
    );
    assert_eq!(
        api_error("ERROR_DUPLICATE_REPORT").code,
        ErrorCode::DuplicateReport
    );
    assert_eq!(
        api_error("ERR_PROXY_CONNECTION_FAILED").code,
        ErrorCode::ProxyConnectionFailed
    );
    // Codes without the prefix.
    assert_eq!(api_error("IP_BANNED").code, ErrorCode::IpBanned);
    assert_eq!(api_error("MAX_USER_TURN").code, ErrorCode::MaxUserTurn);
    assert_eq!(
        api_error("TOO_MANY_BAD_IMAGES").code,
        ErrorCode::TooManyBadImages
    );
    assert_eq!(
        api_error("WRONG_CAPTCHA_ID").code,
        ErrorCode::WrongCaptchaId
    );
    // Unknown ERROR_ codes are kept verbatim.
    let unknown = api_error("ERROR_SOMETHING_NEW").code;
    assert!(matches!(unknown, ErrorCode::Unknown(_)), "{unknown:?}");
    assert_eq!(unknown.as_str(), "ERROR_SOMETHING_NEW");
    // Lockouts keep their number.
    let e = api_error("ERROR: 1001");
    assert_eq!(e.code, ErrorCode::Lockout1001);
    assert_eq!(e.error_id, 1001);
    assert_eq!(e.code.as_str(), "ERROR: 1001");
    assert_eq!(e.code.lockout(), Some(std::time::Duration::from_secs(600)));
    assert_eq!(api_error("ERROR: 1005").code, ErrorCode::Lockout1005);
    assert_eq!(api_error("ERROR:1003").code, ErrorCode::Lockout1003);
    let e = api_error("ERROR: 1009");
    assert_eq!(e.error_id, 1009);
    assert!(matches!(e.code, ErrorCode::Unknown(_)), "{:?}", e.code);
    assert_eq!(e.code.as_str(), "ERROR: 1009");
    // An error with a status that is not 200 is still the error.
    match parse_url_form_reply(503, b"ERROR_NO_SLOT_AVAILABLE") {
        Err(ResponseError::Api(e)) => assert_eq!(e.http_status, 503),
        other => panic!("{other:?}"),
    }
}

#[test]
fn unreadable_replies() {
    for (status, body) in [
        (200, &b""[..]),
        (200, b"   "),
        (502, b"<html><body>502 Bad Gateway</body></html>"),
        (200, b"<html>"),
        (200, b"\xff\xfe\x00"),
        (200, b"{\"status\":1"),
        (200, b"[1,2]"),
        (200, b"{}"),
        (200, b"No_matching_images"),
        (500, b"OK|123"),
    ] {
        assert!(
            matches!(
                parse_url_form_reply(status, body),
                Err(ResponseError::Unparseable(_))
            ),
            "{:?}",
            String::from_utf8_lossy(body)
        );
    }
}

#[test]
fn json_replies() {
    assert_eq!(
        ok_text(r#"{"status":1,"request":"2122988149"}"#),
        "2122988149"
    );
    assert_eq!(
        ok_text(r#"{"status":"1","request":"40|200|-120"}"#),
        "40|200|-120"
    );
    assert_eq!(
        parse_url_form_reply(200, br#"{"status":0,"request":"CAPCHA_NOT_READY"}"#).unwrap(),
        UrlFormReply::NotReady
    );
    assert_eq!(
        parse_url_form_reply(200, br#"{"status":1,"request":"OK_REPORT_RECORDED"}"#).unwrap(),
        UrlFormReply::ReportRecorded
    );
    let e = api_error(
        r#"{"status":0,"request":"ERROR_WRONG_USER_KEY","error_text":"You've provided key parameter value in incorrect format"}"#,
    );
    assert_eq!(e.code, ErrorCode::WrongUserKey);
    assert_eq!(
        e.description.as_deref(),
        Some("You've provided key parameter value in incorrect format")
    );
    assert_eq!(
        api_error(r#"{"status":0,"request":"ERROR: 1004"}"#).error_id,
        1004
    );
    assert_eq!(
        api_error(r#"{"status":0,"request":null,"error_text":"x"}"#).code,
        ErrorCode::Missing
    );
    // Turnstile: token + useragent.
    match parse_url_form_reply(
        200,
        br#"{"status":1,"request":"0.zrSnRHO7h0HwSjSCU8oyzbjEtD8p","useragent":"Mozilla/5.0"}"#,
    )
    .unwrap()
    {
        UrlFormReply::Ok(ok) => {
            assert_eq!(
                ok.answer,
                UrlFormAnswer::Text("0.zrSnRHO7h0HwSjSCU8oyzbjEtD8p".into())
            );
            assert_eq!(ok.user_agent.as_deref(), Some("Mozilla/5.0"));
        }
        other => panic!("{other:?}"),
    }
    // get2 with price.
    match parse_url_form_reply(200, br#"{"status":1,"request":"ABCDE","price":"0.00085"}"#).unwrap()
    {
        UrlFormReply::Ok(ok) => assert_eq!(ok.price, Some(0.00085)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn json_answers_come_out_typed() {
    let geetest = UrlFormAnswer::GeeTest(GeeTestV3Solution {
        challenge: "1a2b".into(),
        validate: "3c4d".into(),
        seccode: "3c4d|jordan".into(),
    });
    let answer = |body: &[u8]| match parse_url_form_reply(200, body).unwrap() {
        UrlFormReply::Ok(ok) => ok.answer,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        answer(br#"{"status":1,"request":{"challenge":"1a2b","validate":"3c4d","seccode":"3c4d|jordan"}}"#),
        geetest
    );
    // The array form seen in the wild, and the object under status 0.
    assert_eq!(
        answer(br#"{"status":1,"request":["1a2b","3c4d","3c4d|jordan"]}"#),
        geetest
    );
    assert_eq!(
        answer(br#"{"status":0,"request":{"challenge":"1a2b","validate":"3c4d","seccode":"3c4d|jordan"}}"#),
        geetest
    );
    // Printed bare after OK|.
    assert_eq!(
        answer(br#"OK|{"challenge":"1a2b","validate":"3c4d","seccode":"3c4d|jordan"}"#),
        geetest
    );
    match answer(
        br#"{"status":1,"request":{"captcha_id":"e392","lot_number":"7b6b","pass_token":"bad5","gen_time":1683794919,"captcha_output":"fFEW"}}"#,
    ) {
        UrlFormAnswer::GeeTestV4(v4) => {
            assert_eq!(v4.captcha_id.as_deref(), Some("e392"));
            assert_eq!(v4.gen_time, "1683794919");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        answer(br#"{"status":1,"request":{"captcha_voucher":"v","existing_token":"t"}}"#),
        UrlFormAnswer::Json(json!({"captcha_voucher":"v","existing_token":"t"}))
    );
}

#[test]
fn a_lone_text_answer_is_written_as_the_map_would_serialise_it() {
    use crate::task::TaskKind;
    let long = "03AFcWeA".repeat(150);
    let (quote_in_block, control_in_block) = (
        format!("{}\"{}", "a".repeat(40), "b".repeat(40)),
        format!("{}\u{1b}{}", "a".repeat(5), "b".repeat(70)),
    );
    let backslash_in_tail = format!("{}\\", "a".repeat(64));
    for text in [
        long.as_str(),
        quote_in_block.as_str(),
        control_in_block.as_str(),
        backslash_in_tail.as_str(),
        "answer",
        "03AFcWeA-token_with.dots",
        "quote \" backslash \\ slash /",
        "tab\tnewline\ncontrol\u{1}\u{1f} del\u{7f}",
        "unicode é 漢字 \u{2028} 🙂",
        "",
    ] {
        for kind in [
            TaskKind::ImageToText,
            TaskKind::RecaptchaV2,
            TaskKind::HCaptcha,
            TaskKind::Turnstile,
            TaskKind::Other,
        ] {
            let ok = UrlFormOk::text(text);
            let fast = ready_from_answer(kind, &ok);
            let slow = serde_json::value::to_raw_value(&solution_json(kind, &ok)).unwrap();
            assert_eq!(fast.raw_json(), slow.get(), "{kind:?} {text:?}");
        }
    }
}

#[test]
fn needs_escape_finds_each_escaped_byte_anywhere() {
    for len in [0usize, 1, 31, 32, 33, 64, 100] {
        assert!(!needs_escape("a".repeat(len).as_bytes()), "{len}");
        for at in 0..len {
            for bad in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
                let mut bytes = vec![b'a'; len];
                bytes[at] = bad;
                assert!(needs_escape(&bytes), "{len} {at} {bad}");
            }
            let mut fine = vec![b'a'; len];
            fine[at] = 0x7f;
            assert!(!needs_escape(&fine), "DEL needs no escape");
        }
    }
}
