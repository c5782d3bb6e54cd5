//! What every result and every error carries about the exchange that produced it.

use crate::error::RateLimit;
use serde::Serialize;

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    /// The response's request id, else the one we sent (the platform adopts ours, seed 000).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    pub attempts: u32,
    pub duration_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// Usage, cost and balance headers the platform sent, already redacted.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "pairs_as_object"
    )]
    pub usage: Vec<(String, String)>,
    /// Total time spent sleeping between attempts.
    pub waited_ms: f64,
}

/// Header pairs as a JSON object keyed by lower-case name; a repeated header keeps its last value.
fn pairs_as_object<S: serde::Serializer>(
    pairs: &[(String, String)],
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(pairs.len()))?;
    for (k, v) in pairs {
        m.serialize_entry(&k.to_ascii_lowercase(), v)?;
    }
    m.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_headers_serialise_as_an_object() {
        let m = Meta {
            attempts: 2,
            usage: vec![
                ("X-Balance".into(), "9.5".into()),
                ("x-cost".into(), "0.5".into()),
            ],
            ..Meta::default()
        };
        let v = serde_json::to_value(&m).unwrap();
        assert_eq!(v["usage"]["x-balance"], "9.5");
        assert_eq!(v["usage"]["x-cost"], "0.5");
        assert_eq!(v["attempts"], 2);
        assert!(v.get("requestId").is_none());
    }
}
