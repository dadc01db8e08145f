//! What a manifest declares about itself (its id, target schema and namespace), read without
//! compiling it, the schema a set of manifests compiles against, and the ids no regime may take.

use juxta_sdk::manifest::Parameter;
use juxta_sdk::manifest::indexmap_like::Ordered;

use crate::schema::Schema;

/// Ids no regime may take: the top-level keys of batch records and columns of batch Parquet.
pub const RESERVED_IDS: &[&str] = &["id", "line", "error", "regimes"];

/// What a manifest declares about its namespace, read without compiling it.
#[derive(Clone, Debug)]
pub struct Declared {
    /// The regime id.
    pub regime: String,
    /// The facts-schema version it targets.
    pub target: String,
    /// Its namespace, if it declares one.
    pub namespace: Option<juxta_sdk::manifest::Namespace>,
    /// Its parameters, where the rates of its money facts are (empty when they do not read:
    /// compiling then reports why).
    pub parameters: Ordered<Parameter>,
}

impl Declared {
    /// What a manifest that reads declares: the same as [`declared`] of its text, without
    /// parsing the text a second time.
    pub fn of(manifest: &juxta_sdk::manifest::Manifest) -> Declared {
        Declared {
            regime: manifest.regime.id.clone(),
            target: manifest.regime.facts_schema.clone(),
            namespace: manifest.namespace.clone(),
            parameters: manifest.parameters.clone(),
        }
    }
}

/// Reads a manifest's id, target schema and namespace, ignoring everything else; `None` if it
/// does not parse that far (compiling it then reports why).
pub fn declared(text: &str) -> Option<Declared> {
    #[derive(serde::Deserialize)]
    struct Header {
        id: String,
        facts_schema: String,
    }
    #[derive(serde::Deserialize)]
    struct Partial {
        regime: Header,
        #[serde(default)]
        namespace: Option<juxta_sdk::manifest::Namespace>,
        #[serde(default)]
        parameters: Option<Ordered<Parameter>>,
    }
    #[derive(serde::Deserialize)]
    struct WithoutParameters {
        regime: Header,
        #[serde(default)]
        namespace: Option<juxta_sdk::manifest::Namespace>,
    }
    // Parameters are read from the text (their values carry spans); where one does not read,
    // the namespace still does, and compiling says what is wrong with the parameter.
    let p: Partial = match toml::from_str(text) {
        Ok(p) => p,
        Err(_) => {
            let w: WithoutParameters = toml::from_str(text).ok()?;
            Partial {
                regime: w.regime,
                namespace: w.namespace,
                parameters: None,
            }
        }
    };
    Some(Declared {
        regime: p.regime.id,
        target: p.regime.facts_schema,
        namespace: p.namespace,
        parameters: p.parameters.unwrap_or(Ordered(Vec::new())),
    })
}

/// The schema a set of manifests compiles against: the core plus each one's namespace, in the
/// order given.
pub fn schema_for<'a>(
    texts: impl IntoIterator<Item = &'a str>,
) -> Result<Schema, crate::schema::SchemaError> {
    let declared: Vec<Declared> = texts.into_iter().filter_map(declared).collect();
    schema_with(&declared)
}

/// The core schema plus the namespaces these manifests declare, in the order given (each with
/// its regime's parameters, where the rates of its money facts are).
pub fn schema_with(declared: &[Declared]) -> Result<Schema, crate::schema::SchemaError> {
    let mut schema = Schema::core();
    for d in declared {
        if let Some(ns) = &d.namespace {
            schema.add_namespace(&d.regime, &d.target, ns, &d.parameters)?;
        }
    }
    Ok(schema)
}
