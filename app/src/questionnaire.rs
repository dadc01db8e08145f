//! The questionnaire the page asks, generated from the facts schema: every table (the core's,
//! then each regime's namespace) and every fact with its meaning, unit, type, allowed values and
//! what its absence means, so that the page has nothing about the law of its own. And the way
//! back: a profile's facts as the answers the page's inputs hold.

use juxta_core::profile::Profile;
use juxta_core::schema::{FactKind, Schema};
use juxta_core::value::Value;
use juxta_sdk::schema::FactType;
use serde_json::{Value as Json, json};

/// The schema as the page's questionnaire: `{version, tables: [{name, meaning, owner,
/// presence, fields: [...]}]}`. Facts that are another name for a core fact are left out (the
/// core fact is asked).
pub(crate) fn of(schema: &Schema) -> Json {
    let tables: Vec<Json> = schema
        .tables()
        .iter()
        .enumerate()
        .map(|(index, table)| {
            let fields: Vec<Json> = schema
                .fields_of(index)
                .filter(|(_, f)| f.alias_of.is_none())
                .filter_map(|(_, f)| {
                    let FactKind::Field(ty) = f.kind else {
                        return None;
                    };
                    let mut field = json!({
                        "path": f.path,
                        "name": f.name,
                        "required": f.required,
                        "meaning": f.meaning,
                        "unit": f.unit,
                        "if_absent": f.if_absent,
                        "describe": ty.describe(),
                    });
                    let (kind, values, min) = match ty {
                        FactType::Bool => ("bool", None, None),
                        FactType::Float { min } => ("number", None, min.map(|m| json!(m))),
                        FactType::Integer { min } => ("integer", None, min.map(|m| json!(m))),
                        FactType::Money => {
                            let currencies: Vec<&str> =
                                f.money.iter().flat_map(|m| m.currencies()).collect();
                            ("money", Some(json!(currencies)), None)
                        }
                        FactType::String => ("string", None, None),
                        FactType::StringList => ("string_list", None, None),
                        FactType::CountryCode => ("country", None, None),
                        FactType::Date => ("date", None, None),
                        FactType::DateTime => ("datetime", None, None),
                        FactType::Enum(v) => ("enum", Some(json!(v)), None),
                        FactType::EnumList(v) => ("enum_list", Some(json!(v)), None),
                    };
                    field["type"] = json!(kind);
                    if let Some(v) = values {
                        field["values"] = v;
                    }
                    if let Some(m) = min {
                        field["min"] = m;
                    }
                    Some(field)
                })
                .collect();
            json!({
                "name": table.name,
                "meaning": table.meaning,
                "owner": table.owner,
                "presence": table.presence.map(|id| {
                    let f = schema.fact(id);
                    json!({ "path": f.path, "meaning": f.meaning, "if_absent": f.if_absent })
                }),
                "fields": fields,
            })
        })
        .collect();
    json!({ "version": schema.version(), "tables": tables })
}

/// A profile's facts as the questionnaire's answers, by path: text for the inputs (numbers
/// exactly as read, lists as arrays, money as `{amount, currency}`), `true` for a table whose
/// presence is a fact and is present.
pub(crate) fn answers(profile: &Profile, schema: &Schema) -> Json {
    let mut out = serde_json::Map::new();
    for (id, def) in schema.facts().iter().enumerate() {
        let Some(value) = profile.get(id) else {
            continue;
        };
        let answer = if def.kind == FactKind::Presence {
            json!(matches!(value, Value::Bool(true)))
        } else if let Some((amount, currency, _)) = profile.money(id, schema) {
            json!({ "amount": amount.to_string(), "currency": currency })
        } else {
            match value {
                Value::Bool(b) => json!(b),
                Value::List(items) => json!(items),
                Value::Text(s) => json!(s),
                // Exactly as read (`2.9e25`), not as reports round it.
                Value::Number(n) => json!(n.to_string()),
                other => json!(other.to_string()),
            }
        };
        out.insert(def.path.clone(), answer);
    }
    Json::Object(out)
}
