//! The per-kind facts, in one table: every fact about a task type that is not the task's own
//! data (names, proxy rule, family, solution shape, default and official timing) is a field of its row in
//! [`KINDS`]. Adding a task type means one row here (and the typed struct in its family file).

use std::time::Duration;

use serde::Serialize;
use serde::ser::Serializer;
use serde_json::Value;

use super::family::{Family, Shape};
use super::*;

/// Every task type and class of the catalogue, without its data.
///
/// The solver's timing table, the report rules and the solution parser are keyed on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum TaskKind {
    /// `ImageToTextTask`.
    ImageToText,
    /// `RecaptchaV2Task`.
    RecaptchaV2,
    /// `RecaptchaV2EnterpriseTask`.
    RecaptchaV2Enterprise,
    /// `RecaptchaV3TaskProxyless`.
    RecaptchaV3,
    /// `RecaptchaV3EnterpriseTask`.
    RecaptchaV3Enterprise,
    /// `ComplexImageTask`, class `recaptcha`.
    ComplexImageRecaptcha,
    /// `ComplexImageTask`, class `recognition`.
    ComplexImageRecognition,
    /// `HCaptchaTask` (a draft page in the documentation).
    HCaptcha,
    /// `GeeTestTask` (v3 and v4).
    GeeTest,
    /// `TurnstileTask`, every mode.
    Turnstile,
    /// `FunCaptchaTask`.
    FunCaptcha,
    /// `AmazonTask`.
    Amazon,
    /// `BinanceTask`.
    Binance,
    /// `ProsopoTask`.
    Prosopo,
    /// `MTCaptchaTask`.
    MtCaptcha,
    /// `YidunTask`.
    Yidun,
    /// `CustomTask`, class `DataDome`.
    DataDome,
    /// `CustomTask`, class `TenDI`.
    TenDi,
    /// `CustomTask`, class `Basilisk`.
    Basilisk,
    /// `CustomTask`, class `Imperva`.
    Imperva,
    /// `CustomTask`, class `altcha`.
    Altcha,
    /// `CustomTask`, class `Castle`.
    Castle,
    /// `CustomTask`, class `HUNT`.
    Hunt,
    /// `CustomTask`, class `tspd`.
    Tspd,
    /// `CustomTask`, class `alibaba`.
    Alibaba,
    /// `CustomTask`, class `Temu` (a draft page in the documentation).
    Temu,
    /// A task this crate does not know ([`Task::Raw`]).
    Other,
}

impl TaskKind {
    /// Every kind, in catalogue order ([`TaskKind::Other`] last).
    pub const ALL: &'static [TaskKind] = &[
        Self::ImageToText,
        Self::RecaptchaV2,
        Self::RecaptchaV2Enterprise,
        Self::RecaptchaV3,
        Self::RecaptchaV3Enterprise,
        Self::ComplexImageRecaptcha,
        Self::ComplexImageRecognition,
        Self::HCaptcha,
        Self::GeeTest,
        Self::Turnstile,
        Self::FunCaptcha,
        Self::Amazon,
        Self::Binance,
        Self::Prosopo,
        Self::MtCaptcha,
        Self::Yidun,
        Self::DataDome,
        Self::TenDi,
        Self::Basilisk,
        Self::Imperva,
        Self::Altcha,
        Self::Castle,
        Self::Hunt,
        Self::Tspd,
        Self::Alibaba,
        Self::Temu,
        Self::Other,
    ];

    /// The documented `type` string.
    pub fn type_name(self) -> &'static str {
        self.info().type_name
    }

    /// The documented `class` string, for `ComplexImageTask` and `CustomTask`.
    pub fn class(self) -> Option<&'static str> {
        self.info().class
    }

    /// The kind named by a `type` (and `class`) read from JSON. Documented and legacy names are
    /// both understood; class names are matched without regard to case.
    pub fn from_names(type_name: &str, class: Option<&str>) -> TaskKind {
        Self::from_row_names(type_name, class)
    }

    /// Whether the kind takes your own proxy (section 11 of the API notes).
    ///
    /// `TurnstileTask` is [`ProxyRule::Optional`] here because its token modes are; its
    /// `cf_clearance` and `wait_room` modes require one (see [`TurnstileTask::proxy_rule`]).
    /// [`TaskKind::Other`] is [`ProxyRule::Optional`]: nothing is known about it.
    pub fn proxy_rule(self) -> ProxyRule {
        self.info().proxy
    }

    /// The legacy `...Proxyless` type name the documentation once used for this kind without a
    /// proxy, if it had one. [`TypeNaming::Legacy`] sends it for tasks without a proxy.
    pub fn legacy_proxyless_name(self) -> Option<&'static str> {
        self.info().legacy
    }

    /// True for the image kinds, which are reported with reportIncorrectImageCaptcha.
    pub fn is_image(self) -> bool {
        self.info().family == Family::Image
    }

    /// True for the reCAPTCHA token kinds (v2, v2 Enterprise, v3, v3 Enterprise).
    pub fn is_recaptcha(self) -> bool {
        self.info().family == Family::Recaptcha
    }

    /// A human-readable name: the type, and the class where there is one.
    pub fn display_name(self) -> String {
        match self.class() {
            Some(c) => format!("{}/{}", self.type_name(), c),
            None if self == Self::Other => "unknown task type".to_owned(),
            None => self.type_name().to_owned(),
        }
    }
}

