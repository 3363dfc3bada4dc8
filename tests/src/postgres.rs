//! A schema of its own in the test PostgreSQL for each test that needs one
//! (`SORI_TEST_POSTGRES_URL`, by default `postgres://postgres@127.0.0.1:5432/test`).

use sori_collector::store;

pub struct Schema {
    pub name: String,
    server: String,
}

impl Schema {
    /// Creates an empty schema; the test fails if PostgreSQL is not there.
    pub async fn create() -> Self {
        let server = std::env::var("SORI_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let name = format!("sori_test_{}", uuid::Uuid::new_v4().simple());
        let admin = store::connect_raw_postgres(&server)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at {server} is needed for this test: {e}"));
        sqlx::query(&format!("CREATE SCHEMA {name}"))
            .execute(&admin)
            .await
            .expect("create the test schema");
        Self { name, server }
    }

    /// The database URL of a store that lives in this schema.
    pub fn url(&self) -> String {
        let sep = if self.server.contains('?') { '&' } else { '?' };
        format!("{}{sep}options[search_path]={}", self.server, self.name)
    }

    pub async fn drop(self) {
        let admin = store::connect_raw_postgres(&self.server)
            .await
            .expect("reconnect to drop the schema");
        sqlx::query(&format!("DROP SCHEMA {} CASCADE", self.name))
            .execute(&admin)
            .await
            .expect("drop the test schema");
    }
}
