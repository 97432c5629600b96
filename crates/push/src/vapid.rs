//! The server's VAPID key pair (RFC 8292): a P-256 signing key made on first start and kept in
//! a file only its owner can read, and the `Authorization: vapid t=JWT, k=KEY` header signed
//! with it. Browsers tie a subscription to this public key, so it must survive restarts: a
//! new key would silently orphan every subscription.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};

use crate::b64url;

/// How long a signed header stays valid; RFC 8292 allows at most 24 hours.
const TOKEN_HOURS: i64 = 12;
const PEM_LABEL: &str = "PRIVATE KEY";

#[derive(Debug, thiserror::Error)]
pub enum VapidError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path}: not a P-256 private key in PKCS#8 PEM ({why}); move it away to make a new one"
    )]
    Corrupt { path: PathBuf, why: &'static str },
    #[error("the system's random source failed")]
    Random,
    #[error("the push endpoint has no origin to sign for")]
    NoAudience,
}

/// The server's push identity.
pub struct VapidKey {
    pair: EcdsaKeyPair,
}

impl std::fmt::Debug for VapidKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the private half.
        write!(f, "VapidKey({})", self.public_key())
    }
}

impl VapidKey {
    /// The key in `path`, made (with 0600 permissions) when there is none yet.
    pub fn load_or_create(path: &Path) -> Result<Self, VapidError> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                warn_if_readable_by_others(path);
                Self::from_pem(&text, path)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Self::create(path),
            Err(source) => Err(VapidError::Io {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    fn create(path: &Path) -> Result<Self, VapidError> {
        let io = |source| VapidError::Io {
            path: path.to_path_buf(),
            source,
        };
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| VapidError::Random)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        // Written whole to a private temporary file, then linked into place: a crash leaves no
        // half key, and of two servers starting at once on one folder the second finds the
        // first's key (the link fails) and uses it instead of its own.
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let written = write_private(&tmp, pem(pkcs8.as_ref()).as_bytes())
            .and_then(|()| std::fs::hard_link(&tmp, path));
        let _ = std::fs::remove_file(&tmp);
        match written {
            Ok(()) => {
                tracing::info!(path = %path.display(), "made a new Web Push (VAPID) key");
                Self::from_pkcs8(pkcs8.as_ref(), path)
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let text = std::fs::read_to_string(path).map_err(io)?;
                Self::from_pem(&text, path)
            }
            Err(e) => Err(io(e)),
        }
    }

    fn from_pem(text: &str, path: &Path) -> Result<Self, VapidError> {
        let corrupt = |why| VapidError::Corrupt {
            path: path.to_path_buf(),
            why,
        };
        let body: String = text
            .lines()
            .map(str::trim)
            .skip_while(|l| *l != format!("-----BEGIN {PEM_LABEL}-----"))
            .skip(1)
            .take_while(|l| *l != format!("-----END {PEM_LABEL}-----"))
            .collect();
        let der = STANDARD
            .decode(body)
            .map_err(|_| corrupt("the text between the PEM lines is not base64"))?;
        Self::from_pkcs8(&der, path)
    }

    fn from_pkcs8(der: &[u8], path: &Path) -> Result<Self, VapidError> {
        let rng = SystemRandom::new();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der, &rng).map_err(
            |_| VapidError::Corrupt {
                path: path.to_path_buf(),
                why: "ring does not read it as PKCS#8 P-256",
            },
        )?;
        Ok(Self { pair })
    }

    /// The uncompressed public key, base64url: what the browser's `applicationServerKey` takes.
    pub fn public_key(&self) -> String {
        b64url(self.pair.public_key().as_ref())
    }

