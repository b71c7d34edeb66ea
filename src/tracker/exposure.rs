//! Experiment exposures of one page view: one arm per experiment for the whole page view,
//! each exposure logged once.
//!
//! The arm a shopper saw is pinned the first time a decision runs under an experiment, so
//! it cannot change within the page view when the id changes (consent arrives and the
//! stored pseudonymous id replaces the per-page one). Shown offers are logged too (under
//! `OFFER_EXPOSURE`), for the bundle's frequency cap, and ranked payment and shipping
//! lists (`first_list`, `list_record`: what was offered, in shown order), for training.

use crate::event::{Event, EventType, Exposure, MAX_SHOWN};
use crate::model::features::fnv1a;
use crate::rank::Assignment;

/// The exposure name under which shown offers are recorded (for the frequency cap).
pub const OFFER_EXPOSURE: &str = "offer";

#[derive(Default)]
pub struct Exposures {
    /// Arms decided in this page view.
    pinned: Vec<Assignment>,
    /// Exposure keys logged in this page view (experiment keys, `offer:<id>`).
    logged: Vec<String>,
    /// Ranked lists recorded in this page view: list, number of ids, digest of the set.
    lists: Vec<(&'static str, usize, u64)>,
}

impl Exposures {
    /// The arms decided so far (decisions reuse them).
    pub fn pinned(&self) -> &[Assignment] {
        &self.pinned
    }

    /// The arm of `experiment`, if one was decided in this page view.
    pub fn arm(&self, experiment: &str) -> Option<&Assignment> {
        self.pinned.iter().find(|a| a.experiment == experiment)
    }

    /// Pins the arm a decision ran under and returns its exposure event, the first time.
    /// `late`: the decision missed the deadline, the shopper saw the page's own order.
    pub fn expose(&mut self, a: &Assignment, late: bool, now: i64) -> Option<Event> {
        if self.arm(&a.experiment).is_none() {
            self.pinned.push(a.clone());
        }
        let mut e = self.log(
            a.experiment.clone(),
            &a.experiment,
            &a.arm,
            a.variation,
            now,
        )?;
        if let Some(x) = &mut e.exposure {
            x.late = late;
        }
        Some(e)
    }

    /// The exposure event of a shown offer, the first time in this page view.
    pub fn offer_shown(&mut self, id: &str, now: i64) -> Option<Event> {
        let arm: String = id.chars().take(100).collect();
        self.log(
            format!("{OFFER_EXPOSURE}:{id}"),
            OFFER_EXPOSURE,
            &arm,
            0,
            now,
        )
    }

    /// Whether `list` ([`PAYMENT_LIST`] or [`SHIPPING_LIST`]) has not been recorded with
    /// this set of ids in this page view, whatever their order (a re-ranking on a cart
    /// change does not log again); marks it recorded. Lists too long to record are not.
    pub fn first_list<'a>(
        &mut self,
        list: &'static str,
        ids: impl Iterator<Item = &'a str>,
    ) -> bool {
        // An order-independent digest of the set: no sort, no key string on the hot path.
        let (mut n, mut digest) = (0usize, 0u64);
        for id in ids {
            n += 1;
            digest = digest.wrapping_add(u64::from(fnv1a(id)).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        }
        if n == 0 || n > MAX_SHOWN || self.lists.contains(&(list, n, digest)) {
            return false;
        }
        self.lists.push((list, n, digest));
        true
    }

    /// The list record: the ids (and the page's types) in the order the ranking returned,
    /// and the arm it ran under.
    pub fn list_record(
        list: &str,
        shown: &[(&str, Option<&str>)],
        arm: Option<&Assignment>,
        now: i64,
    ) -> Option<Event> {
        let (name, variation) = arm.map_or(("", 0), |a| (a.arm.as_str(), a.variation));
        let mut e = Event::new(EventType::Exposure, now);
        e.exposure = Some(Exposure {
            experiment: list.to_owned(),
            arm: name.to_owned(),
            variation,
            late: false,
            shown: shown.iter().map(|s| s.0.to_owned()).collect(),
            types: if shown.iter().any(|s| s.1.is_some()) {
                shown
                    .iter()
                    .map(|s| s.1.unwrap_or_default().to_owned())
                    .collect()
            } else {
                Vec::new()
            },
        });
        e.is_valid().then_some(e)
    }

    fn log(
        &mut self,
        key: String,
        experiment: &str,
        arm: &str,
        variation: u32,
        now: i64,
    ) -> Option<Event> {
        if self.logged.contains(&key) {
            return None;
        }
        self.logged.push(key);
        let mut e = Event::new(EventType::Exposure, now);
        e.exposure = Some(Exposure {
            experiment: experiment.to_owned(),
            arm: arm.to_owned(),
            variation,
            late: false,
            shown: Vec::new(),
            types: Vec::new(),
        });
        e.is_valid().then_some(e)
    }

    /// Everything the shopper asked to forget: what was logged goes with the journal; the
    /// arms of this page view stay (the page does not change under the shopper).
    pub fn forget_logged(&mut self) {
        self.logged.clear();
        self.lists.clear();
    }
}
