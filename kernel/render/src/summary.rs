//! One regime in one line, before any table: is the model in scope, as what, how much is
//! required, what is overdue and what is due next. Duties are never counted with
//! classifications; when nothing is required, the line says which classification decided it.

use juxta_core::report::{DutyState, Finding, RegimeReport, Status};
use juxta_sdk::Date;
use juxta_sdk::manifest::RuleKind;

/// What a regime asks of the model, in numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary<'a> {
    /// The classifications that apply, in the regime's order.
    pub classifications: Vec<&'a Finding>,
    /// Obligations that apply.
    pub required: Vec<&'a Finding>,
    /// Obligations that may apply (undetermined).
    pub maybe: Vec<&'a Finding>,
    /// Invitations that apply.
    pub invited: usize,
    /// Required duties whose deadline has passed, oldest first.
    pub overdue: Vec<&'a Finding>,
    /// The next deadline of a required duty that has not passed.
    pub next: Option<&'a Finding>,
    /// When nothing is required: the classification that decided it.
    pub deciding: Option<&'a Finding>,
}

impl<'a> Summary<'a> {
    /// The summary of a regime that evaluated (`None` for a failed one).
    pub fn of(r: &'a RegimeReport) -> Option<Summary<'a>> {
        if r.error.is_some() {
            return None;
        }
        let of_kind =
            |k: RuleKind, s: Status| r.rules.iter().filter(move |f| f.kind == k && f.status == s);
        let required: Vec<&Finding> = of_kind(RuleKind::Obligation, Status::Applies).collect();
        let mut overdue: Vec<&Finding> = required
            .iter()
            .copied()
            .filter(|f| f.state.is_some_and(DutyState::is_overdue))
            .collect();
        overdue.sort_by_key(|f| f.due);
        let next = required
            .iter()
            .copied()
            .filter(|f| matches!(f.state, Some(DutyState::DueIn { .. } | DutyState::DueToday)))
            .min_by_key(|f| f.due);
        // The first classification that does not hold: a scope, a status or a role the
        // regime's duties rest on.
        let deciding = required
            .is_empty()
            .then(|| {
                r.rules
                    .iter()
                    .find(|f| f.kind == RuleKind::Classification && f.status != Status::Applies)
            })
            .flatten();
        Some(Summary {
            classifications: of_kind(RuleKind::Classification, Status::Applies).collect(),
            maybe: of_kind(RuleKind::Obligation, Status::Undetermined).collect(),
            invited: of_kind(RuleKind::Invitation, Status::Applies).count(),
            required,
            overdue,
            next,
            deciding,
        })
    }

    /// The scope in words: the classifications that apply, or that none does.
    pub fn scope(&self) -> String {
        if self.classifications.is_empty() {
            "no classification applies".into()
        } else {
            self.classifications
                .iter()
                .map(|f| f.title.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        }
    }

    /// The duties in words: `9 required (1 OVERDUE: EU-OBL-52-1 since 2026-10-19); next due
    /// 2027-02-15 (EU-OBL-53-1a, in 85 days); 2 may be required; 3 invited`, or why nothing is
    /// required.
    pub fn duties(&self, today: Option<Date>) -> String {
        let mut parts = Vec::new();
        if self.required.is_empty() {
            let why = match self.deciding {
                Some(f) => format!(
                    "nothing required: “{}” {} ({})",
                    f.title,
                    match f.status {
                        Status::DoesNotApply => "does not apply",
                        _ => "is undetermined",
                    },
                    f.id
                ),
                None => "nothing required".into(),
            };
            parts.push(why);
        } else {
            let mut required = format!("{} required", self.required.len());
            if !self.overdue.is_empty() {
                let list: Vec<String> = self
                    .overdue
                    .iter()
                    .map(|f| match f.due {
                        Some(d) => format!("{} since {d}", f.id),
                        None => f.id.clone(),
                    })
                    .collect();
                required.push_str(&format!(
                    " ({} OVERDUE: {})",
                    self.overdue.len(),
                    list.join(", ")
                ));
            }
            parts.push(required);
            match self.next {
                Some(f) => {
                    let when = f
                        .state
                        .map(|s| match today {
                            // Counted from the day the report is made, said so.
                            Some(t) => format!("today {t}: {}", s.on(f.due, t).label()),
                            None => s.label(),
                        })
                        .unwrap_or_default();
                    let due = f.due_text().unwrap_or_default();
                    parts.push(format!("next due {due} ({}, {when})", f.id));
                }
                None if self.overdue.is_empty() => parts.push("no deadline pending".into()),
                None => {}
            }
        }
        if !self.maybe.is_empty() {
            parts.push(format!(
                "{} may be required (undetermined)",
                self.maybe.len()
            ));
        }
        if self.invited > 0 {
            parts.push(format!("{} invited", self.invited));
        }
        parts.join("; ")
    }
}

/// One regime in one line: `name: scope — duties` (or why it failed); the next deadline counted
/// from `today` where that differs from the day the law was applied.
pub fn line(r: &RegimeReport, today: Option<Date>) -> String {
    let name = r.name.as_deref().unwrap_or(&r.id);
    match Summary::of(r) {
        Some(s) => format!("{name}: {} — {}", s.scope(), s.duties(today)),
        None => format!("{name}: ✖ failed"),
    }
}
