//! Per-site acceptance statistics over a sliding window: when to switch `nocache` on, and when
//! to stop reporting.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::Verdict;
use super::site::SiteKey;

/// How the statistics judge a site. Every default is explained in docs/PROTOCOL-NOTES.md
/// ("The acceptance loop").
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct SitePolicy {
    /// `nocache` goes on when at least this share of the tokens solved without it were
    /// rejected. Default 0.5.
    pub nocache_threshold: f64,
    /// ... over at least this many checked tokens solved without it. Default 8.
    pub nocache_min_samples: usize,
    /// Reports stop when at least this share of all checked tokens were rejected. Default 0.9.
    pub report_ceiling: f64,
    /// ... over at least this many checked tokens. Default 20.
    pub report_min_samples: usize,
    /// The window keeps the latest this-many verdicts of each kind (with and without
    /// `nocache`). Default 50.
    pub window_samples: usize,
    /// ... none older than this. Default 1 hour.
    pub window_age: Duration,
    /// The most sites kept; the least recently used is dropped past it. Default 1,000.
    pub max_sites: usize,
}

impl Default for SitePolicy {
    fn default() -> Self {
        Self {
            nocache_threshold: 0.5,
            nocache_min_samples: 8,
            report_ceiling: 0.9,
            report_min_samples: 20,
            window_samples: 50,
            window_age: Duration::from_secs(3600),
            max_sites: 1000,
        }
    }
}

impl SitePolicy {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the `nocache` threshold (a share, kept within 0 to 1; NaN counts as 1) and its
    /// minimum sample count (at least 1).
    #[must_use]
    pub fn with_nocache_threshold(mut self, share: f64, min_samples: usize) -> Self {
        self.nocache_threshold = share_of(share);
        self.nocache_min_samples = min_samples.max(1);
        self
    }

    /// Sets the report ceiling (a share, kept within 0 to 1; NaN counts as 1) and its minimum
    /// sample count (at least 1).
    #[must_use]
    pub fn with_report_ceiling(mut self, share: f64, min_samples: usize) -> Self {
        self.report_ceiling = share_of(share);
        self.report_min_samples = min_samples.max(1);
        self
    }

    /// Sets the window: the latest `samples` verdicts of each kind (at least 1, at most
    /// 10,000), none older than `age`.
    #[must_use]
    pub fn with_window(mut self, samples: usize, age: Duration) -> Self {
        self.window_samples = samples.clamp(1, 10_000);
        self.window_age = age;
        self
    }

    /// Sets the most sites kept (at least 1).
    #[must_use]
    pub fn with_max_sites(mut self, max: usize) -> Self {
        self.max_sites = max.max(1);
        self
    }
}

fn share_of(x: f64) -> f64 {
    if x.is_nan() { 1.0 } else { x.clamp(0.0, 1.0) }
}

/// When `nocache` was switched on for a site, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NocacheSwitch {
    /// When it went on.
    pub since: Instant,
    /// Why, in words.
    pub reason: String,
}

/// A site above the report ceiling: reports for it are withheld.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ReportCeiling {
    /// The site.
    pub site: SiteKey,
    /// Rejected tokens in the window.
    pub rejected: usize,
    /// Checked tokens in the window.
    pub samples: usize,
    /// The ceiling, in percent.
    pub ceiling_percent: u32,
}

/// One site's statistics, for monitoring.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SiteSnapshot {
    /// The site.
    pub site: SiteKey,
    /// Verdicts in the window on tokens solved without `nocache`, and how many were rejections.
    pub plain_samples: usize,
    /// See `plain_samples`.
    pub plain_rejected: usize,
    /// The same for tokens solved with `nocache`.
    pub nocache_samples: usize,
    /// See `nocache_samples`.
    pub nocache_rejected: usize,
    /// Whether new tasks for the site get `nocache` (where the type takes it).
    pub nocache_on: bool,
    /// How long ago it went on.
    pub nocache_on_for: Option<Duration>,
    /// Why it went on.
    pub nocache_reason: Option<String>,
    /// Whether reports for the site are withheld (above the ceiling).
    pub reports_stopped: bool,
    /// Since the site was first seen (or restored): accepted, rejected and unsure verdicts,
    /// reports sent and reports withheld.
    pub accepted_total: u64,
    /// See `accepted_total`.
    pub rejected_total: u64,
    /// See `accepted_total`.
    pub unsure_total: u64,
    /// See `accepted_total`.
    pub reports_sent: u64,
    /// See `accepted_total`.
    pub reports_withheld: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sample {
    at: Instant,
    rejected: bool,
}

