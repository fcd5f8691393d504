//! Picture files (the seal): any bytes must read to a picture or to a
//! Chinese reason, without panicking, in bounded time and memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    match gongwen::picture::Picture::read(bytes.to_vec(), 60.0) {
        Ok(p) => {
            assert!(p.width > 0 && p.height > 0);
            if let Some(alpha) = &p.alpha {
                assert_eq!(alpha.len(), (p.width * p.height) as usize);
            }
        }
        Err(why) => assert!(!why.is_empty()),
    }
});
