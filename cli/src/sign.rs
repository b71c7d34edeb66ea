//! Signed bundles: `personalizer keygen` and `personalizer sign`.
//!
//! ECDSA P-256 with SHA-256 (ES256), the signature as 64 bytes r‖s: exactly what WebCrypto's
//! `verify({name: 'ECDSA', hash: 'SHA-256'})` checks in the browser, so the wasm carries no
//! crypto code. The public key is the base64 of the raw uncompressed point (65 bytes), which
//! the page passes as the `publicKey` option. The private key file holds the base64 of the
//! 32-byte scalar; keep it out of the repository.

use crate::{err, Result};
use checkout_personalizer::base64::{base64_decode, base64_encode};
use checkout_personalizer::model::format;
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};

const PRIVATE_PREFIX: &str = "cpm-es256-private:";

pub struct KeyPair {
    /// The private key file's content.
    pub private: String,
    /// The `publicKey` option's value.
    pub public: String,
}

pub fn keygen() -> KeyPair {
    let sk = SigningKey::random(&mut rand_core::OsRng);
    KeyPair {
        private: format!("{PRIVATE_PREFIX}{}\n", base64_encode(&sk.to_bytes())),
        public: public_of(&sk),
    }
}

fn public_of(sk: &SigningKey) -> String {
    base64_encode(VerifyingKey::from(sk).to_encoded_point(false).as_bytes())
}

pub fn read_private(text: &str) -> Result<SigningKey> {
    let b64 = text
        .trim()
        .strip_prefix(PRIVATE_PREFIX)
        .ok_or_else(|| err("sign: not a private key made by `personalizer keygen`"))?;
    let bytes = base64_decode(b64.trim_end_matches('='))
        .ok_or_else(|| err("sign: the private key is not base64"))?;
    SigningKey::from_slice(&bytes).map_err(|_| err("sign: not a valid P-256 private key"))
}

/// Signs a bundle (a plain `.cpm`; re-signing a signed one signs its inner bundle).
pub fn sign(bundle: &[u8], key: &SigningKey) -> Result<(Vec<u8>, String)> {
    let inner = match format::read_envelope(bundle) {
        Some(e) => e.bundle.to_vec(),
        None => bundle.to_vec(),
    };
    let m = checkout_personalizer::model::decode(&inner).map_err(|e| err(e.to_string()))?;
    // The browser refuses a signed bundle without an expiry (an old signed bundle must not
    // stay usable for ever): say so here, before anything ships.
    if m.bundle().expires_ms.is_none() {
        return Err(err(
            "sign: the bundle has no expiry; set expires_days in the spec (or --expires-days) before signing",
        ));
    }
    let sig: Signature = key.sign(&inner);
    Ok((
        format::encode_envelope(&inner, &sig.to_bytes()),
        public_of(key),
    ))
}

/// Checks a signed bundle natively (what the browser does with WebCrypto).
pub fn verify(signed: &[u8], public: &str) -> Result<()> {
    let env = format::read_envelope(signed).ok_or_else(|| err("verify: not a signed bundle"))?;
    let key = base64_decode(public.trim_end_matches('='))
        .ok_or_else(|| err("verify: the public key is not base64"))?;
    let vk =
        VerifyingKey::from_sec1_bytes(&key).map_err(|_| err("verify: not a P-256 public key"))?;
    let sig =
        Signature::from_slice(env.signature).map_err(|_| err("verify: malformed signature"))?;
    vk.verify(env.bundle, &sig)
        .map_err(|_| err("verify: bad signature"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_verify_and_tamper() {
        let kp = keygen();
        let sk = read_private(&kp.private).unwrap();
        let plain = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/ranking.cpm"
        ))
        .unwrap();
        let mut b = format::read(&plain).unwrap();
        b.expires_ms = None;
        let err = sign(&format::encode(&b), &sk).err().unwrap().to_string();
        assert!(err.starts_with("sign: the bundle has no expiry"), "{err}");
        b.expires_ms = Some(b.created_ms + 86_400_000);
        let bundle = format::encode(&b);
        let (signed, public) = sign(&bundle, &sk).unwrap();
        assert_eq!(public, kp.public);
        verify(&signed, &kp.public).unwrap();
        // The signed file still decodes as the same model.
        let m = checkout_personalizer::model::decode(&signed).unwrap();
        assert_eq!(m.bundle().id, "ranking-fixture");
        // One flipped bit anywhere in the bundle breaks the signature.
        let env = format::read_envelope(&signed).unwrap();
        let mut tampered = env.bundle.to_vec();
        let mid = tampered.len() / 2;
        tampered[mid] ^= 1;
        let forged = format::encode_envelope(&tampered, env.signature);
        assert!(verify(&forged, &kp.public).is_err());
        // Another key's signature is refused.
        assert!(verify(&signed, &keygen().public).is_err());
        assert!(read_private("nonsense").is_err());
    }
}
