//! The guest side of the plugin ABI: bindings for the WIT world and the [`regime!`] macro.
//!
//! A plugin is a `cdylib` crate built for `wasm32-unknown-unknown` and turned into a component
//! by `juxta regime build`. It exports `manifest()` (the regime's TOML) and `call()` (custom
//! functions, JSON in and out) and imports nothing: the code below uses no host function, and
//! the kernel refuses any component that imports one.
//!
//! [`regime!`]: crate::regime
#![allow(
    unsafe_code,
    reason = "wit-bindgen generates `extern \"C\"` exports and canonical-ABI glue, which are unsafe"
)]

use serde_json::Value as Json;

/// Bindings generated from `wit/regime.wit`.
#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "wit",
        world: "regime",
        pub_export_macro: true,
        export_macro_name: "__juxta_export_bindings",
        default_bindings_module: "::juxta_sdk::guest::bindings",
        runtime_path: "::juxta_sdk::guest::__rt",
    });
}

#[doc(hidden)]
pub use wit_bindgen::rt as __rt;

/// A custom function: JSON arguments in, a JSON result or an error message out.
///
/// The kernel converts CEL values to JSON: dates become `"YYYY-MM-DD"` strings, numbers stay
/// numbers, lists become arrays. The result must match the `returns` type the manifest declares.
pub type CustomFunction = fn(&[Json]) -> Result<Json, String>;

/// Routes a `call` to the named function. Used by [`regime!`](crate::regime); not public API.
#[doc(hidden)]
pub fn dispatch(
    name: &str,
    args_json: &str,
    functions: &[(&str, CustomFunction)],
) -> Result<String, String> {
    let Some((_, function)) = functions.iter().find(|(n, _)| *n == name) else {
        return Err(format!("this plugin exports no function `{name}`"));
    };
    let args: Vec<Json> = serde_json::from_str(args_json)
        .map_err(|e| format!("arguments of `{name}` are not a JSON array: {e}"))?;
    let result = function(&args)?;
    serde_json::to_string(&result).map_err(|e| format!("result of `{name}`: {e}"))
}

/// Turns a regime manifest, and optionally custom functions, into the plugin's exports.
///
/// ```ignore
/// juxta_sdk::regime!(include_str!("../../../regimes/my-regime/regime.toml"));
///
/// // with custom functions, named as in the manifest's [functions] table:
/// fn working_days_after(args: &[serde_json::Value]) -> Result<serde_json::Value, String> { … }
/// juxta_sdk::regime!(
///     include_str!("../../../regimes/my-regime/regime.toml"),
///     functions: { "working_days_after" => working_days_after },
/// );
/// ```
#[macro_export]
macro_rules! regime {
    ($manifest:expr $(,)?) => {
        $crate::regime!($manifest, functions: {});
    };
    ($manifest:expr, functions: { $($name:literal => $function:path),* $(,)? } $(,)?) => {
        struct JuxtaRegimePlugin;

        impl $crate::guest::bindings::exports::juxta::regime::plugin::Guest for JuxtaRegimePlugin {
            fn manifest() -> ::std::string::String {
                ::std::string::String::from($manifest)
            }

            fn call(
                name: ::std::string::String,
                args_json: ::std::string::String,
            ) -> ::std::result::Result<::std::string::String, ::std::string::String> {
                $crate::guest::dispatch(
                    &name,
                    &args_json,
                    &[$(($name, $function as $crate::guest::CustomFunction)),*],
                )
            }
        }

        $crate::guest::bindings::__juxta_export_bindings!(JuxtaRegimePlugin with_types_in $crate::guest::bindings);
    };
}
