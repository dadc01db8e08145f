//! The `us-ca-sb53` regime plugin. All of the law is in `regimes/us-ca-sb53/regime.toml`; this crate only
//! embeds it, so that the manifest a lawyer reviews is byte for byte the one the kernel loads.

juxta_sdk::regime!(include_str!("../../../regimes/us-ca-sb53/regime.toml"));