/// Declares the typed variants once: the enum, `kind`, `proxy`, `validate`, parsing, wire
/// serialisation and `From`.
macro_rules! task_variants {
    ($( $(#[$doc:meta])* $variant:ident($ty:ty) => $kind:ident, proxy: $proxy:tt; )*) => {
        /// A task to solve: one of the typed tasks, or raw JSON for a type this crate does not know.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum Task {
            $( $(#[$doc])* $variant($ty), )*
            /// Any task given as a JSON object with a `type` (and `class`). Its solution comes back as raw JSON.
            Raw(RawTask),
        }

        impl Task {
            /// The kind of this task. A raw task whose names this crate knows reports that kind.
            pub fn kind(&self) -> TaskKind {
                match self {
                    $( Self::$variant(_) => TaskKind::$kind, )*
                    Self::Raw(r) => TaskKind::from_names(r.type_name(), r.class()),
                }
            }

            /// The proxy the task carries, if any.
            pub fn proxy(&self) -> Option<&Proxy> {
                match self {
                    $( Self::$variant(t) => task_variants!(@proxy t, $proxy), )*
                    Self::Raw(_) => None,
                }
            }

            /// Checks the documented rules locally. Nothing is sent when this fails.
            pub fn validate(&self) -> Result<(), ValidationError> {
                match self {
                    $( Self::$variant(t) => t.validate(), )*
                    Self::Raw(_) => Ok(()),
                }
            }

            pub(super) fn typed_from(kind: TaskKind, value: Value) -> Option<Result<Task, serde_json::Error>> {
                match kind {
                    $( TaskKind::$kind => Some(serde_json::from_value(value).map(Self::$variant)), )*
                    _ => None,
                }
            }
        }

        impl Serialize for WireTask<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let type_name = self.task.type_name(self.naming);
                let class = self.task.kind().class();
                match self.task {
                    $( Task::$variant(t) => Tagged { type_name, class, body: t }.serialize(s), )*
                    Task::Raw(r) => r.object.serialize(s),
                }
            }
        }

        $(
            impl From<$ty> for Task {
                fn from(t: $ty) -> Self {
                    Self::$variant(t)
                }
            }
        )*
    };
    (@proxy $t:ident, none) => { { let _ = $t; None } };
    (@proxy $t:ident, some) => { $t.proxy.as_ref() };
}

task_variants! {
    /// `ImageToTextTask`.
    ImageToText(ImageToTextTask) => ImageToText, proxy: none;
    /// `RecaptchaV2Task`.
    RecaptchaV2(RecaptchaV2Task) => RecaptchaV2, proxy: some;
    /// `RecaptchaV2EnterpriseTask`.
    RecaptchaV2Enterprise(RecaptchaV2EnterpriseTask) => RecaptchaV2Enterprise, proxy: some;
    /// `RecaptchaV3TaskProxyless`.
    RecaptchaV3(RecaptchaV3Task) => RecaptchaV3, proxy: none;
    /// `RecaptchaV3EnterpriseTask`.
    RecaptchaV3Enterprise(RecaptchaV3EnterpriseTask) => RecaptchaV3Enterprise, proxy: none;
    /// `ComplexImageTask`, class `recaptcha`.
    ComplexImageRecaptcha(ComplexImageRecaptchaTask) => ComplexImageRecaptcha, proxy: none;
    /// `ComplexImageTask`, class `recognition`.
    ComplexImageRecognition(ComplexImageRecognitionTask) => ComplexImageRecognition, proxy: none;
    /// `HCaptchaTask` (a draft page in the documentation).
    HCaptcha(HCaptchaTask) => HCaptcha, proxy: some;
    /// `GeeTestTask`, v3 or v4.
    GeeTest(GeeTestTask) => GeeTest, proxy: some;
    /// `TurnstileTask`, every mode.
    Turnstile(TurnstileTask) => Turnstile, proxy: some;
    /// `FunCaptchaTask`.
    FunCaptcha(FunCaptchaTask) => FunCaptcha, proxy: some;
    /// `AmazonTask`.
    Amazon(AmazonTask) => Amazon, proxy: some;
    /// `BinanceTask`.
    Binance(BinanceTask) => Binance, proxy: some;
    /// `ProsopoTask`.
    Prosopo(ProsopoTask) => Prosopo, proxy: some;
    /// `MTCaptchaTask`.
    MtCaptcha(MtCaptchaTask) => MtCaptcha, proxy: some;
    /// `YidunTask`.
    Yidun(YidunTask) => Yidun, proxy: some;
    /// `CustomTask`, class `DataDome`.
    DataDome(DataDomeTask) => DataDome, proxy: some;
    /// `CustomTask`, class `TenDI`.
    TenDi(TenDiTask) => TenDi, proxy: some;
    /// `CustomTask`, class `Basilisk`.
    Basilisk(BasiliskTask) => Basilisk, proxy: some;
    /// `CustomTask`, class `Imperva`.
    Imperva(ImpervaTask) => Imperva, proxy: some;
    /// `CustomTask`, class `altcha`.
    Altcha(AltchaTask) => Altcha, proxy: some;
    /// `CustomTask`, class `Castle`.
    Castle(CastleTask) => Castle, proxy: some;
    /// `CustomTask`, class `HUNT`.
    Hunt(HuntTask) => Hunt, proxy: some;
    /// `CustomTask`, class `tspd`.
    Tspd(TspdTask) => Tspd, proxy: some;
    /// `CustomTask`, class `alibaba`.
    Alibaba(AlibabaTask) => Alibaba, proxy: some;
    /// `CustomTask`, class `Temu` (a draft page in the documentation).
    Temu(TemuTask) => Temu, proxy: some;
}

/// The facts about one task kind.
#[derive(Debug)]
pub(crate) struct KindInfo {
    /// The kind this row is for (rows are in [`TaskKind::ALL`] order).
    pub(crate) kind: TaskKind,
    /// The documented `type`.
    pub(crate) type_name: &'static str,
    /// The documented `class` (`ComplexImageTask`, `CustomTask`).
    pub(crate) class: Option<&'static str>,
    /// The legacy `...Proxyless` name, sent by `TypeNaming::Legacy` for a task without a proxy.
    pub(crate) legacy: Option<&'static str>,
    /// Further `type` names read as this kind (older or alternative names).
    pub(crate) also_read: &'static [&'static str],
    /// A further `class` name read as this kind.
    pub(crate) also_class: Option<&'static str>,
    /// Whether the kind takes your own proxy.
    pub(crate) proxy: ProxyRule,
    /// How it is reported and read back.
    pub(crate) family: Family,
    /// The shape of its solution.
    pub(crate) shape: Shape,
    /// This crate's default timing: first poll, first poll with `nocache`, interval, deadline.
    pub(crate) timing: [Duration; 4],
    /// The official clients' timing, in the same order.
    pub(crate) official: [Duration; 4],
}

const fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A row with the common defaults: a token task, optional proxy, no other names, this crate's
/// 1 s / 10 s (nocache) / 3 s / 180 s timing and the official 1 s / 10 s / 3 s / 180 s.
const fn row(kind: TaskKind, type_name: &'static str) -> KindInfo {
    KindInfo {
        kind,
        type_name,
        class: None,
        legacy: None,
        also_read: &[],
        also_class: None,
        proxy: ProxyRule::Optional,
        family: Family::Token,
        shape: Shape::Token,
        timing: [ms(1000), ms(10_000), ms(3000), ms(180_000)],
        official: [ms(1000), ms(10_000), ms(3000), ms(180_000)],
    }
}

/// A `CustomTask` row of `class`.
const fn custom(kind: TaskKind, class: &'static str) -> KindInfo {
    KindInfo {
        class: Some(class),
        shape: Shape::Custom,
        ..row(kind, "CustomTask")
    }
}

/// An image row: no proxy, first poll at 1 s (also with nocache), every 2 s, 30 s deadline;
/// the official clients poll images every 200 ms after 350 ms, for 10 s.
const fn image(kind: TaskKind, type_name: &'static str, class: Option<&'static str>) -> KindInfo {
    KindInfo {
        class,
        proxy: ProxyRule::None,
        family: Family::Image,
        shape: match class {
            None => Shape::Text,
            Some(_) => Shape::ComplexImage,
        },
        timing: [ms(1000), ms(1000), ms(2000), ms(30_000)],
        official: [ms(350), ms(350), ms(200), ms(10_000)],
        ..row(kind, type_name)
    }
}

