#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| huashu_fuzz::pack(data));
