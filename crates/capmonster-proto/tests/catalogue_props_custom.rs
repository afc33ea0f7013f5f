//! Properties of the CustomTask classes: any field values survive `Task` → JSON → `Task`
//! unchanged (with documented and legacy type names), and `validate()` never panics.

#[macro_use]
mod catalogue_props_common;

use capmonster_proto::task::TenDiMetadata;
use capmonster_proto::task::*;
use catalogue_props_common::*;
use proptest::prelude::*;
use proptest::test_runner::Config;

fn datadome() -> impl Strategy<Value = Task> {
    (url(), url(), text(), opt_text(), opt_text(), opt_proxy()).prop_map(
        |(u, c, cookie, v, ua, p)| {
            let mut t = DataDomeTask::new(u, c, cookie, Proxy::new(ProxyType::Http, "1.2.3.4", 1));
            t.metadata.datadome_version = v;
            t.user_agent = ua;
            t.proxy = p;
            t.into()
        },
    )
}

fn tendi() -> impl Strategy<Value = Task> {
    (
        url(),
        text(),
        opt_text(),
        proptest::option::of(opt_url()),
        opt_proxy(),
    )
        .prop_map(|(u, k, ua, meta, p)| {
            let mut t = TenDiTask::new(u, k);
            t.user_agent = ua;
            t.metadata = meta.map(|captcha_url| {
                let mut m = TenDiMetadata::default();
                m.captcha_url = captcha_url;
                m
            });
            t.proxy = p;
            t.into()
        })
}

fn basilisk() -> impl Strategy<Value = Task> {
    (url(), text(), opt_text(), opt_proxy()).prop_map(|(u, k, ua, p)| {
        let mut t = BasiliskTask::new(u, k);
        t.user_agent = ua;
        t.proxy = p;
        t.into()
    })
}

fn imperva() -> impl Strategy<Value = Task> {
    (url(), text(), text(), opt_text(), opt_text(), opt_proxy()).prop_map(
        |(u, script, cookies, reese, ua, p)| {
            let mut t = ImpervaTask::new(
                u,
                script,
                cookies,
                Proxy::new(ProxyType::Http, "1.2.3.4", 1),
            );
            t.metadata.reese84_url_endpoint = reese;
            t.user_agent = ua;
            t.proxy = p;
            t.into()
        },
    )
}

fn altcha() -> impl Strategy<Value = Task> {
    (
        url(),
        text(),
        text(),
        any::<u64>(),
        text(),
        text(),
        opt_text(),
        opt_proxy(),
    )
        .prop_map(|(u, k, ch, it, salt, sig, ua, p)| {
            let mut t = AltchaTask::new(u, ch, it, salt, sig).with_website_key(k);
            t.user_agent = ua;
            t.proxy = p;
            t.into()
        })
}

fn castle() -> impl Strategy<Value = Task> {
    (
        url(),
        text(),
        url(),
        url(),
        proptest::option::of(0u32..60),
        opt_text(),
        opt_proxy(),
    )
        .prop_map(|(u, k, w, sw, count, ua, p)| {
            let mut t = CastleTask::new(u, k, w, sw);
            t.metadata.count = count;
            t.user_agent = ua;
            t.proxy = p;
            t.into()
        })
}

fn hunt() -> impl Strategy<Value = Task> {
    (url(), url(), opt_text(), opt_text(), opt_proxy()).prop_map(|(u, lib, data, ua, p)| {
        let mut t = HuntTask::new(u, lib, Proxy::new(ProxyType::Http, "1.2.3.4", 1));
        t.metadata.data = data;
        t.user_agent = ua;
        t.proxy = p;
        t.into()
    })
}

fn tspd() -> impl Strategy<Value = Task> {
    (url(), text(), text(), text(), opt_proxy()).prop_map(|(u, ua, cookie, html, p)| {
        let mut t = TspdTask::new(
            u,
            ua,
            cookie,
            html,
            Proxy::new(ProxyType::Http, "1.2.3.4", 1),
        );
        t.proxy = p;
        t.into()
    })
}

fn alibaba() -> impl Strategy<Value = Task> {
    (url(), text(), text(), opt_text(), opt_proxy()).prop_map(|(u, scene, prefix, ua, p)| {
        let mut t = AlibabaTask::new(u, scene, prefix);
        t.user_agent = ua;
        t.proxy = p;
        t.into()
    })
}

fn temu() -> impl Strategy<Value = Task> {
    (url(), text(), opt_text(), opt_proxy()).prop_map(|(u, cookie, ua, p)| {
        let mut t = TemuTask::new(u, cookie);
        t.user_agent = ua;
        t.proxy = p;
        t.into()
    })
}

round_trips! {
    datadome_round_trips: datadome => DataDome;
    tendi_round_trips: tendi => TenDi;
    basilisk_round_trips: basilisk => Basilisk;
    imperva_round_trips: imperva => Imperva;
    altcha_round_trips: altcha => Altcha;
    castle_round_trips: castle => Castle;
    hunt_round_trips: hunt => Hunt;
    tspd_round_trips: tspd => Tspd;
    alibaba_round_trips: alibaba => Alibaba;
    temu_round_trips: temu => Temu;
}
