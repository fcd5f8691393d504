//! The rule language: any bytes as one `[[check]]` rule (before the first
//! NUL) and the data it runs over (after it). Every rule must compile to
//! a template or be refused, and run to a result or a Chinese message,
//! in bounded time and memory.
#![no_main]

#[path = "../replay.rs"]
mod replay;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = replay::rules(bytes);
});