/// Timing of (first poll, interval, deadline) in ms, with the 10 s nocache first poll.
const fn t(first: u64, interval: u64, deadline: u64) -> [Duration; 4] {
    let nocache = if first > 10_000 { first } else { 10_000 };
    [ms(first), ms(nocache), ms(interval), ms(deadline)]
}

/// Official timing of (first, nocache first, interval, deadline) in ms.
const fn o(first: u64, nocache: u64, interval: u64, deadline: u64) -> [Duration; 4] {
    [ms(first), ms(nocache), ms(interval), ms(deadline)]
}

/// Every kind's row, in [`TaskKind::ALL`] order. See docs/PROTOCOL-NOTES.md ("The solver")
/// for the reasons behind the timing.
pub(crate) const KINDS: &[KindInfo] = &[
    image(TaskKind::ImageToText, "ImageToTextTask", None),
    // reCAPTCHA v2 may be ready within a second (a cached token).
    KindInfo {
        legacy: Some("RecaptchaV2TaskProxyless"),
        also_read: &["NoCaptchaTask", "NoCaptchaTaskProxyless"],
        family: Family::Recaptcha,
        shape: Shape::Recaptcha,
        ..row(TaskKind::RecaptchaV2, "RecaptchaV2Task")
    },
    // Documented to take at least 10 s: the first poll comes at half of that.
    KindInfo {
        legacy: Some("RecaptchaV2EnterpriseTaskProxyless"),
        family: Family::Recaptcha,
        shape: Shape::Recaptcha,
        timing: t(5000, 3000, 180_000),
        ..row(TaskKind::RecaptchaV2Enterprise, "RecaptchaV2EnterpriseTask")
    },
    KindInfo {
        also_read: &["RecaptchaV3Task"],
        proxy: ProxyRule::None,
        family: Family::Recaptcha,
        shape: Shape::Recaptcha,
        timing: t(5000, 3000, 180_000),
        ..row(TaskKind::RecaptchaV3, "RecaptchaV3TaskProxyless")
    },
    KindInfo {
        also_read: &["RecaptchaV3EnterpriseTaskProxyless"],
        proxy: ProxyRule::None,
        family: Family::Recaptcha,
        shape: Shape::Recaptcha,
        timing: t(5000, 3000, 180_000),
        ..row(TaskKind::RecaptchaV3Enterprise, "RecaptchaV3EnterpriseTask")
    },
    image(
        TaskKind::ComplexImageRecaptcha,
        "ComplexImageTask",
        Some("recaptcha"),
    ),
    image(
        TaskKind::ComplexImageRecognition,
        "ComplexImageTask",
        Some("recognition"),
    ),
    KindInfo {
        legacy: Some("HCaptchaTaskProxyless"),
        shape: Shape::HCaptcha,
        timing: t(5000, 3000, 180_000),
        ..row(TaskKind::HCaptcha, "HCaptchaTask")
    },
    KindInfo {
        legacy: Some("GeeTestTaskProxyless"),
        shape: Shape::GeeTest,
        timing: t(5000, 2000, 80_000),
        official: o(1000, 1000, 1000, 80_000),
        ..row(TaskKind::GeeTest, "GeeTestTask")
    },
    // Documented 5-20 s.
    KindInfo {
        legacy: Some("TurnstileTaskProxyless"),
        shape: Shape::Turnstile,
        timing: t(2500, 2000, 80_000),
        official: o(1000, 1000, 1000, 80_000),
        ..row(TaskKind::Turnstile, "TurnstileTask")
    },
    KindInfo {
        legacy: Some("FunCaptchaTaskProxyless"),
        timing: t(1000, 2000, 80_000),
        official: o(1000, 10_000, 1000, 80_000),
        ..row(TaskKind::FunCaptcha, "FunCaptchaTask")
    },
    KindInfo {
        legacy: Some("AmazonTaskProxyless"),
        shape: Shape::Amazon,
        ..row(TaskKind::Amazon, "AmazonTask")
    },
    KindInfo {
        legacy: Some("BinanceTaskProxyless"),
        timing: t(1000, 2000, 20_000),
        official: o(1000, 1000, 1000, 20_000),
        ..row(TaskKind::Binance, "BinanceTask")
    },
    KindInfo {
        legacy: Some("ProsopoTaskProxyless"),
        ..row(TaskKind::Prosopo, "ProsopoTask")
    },
    KindInfo {
        also_read: &["MTCaptchaTaskProxyless"],
        ..row(TaskKind::MtCaptcha, "MTCaptchaTask")
    },
    KindInfo {
        also_read: &["YidunTaskProxyless"],
        ..row(TaskKind::Yidun, "YidunTask")
    },
    KindInfo {
        proxy: ProxyRule::Required,
        official: o(1000, 1000, 3000, 180_000),
        ..custom(TaskKind::DataDome, "DataDome")
    },
    custom(TaskKind::TenDi, "TenDI"),
    KindInfo {
        timing: t(1000, 3000, 100_000),
        official: o(1000, 10_000, 3000, 100_000),
        ..custom(TaskKind::Basilisk, "Basilisk")
    },
    KindInfo {
        also_class: Some("Incapsula"),
        proxy: ProxyRule::Required,
        timing: t(1000, 2000, 15_000),
        official: o(1000, 1000, 1000, 15_000),
        ..custom(TaskKind::Imperva, "Imperva")
    },
    KindInfo {
        timing: t(1000, 2000, 50_000),
        official: o(1000, 1000, 1000, 50_000),
        ..custom(TaskKind::Altcha, "altcha")
    },
    KindInfo {
        timing: t(1000, 2000, 60_000),
        official: o(1000, 1000, 1000, 60_000),
        ..custom(TaskKind::Castle, "Castle")
    },
    KindInfo {
        proxy: ProxyRule::Required,
        official: o(1000, 1000, 3000, 180_000),
        ..custom(TaskKind::Hunt, "HUNT")
    },
    KindInfo {
        proxy: ProxyRule::Required,
        timing: t(1000, 2000, 60_000),
        official: o(1000, 1000, 1000, 60_000),
        ..custom(TaskKind::Tspd, "tspd")
    },
    KindInfo {
        timing: t(1000, 3000, 120_000),
        official: o(1000, 1000, 3000, 120_000),
        ..custom(TaskKind::Alibaba, "alibaba")
    },
    custom(TaskKind::Temu, "Temu"),
    KindInfo {
        family: Family::Unknown,
        shape: Shape::Raw,
        official: o(1000, 10_000, 1000, 80_000),
        ..row(TaskKind::Other, "")
    },
];

