//! Private keys on PKCS#11 tokens (smartcards, HSMs), through the `cryptoki` crate.
//!
//! A [`TokenKey`] is one logged-in read-only session on the token and the handle of the
//! private key in it. The key never leaves the token: the host hashes, the token signs the
//! digest (RSA: `CKM_RSA_PKCS` over a DigestInfo, or `CKM_SHA256_RSA_PKCS` when the token
//! only has that; ECDSA P-256: `CKM_ECDSA` over the SHA-256 digest, its raw `r || s` turned
//! into DER for CMS). A session may not be used from two threads at once, so signing goes
//! through a mutex; a batch shares one `Signer` and so signs one PDF at a time on the token.
//!
//! The PIN is a `secrecy` string: it is passed to `C_Login` and otherwise kept only for keys
//! that demand a login before each use (`CKA_ALWAYS_AUTHENTICATE`). No error carries it.

use std::path::Path;
use std::sync::Mutex;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Function, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;

use super::SignError;

/// DER of the P-256 curve's OID as a token gives it in `CKA_EC_PARAMS`.
const P256_PARAMS: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];

/// DigestInfo prefix for SHA-256 (RFC 8017, section 9.2, note 1).
const SHA256_DIGEST_INFO: &[u8] = &[
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// Which key the token holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenKeyKind {
    /// RSA with a modulus of this many bytes.
    Rsa {
        modulus_len: usize,
    },
    P256,
}

/// How an RSA digest goes to the token.
#[derive(Clone, Copy, Debug)]
enum RsaMechanism {
    /// `CKM_RSA_PKCS` over the DigestInfo the host builds.
    Raw,
    /// `CKM_SHA256_RSA_PKCS` over the message itself (the token hashes).
    Sha256,
}

/// Where a token key was found, for messages.
pub(crate) struct TokenSpec<'a> {
    pub module: &'a Path,
    pub token: &'a str,
    pub key: &'a str,
    /// `None`: the token has a PIN pad (protected authentication path).
    pub pin: Option<AuthPin>,
}

/// A private key on a token, with the logged-in session that uses it.
pub(crate) struct TokenKey {
    session: Mutex<Session>,
    key: ObjectHandle,
    pub(crate) kind: TokenKeyKind,
    rsa: RsaMechanism,
    pub(crate) token_label: String,
    pub(crate) key_label: String,
    /// Kept only for a key with `CKA_ALWAYS_AUTHENTICATE`.
    context_pin: Option<AuthPin>,
}

/// `C_Login: PinIncorrect`-style text for a failed call (the crate's own messages are
/// paragraphs from the specification).
fn describe(e: &CkError) -> String {
    match e {
        CkError::Pkcs11(rv, function) => format!("C_{}: {rv:?}", function_name(*function)),
        other => other.to_string(),
    }
}

fn function_name(f: Function) -> String {
    format!("{f:?}")
}

fn failed(operation: &str) -> impl Fn(CkError) -> SignError + '_ {
    move |e| SignError::Pkcs11 {
        operation: operation.to_string(),
        reason: describe(&e),
    }
}

fn rv(e: &CkError) -> Option<RvError> {
    match e {
        CkError::Pkcs11(rv, _) => Some(*rv),
        _ => None,
    }
}

