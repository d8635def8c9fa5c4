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
use crate::domain::UnixTime;

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
    #[error("die Datei kann nicht zwischengespeichert werden")]
    Staging(#[from] std::io::Error),
}

impl StorageError {
    /// The store takes no files right now for a reason the operator must
    /// fix — it (or the disk uploads are staged on) is full, read-only or
    /// not writable — rather than a fault of the portal's.
    pub fn is_full_or_read_only(&self) -> bool {
        use std::io::ErrorKind::{PermissionDenied, QuotaExceeded, ReadOnlyFilesystem, StorageFull};
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(self);
        while let Some(error) = cause {
            if let Some(io) = error.downcast_ref::<std::io::Error>() {
                if matches!(io.kind(), StorageFull | ReadOnlyFilesystem | PermissionDenied | QuotaExceeded) {
                    return true;
                }
            }
            cause = error.source();
        }
        false
    }
}

/// A file on its way into the store, hashed as it arrives: kept in memory
/// up to [`STAGED_IN_MEMORY_BYTES`] (an invoice is far smaller), written to a
/// temporary file beyond, so that no upload is ever held in memory whole.
/// It keeps its first and last bytes for a look at what it is.
pub struct Stager {
    dir: std::path::PathBuf,
    in_memory: Vec<u8>,
    spilled: Option<(tokio::fs::File, tempfile::TempPath)>,
    hasher: Sha256,
    size: u64,
    max_bytes: u64,
    head: Vec<u8>,
    tail: Vec<u8>,
}

/// A staged file up to this size stays in memory.
pub const STAGED_IN_MEMORY_BYTES: usize = 1024 * 1024;
/// How many bytes of its start and end a staged file keeps aside.
const STAGED_HEAD_BYTES: usize = 16;
pub const STAGED_TAIL_BYTES: usize = 1024;

/// More bytes arrived than the stager was told to take.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    #[error("die Datei ist größer als erlaubt")]
    TooLarge,
    #[error("die Datei kann nicht zwischengespeichert werden")]
    Io(#[from] std::io::Error),
}

impl Stager {
    /// A stager for at most `max_bytes`; a file larger than what stays in
    /// memory goes into `dir` (created when needed).
    pub fn new(dir: &std::path::Path, max_bytes: u64) -> Self {
        Self {
            dir: dir.to_owned(),
            in_memory: Vec::new(),
            spilled: None,
            hasher: Sha256::new(),
            size: 0,
            max_bytes,
            head: Vec::with_capacity(STAGED_HEAD_BYTES),
            tail: Vec::with_capacity(2 * STAGED_TAIL_BYTES),
        }
    }

    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), StageError> {
        use tokio::io::AsyncWriteExt;
        self.size += chunk.len() as u64;
        if self.size > self.max_bytes {
            return Err(StageError::TooLarge);
        }
        self.hasher.update(chunk);
        let room = STAGED_HEAD_BYTES - self.head.len();
        self.head.extend_from_slice(&chunk[..chunk.len().min(room)]);
        self.tail.extend_from_slice(&chunk[chunk.len().saturating_sub(STAGED_TAIL_BYTES)..]);
        if self.tail.len() > STAGED_TAIL_BYTES {
            self.tail.drain(..self.tail.len() - STAGED_TAIL_BYTES);
        }
        if self.spilled.is_none() && self.in_memory.len() + chunk.len() <= STAGED_IN_MEMORY_BYTES {
            self.in_memory.extend_from_slice(chunk);
            return Ok(());
        }
        if self.spilled.is_none() {
            tokio::fs::create_dir_all(&self.dir).await?;
            let dir = self.dir.clone();
            let (file, path) = tokio::task::spawn_blocking(move || tempfile::Builder::new().prefix("upload-").tempfile_in(dir))
                .await
                .map_err(std::io::Error::other)??
                .into_parts();
            let mut file = tokio::fs::File::from_std(file);
            file.write_all(&std::mem::take(&mut self.in_memory)).await?;
            self.spilled = Some((file, path));
        }
        let (file, _) = self.spilled.as_mut().expect("spilled just above");
        file.write_all(chunk).await?;
        Ok(())
    }

    pub async fn finish(self) -> std::io::Result<StagedFile> {
        use tokio::io::AsyncWriteExt;
        let content = match self.spilled {
            Some((mut file, path)) => {
                file.flush().await?;
                Staged::OnDisk(path)
            }
            None => Staged::InMemory(Bytes::from(self.in_memory)),
        };
        Ok(StagedFile {
            content,
            hash: ContentHash(super::crypto::hex(&self.hasher.finalize())),
            size: self.size,
            head: self.head,
            tail: self.tail,
        })
    }
}