#[derive(Debug, Clone, Default)]
struct Totals {
    accepted: u64,
    rejected: u64,
    unsure: u64,
    reports_sent: u64,
    reports_withheld: u64,
}

#[derive(Debug, Clone)]
struct SiteRecord {
    plain: VecDeque<Sample>,
    nocache: VecDeque<Sample>,
    switch: Option<NocacheSwitch>,
    totals: Totals,
    last_used: u64,
}

impl SiteRecord {
    fn new(last_used: u64) -> Self {
        Self {
            plain: VecDeque::new(),
            nocache: VecDeque::new(),
            switch: None,
            totals: Totals::default(),
            last_used,
        }
    }
}

fn rejected(samples: &VecDeque<Sample>) -> usize {
    samples.iter().filter(|s| s.rejected).count()
}

fn percent(share: f64) -> u32 {
    // Shares are kept within 0 to 1, so this fits.
    (share * 100.0).round() as u32
}

/// Acceptance statistics per site, owned by the caller and lent to each [`Acceptor`] call that
/// reads or changes it. Bounded: [`SitePolicy::max_sites`] sites, each with at most
/// [`SitePolicy::window_samples`] verdicts with and without `nocache`.
///
/// [`Acceptor`]: super::Acceptor
#[derive(Debug, Clone)]
pub struct SiteBook {
    policy: SitePolicy,
    sites: HashMap<SiteKey, SiteRecord>,
    tick: u64,
}

impl SiteBook {
    /// An empty book.
    pub fn new(policy: SitePolicy) -> Self {
        Self {
            policy,
            sites: HashMap::new(),
            tick: 0,
        }
    }

    /// The policy.
    pub fn policy(&self) -> &SitePolicy {
        &self.policy
    }

    /// How many sites are kept.
    pub fn len(&self) -> usize {
        self.sites.len()
    }

    /// True when no site is kept.
    pub fn is_empty(&self) -> bool {
        self.sites.is_empty()
    }

    /// The record of `site`, made (and the least recently used dropped) if needed.
    fn touch(&mut self, site: &SiteKey, now: Instant) -> &mut SiteRecord {
        self.tick += 1;
        let tick = self.tick;
        if !self.sites.contains_key(site) {
            while self.sites.len() >= self.policy.max_sites {
                let oldest = self
                    .sites
                    .iter()
                    .min_by_key(|(_, r)| r.last_used)
                    .map(|(k, _)| k.clone());
                match oldest {
                    Some(k) => self.sites.remove(&k),
                    None => break,
                };
            }
            self.sites.insert(site.clone(), SiteRecord::new(tick));
        }
        let policy = self.policy;
        let record = self.sites.get_mut(site).expect("inserted above");
        record.last_used = tick;
        refresh(&policy, site, record, now);
        record
    }

    /// Whether new tasks for `site` should get `nocache` at `now`, and since when and why.
    pub fn nocache_advice(&mut self, site: &SiteKey, now: Instant) -> Option<NocacheSwitch> {
        self.touch(site, now).switch.clone()
    }

    /// Records a verdict on a token of `site`, solved with or without `nocache`.
    /// [`Verdict::Unsure`] is counted in the totals only, never in the window.
    pub fn record(&mut self, site: &SiteKey, now: Instant, nocache: bool, verdict: Verdict) {
        let policy = self.policy;
        let record = self.touch(site, now);
        let rejected = match verdict {
            Verdict::Accepted => {
                record.totals.accepted += 1;
                false
            }
            Verdict::Rejected => {
                record.totals.rejected += 1;
                true
            }
            Verdict::Unsure => {
                record.totals.unsure += 1;
                return;
            }
        };
        let window = if nocache {
            &mut record.nocache
        } else {
            &mut record.plain
        };
        window.push_back(Sample { at: now, rejected });
        while window.len() > policy.window_samples {
            window.pop_front();
        }
        refresh(&policy, site, record, now);
    }

    /// Counts a report for `site` as sent or withheld.
    pub fn note_report(&mut self, site: &SiteKey, now: Instant, sent: bool) {
        let record = self.touch(site, now);
        if sent {
            record.totals.reports_sent += 1;
        } else {
            record.totals.reports_withheld += 1;
        }
    }