impl TokenKey {
    /// Load the module, find the token and the key, log in. Also returns the DER of the
    /// token's X.509 certificate with the key's `CKA_ID`, if there is one.
    pub(crate) fn open(spec: TokenSpec<'_>) -> Result<(TokenKey, Option<Vec<u8>>), SignError> {
        let module_name = spec.module.display().to_string();
        // A bare file name is left to the dynamic loader's search path, as other PKCS#11
        // clients do; a path must exist.
        let bare_name = spec.module.parent() == Some(Path::new(""));
        if !bare_name && !spec.module.exists() {
            return Err(SignError::Pkcs11Module {
                module: module_name,
                reason: "no such file".into(),
            });
        }
        let ctx = Pkcs11::new(spec.module).map_err(|e| SignError::Pkcs11Module {
            module: module_name.clone(),
            reason: match e {
                CkError::LibraryLoading(e) => e.to_string(),
                other => describe(&other),
            },
        })?;
        // A module another signer in this process loaded is initialised already. It is
        // never finalised: a second key on the same module may still be in use, and the
        // process ending closes everything.
        match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
            Ok(()) => {}
            Err(e) if rv(&e) == Some(RvError::CryptokiAlreadyInitialized) => {}
            Err(e) => {
                return Err(SignError::Pkcs11Module {
                    module: module_name,
                    reason: describe(&e),
                });
            }
        }
        let slot = find_token(&ctx, spec.token, &module_name)?;
        let info = ctx
            .get_token_info(slot)
            .map_err(failed("reading the token's information"))?;
        let session = ctx
            .open_ro_session(slot)
            .map_err(failed("opening a session"))?;
        if spec.pin.is_none() && !info.protected_authentication_path() {
            return Err(SignError::Pkcs11 {
                operation: format!("logging in to token `{}`", spec.token),
                reason: "no PIN given and the token has no PIN pad: give --pin-env VAR or \
                         --pin-file FILE"
                    .into(),
            });
        }
        login(
            &session,
            spec.token,
            spec.pin.as_ref(),
            info.user_pin_locked(),
        )?;