enum Staged {
    InMemory(Bytes),
    /// Deleted when dropped.
    OnDisk(tempfile::TempPath),
}

/// A whole staged file, with its hash and size.
pub struct StagedFile {
    content: Staged,
    pub hash: ContentHash,
    pub size: u64,
    head: Vec<u8>,
    tail: Vec<u8>,
}

impl StagedFile {
    /// Stages bytes already in memory (the command line, the demo, tests).
    pub async fn from_bytes(dir: &std::path::Path, bytes: &[u8]) -> Result<Self, StageError> {
        let mut stager = Stager::new(dir, bytes.len() as u64);
        stager.write(bytes).await?;
        Ok(stager.finish().await?)
    }

    /// The first bytes of the file.
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    /// The last [`STAGED_TAIL_BYTES`] of the file.
    pub fn tail(&self) -> &[u8] {
        &self.tail
    }

    /// The whole file in memory, for a reader that needs all of it (the
    /// e-invoice recogniser); the caller bounds the size first.
    pub async fn bytes(&self) -> std::io::Result<Bytes> {
        match &self.content {
            Staged::InMemory(bytes) => Ok(bytes.clone()),
            Staged::OnDisk(path) => Ok(Bytes::from(tokio::fs::read(path).await?)),
        }
    }
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
    pub last_modified: UnixTime,
}

#[derive(Clone)]
pub struct DocumentStore {
    store: Arc<dyn ObjectStore>,
    prefix: Path,
    /// Files up to this size go in one request, larger ones in parts of it
    /// (S3 wants parts of at least 5 MiB; a folder takes any).
    part_bytes: usize,
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
                Ok(Self { store: Arc::from(store), prefix, part_bytes: 1024 * 1024 })
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
                Ok(Self { store: Arc::new(s3), prefix: Path::from(parsed.path().trim_matches('/')), part_bytes: 8 * 1024 * 1024 })
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

    /// Stores a staged file under its hash; one on disk is read in parts, so
    /// memory stays at a part or two however large the file. A file that is
    /// there already is left as it is (same name, same bytes).
    pub async fn put_file(&self, staged: &StagedFile) -> Result<(), StorageError> {
        use tokio::io::AsyncReadExt;
        let path = match &staged.content {
            Staged::InMemory(bytes) => return self.put(&staged.hash, bytes.clone()).await,
            Staged::OnDisk(path) if staged.size <= self.part_bytes as u64 => {
                return self.put(&staged.hash, Bytes::from(tokio::fs::read(path).await?)).await;
            }
            Staged::OnDisk(path) => path,
        };
        let location = self.location(&staged.hash);
        match self.store.head(&location).await {
            Ok(_) => return Ok(()),
            Err(object_store::Error::NotFound { .. }) => {}
            Err(error) => return Err(error.into()),
        }
        // A multipart upload cannot be made conditional; the name is the
        // content's hash, so one that wins a race writes the same bytes.
        let mut upload = object_store::WriteMultipart::new_with_chunk_size(self.store.put_multipart(&location).await?, self.part_bytes);
        let mut file = tokio::fs::File::open(path).await?;
        let mut buffer = vec![0; 256 * 1024];
        let copied: Result<(), StorageError> = async {
            loop {
                let read = file.read(&mut buffer).await?;
                if read == 0 {
                    return Ok(());
                }
                upload.wait_for_capacity(1).await?;
                upload.write(&buffer[..read]);
            }
        }
        .await;
        match copied {
            Ok(()) => {
                upload.finish().await?;
                Ok(())
            }
            Err(error) => {
                let _ = upload.abort().await;
                Err(error)
            }
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
                        .map(|hash| Ok(StoredFile { hash, last_modified: UnixTime::from_seconds(meta.last_modified.timestamp()) })),
                    Err(error) => Some(Err(error.into())),
                }
            })
            .boxed()
    }

    /// [`Self::files`], all of them (tests and small stores only: the sweep walks the stream).
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
