//! The people side of the store: users, their roles per site, login
//! sessions and API tokens. Session ids and tokens arrive here already
//! hashed (`crate::accounts`): the database never holds a usable secret.

use super::rows::{corrupt, slug_of};
use super::sql::{Backend, RowsAffected, SqlStore};
use super::stamp::Stamp;
use super::{ApiToken, Member, NewUser, Role, StoreError, User};
use async_trait::async_trait;
use sori_protocol::Slug;
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};
use time::OffsetDateTime;

/// Accounts, sessions and tokens; every [`Store`](super::Store) is one.
#[async_trait]
pub trait Accounts: Send + Sync {
    /// Creates a user; false when the email is taken.
    async fn create_user(&self, user: &NewUser) -> Result<bool, StoreError>;
    async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError>;
    /// Every user, by email.
    async fn users(&self) -> Result<Vec<User>, StoreError>;
    /// Gives `user` `role` on `site`, replacing any role it had there.
    async fn set_member(&self, site: &Slug, user_id: &str, role: Role) -> Result<(), StoreError>;
    /// Takes `user` off `site`; false when it was not a member.
    async fn remove_member(&self, site: &Slug, user_id: &str) -> Result<bool, StoreError>;
    /// The site's members, by email.
    async fn members(&self, site: &Slug) -> Result<Vec<Member>, StoreError>;
    /// The user's role on each site it is a member of.
    async fn roles(&self, user_id: &str) -> Result<Vec<(Slug, Role)>, StoreError>;
    async fn create_session(
        &self,
        id_hash: &str,
        user_id: &str,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// The user of a session that has not expired.
    async fn session_user(&self, id_hash: &str) -> Result<Option<User>, StoreError>;
    /// Ends a session; false when there was none.
    async fn delete_session(&self, id_hash: &str) -> Result<bool, StoreError>;
    async fn create_token(
        &self,
        user_id: &str,
        name: &str,
        token_hash: &str,
    ) -> Result<ApiToken, StoreError>;
    /// The user of a token that is not revoked, noting that it was used.
    async fn token_user(&self, token_hash: &str) -> Result<Option<User>, StoreError>;
    /// The user's tokens, newest first, revoked ones included.
    async fn tokens(&self, user_id: &str) -> Result<Vec<ApiToken>, StoreError>;
    /// Revokes one of the user's tokens; false when it has no such live token.
    async fn revoke_token(&self, user_id: &str, token_id: &str) -> Result<bool, StoreError>;
}

const USER_COLUMNS: &str = "id, email, password_hash, owner, created_at";

type UserRow = (String, String, String, i64, Stamp);

fn user_of((id, email, password_hash, owner, created_at): UserRow) -> User {
    User {
        id,
        email,
        password_hash,
        owner: owner != 0,
        created_at: created_at.to_string(),
    }
}

fn role_of(raw: &str) -> Result<Role, StoreError> {
    match raw {
        "admin" => Ok(Role::Admin),
        "viewer" => Ok(Role::Viewer),
        _ => Err(corrupt(format!("role '{raw}'"))),
    }
}

type TokenRow = (String, String, Stamp, Option<Stamp>, Option<Stamp>);

fn token_of((id, name, created_at, last_used_at, revoked_at): TokenRow) -> ApiToken {
    ApiToken {
        id,
        name,
        created_at: created_at.to_string(),
        last_used_at: last_used_at.map(String::from),
        revoked_at: revoked_at.map(String::from),
    }
}

#[async_trait]
impl<DB> Accounts for SqlStore<DB>
where
    DB: Backend,
    DB::QueryResult: RowsAffected,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<String>: Encode<'q, DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    for<'q> Stamp: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<Stamp>: Encode<'q, DB>,
    usize: ColumnIndex<DB::Row>,
    &'static str: ColumnIndex<DB::Row>,
{
    async fn create_user(&self, user: &NewUser) -> Result<bool, StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO users (id, email, password_hash, owner, created_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (email) DO NOTHING",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(user.email.as_str())
        .bind(user.password_hash.as_str())
        .bind(i64::from(user.owner))
        .bind(Stamp::now())
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(inserted == 1)
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        let row: Option<UserRow> = sqlx::query_as(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE email = $1"
        ))
        .bind(email)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(user_of))
    }

    async fn users(&self) -> Result<Vec<User>, StoreError> {
        let rows: Vec<UserRow> =
            sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY email"))
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(user_of).collect())
    }

    async fn set_member(&self, site: &Slug, user_id: &str, role: Role) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO site_members (site_key, user_id, role) VALUES ($1, $2, $3)
             ON CONFLICT (site_key, user_id) DO UPDATE SET role = excluded.role",
        )
        .bind(site.as_str())
        .bind(user_id)
        .bind(role.as_str())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn remove_member(&self, site: &Slug, user_id: &str) -> Result<bool, StoreError> {
        let gone = sqlx::query("DELETE FROM site_members WHERE site_key = $1 AND user_id = $2")
            .bind(site.as_str())
            .bind(user_id)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(gone > 0)
    }

    async fn members(&self, site: &Slug) -> Result<Vec<Member>, StoreError> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT u.id, u.email, m.role FROM site_members m JOIN users u ON u.id = m.user_id
             WHERE m.site_key = $1 ORDER BY u.email",
        )
        .bind(site.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(user_id, email, role)| {
                Ok(Member {
                    user_id,
                    email,
                    role: role_of(&role)?,
                })
            })
            .collect()
    }

    async fn roles(&self, user_id: &str) -> Result<Vec<(Slug, Role)>, StoreError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT site_key, role FROM site_members WHERE user_id = $1 ORDER BY site_key",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|(site, role)| Ok((slug_of(site)?, role_of(role)?)))
            .collect()
    }

    async fn create_session(
        &self,
        id_hash: &str,
        user_id: &str,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id_hash)
        .bind(user_id)
        .bind(Stamp::now())
        .bind(Stamp(expires_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn session_user(&self, id_hash: &str) -> Result<Option<User>, StoreError> {
        let row: Option<(String, String, String, i64, Stamp, Stamp)> = sqlx::query_as(
            "SELECT u.id, u.email, u.password_hash, u.owner, u.created_at, s.expires_at
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1",
        )
        .bind(id_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some((id, email, hash, owner, created_at, expires_at)) = row else {
            return Ok(None);
        };
        if expires_at.0 <= OffsetDateTime::now_utc() {
            self.delete_session(id_hash).await?;
            return Ok(None);
        }
        Ok(Some(user_of((id, email, hash, owner, created_at))))
    }

    async fn delete_session(&self, id_hash: &str) -> Result<bool, StoreError> {
        let gone = sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(gone > 0)
    }

    async fn create_token(
        &self,
        user_id: &str,
        name: &str,
        token_hash: &str,
    ) -> Result<ApiToken, StoreError> {
        let created = Stamp::now();
        let token = ApiToken {
            id: uuid::Uuid::now_v7().to_string(),
            name: name.to_owned(),
            created_at: created.to_string(),
            last_used_at: None,
            revoked_at: None,
        };
        sqlx::query(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token.id.as_str())
        .bind(user_id)
        .bind(name)
        .bind(token_hash)
        .bind(created)
        .execute(&self.pool)
        .await?;
        Ok(token)
    }

    async fn token_user(&self, token_hash: &str) -> Result<Option<User>, StoreError> {
        let row: Option<(String, UserRow)> = sqlx::query_as::<
            _,
            (String, String, String, String, i64, Stamp),
        >(
            "SELECT t.id, u.id, u.email, u.password_hash, u.owner, u.created_at
             FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?
        .map(|(token, id, email, hash, owner, created)| (token, (id, email, hash, owner, created)));
        let Some((token_id, user)) = row else {
            return Ok(None);
        };
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(Stamp::now())
            .bind(token_id)
            .execute(&self.pool)
            .await?;
        Ok(Some(user_of(user)))
    }

    async fn tokens(&self, user_id: &str) -> Result<Vec<ApiToken>, StoreError> {
        let rows: Vec<TokenRow> = sqlx::query_as(
            "SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens
             WHERE user_id = $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(token_of).collect())
    }

    async fn revoke_token(&self, user_id: &str, token_id: &str) -> Result<bool, StoreError> {
        let revoked = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1
             WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(Stamp::now())
        .bind(token_id)
        .bind(user_id)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(revoked > 0)
    }
}
