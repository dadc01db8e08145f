//! The `us-ny-raise` regime plugin. All of the law is in `regimes/us-ny-raise/regime.toml`; this crate only
//! embeds it, so that the manifest a lawyer reviews is byte for byte the one the kernel loads.

juxta_sdk::regime!(include_str!("../../../regimes/us-ny-raise/regime.toml"));