        let key = find_private_key(&session, spec.token, spec.key)?;
        let attrs = session
            .get_attributes(
                key,
                &[
                    AttributeType::KeyType,
                    AttributeType::Modulus,
                    AttributeType::EcParams,
                    AttributeType::Id,
                    AttributeType::AlwaysAuthenticate,
                    AttributeType::Sign,
                ],
            )
            .map_err(failed("reading the key's attributes"))?;
        let mut key_type = None;
        let mut modulus = None;
        let mut ec_params = None;
        let mut id = None;
        let mut always_authenticate = false;
        let mut can_sign = true;
        for a in attrs {
            match a {
                Attribute::KeyType(t) => key_type = Some(t),
                Attribute::Modulus(m) => modulus = Some(m),
                Attribute::EcParams(p) => ec_params = Some(p),
                Attribute::Id(i) => id = Some(i),
                Attribute::AlwaysAuthenticate(b) => always_authenticate = b,
                Attribute::Sign(b) => can_sign = b,
                _ => {}
            }
        }
        let kind = match key_type {
            Some(t) if t == KeyType::RSA => {
                let modulus = modulus.ok_or_else(|| SignError::Pkcs11 {
                    operation: "reading the RSA key".into(),
                    reason: "the token does not give the key's modulus (CKA_MODULUS)".into(),
                })?;
                let significant = modulus.iter().skip_while(|&&b| b == 0).count();
                TokenKeyKind::Rsa {
                    modulus_len: significant,
                }
            }
            Some(t) if t == KeyType::EC => match ec_params.as_deref() {
                Some(P256_PARAMS) => TokenKeyKind::P256,
                _ => {
                    return Err(SignError::UnsupportedKeyType(
                        "EC key on a curve other than P-256 (on the token)".into(),
                    ));
                }
            },
            Some(t) => {
                return Err(SignError::UnsupportedKeyType(format!(
                    "{t} key on the token"
                )));
            }
            None => {
                return Err(SignError::Pkcs11 {
                    operation: "reading the key's type".into(),
                    reason: "the token does not say (CKA_KEY_TYPE)".into(),
                });
            }
        };
        if !can_sign {
            return Err(SignError::Pkcs11 {
                operation: format!("using key `{}`", spec.key),
                reason: "the token does not allow it to sign (CKA_SIGN is false)".into(),
            });
        }
        let mechanisms = ctx
            .get_mechanism_list(slot)
            .map_err(failed("listing the token's mechanisms"))?;
        // A key that wants the PIN for each use: C_SignInit, C_Login(CKU_CONTEXT_SPECIFIC),
        // then the data. cryptoki's single-part sign() runs C_SignInit itself, so these keys
        // sign in parts, with the mechanisms that hash on the token.
        if always_authenticate {
            let needed = match kind {
                TokenKeyKind::Rsa { .. } => MechanismType::SHA256_RSA_PKCS,
                TokenKeyKind::P256 => MechanismType::ECDSA_SHA256,
            };
            if !mechanisms.contains(&needed) {
                return Err(SignError::UnsupportedKeyType(format!(
                    "key `{}` asks for the PIN before each use (CKA_ALWAYS_AUTHENTICATE), \
                     which needs {needed} on the token",
                    spec.key
                )));
            }
        }
        let rsa = match kind {
            TokenKeyKind::Rsa { .. } if always_authenticate => RsaMechanism::Sha256,
            TokenKeyKind::Rsa { .. } if mechanisms.contains(&MechanismType::RSA_PKCS) => {
                RsaMechanism::Raw
            }
            TokenKeyKind::Rsa { .. } if mechanisms.contains(&MechanismType::SHA256_RSA_PKCS) => {
                RsaMechanism::Sha256
            }
            TokenKeyKind::Rsa { .. } => {
                return Err(SignError::UnsupportedKeyType(
                    "RSA key on a token without CKM_RSA_PKCS or CKM_SHA256_RSA_PKCS".into(),
                ));
            }
            TokenKeyKind::P256 if !mechanisms.contains(&MechanismType::ECDSA) => {
                return Err(SignError::UnsupportedKeyType(
                    "EC key on a token without CKM_ECDSA".into(),
                ));
            }
            TokenKeyKind::P256 => RsaMechanism::Raw,
        };
        let certificate = match &id {
            Some(id) => find_certificate(&session, id)?,
            None => None,
        };
        let token_key = TokenKey {
            session: Mutex::new(session),
            key,
            kind,
            rsa,
            token_label: spec.token.to_string(),
            key_label: spec.key.to_string(),
            context_pin: if always_authenticate { spec.pin } else { None },
        };
        Ok((token_key, certificate))
    }

    /// Sign `message` (the DER of the CMS signed attributes) with SHA-256. RSA: the
    /// PKCS#1 v1.5 signature. ECDSA: the DER `ECDSA-Sig-Value`.
    pub(crate) fn sign(&self, message: &[u8], digest: &[u8]) -> Result<Vec<u8>, SignError> {
        let session = self.session.lock().map_err(|_| SignError::Pkcs11 {
            operation: "signing".into(),
            reason: "an earlier signing thread panicked while using the token".into(),
        })?;
        let (mechanism, data) = match (self.kind, self.rsa) {
            (TokenKeyKind::Rsa { .. }, RsaMechanism::Raw) => {
                (Mechanism::RsaPkcs, [SHA256_DIGEST_INFO, digest].concat())
            }
            (TokenKeyKind::Rsa { .. }, RsaMechanism::Sha256) => {
                (Mechanism::Sha256RsaPkcs, message.to_vec())
            }
            (TokenKeyKind::P256, _) => (Mechanism::Ecdsa, digest.to_vec()),
        };
        let signature = match &self.context_pin {
            None => session.sign(&mechanism, self.key, &data),
            Some(pin) => {
                let mechanism = match self.kind {
                    TokenKeyKind::Rsa { .. } => Mechanism::Sha256RsaPkcs,
                    TokenKeyKind::P256 => Mechanism::EcdsaSha256,
                };
                session.sign_init(&mechanism, self.key).and_then(|()| {
                    match session.login(UserType::ContextSpecific, Some(pin)) {
                        Ok(()) => session
                            .sign_update(message)
                            .and_then(|()| session.sign_final()),
                        Err(e) => {
                            // Ends the operation the failed login left active.
                            let _ = session.sign_final();
                            Err(e)
                        }
                    }
                })
            }
        }
        .map_err(|e| match rv(&e) {
            Some(RvError::PinIncorrect) => SignError::WrongPin {
                token: self.token_label.clone(),
            },
            _ => SignError::Pkcs11 {
                operation: format!("signing with key `{}`", self.key_label),
                reason: describe(&e),
            },
        })?;
        match self.kind {
            TokenKeyKind::Rsa { modulus_len } => {
                if signature.len() != modulus_len {
                    return Err(SignError::Pkcs11 {
                        operation: format!("signing with key `{}`", self.key_label),
                        reason: format!(
                            "the token returned {} bytes for a {}-byte RSA modulus",
                            signature.len(),
                            modulus_len
                        ),
                    });
                }
                Ok(signature)
            }
            TokenKeyKind::P256 => {
                let sig = p256::ecdsa::Signature::from_slice(&signature).map_err(|_| {
                    SignError::Pkcs11 {
                        operation: format!("signing with key `{}`", self.key_label),
                        reason: format!(
                            "the token returned {} bytes, not a P-256 r || s (64 bytes)",
                            signature.len()
                        ),
                    }
                })?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
        }
    }
}

