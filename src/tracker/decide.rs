//! Decisions: every surface reads the same decision snapshot (`rank::prepare`) and logs
//! the experiment exposure it used, once per page view.

use super::*;

impl<S: Store> Tracker<S> {
    /// The profile view at `now`, with traits; `interest`: with the top-interest lists
    /// (for `profile()`; decisions never read them).
    pub(super) fn view(&self, now: i64, interest: bool) -> ProfileView {
        let context = self.context(now);
        let mut view = if interest {
            self.profile.view(now, context.as_ref())
        } else {
            self.profile.decision_view(now, context.as_ref())
        };
        if *self.identity.traits() != Traits::default() {
            view.traits = Some(self.identity.traits().clone());
        }
        view
    }

    fn with_decision<T>(&self, now: i64, f: impl FnOnce(&Decision) -> T) -> T {
        let view = self.view(now, false);
        let d = Decision {
            model: self.models.model(),
            signals: Signals {
                view: &view,
                profile: &self.profile,
                now,
                candidate: None,
            },
            user_id: self.identity.user_id(),
            pinned: self.exposures.pinned(),
        };
        f(&d)
    }

    /// Pins the arm a decision ran under and logs its exposure (once per page view).
    pub(super) fn expose(&mut self, a: &Option<Assignment>, now: i64) {
        if let Some(e) = a
            .as_ref()
            .and_then(|a| self.exposures.expose(a, false, now))
        {
            self.journal.append(e);
        }
    }

    /// A surface's first decision missed the page's deadline: the shopper sees the page's
    /// own order for this page view. An experiment on it logs the exposure as late (the arm
    /// is pinned all the same: one page view, one arm).
    pub fn decision_late(&mut self, surface: rank::Surface, now: i64) {
        let arm = self.models.model().and_then(|m| {
            rank::surface_assignment(m, surface, self.identity.user_id(), self.exposures.pinned())
        });
        if let Some(e) = arm.and_then(|a| self.exposures.expose(&a, true, now)) {
            self.journal.append(e);
        }
    }

    /// The shopper's locale as `Intl` may read it (`de-DE`), else their language, if known.
    pub fn locale(&self, now: i64) -> Option<String> {
        let c = self.context(now)?;
        c.locale.or(c.language)
    }

    /// Orders the page's payment methods (a permutation of them, always). The offered list
    /// is recorded (once per page view and offered set) for training.
    pub fn rank_payment_methods(&mut self, methods: &[PaymentMethod], now: i64) -> Ranking {
        let r = self.with_decision(now, |d| rank::rank_payment_methods(d, methods, true));
        self.expose(&r.experiment, now);
        self.list_shown(PAYMENT_LIST, methods, &r, now);
        r
    }

    /// Orders the page's shipping options (a permutation of them, always), recorded as
    /// payment lists are.
    pub fn rank_shipping_options(&mut self, options: &[PaymentMethod], now: i64) -> Ranking {
        let r = self.with_decision(now, |d| rank::rank_shipping_options(d, options, true));
        self.expose(&r.experiment, now);
        self.list_shown(SHIPPING_LIST, options, &r, now);
        r
    }

    fn list_shown(&mut self, list: &'static str, offered: &[PaymentMethod], r: &Ranking, now: i64) {
        if !self
            .exposures
            .first_list(list, r.items.iter().map(|i| i.id.as_str()))
        {
            return;
        }
        let shown: Vec<(&str, Option<&str>)> = r
            .items
            .iter()
            .map(|i| {
                let kind = offered.iter().find(|m| m.id == i.id);
                (i.id.as_str(), kind.and_then(|m| m.kind.as_deref()))
            })
            .collect();
        if let Some(e) = Exposures::list_record(list, &shown, r.experiment.as_ref(), now) {
            self.journal.append(e);
        }
    }

    /// At most one offer (see `rank::choose_offer`); a chosen offer is recorded (once per
    /// page view) for the frequency cap.
    pub fn choose_offer(&mut self, offers: &[rank::Offer], now: i64) -> rank::OfferDecision {
        let window = self
            .models
            .model()
            .and_then(|m| m.bundle().offers.as_ref())
            .and_then(|o| o.frequency_days)
            .unwrap_or(30.0);
        let since = now - (window * 86_400_000.0) as i64;
        let shown = self
            .journal
            .events()
            .filter(|e| {
                e.ts >= since
                    && e.exposure
                        .as_ref()
                        .is_some_and(|x| x.experiment == OFFER_EXPOSURE)
            })
            .count() as u32;
        let d = self.with_decision(now, |d| rank::choose_offer(d, offers, shown));
        self.expose(&d.experiment, now);
        if let Some(e) = d
            .offer
            .as_deref()
            .and_then(|id| self.exposures.offer_shown(id, now))
        {
            self.journal.append(e);
        }
        d
    }

    /// The message for each slot.
    pub fn choose_messages(&self, slots: &[String], now: i64) -> Vec<rank::ChosenMessage> {
        self.with_decision(now, |d| rank::choose_messages(d, slots))
    }

    /// Items to offer with the cart.
    pub fn rank_cross_sells(&mut self, req: &CrossSellRequest, now: i64) -> Ranking {
        let r = self.with_decision(now, |d| rank::rank_cross_sells(d, req, true));
        self.expose(&r.experiment, now);
        r
    }

    /// The bundle's segments the shopper is in now.
    pub fn segments(&self, now: i64) -> Vec<String> {
        match self.models.model() {
            Some(m) => self.with_decision(now, |d| rank::segments(m, &d.signals)),
            None => Vec::new(),
        }
    }

    /// The arm of experiment `key` for this shopper, without logging an exposure (the arm
    /// this page view already showed, if any).
    pub fn assignment(&self, key: &str) -> Option<Assignment> {
        if let Some(a) = self.exposures.arm(key) {
            return Some(a.clone());
        }
        self.models
            .model()
            .and_then(|m| rank::assignment_for(m, key, self.identity.user_id()))
    }
}
