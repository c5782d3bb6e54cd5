//! The API key as held in wasm memory: never printed, never handed back, wiped on drop.

use std::fmt;

pub struct Secret(String);

impl Secret {
    pub fn new(key: String) -> Self {
        Self(key)
    }

    /// Only the transport reads the key (never reachable from JS), to put it in the one auth header it sends.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        // SAFETY: zero bytes are valid UTF-8, so the String stays well-formed until freed.
        unsafe { self.0.as_mut_vec().fill(0) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_key() {
        let s = Secret::new("sk-test-canary-123456".into());
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert_eq!(s.expose(), "sk-test-canary-123456");
    }
}