    /// `Some` when `site` is at or above the report ceiling at `now`: its reports are withheld.
    pub fn report_ceiling(&mut self, site: &SiteKey, now: Instant) -> Option<ReportCeiling> {
        let policy = self.policy;
        let record = self.touch(site, now);
        ceiling_of(&policy, site, record)
    }

    /// Every site's statistics at `now`, sorted by site, for monitoring. Reading them does not
    /// count as a use.
    pub fn snapshot(&self, now: Instant) -> Vec<SiteSnapshot> {
        let mut out: Vec<SiteSnapshot> = self
            .sites
            .iter()
            .map(|(site, record)| {
                let mut record = record.clone();
                refresh(&self.policy, site, &mut record, now);
                snapshot_of(&self.policy, site, &record, now)
            })
            .collect();
        out.sort_by(|a, b| a.site.cmp(&b.site));
        out
    }
}

fn snapshot_of(
    policy: &SitePolicy,
    site: &SiteKey,
    record: &SiteRecord,
    now: Instant,
) -> SiteSnapshot {
    SiteSnapshot {
        site: site.clone(),
        plain_samples: record.plain.len(),
        plain_rejected: rejected(&record.plain),
        nocache_samples: record.nocache.len(),
        nocache_rejected: rejected(&record.nocache),
        nocache_on: record.switch.is_some(),
        nocache_on_for: record
            .switch
            .as_ref()
            .map(|s| now.saturating_duration_since(s.since)),
        nocache_reason: record.switch.as_ref().map(|s| s.reason.clone()),
        reports_stopped: ceiling_of(policy, site, record).is_some(),
        accepted_total: record.totals.accepted,
        rejected_total: record.totals.rejected,
        unsure_total: record.totals.unsure,
        reports_sent: record.totals.reports_sent,
        reports_withheld: record.totals.reports_withheld,
    }
}

fn ceiling_of(policy: &SitePolicy, site: &SiteKey, record: &SiteRecord) -> Option<ReportCeiling> {
    let samples = record.plain.len() + record.nocache.len();
    let bad = rejected(&record.plain) + rejected(&record.nocache);
    let share = bad as f64 / samples.max(1) as f64;
    (samples >= policy.report_min_samples && share >= policy.report_ceiling).then(|| {
        ReportCeiling {
            site: site.clone(),
            rejected: bad,
            samples,
            ceiling_percent: percent(policy.report_ceiling),
        }
    })
}

/// Drops verdicts older than the window and turns `nocache` on or off. It goes on when the
/// tokens solved without it are rejected at or above the threshold, and stays on while those
/// verdicts are in the window; once they age out, the site is tried without it again.
fn refresh(policy: &SitePolicy, site: &SiteKey, record: &mut SiteRecord, now: Instant) {
    for window in [&mut record.plain, &mut record.nocache] {
        while window
            .front()
            .is_some_and(|s| now.saturating_duration_since(s.at) > policy.window_age)
        {
            window.pop_front();
        }
    }
    let samples = record.plain.len();
    let bad = rejected(&record.plain);
    let share = bad as f64 / samples.max(1) as f64;
    let due = samples >= policy.nocache_min_samples && share >= policy.nocache_threshold;
    match (due, record.switch.is_some()) {
        (true, false) => {
            let reason = format!(
                "{bad} of the last {samples} tokens solved without nocache for {site} were \
                 rejected ({}%, threshold {}% over at least {} tokens)",
                percent(share),
                percent(policy.nocache_threshold),
                policy.nocache_min_samples
            );
            record.switch = Some(NocacheSwitch { since: now, reason });
        }
        (false, true) => record.switch = None,
        _ => {}
    }
}

/// The JSON form of a book: every time is an age, in milliseconds before the save.
#[derive(Debug, Serialize, Deserialize)]
struct SavedBook {
    version: u32,
    sites: Vec<SavedSite>,
}

#[derive(Debug, Serialize, Deserialize)]
struct SavedSite {
    site: SiteKey,
    plain: Vec<SavedSample>,
    nocache: Vec<SavedSample>,
    nocache_on: Option<SavedSwitch>,
    totals: [u64; 5],
}

#[derive(Debug, Serialize, Deserialize)]
struct SavedSample {
    age_ms: u64,
    rejected: bool,
}

#[derive(Debug, Serialize, Deserialize)]
struct SavedSwitch {
    age_ms: u64,
    reason: String,
}

