#![no_main]
//! The SSE decoder on arbitrary bytes split at an arbitrary point: never panics, and the split
//! never changes the events (decoding is independent of chunk boundaries).

use agentwire::sse::SseDecoder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&cut, rest)) = data.split_first() else { return };
    let at = (cut as usize * rest.len()) / 256;
    let (a, b) = rest.split_at(at.min(rest.len()));
    let mut whole = Vec::new();
    let mut one = SseDecoder::with_max_line(64 * 1024);
    let r1 = one.push(rest, &mut whole);
    let t1 = one.finish(&mut whole);
    let mut split = Vec::new();
    let mut two = SseDecoder::with_max_line(64 * 1024);
    let r2 = two.push(a, &mut split).and_then(|_| two.push(b, &mut split));
    let t2 = two.finish(&mut split);
    if r1.is_ok() && r2.is_ok() {
        assert_eq!(whole, split, "chunking changed the events");
        assert_eq!(t1, t2);
    }
});
