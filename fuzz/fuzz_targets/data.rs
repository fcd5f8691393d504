//! Data files: any bytes as TOML or JSON must give a report or diagnostics,
//! and a report must go through the built-in template.
#![no_main]

#[path = "../replay.rs"]
mod replay;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = replay::data(bytes);
});
