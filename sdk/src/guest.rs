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

/// The plugin's allocator: a bump allocator that never frees.
///
/// An instance of a plugin lives for one `manifest()` or one `call()` (the kernel instantiates
/// afresh for every call, and caps memory at 64 MiB), so freeing buys nothing; dropping the
/// standard allocator (dlmalloc) makes plugins smaller and quicker for the kernel to compile,
/// which is most of juxta's start-up time.
#[doc(hidden)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    allow(
        dead_code,
        reason = "the allocator is installed only in WebAssembly builds"
    )
)]
pub struct BumpAllocator {
    next: core::cell::Cell<usize>,
    end: core::cell::Cell<usize>,
}

// SAFETY: a wasm32-unknown-unknown plugin is single-threaded: no two threads ever share it.
unsafe impl Sync for BumpAllocator {}

impl BumpAllocator {
    /// An allocator that starts at the end of the memory the module was instantiated with.
    #[allow(
        clippy::new_without_default,
        reason = "a const constructor for a static"
    )]
    pub const fn new() -> BumpAllocator {
        BumpAllocator {
            next: core::cell::Cell::new(0),
            end: core::cell::Cell::new(0),
        }
    }
}

#[cfg(target_arch = "wasm32")]
// SAFETY: every block returned lies in memory grown for it and is never handed out again.
unsafe impl core::alloc::GlobalAlloc for BumpAllocator {
    unsafe fn alloc(&self, layout: core::alloc::Layout) -> *mut u8 {
        const PAGE: usize = 65536;
        if self.end.get() == 0 {
            let end = core::arch::wasm32::memory_size(0) * PAGE;
            self.next.set(end);
            self.end.set(end);
        }
        let align = layout.align();
        let Some(start) = self
            .next
            .get()
            .checked_add(align - 1)
            .map(|n| n & !(align - 1))
        else {
            return core::ptr::null_mut();
        };
        let Some(stop) = start.checked_add(layout.size()) else {
            return core::ptr::null_mut();
        };
        if stop > self.end.get() {
            let pages = (stop - self.end.get()).div_ceil(PAGE);
            if core::arch::wasm32::memory_grow(0, pages) == usize::MAX {
                return core::ptr::null_mut();
            }
            self.end.set(self.end.get() + pages * PAGE);
        }
        self.next.set(stop);
        start as *mut u8
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: core::alloc::Layout) {}
}

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
/// A plugin crate usually embeds its regime's TOML:
/// `juxta_sdk::regime!(include_str!("../../../regimes/my-regime/regime.toml"));`.
/// With custom functions, named as in the manifest's `[functions]` table:
///
/// ```
/// use serde_json::{Value, json};
///
/// /// Adds `n` working days (Monday to Friday) to a date; arguments `["2026-09-04", 1]`.
/// fn working_days_after(args: &[Value]) -> Result<Value, String> {
///     let (Some(date), Some(n)) = (args.first().and_then(Value::as_str), args.get(1).and_then(Value::as_i64)) else {
///         return Err("expects a date and a number of days".into());
///     };
///     let date: juxta_sdk::Date = date.parse().map_err(|e| format!("{e}"))?;
///     let mut day = date;
///     let mut left = n;
///     while left > 0 {
///         day = day.add_days(1).map_err(|e| e.to_string())?;
///         // 1970-01-01 was a Thursday: days 2 and 3 after it (mod 7) are Saturday and Sunday.
///         if !matches!(day.days_since_epoch().rem_euclid(7), 2 | 3) {
///             left -= 1;
///         }
///     }
///     Ok(json!(day.to_string()))
/// }
///
/// juxta_sdk::regime!(
///     "[regime]\nid = \"example\"\n",
///     functions: { "working_days_after" => working_days_after },
/// );
///
/// // Friday 4 September 2026 + 1 working day = Monday 7 September.
/// assert_eq!(working_days_after(&[json!("2026-09-04"), json!(1)]), Ok(json!("2026-09-07")));
/// ```
#[macro_export]
macro_rules! regime {
    ($manifest:expr $(,)?) => {
        #[allow(dead_code, reason = "constructed only by the WebAssembly exports")]
        struct JuxtaRegimePlugin;

        impl $crate::guest::bindings::exports::juxta::regime::plugin::Guest for JuxtaRegimePlugin {
            fn manifest() -> ::std::string::String {
                ::std::string::String::from($manifest)
            }

            // No custom functions: no JSON machinery in the plugin, which keeps it small and
            // quick for the kernel to compile.
            fn call(
                _name: ::std::string::String,
                _args_json: ::std::string::String,
            ) -> ::std::result::Result<::std::string::String, ::std::string::String> {
                ::std::result::Result::Err(::std::string::String::from("this plugin exports no custom functions"))
            }
        }

        $crate::__juxta_exports!(JuxtaRegimePlugin);
    };
    ($manifest:expr, functions: { $($name:literal => $function:path),* $(,)? } $(,)?) => {
        #[allow(dead_code, reason = "constructed only by the WebAssembly exports")]
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

        $crate::__juxta_exports!(JuxtaRegimePlugin);
    };
}

/// The WebAssembly side of [`regime!`](crate::regime): the allocator and the component exports.
/// Not public API.
///
/// The component-model export names (`juxta:regime/plugin@1.0.0#manifest`) exist only in
/// WebAssembly; a native build of a plugin crate (for `cargo test`, clippy) type-checks the
/// implementation without them.
#[doc(hidden)]
#[macro_export]
macro_rules! __juxta_exports {
    ($plugin:ident) => {
        #[cfg(target_arch = "wasm32")]
        #[global_allocator]
        static JUXTA_ALLOCATOR: $crate::guest::BumpAllocator = $crate::guest::BumpAllocator::new();

        #[cfg(target_arch = "wasm32")]
        $crate::guest::bindings::__juxta_export_bindings!($plugin with_types_in $crate::guest::bindings);
    };
}
