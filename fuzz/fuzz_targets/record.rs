//! Data files for a template with its own schema and rules: any bytes must
//! give checked data or diagnostics, and data that passes must lay out and
//! write.
#![no_main]

#[path = "../replay.rs"]
mod replay;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = replay::record(bytes);
});