const SAVED_VERSION: u32 = 1;
/// The largest saved book read back (16 MiB). The default bounds write about 3 MB.
const MAX_SAVED_BYTES: usize = 16 * 1024 * 1024;
/// The longest saved `nocache` reason read back.
const MAX_REASON: usize = 512;

fn age_ms(now: Instant, at: Instant) -> u64 {
    u64::try_from(now.saturating_duration_since(at).as_millis()).unwrap_or(u64::MAX)
}

/// `now` less `age_ms`, or `now` when the clock cannot go back that far.
fn back(now: Instant, age_ms: u64) -> Instant {
    now.checked_sub(Duration::from_millis(age_ms))
        .unwrap_or(now)
}

impl SiteBook {
    /// The book as JSON, with every time written as an age before `now`. Sites are written
    /// least recently used first, so a restore keeps the same order of eviction.
    pub fn to_json(&self, now: Instant) -> String {
        let mut sites: Vec<(&SiteKey, &SiteRecord)> = self.sites.iter().collect();
        sites.sort_by_key(|(_, r)| r.last_used);
        let save = |w: &VecDeque<Sample>| {
            w.iter()
                .map(|s| SavedSample {
                    age_ms: age_ms(now, s.at),
                    rejected: s.rejected,
                })
                .collect()
        };
        let saved = SavedBook {
            version: SAVED_VERSION,
            sites: sites
                .into_iter()
                .map(|(site, r)| SavedSite {
                    site: site.clone(),
                    plain: save(&r.plain),
                    nocache: save(&r.nocache),
                    nocache_on: r.switch.as_ref().map(|s| SavedSwitch {
                        age_ms: age_ms(now, s.since),
                        reason: s.reason.clone(),
                    }),
                    totals: [
                        r.totals.accepted,
                        r.totals.rejected,
                        r.totals.unsure,
                        r.totals.reports_sent,
                        r.totals.reports_withheld,
                    ],
                })
                .collect(),
        };
        serde_json::to_string(&saved).unwrap_or_default()
    }

    /// A book read back from [`SiteBook::to_json`], its ages counted back from `now` (the time
    /// the process was down is not counted). The policy's bounds apply: extra sites and
    /// samples are dropped, newest kept. JSON of another shape is an error.
    pub fn from_json(text: &str, policy: SitePolicy, now: Instant) -> Result<Self, String> {
        if text.len() > MAX_SAVED_BYTES {
            return Err(format!(
                "site statistics: {} bytes is more than a saved book can be ({MAX_SAVED_BYTES}): \
                 start with an empty book",
                text.len()
            ));
        }
        let saved: SavedBook = serde_json::from_str(text)
            .map_err(|e| format!("site statistics: not a saved site book: {e}"))?;
        if saved.version != SAVED_VERSION {
            return Err(format!(
                "site statistics: version {} is not {SAVED_VERSION}: start with an empty book",
                saved.version
            ));
        }
        let mut book = Self::new(policy);
        let skip = saved.sites.len().saturating_sub(policy.max_sites);
        for s in saved.sites.into_iter().skip(skip) {
            let site = SiteKey::new(&s.site.host, &s.site.key);
            let mut record = SiteRecord::new(0);
            record.plain = restore_window(&s.plain, &policy, now);
            record.nocache = restore_window(&s.nocache, &policy, now);
            record.switch = s.nocache_on.map(|sw| NocacheSwitch {
                since: back(now, sw.age_ms),
                reason: sw.reason.chars().take(MAX_REASON).collect(),
            });
            let [accepted, rejected, unsure, reports_sent, reports_withheld] = s.totals;
            record.totals = Totals {
                accepted,
                rejected,
                unsure,
                reports_sent,
                reports_withheld,
            };
            book.tick += 1;
            record.last_used = book.tick;
            refresh(&policy, &site, &mut record, now);
            book.sites.insert(site, record);
        }
        Ok(book)
    }
}

fn restore_window(saved: &[SavedSample], policy: &SitePolicy, now: Instant) -> VecDeque<Sample> {
    let mut samples: Vec<Sample> = saved
        .iter()
        .map(|s| Sample {
            at: back(now, s.age_ms),
            rejected: s.rejected,
        })
        .collect();
    samples.sort_by_key(|s| s.at);
    let skip = samples.len().saturating_sub(policy.window_samples);
    samples.into_iter().skip(skip).collect()
}