    /// The `Authorization` header for a message to `endpoint`, valid for 12 hours from `now`.
    /// `subject` is a `mailto:` or `https:` contact for the push service's operators.
    pub fn authorization(
        &self,
        endpoint: &str,
        subject: &str,
        now: jiff::Timestamp,
    ) -> Result<String, VapidError> {
        let audience = audience(endpoint).ok_or(VapidError::NoAudience)?;
        let header = b64url(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = serde_json::json!({
            "aud": audience,
            "exp": now.as_second() + TOKEN_HOURS * 3600,
            "sub": subject,
        });
        let signing_input = format!("{header}.{}", b64url(claims.to_string().as_bytes()));
        let signature = self
            .pair
            .sign(&SystemRandom::new(), signing_input.as_bytes())
            .map_err(|_| VapidError::Random)?;
        Ok(format!(
            "vapid t={signing_input}.{}, k={}",
            b64url(signature.as_ref()),
            self.public_key()
        ))
    }
}

/// The origin (`scheme://host[:port]`) of a push endpoint: the JWT's audience.
pub fn audience(endpoint: &str) -> Option<String> {
    let uri: hyper::Uri = endpoint.parse().ok()?;
    Some(format!("{}://{}", uri.scheme_str()?, uri.authority()?))
}

fn pem(der: &[u8]) -> String {
    let encoded = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {PEM_LABEL}-----\n");
    for line in encoded.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {PEM_LABEL}-----\n"));
    out
}

fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

fn warn_if_readable_by_others(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(
                path = %path.display(),
                "the Web Push key can be read by other users; chmod 600 it"
            );
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::from_b64url;
    use ring::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};

    fn scratch(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "quietlegs-vapid-{tag}-{}-{}",
            std::process::id(),
            jiff::Timestamp::now().as_nanosecond()
        ));
        let _ = std::fs::create_dir_all(&dir);
        dir
    }

    #[test]
    fn the_key_is_made_once_private_and_reused() {
        let dir = scratch("reuse");
        let path = dir.join("sub").join("push-key.pem");
        let first = VapidKey::load_or_create(&path).map(|k| k.public_key());
        let again = VapidKey::load_or_create(&path).map(|k| k.public_key());
        let first = first.unwrap_or_default();
        assert_eq!(from_b64url(&first).map(|k| (k.len(), k[0])), Some((65, 4)));
        assert_eq!(again.unwrap_or_default(), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).map(|m| m.permissions().mode() & 0o777);
            assert_eq!(mode.unwrap_or(0), 0o600);
        }
        let leftovers = std::fs::read_dir(dir.join("sub")).map(|d| d.count());
        assert_eq!(
            leftovers.unwrap_or(0),
            1,
            "a temporary file was left behind"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_damaged_key_file_is_named_not_replaced() {
        let dir = scratch("bad");
        let path = dir.join("push-key.pem");
        let _ = std::fs::write(
            &path,
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        );
        let err = VapidKey::load_or_create(&path)
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert!(
            err.as_ref().is_err_and(|e| e.contains("push-key.pem")),
            "{err:?}"
        );
        assert!(std::fs::read_to_string(&path).is_ok_and(|t| t.contains("AAAA")));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn the_header_is_an_es256_jwt_for_the_endpoint_origin() {
        let dir = scratch("jwt");
        let Ok(key) = VapidKey::load_or_create(&dir.join("k.pem")) else {
            panic!("no key");
        };
        let now = jiff::Timestamp::from_second(1_800_000_000).unwrap_or_default();
        let header = key
            .authorization(
                "https://push.example.net:8443/send/abc?x=1",
                "mailto:a@b.c",
                now,
            )
            .unwrap_or_default();
        let (t, k) = header
            .strip_prefix("vapid t=")
            .and_then(|rest| rest.split_once(", k="))
            .unwrap_or_default();
        assert_eq!(k, key.public_key());
        let parts: Vec<&str> = t.split('.').collect();
        assert_eq!(parts.len(), 3);
        let claims: serde_json::Value =
            serde_json::from_slice(&from_b64url(parts[1]).unwrap_or_default()).unwrap_or_default();
        assert_eq!(claims["aud"], "https://push.example.net:8443");
        assert_eq!(claims["exp"], 1_800_000_000 + 12 * 3600);
        assert_eq!(claims["sub"], "mailto:a@b.c");
        let public = from_b64url(k).unwrap_or_default();
        let signature = from_b64url(parts[2]).unwrap_or_default();
        let signed = format!("{}.{}", parts[0], parts[1]);
        let verify = |msg: &[u8]| {
            UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &public)
                .verify(msg, &signature)
                .is_ok()
        };
        assert!(verify(signed.as_bytes()));
        assert!(!verify(format!("{signed}x").as_bytes()));
        let _ = std::fs::remove_dir_all(dir);
    }
}
