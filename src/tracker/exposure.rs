//! Experiment exposures of one page view: one arm per experiment for the whole page view,
//! each exposure logged once.
//!
//! The arm a shopper saw is pinned the first time a decision runs under an experiment, so
//! it cannot change within the page view when the id changes (consent arrives and the
//! stored pseudonymous id replaces the per-page one). Shown offers are logged too (under
//! `OFFER_EXPOSURE`), for the bundle's frequency cap, and ranked payment and shipping
//! lists (`list_shown`: what was offered, in shown order), for training.

use crate::event::{Event, EventType, Exposure, MAX_SHOWN};
use crate::rank::Assignment;

/// The exposure name under which shown offers are recorded (for the frequency cap).
pub const OFFER_EXPOSURE: &str = "offer";

#[derive(Default)]
pub struct Exposures {
    /// Arms decided in this page view.
    pinned: Vec<Assignment>,
    /// Exposure keys logged in this page view (experiment keys, `offer:<id>`).
    logged: Vec<String>,
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

    /// The list record of a ranked payment or shipping list (`list`: [`PAYMENT_LIST`] or
    /// [`SHIPPING_LIST`]): the ids (and the page's types) in the order the ranking
    /// returned and the arm it ran under. Once per page view for each offered set, whatever its order (a re-ranking on
    /// a cart change does not log again); lists too long to record are not.
    pub fn list_shown(
        &mut self,
        list: &str,
        shown: &[(&str, Option<&str>)],
        arm: Option<&Assignment>,
        now: i64,
    ) -> Option<Event> {
        if shown.is_empty() || shown.len() > MAX_SHOWN {
            return None;
        }
        let mut set: Vec<&str> = shown.iter().map(|s| s.0).collect();
        set.sort_unstable();
        let key = format!("{list}:{}", set.join("\u{1f}"));
        let (name, variation) = arm.map_or(("", 0), |a| (a.arm.as_str(), a.variation));
        let mut e = self.log(key, list, name, variation, now)?;
        if let Some(x) = &mut e.exposure {
            x.shown = shown.iter().map(|s| s.0.to_owned()).collect();
            if shown.iter().any(|s| s.1.is_some()) {
                x.types = shown
                    .iter()
                    .map(|s| s.1.unwrap_or_default().to_owned())
                    .collect();
            }
        }
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
    }
}
