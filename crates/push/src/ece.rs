//! Message encryption for Web Push (RFC 8291) in the `aes128gcm` content coding (RFC 8188).
//!
//! Each message gets a fresh P-256 key pair and salt; the key is agreed with the browser's
//! `p256dh` key and mixed with its `auth` secret, so the push service in the middle cannot
//! read it. One record only: reminders are far below the 4,096-byte limit of a push message.

use hkdf::Hkdf;
use ring::aead::{self, AES_128_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::agreement::{self, ECDH_P256, EphemeralPrivateKey, UnparsedPublicKey};
use ring::rand::SystemRandom;
use sha2::Sha256;

/// The record size written in the header; the whole message fits in one record.
const RECORD_SIZE: u32 = 4096;
/// Header: salt (16), record size (4), key id length (1), the sender's public key (65).
const HEADER_LEN: usize = 16 + 4 + 1 + PUBLIC_KEY_LEN;
const PUBLIC_KEY_LEN: usize = 65;
const TAG_LEN: usize = 16;
/// The most plaintext one record holds: the record less its tag and the padding delimiter.
/// Push services refuse bodies over 4,096 bytes, header included, which is tighter still.
pub const MAX_PLAINTEXT: usize = 4096 - HEADER_LEN - TAG_LEN - 1;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EceError {
    #[error("the subscription's p256dh key is not an uncompressed P-256 point")]
    BadPublicKey,
    #[error("the subscription's auth secret is not 16 bytes")]
    BadAuth,
    #[error("the message is {0} bytes; at most {MAX_PLAINTEXT} fit in a push message")]
    TooLong(usize),
    #[error("the system's random source or cipher failed")]
    Crypto,
}

/// Encrypts `plaintext` for the browser whose subscription keys are `ua_public` (`p256dh`,
/// 65 bytes) and `auth` (16 bytes). The answer is the request body, header included.
pub fn encrypt(plaintext: &[u8], ua_public: &[u8], auth: &[u8]) -> Result<Vec<u8>, EceError> {
    check_keys(ua_public, auth)?;
    let rng = SystemRandom::new();
    let private = EphemeralPrivateKey::generate(&ECDH_P256, &rng).map_err(|_| EceError::Crypto)?;
    let as_public = private
        .compute_public_key()
        .map_err(|_| EceError::Crypto)?
        .as_ref()
        .to_vec();
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|_| EceError::Crypto)?;
    let peer = UnparsedPublicKey::new(&ECDH_P256, ua_public);
    agreement::agree_ephemeral(private, &peer, |secret| {
        seal(plaintext, secret, ua_public, &as_public, auth, &salt)
    })
    // ring refuses a point that is not on the curve only here, at agreement.
    .map_err(|_| EceError::BadPublicKey)?
}

/// Whether `ua_public` is a P-256 point a browser could have made, and `auth` its 16-byte
/// secret: checked when a subscription arrives, so a bad one is refused then, not at 21:30.
pub fn check_keys(ua_public: &[u8], auth: &[u8]) -> Result<(), EceError> {
    if auth.len() != 16 {
        return Err(EceError::BadAuth);
    }
    if ua_public.len() != PUBLIC_KEY_LEN || ua_public.first() != Some(&0x04) {
        return Err(EceError::BadPublicKey);
    }
    // An agreement with a throwaway key is ring's way to ask "is this point on the curve".
    let rng = SystemRandom::new();
    let probe = EphemeralPrivateKey::generate(&ECDH_P256, &rng).map_err(|_| EceError::Crypto)?;
    agreement::agree_ephemeral(
        probe,
        &UnparsedPublicKey::new(&ECDH_P256, ua_public),
        |_| (),
    )
    .map_err(|_| EceError::BadPublicKey)
}

