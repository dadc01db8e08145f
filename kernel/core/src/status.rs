//! The status of a rule for a profile: what every report, record and explanation says.

use serde::{Deserialize, Serialize};

use crate::tri::Truth;

/// The status of a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The rule applies.
    Applies,
    /// The rule does not apply.
    DoesNotApply,
    /// The facts given do not decide it, or the law is unsettled.
    Undetermined,
}

impl Status {
    /// From a three-valued truth.
    pub fn from_truth(t: Truth) -> Status {
        match t {
            Truth::True => Status::Applies,
            Truth::False => Status::DoesNotApply,
            Truth::Unknown => Status::Undetermined,
        }
    }

    /// The spelling used in JSON and case files.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Applies => "applies",
            Status::DoesNotApply => "does_not_apply",
            Status::Undetermined => "undetermined",
        }
    }
}

/// Where a duty with a deadline stands on a day: what a compliance lead acts on.
///
/// Reported for obligations that apply or may apply (undetermined); `None` for every other
/// rule. In JSON: `{"kind": "overdue", "since": "2026-09-15", "days": 77}`, `{"kind":
/// "due_in", "days": 12}`, `{"kind": "due_today"}`, `{"kind": "not_triggered"}`, `{"kind":
/// "no_deadline"}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DutyState {
    /// The deadline has passed: due on `since`, `days` days before the day asked about.
    Overdue {
        /// The deadline.
        since: juxta_sdk::Date,
        /// Days since it.
        days: i64,
    },
    /// Due on the day asked about.
    DueToday,
    /// Due `days` days after the day asked about.
    DueIn {
        /// Days to go.
        days: i64,
    },
    /// The duty has a deadline, but what starts its clock (an incident, a release) has not
    /// happened or is not known: no date yet.
    NotTriggered,
    /// A standing duty: the law sets no deadline for it.
    NoDeadline,
}

impl DutyState {
    /// The state of an obligation with deadline `due` (if it has one at all: `has_deadline`)
    /// on `day`.
    pub fn of(has_deadline: bool, due: Option<juxta_sdk::Date>, day: juxta_sdk::Date) -> DutyState {
        match (has_deadline, due) {
            (false, _) => DutyState::NoDeadline,
            (true, None) => DutyState::NotTriggered,
            (true, Some(due)) => {
                let days = due.days_since_epoch() - day.days_since_epoch();
                match days {
                    d if d < 0 => DutyState::Overdue {
                        since: due,
                        days: -d,
                    },
                    0 => DutyState::DueToday,
                    d => DutyState::DueIn { days: d },
                }
            }
        }
    }

    /// The state of a rule, if it has one: only obligations that apply or may apply are duties
    /// with a state (the one place that says which rules those are).
    pub fn of_rule(
        kind: juxta_sdk::manifest::RuleKind,
        status: Status,
        has_deadline: bool,
        due: Option<juxta_sdk::Date>,
        day: juxta_sdk::Date,
    ) -> Option<DutyState> {
        (kind == juxta_sdk::manifest::RuleKind::Obligation && status != Status::DoesNotApply)
            .then(|| DutyState::of(has_deadline, due, day))
    }

    /// The same deadline seen from another day (`today` where it differs from `as_of`).
    pub fn on(self, due: Option<juxta_sdk::Date>, day: juxta_sdk::Date) -> DutyState {
        match self {
            DutyState::NoDeadline | DutyState::NotTriggered => self,
            _ => DutyState::of(true, due, day),
        }
    }

    /// In words: `overdue since 2026-09-15 (77 days)`, `due in 12 days`, `due today`, `not yet
    /// triggered`, `no deadline`.
    pub fn label(self) -> String {
        match self {
            DutyState::Overdue { since, days } => {
                format!("OVERDUE since {since} ({days} day{})", plural(days))
            }
            DutyState::DueToday => "due today".into(),
            DutyState::DueIn { days } => format!("due in {days} day{}", plural(days)),
            DutyState::NotTriggered => "not yet triggered".into(),
            DutyState::NoDeadline => "no deadline".into(),
        }
    }

    /// Whether the deadline has passed.
    pub fn is_overdue(self) -> bool {
        matches!(self, DutyState::Overdue { .. })
    }

    /// The snake_case name, as in JSON (`overdue`, `due_in`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            DutyState::Overdue { .. } => "overdue",
            DutyState::DueToday => "due_today",
            DutyState::DueIn { .. } => "due_in",
            DutyState::NotTriggered => "not_triggered",
            DutyState::NoDeadline => "no_deadline",
        }
    }
}

fn plural(n: i64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use juxta_sdk::Date;

    #[test]
    fn a_deadline_is_overdue_due_today_or_to_come_counted_in_days() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        let due = Some(d("2026-09-15"));
        assert_eq!(
            DutyState::of(true, due, d("2026-12-01")),
            DutyState::Overdue {
                since: d("2026-09-15"),
                days: 77
            }
        );
        assert_eq!(
            DutyState::of(true, due, d("2026-09-15")),
            DutyState::DueToday
        );
        assert_eq!(
            DutyState::of(true, due, d("2026-09-14")),
            DutyState::DueIn { days: 1 }
        );
        assert_eq!(
            DutyState::of(true, None, d("2026-09-14")),
            DutyState::NotTriggered
        );
        assert_eq!(
            DutyState::of(false, None, d("2026-09-14")),
            DutyState::NoDeadline
        );
        assert_eq!(
            DutyState::of(true, due, d("2026-12-01")).label(),
            "OVERDUE since 2026-09-15 (77 days)"
        );
        assert_eq!(DutyState::DueIn { days: 1 }.label(), "due in 1 day");
        let json = serde_json::to_string(&DutyState::DueIn { days: 3 }).unwrap();
        assert_eq!(json, r#"{"kind":"due_in","days":3}"#);
    }
}
