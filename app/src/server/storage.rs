//! Document files through the `object_store` crate: a local folder or an
//! S3-compatible bucket, by `KP_STORAGE_URL` alone. Files are stored
//! under their SHA-256 (content-addressed): written once, never overwritten,
//! and the same PDF sent twice is stored once.

use bytes::Bytes;
use futures_util::stream::{BoxStream, StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};
use sha2::{Digest, Sha256};
use std::ops::Range;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("der Dokumentspeicher {0} ist keine gültige Adresse")]
    Url(String),
    #[error("der Dokumentspeicher kann nicht angelegt werden")]
    Create(#[source] std::io::Error),
    #[error("die Datei fehlt im Dokumentspeicher")]
    Missing,
    #[error("Dokumentspeicher")]
    Store(#[from] object_store::Error),
}

/// A stored file's name: the lower-case hex SHA-256 of its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentHash(String);

impl ContentHash {
    pub fn of(bytes: &[u8]) -> Self {
        Self(super::crypto::hex(&Sha256::digest(bytes)))
    }

    /// A hash read back from the database or a file name; `None` unless it is 64 hex digits.
    pub fn parse(hex: &str) -> Option<Self> {
        (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))).then(|| Self(hex.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A stored file as listed by the sweep.
pub struct StoredFile {
    pub hash: ContentHash,
    /// Unix seconds.
    pub last_modified: i64,
}

#[derive(Clone)]
pub struct DocumentStore {
    store: Arc<dyn ObjectStore>,
    prefix: Path,
}

impl DocumentStore {
    /// Opens the store `KP_STORAGE_URL` names: `file:///DIR` (created if
    /// missing) or `s3://BUCKET/PREFIX`, whose endpoint, region and keys
    /// come from the usual `AWS_*` variables (`AWS_ENDPOINT` for MinIO,
    /// Ceph, Garage and others). Nothing is contacted yet; see [`Self::check`].
    pub fn open(url: &str) -> Result<Self, StorageError> {
        let invalid = || StorageError::Url(super::redact::redact_url(url));
        let parsed = url::Url::parse(url).map_err(|_| invalid())?;
        match parsed.scheme() {
            "file" => {
                let dir = parsed.to_file_path().map_err(|_| invalid())?;
                std::fs::create_dir_all(&dir).map_err(StorageError::Create)?;
                let (store, prefix) = object_store::parse_url(&parsed).map_err(|_| invalid())?;
                Ok(Self { store: Arc::from(store), prefix })
            }
            "s3" => {
                let bucket = parsed.host_str().filter(|bucket| !bucket.is_empty()).ok_or_else(invalid)?;
                // object_store's S3 client uses rustls without choosing its
                // cryptography; ring is the one the rest of the portal uses.
                let _ = rustls::crypto::ring::default_provider().install_default();
                let retry = object_store::RetryConfig {
                    max_retries: 3,
                    retry_timeout: std::time::Duration::from_secs(15),
                    ..Default::default()
                };
                use object_store::aws::AmazonS3ConfigKey;
                use object_store::ClientConfigKey;
                // Set key by key: the client options also hold AWS_ALLOW_HTTP and the like from the environment.
                let s3 = object_store::aws::AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .with_retry(retry)
                    .with_config(AmazonS3ConfigKey::Client(ClientConfigKey::ConnectTimeout), "5s")
                    .with_config(AmazonS3ConfigKey::Client(ClientConfigKey::Timeout), "120s")
                    .build()
                    .map_err(|_| invalid())?;
                Ok(Self { store: Arc::new(s3), prefix: Path::from(parsed.path().trim_matches('/')) })
            }
            _ => Err(invalid()),
        }
    }

    /// Asks the store for a file that does not exist: an answer (found or
    /// not) means it is reachable and lets us in. At start and for `/readyz`.
    pub async fn check(&self) -> Result<(), StorageError> {
        match self.store.head(&self.prefix.clone().join(".kundenportal-probe")).await {
            Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }

    /// `ab/cd/abcd…`: two levels of folders keep any one folder small.
    fn location(&self, hash: &ContentHash) -> Path {
        let hex = hash.as_str();
        self.prefix.clone().join(&hex[0..2]).join(&hex[2..4]).join(hex)
    }

    /// Stores `bytes` under their hash. A file that is there already is left
    /// as it is (same name, same bytes).
    pub async fn put(&self, hash: &ContentHash, bytes: Bytes) -> Result<(), StorageError> {
        let options = PutOptions { mode: PutMode::Create, ..Default::default() };
        match self.store.put_opts(&self.location(hash), PutPayload::from_bytes(bytes), options).await {
            Ok(_) | Err(object_store::Error::AlreadyExists { .. }) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }

    /// The file's size in bytes.
    pub async fn size(&self, hash: &ContentHash) -> Result<u64, StorageError> {
        match self.store.head(&self.location(hash)).await {
            Ok(meta) => Ok(meta.size),
            Err(object_store::Error::NotFound { .. }) => Err(StorageError::Missing),
            Err(error) => Err(error.into()),
        }
    }

    /// The file's bytes in `range` (or all of them), as a stream.
    pub async fn read(
        &self,
        hash: &ContentHash,
        range: Option<Range<u64>>,
    ) -> Result<BoxStream<'static, Result<Bytes, StorageError>>, StorageError> {
        let options = GetOptions { range: range.map(GetRange::Bounded), ..Default::default() };
        match self.store.get_opts(&self.location(hash), options).await {
            Ok(result) => Ok(result.into_stream().map(|chunk| chunk.map_err(StorageError::from)).boxed()),
            Err(object_store::Error::NotFound { .. }) => Err(StorageError::Missing),
            Err(error) => Err(error.into()),
        }
    }

    /// Reads a whole file (export, mail attachments).
    pub async fn read_all(&self, hash: &ContentHash) -> Result<Bytes, StorageError> {
        match self.store.get(&self.location(hash)).await {
            Ok(result) => Ok(result.bytes().await?),
            Err(object_store::Error::NotFound { .. }) => Err(StorageError::Missing),
            Err(error) => Err(error.into()),
        }
    }

    pub async fn delete(&self, hash: &ContentHash) -> Result<(), StorageError> {
        match self.store.delete(&self.location(hash)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }

    /// Every stored file, as the store lists it, one at a time (the sweep
    /// of files no row refers to, `storage copy`).
    pub fn files(&self) -> BoxStream<'_, Result<StoredFile, StorageError>> {
        self.store
            .list(Some(&self.prefix))
            .filter_map(|meta| async move {
                match meta {
                    Ok(meta) => meta
                        .location
                        .filename()
                        .and_then(ContentHash::parse)
                        .map(|hash| Ok(StoredFile { hash, last_modified: meta.last_modified.timestamp() })),
                    Err(error) => Some(Err(error.into())),
                }
            })
            .boxed()
    }

    /// [`Self::files`], all of them.
    pub async fn list(&self) -> Result<Vec<StoredFile>, StorageError> {
        self.files().try_collect().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn files_are_stored_once_under_their_hash_and_read_in_ranges() {
        let dir = tempfile::tempdir().unwrap();
        let store = DocumentStore::open(&format!("file://{}/docs", dir.path().display())).unwrap();
        let bytes = Bytes::from_static(b"%PDF-1.4 hello %%EOF");
        let hash = ContentHash::of(&bytes);
        store.put(&hash, bytes.clone()).await.unwrap();
        store.put(&hash, bytes.clone()).await.unwrap();
        let hex = hash.as_str();
        assert!(dir.path().join("docs").join(&hex[0..2]).join(&hex[2..4]).join(hex).is_file());
        assert_eq!(store.size(&hash).await.unwrap(), bytes.len() as u64);
        let part: Vec<Bytes> = store.read(&hash, Some(1..4)).await.unwrap().map(Result::unwrap).collect().await;
        assert_eq!(part.concat(), b"PDF");
        assert_eq!(store.list().await.unwrap().len(), 1);
        store.delete(&hash).await.unwrap();
        assert!(matches!(store.size(&hash).await, Err(StorageError::Missing)));
    }
}
