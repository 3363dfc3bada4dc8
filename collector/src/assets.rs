//! The built widget, held in memory: the loader, the hashed glue and wasm,
//! each with its brotli and gzip copies, as `cargo xtask build` wrote them.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

/// The manifest `cargo xtask build` writes beside the files.
#[derive(Debug, Deserialize)]
struct Manifest {
    files: Vec<ManifestFile>,
}

#[derive(Debug, Deserialize)]
struct ManifestFile {
    name: String,
    content_type: String,
    /// Content-hashed names never change content, so they may be cached forever.
    immutable: bool,
    etag: String,
}

/// One file in every encoding we hold.
#[derive(Debug)]
pub struct Asset {
    pub content_type: String,
    pub immutable: bool,
    pub etag: String,
    pub bytes: Encoded,
}

/// One body in each encoding we send; `Bytes`, so each response shares
/// the bytes instead of copying them.
#[derive(Clone, Debug)]
pub struct Encoded {
    pub identity: Bytes,
    pub brotli: Bytes,
    pub gzip: Bytes,
}

/// The encoding picked for a response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoded {
    /// `identity` with its brotli and gzip copies, made now at the smallest
    /// size: for a body made once and sent many times (a site's config),
    /// where compressing each answer would cost more than the rest of it.
    /// Brotli's window is no larger than the body: its memory grows with
    /// the window, to tens of MiB at the largest.
    pub fn compress(identity: Bytes) -> Self {
        use std::io::Write;
        let window = identity.len().max(1).next_power_of_two().trailing_zeros();
        let mut brotli = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut brotli, 4096, 11, window.clamp(10, 24));
            // Writing to a Vec cannot fail.
            let _ = w.write_all(&identity);
        }
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let _ = gzip.write_all(&identity);
        Self {
            brotli: brotli.into(),
            gzip: gzip.finish().unwrap_or_default().into(),
            identity,
        }
    }

    /// The body in the encoding `request` accepts best, with its
    /// `Content-Encoding` (the caller adds `Vary: accept-encoding`, which a
    /// 304 needs too). The compression layer leaves an answer that already
    /// has an encoding alone.
    pub fn respond(&self, request: &HeaderMap) -> Response {
        let encoding = negotiate(
            request
                .get(header::ACCEPT_ENCODING)
                .and_then(|v| v.to_str().ok()),
        );
        let (body, name) = match encoding {
            Encoding::Brotli => (self.brotli.clone(), Some("br")),
            Encoding::Gzip => (self.gzip.clone(), Some("gzip")),
            Encoding::Identity => (self.identity.clone(), None),
        };
        let mut response = body.into_response();
        if let Some(name) = name {
            response
                .headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static(name));
        }
        response
    }
}

#[derive(Debug, Default)]
pub struct Assets {
    files: HashMap<String, Asset>,
}

impl Assets {
    /// Reads `manifest.json` and every file it lists from `dir`.
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        use anyhow::Context;
        let manifest_path = dir.join("manifest.json");
        let manifest: Manifest =
            serde_json::from_slice(&std::fs::read(&manifest_path).with_context(|| {
                format!(
                    "reading {} (run `cargo xtask build`)",
                    manifest_path.display()
                )
            })?)
            .with_context(|| format!("parsing {}", manifest_path.display()))?;
        let mut files = HashMap::new();
        for f in manifest.files {
            anyhow::ensure!(
                !f.name.contains(['/', '\\']) && !f.name.starts_with('.'),
                "manifest names a file outside the assets folder: {}",
                f.name
            );
            let read = |suffix: &str| {
                let path = dir.join(format!("{}{suffix}", f.name));
                std::fs::read(&path)
                    .map(Bytes::from)
                    .with_context(|| format!("reading {}", path.display()))
            };
            let asset = Asset {
                bytes: Encoded {
                    identity: read("")?,
                    brotli: read(".br")?,
                    gzip: read(".gz")?,
                },
                content_type: f.content_type,
                immutable: f.immutable,
                etag: f.etag,
            };
            files.insert(f.name, asset);
        }
        Ok(Self { files })
    }

    pub fn get(&self, name: &str) -> Option<&Asset> {
        self.files.get(name)
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// Picks the best encoding the client accepts: brotli, then gzip, then none.
/// An encoding listed with `q=0` counts as refused.
pub fn negotiate(accept_encoding: Option<&str>) -> Encoding {
    let Some(header) = accept_encoding else {
        return Encoding::Identity;
    };
    let accepts = |name: &str| {
        header.split(',').any(|item| {
            let mut parts = item.split(';');
            let token = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| {
                let p = p.trim();
                p.strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    == Some(0.0)
            });
            token.eq_ignore_ascii_case(name) && !refused
        })
    };
    if accepts("br") {
        Encoding::Brotli
    } else if accepts("gzip") {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brotli_wins_when_the_client_takes_both() {
        assert_eq!(negotiate(Some("gzip, deflate, br, zstd")), Encoding::Brotli);
    }

    #[test]
    fn gzip_is_used_when_brotli_is_absent_or_refused() {
        assert_eq!(negotiate(Some("gzip, deflate")), Encoding::Gzip);
        assert_eq!(negotiate(Some("br;q=0, gzip;q=0.8")), Encoding::Gzip);
    }

    #[test]
    fn a_body_compressed_once_decodes_to_itself_and_is_answered_as_asked() {
        use std::io::Read;
        let json: Vec<u8> = (0..200)
            .flat_map(|i| format!("{{\"survey\":\"s{i}\",\"trigger\":\"manual\"}},").into_bytes())
            .collect();
        let encoded = Encoded::compress(Bytes::from(json.clone()));
        let mut from_brotli = Vec::new();
        brotli::Decompressor::new(&encoded.brotli[..], 4096)
            .read_to_end(&mut from_brotli)
            .expect("brotli decodes");
        let mut from_gzip = Vec::new();
        flate2::read::GzDecoder::new(&encoded.gzip[..])
            .read_to_end(&mut from_gzip)
            .expect("gzip decodes");
        assert_eq!(from_brotli, json);
        assert_eq!(from_gzip, json);
        assert!(encoded.brotli.len() < json.len() / 4);

        let answer = |accept: &str| {
            let mut request = HeaderMap::new();
            request.insert(
                header::ACCEPT_ENCODING,
                HeaderValue::from_str(accept).unwrap(),
            );
            encoded
                .respond(&request)
                .headers()
                .get(header::CONTENT_ENCODING)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        assert_eq!(answer("gzip, br").as_deref(), Some("br"));
        assert_eq!(answer("gzip").as_deref(), Some("gzip"));
        assert_eq!(answer("identity"), None);
    }

    #[test]
    fn no_header_means_no_encoding() {
        assert_eq!(negotiate(None), Encoding::Identity);
        assert_eq!(negotiate(Some("identity")), Encoding::Identity);
    }
}