/// The slot holding the one initialised token labelled `label`.
fn find_token(ctx: &Pkcs11, label: &str, module: &str) -> Result<Slot, SignError> {
    let slots = ctx
        .get_slots_with_token()
        .map_err(failed("listing the slots"))?;
    let mut found = Vec::new();
    let mut present = Vec::new();
    for slot in slots {
        let Ok(info) = ctx.get_token_info(slot) else {
            continue;
        };
        if !info.token_initialized() {
            continue;
        }
        if info.label() == label {
            found.push(slot);
        }
        present.push(format!("`{}`", info.label()));
    }
    match found.as_slice() {
        [slot] => Ok(*slot),
        [] => Err(SignError::TokenNotFound {
            label: label.into(),
            module: module.into(),
            present: if present.is_empty() {
                "none".into()
            } else {
                present.join(", ")
            },
        }),
        several => Err(SignError::Pkcs11 {
            operation: format!("finding token `{label}`"),
            reason: format!(
                "{} tokens carry that label; remove all but one",
                several.len()
            ),
        }),
    }
}

fn login(
    session: &Session,
    token: &str,
    pin: Option<&AuthPin>,
    locked: bool,
) -> Result<(), SignError> {
    if locked {
        return Err(SignError::PinLocked {
            token: token.into(),
        });
    }
    match session.login(UserType::User, pin) {
        Ok(()) => Ok(()),
        // Another session of this process logged in already; the login is per token.
        Err(e) if rv(&e) == Some(RvError::UserAlreadyLoggedIn) => Ok(()),
        Err(e) => Err(match rv(&e) {
            Some(RvError::PinIncorrect) | Some(RvError::PinLenRange) => SignError::WrongPin {
                token: token.into(),
            },
            Some(RvError::PinLocked) => SignError::PinLocked {
                token: token.into(),
            },
            _ => SignError::Pkcs11 {
                operation: format!("logging in to token `{token}`"),
                reason: describe(&e),
            },
        }),
    }
}

fn labels(session: &Session, class: ObjectClass) -> Vec<String> {
    let Ok(handles) = session.find_objects(&[Attribute::Class(class)]) else {
        return Vec::new();
    };
    let mut out: Vec<String> = handles
        .into_iter()
        .filter_map(|h| session.get_attributes(h, &[AttributeType::Label]).ok())
        .flatten()
        .filter_map(|a| match a {
            Attribute::Label(l) => Some(format!("`{}`", String::from_utf8_lossy(&l))),
            _ => None,
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

fn find_private_key(
    session: &Session,
    token: &str,
    label: &str,
) -> Result<ObjectHandle, SignError> {
    let found = session
        .find_objects(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::Label(label.as_bytes().to_vec()),
        ])
        .map_err(failed("finding the key"))?;
    match found.as_slice() {
        [key] => Ok(*key),
        [] => {
            let present = labels(session, ObjectClass::PRIVATE_KEY);
            Err(SignError::TokenKeyNotFound {
                label: label.into(),
                token: token.into(),
                present: if present.is_empty() {
                    "none".into()
                } else {
                    present.join(", ")
                },
            })
        }
        several => Err(SignError::Pkcs11 {
            operation: format!("finding key `{label}` on token `{token}`"),
            reason: format!(
                "{} private keys carry that label; give each a unique label",
                several.len()
            ),
        }),
    }
}

/// The DER of the X.509 certificate object with this `CKA_ID`, if any.
fn find_certificate(session: &Session, id: &[u8]) -> Result<Option<Vec<u8>>, SignError> {
    let found = session
        .find_objects(&[
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::Id(id.to_vec()),
        ])
        .map_err(failed("finding the key's certificate"))?;
    for handle in found {
        let attrs = session
            .get_attributes(handle, &[AttributeType::Value])
            .map_err(failed("reading the key's certificate"))?;
        for a in attrs {
            if let Attribute::Value(v) = a
                && !v.is_empty()
            {
                return Ok(Some(v));
            }
        }
    }
    Ok(None)
}
