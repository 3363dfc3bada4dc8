//! The saves not yet acknowledged, as the widget keeps them in localStorage
//! (`[{"id", "body"}]`, oldest first). Each is written here before it is
//! sent and taken out only once the collector has answered for good, so a
//! closed tab or a dead network loses nothing.

use serde::{Deserialize, Serialize};
use sori_protocol::ResponseId;

/// One unsent save: its response id and the exact body to post.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    pub id: ResponseId,
    pub body: String,
}

/// The outbox's list, in the order the saves were made.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Outbox(pub Vec<Pending>);

impl Outbox {
    /// Keeps `body` as the save to send for `id`. A later save of the same
    /// response replaces the earlier one (the collector keeps the newest
    /// anyway) and goes to the back of the line.
    pub fn put(&mut self, id: ResponseId, body: &str) {
        self.remove(id);
        self.0.push(Pending {
            id,
            body: body.to_owned(),
        });
    }

    /// Drops the save for `id`, if one waits.
    pub fn remove(&mut self, id: ResponseId) {
        self.0.retain(|p| p.id != id);
    }

    /// Whether a save of `id` still waits.
    pub fn holds(&self, id: ResponseId) -> bool {
        self.0.iter().any(|p| p.id == id)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> ResponseId {
        ResponseId::from_parts(1_763_000_000_000 + u64::from(n), [n; 10])
    }

    #[test]
    fn a_newer_save_of_a_response_replaces_the_older_one_at_the_back() {
        let mut outbox = Outbox::default();
        outbox.put(id(1), "first, seq 1");
        outbox.put(id(2), "second");
        outbox.put(id(1), "first, seq 2");
        let bodies: Vec<_> = outbox.0.iter().map(|p| p.body.as_str()).collect();
        assert_eq!(bodies, ["second", "first, seq 2"]);
        outbox.remove(id(2));
        assert!(!outbox.holds(id(2)) && outbox.holds(id(1)));
        outbox.remove(id(1));
        assert!(outbox.is_empty());
    }

    #[test]
    fn an_outbox_written_by_an_earlier_widget_still_reads() {
        let stored = r#"[{"id":"0199b0c4-6a1e-7c3d-9f00-5b2d7e8a9c10","body":"{\"seq\":1}"}]"#;
        let outbox: Outbox = serde_json::from_str(stored).unwrap();
        assert_eq!(outbox.0.len(), 1);
        assert_eq!(outbox.0[0].body, r#"{"seq":1}"#);
    }

    #[test]
    fn the_stored_form_is_a_list_of_id_and_body() {
        let mut outbox = Outbox::default();
        outbox.put(id(1), "{}");
        let json = serde_json::to_value(&outbox).unwrap();
        assert_eq!(
            json,
            serde_json::json!([{"id": id(1).to_string(), "body": "{}"}])
        );
        assert_eq!(serde_json::from_value::<Outbox>(json).unwrap(), outbox);
    }
}