impl TaskKind {
    /// This kind's row of [`KINDS`].
    pub(crate) fn info(self) -> &'static KindInfo {
        &KINDS[self as usize]
    }

    /// The kind named by a `type` (and `class`): the first row that reads these names.
    pub(crate) fn from_row_names(type_name: &str, class: Option<&str>) -> TaskKind {
        let class_is = |name: &str| class.is_some_and(|c| c.eq_ignore_ascii_case(name));
        KINDS
            .iter()
            .find(|row| {
                let named = row.type_name == type_name
                    || row.legacy == Some(type_name)
                    || row.also_read.contains(&type_name);
                let classed = match row.class {
                    None => true,
                    Some(c) => class_is(c) || row.also_class.is_some_and(class_is),
                };
                named && classed && row.kind != TaskKind::Other
            })
            .map_or(TaskKind::Other, |row| row.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rows_follow_the_kinds() {
        assert_eq!(KINDS.len(), TaskKind::ALL.len());
        for (row, kind) in KINDS.iter().zip(TaskKind::ALL) {
            assert_eq!(row.kind, *kind);
            assert_eq!(kind.info().kind, *kind);
        }
    }

    #[test]
    fn every_name_reads_back_as_its_kind() {
        for row in &KINDS[..KINDS.len() - 1] {
            let names = [row.type_name].into_iter().chain(row.legacy);
            for name in names.chain(row.also_read.iter().copied()) {
                assert_eq!(
                    TaskKind::from_row_names(name, row.class),
                    row.kind,
                    "{name}"
                );
            }
        }
    }
}