/// RFC 8291 section 3.4 from the agreed secret on: deterministic, so the RFC's own example
/// checks it byte for byte.
fn seal(
    plaintext: &[u8],
    ecdh_secret: &[u8],
    ua_public: &[u8],
    as_public: &[u8],
    auth: &[u8],
    salt: &[u8; 16],
) -> Result<Vec<u8>, EceError> {
    if plaintext.len() > MAX_PLAINTEXT {
        return Err(EceError::TooLong(plaintext.len()));
    }
    if as_public.len() != PUBLIC_KEY_LEN {
        return Err(EceError::Crypto);
    }
    // The auth secret keys the first extraction; both public keys are bound into the info.
    let mut key_info = Vec::with_capacity(14 + 2 * PUBLIC_KEY_LEN);
    key_info.extend_from_slice(b"WebPush: info\0");
    key_info.extend_from_slice(ua_public);
    key_info.extend_from_slice(as_public);
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(auth), ecdh_secret)
        .expand(&key_info, &mut ikm)
        .map_err(|_| EceError::Crypto)?;
    let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
    let mut cek = [0u8; 16];
    let mut nonce = [0u8; 12];
    prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
        .and_then(|()| prk.expand(b"Content-Encoding: nonce\0", &mut nonce))
        .map_err(|_| EceError::Crypto)?;

    let mut body = Vec::with_capacity(HEADER_LEN + plaintext.len() + 1 + TAG_LEN);
    body.extend_from_slice(salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(PUBLIC_KEY_LEN as u8);
    body.extend_from_slice(as_public);
    let mut record = Vec::with_capacity(plaintext.len() + 1 + TAG_LEN);
    record.extend_from_slice(plaintext);
    // 0x02: this is the last record (and no padding follows).
    record.push(2);
    let key = LessSafeKey::new(UnboundKey::new(&AES_128_GCM, &cek).map_err(|_| EceError::Crypto)?);
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::empty(),
        &mut record,
    )
    .map_err(|_| EceError::Crypto)?;
    body.extend_from_slice(&record);
    Ok(body)
}

// The tag length ring appends must be the one the header arithmetic assumes.
const _: () = assert!(aead::MAX_TAG_LEN == TAG_LEN);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{b64url, from_b64url};

    fn b(text: &str) -> Vec<u8> {
        from_b64url(text).unwrap_or_default()
    }

    const UA_PUBLIC: &str =
        "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    const AS_PUBLIC: &str =
        "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
    const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";

    /// RFC 8291 section 5 (intermediate values in Appendix A), from the agreed ECDH secret:
    /// ring makes only ephemeral agreement keys, so the RFC's fixed sender key cannot be
    /// loaded; the end-to-end test decrypts a real message with an independent library.
    #[test]
    fn the_rfc_8291_example_is_reproduced_byte_for_byte() {
        let salt: [u8; 16] = b("DGv6ra1nlYgDCS1FRnbzlw").try_into().unwrap_or([0; 16]);
        let body = seal(
            b"When I grow up, I want to be a watermelon",
            &b("kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs"),
            &b(UA_PUBLIC),
            &b(AS_PUBLIC),
            &b(AUTH),
            &salt,
        );
        assert_eq!(
            body.map(|b| b64url(&b)),
            Ok(
                "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3v\
                CYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLW\
                youBWLVWGNWQexSgSxsj_Qulcy4a-fN"
                    .to_string()
            )
        );
    }

    #[test]
    fn each_message_has_its_own_key_and_salt() {
        let one = encrypt(b"hello", &b(UA_PUBLIC), &b(AUTH)).unwrap_or_default();
        let two = encrypt(b"hello", &b(UA_PUBLIC), &b(AUTH)).unwrap_or_default();
        assert_eq!(one.len(), HEADER_LEN + 5 + 1 + TAG_LEN);
        assert_eq!(&one[16..21], &[0, 0, 0x10, 0, 65]);
        assert_ne!(one[..16], two[..16], "salt reused");
        assert_ne!(
            one[21..HEADER_LEN],
            two[21..HEADER_LEN],
            "sender key reused"
        );
        assert!(!one.windows(5).any(|w| w == b"hello"), "plaintext visible");
    }

    #[test]
    fn bad_keys_and_long_messages_are_refused() {
        let mut off_curve = b(UA_PUBLIC);
        off_curve[40] ^= 1;
        assert_eq!(
            check_keys(&off_curve, &b(AUTH)),
            Err(EceError::BadPublicKey)
        );
        assert_eq!(
            check_keys(&b(UA_PUBLIC)[1..], &b(AUTH)),
            Err(EceError::BadPublicKey)
        );
        assert_eq!(check_keys(&b(UA_PUBLIC), &[0; 15]), Err(EceError::BadAuth));
        assert_eq!(check_keys(&b(UA_PUBLIC), &b(AUTH)), Ok(()));
        assert_eq!(
            encrypt(&[b'x'; MAX_PLAINTEXT + 1], &b(UA_PUBLIC), &b(AUTH)),
            Err(EceError::TooLong(MAX_PLAINTEXT + 1))
        );
        assert!(encrypt(&[b'x'; MAX_PLAINTEXT], &b(UA_PUBLIC), &b(AUTH)).is_ok());
    }
}
