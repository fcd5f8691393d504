//! The OFD's digital signature (GB/T 33190 clause 18, 数字签名 without a
//! seal picture): every file of the package is listed with its SM3 digest
//! in `Signature.xml`, and that file is signed with the signer's SM2 key.
//! The signed value is a GB/T 35275 `SignedData` (the SM2 profile of
//! PKCS #7) holding the signer's certificate, as GM/T 0099 readers and
//! ofdrw write it. An archive can then tell whether any file changed and
//! who vouched for it.
//!
//! The DER is written here: the structures are fixed and small, and every
//! byte of them is known before signing.

use std::path::{Path, PathBuf};

use base64ct::Encoding;
use sm2::dsa::signature::Signer as _;
use sm2::pkcs8::DecodePrivateKey;
use sm3::Digest;
use x509_cert::der::{Decode, Encode};

use crate::diag::Diagnostic;

/// GB/T 33190's name for the default SM2 user id (GM/T 0009).
const DIST_ID: &str = "1234567812345678";

const OID_SM3: &[u8] = &[0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x11]; // 1.2.156.10197.1.401
const OID_SM2_SIGN: &[u8] = &[0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d, 0x01]; // 1.2.156.10197.1.301.1
const OID_SM3_WITH_SM2: &str = "1.2.156.10197.1.501";
const OID_SM3_TEXT: &str = "1.2.156.10197.1.401";
const OID_GM_DATA: &[u8] = &[0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x06, 0x01, 0x04, 0x02, 0x01]; // 1.2.156.10197.6.1.4.2.1
const OID_GM_SIGNED_DATA: &[u8] = &[0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x06, 0x01, 0x04, 0x02, 0x02]; // …4.2.2

/// Where the signature's files go in the package.
pub const LIST: &str = "Doc_0/Signs/Signatures.xml";
pub const DESCRIPTOR: &str = "Doc_0/Signs/Sign_0/Signature.xml";
pub const VALUE: &str = "Doc_0/Signs/Sign_0/SignedValue.dat";

/// A signer's key and certificate, read and matched before anything is
/// rendered.
pub struct Signer {
    key: sm2::dsa::SigningKey,
    certificate: Vec<u8>,
    /// DER of the certificate's issuer name and serial number, which name
    /// the signer in the `SignedData`.
    issuer: Vec<u8>,
    serial: Vec<u8>,
    /// The certificate's validity, seconds since 1970.
    valid: (i64, i64),
    cert_path: PathBuf,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({})", self.cert_path.display())
    }
}

/// The DER of each `label` block of a PEM text, whatever its line length:
/// OpenSSL writes 64 columns, other tools 76, and OpenSSL reads both.
fn pem_blocks(text: &str, label: &str) -> Vec<Vec<u8>> {
    let (begin, end) = (
        format!("-----BEGIN {label}-----"),
        format!("-----END {label}-----"),
    );
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(&begin) {
        let body = &rest[at + begin.len()..];
        let Some(stop) = body.find(&end) else { break };
        let b64: String = body[..stop]
            .lines()
            .filter(|l| !l.contains(':'))
            .flat_map(|l| l.chars())
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        if let Ok(der) = base64ct::Base64::decode_vec(&b64) {
            out.push(der);
        }
        rest = &body[stop + end.len()..];
    }
    out
}

/// Key and certificate files are a few KB.
const MAX_FILE: u64 = 1 << 20;

fn read(path: &Path, what: &str) -> Result<Vec<u8>, Diagnostic> {
    crate::data::read_bytes(path, MAX_FILE).map_err(|d| d.hint(format!("此文件是 {what}")))
}

impl Signer {
    pub fn load(key_path: &Path, cert_path: &Path) -> Result<Signer, Diagnostic> {
        let key_bytes = read(key_path, "--sign-key 给出的签名私钥")?;
        let key_err = |why: &str| {
            Diagnostic::error(format!("签名私钥 {} {why}", key_path.display())).hint(
                "私钥应为不加密的 SM2 私钥（PEM「PRIVATE KEY」或「EC PRIVATE KEY」），\
                 例如 openssl genpkey -algorithm SM2 -out 私钥.pem 生成的",
            )
        };
        let text = std::str::from_utf8(&key_bytes).ok();
        let secret =
            match text {
                Some(t) if t.contains("ENCRYPTED PRIVATE KEY") => return Err(Diagnostic::error(
                    format!("签名私钥 {} 是加密的，本工具不询问口令", key_path.display()),
                )
                .hint(
                    "先解密出一份只在本机使用的副本: openssl pkey -in 私钥.pem -out 私钥-解密.pem",
                )),
                Some(t) if t.contains("-----BEGIN EC PRIVATE KEY-----") => {
                    let der = pem_blocks(t, "EC PRIVATE KEY").into_iter().next();
                    der.and_then(|d| sm2::SecretKey::from_sec1_der(&d).ok())
                        .ok_or_else(|| key_err("不是 SM2 私钥"))?
                }
                Some(t) if t.contains("-----BEGIN") => {
                    let der = pem_blocks(t, "PRIVATE KEY").into_iter().next();
                    der.and_then(|d| sm2::SecretKey::from_pkcs8_der(&d).ok())
                        .ok_or_else(|| key_err("不是 SM2 私钥"))?
                }
                _ => sm2::SecretKey::from_pkcs8_der(&key_bytes)
                    .map_err(|_| key_err("不是 PEM 或 DER 格式的 SM2 私钥"))?,
            };
        let key = sm2::dsa::SigningKey::new(DIST_ID, &secret)
            .map_err(|_| key_err("不能用于 SM2 签名"))?;

        let cert_bytes = read(cert_path, "--sign-cert 给出的签名证书")?;
        let cert_err = |why: &str| {
            Diagnostic::error(format!("签名证书 {} {why}", cert_path.display()))
                .hint("证书应为 X.509 格式（PEM「CERTIFICATE」或 DER），由签名私钥对应的公钥签发")
        };
        // A chain file holds the signer's certificate with its issuers';
        // the signer's is the one whose public key is this key's.
        let certs: Vec<x509_cert::Certificate> = match std::str::from_utf8(&cert_bytes) {
            Ok(t) if t.contains("-----BEGIN") => pem_blocks(t, "CERTIFICATE")
                .iter()
                .filter_map(|d| x509_cert::Certificate::from_der(d).ok())
                .collect(),
            _ => x509_cert::Certificate::from_der(&cert_bytes)
                .into_iter()
                .collect(),
        };
        let own = key.verifying_key().to_sec1_bytes();
        let public = |c: &x509_cert::Certificate| {
            c.tbs_certificate()
                .subject_public_key_info()
                .subject_public_key
                .raw_bytes()
                .to_vec()
        };
        let cert = match certs.iter().position(|c| public(c) == *own) {
            Some(i) => certs[i].clone(),
            None => certs.first().cloned().ok_or_else(|| cert_err("读不出来"))?,
        };
        let tbs = cert.tbs_certificate();
        if public(&cert) != *own {
            return Err(Diagnostic::error(format!(
                "签名证书 {} 与签名私钥 {} 不配对（证书中的公钥不是这把私钥的）",
                cert_path.display(),
                key_path.display()
            ))
            .hint("换用这把私钥的证书，或换用证书对应的私钥"));
        }
        let der = |e: x509_cert::der::Result<Vec<u8>>| e.map_err(|_| cert_err("无法编码"));
        let validity = tbs.validity();
        let secs = |t: x509_cert::time::Time| t.to_unix_duration().as_secs() as i64;
        Ok(Signer {
            issuer: der(tbs.issuer().to_der())?,
            serial: der(tbs.serial_number().to_der())?,
            certificate: der(cert.to_der())?,
            valid: (secs(validity.not_before), secs(validity.not_after)),
            key,
            cert_path: cert_path.to_path_buf(),
        })
    }

    /// The signature's three files for a package whose other files are
    /// `protected` (name, content digest), signed at `SOURCE_DATE_EPOCH`
    /// or else on the document's date.
    pub fn sign(
        &self,
        protected: &[(String, [u8; 32])],
        epoch: Option<i64>,
        date: Option<(i32, u32, u32)>,
    ) -> Result<[(&'static str, Vec<u8>); 3], Diagnostic> {
        let when = match (epoch, date) {
            (Some(secs), _) => secs,
            // The 成文日期 is the day the document was signed off; midnight
            // in Beijing.
            (None, Some((y, m, d))) => {
                crate::epoch::days_from_civil(i64::from(y), m, d) * 86_400 - 8 * 3600
            }
            (None, None) => {
                return Err(
                    Diagnostic::error("文档没有成文日期，OFD 的签名时间无从确定")
                        .hint("在数据中写明成文日期，或设环境变量 SOURCE_DATE_EPOCH"),
                )
            }
        };
        if when < self.valid.0 || when > self.valid.1 {
            return Err(Diagnostic::error(format!(
                "签名证书 {} 的有效期为 {} 至 {}，不含签名时间 {}",
                self.cert_path.display(),
                iso(self.valid.0),
                iso(self.valid.1),
                iso(when)
            ))
            .hint(
                "签名时间是文档的成文日期（设了 SOURCE_DATE_EPOCH 时是它）；换用有效期内的证书",
            ));
        }
        let list = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:Signatures {NS}><ofd:MaxSignId>1</ofd:MaxSignId>\
             <ofd:Signature ID=\"1\" Type=\"Sign\" BaseLoc=\"/{DESCRIPTOR}\"/></ofd:Signatures>"
        );
        let mut refs = String::new();
        for (name, digest) in protected {
            refs.push_str(&format!(
                "<ofd:Reference FileRef=\"/{name}\"><ofd:CheckValue>{}</ofd:CheckValue></ofd:Reference>",
                base64ct::Base64::encode_string(digest)
            ));
        }
        let descriptor = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:Signature {NS}><ofd:SignedInfo>\
             <ofd:Provider ProviderName=\"gongwen\" Version=\"{}\"/>\
             <ofd:SignatureMethod>{OID_SM3_WITH_SM2}</ofd:SignatureMethod>\
             <ofd:SignatureDateTime>{}</ofd:SignatureDateTime>\
             <ofd:References CheckMethod=\"{OID_SM3_TEXT}\">{refs}</ofd:References></ofd:SignedInfo>\
             <ofd:SignedValue>/{VALUE}</ofd:SignedValue></ofd:Signature>",
            env!("CARGO_PKG_VERSION"),
            iso(when)
        )
        .into_bytes();
        let signature: sm2::dsa::Signature = self
            .key
            .try_sign(&descriptor)
            .map_err(|_| Diagnostic::error("SM2 签名失败"))?;
        let value = self.signed_data(signature.to_der().as_bytes());
        Ok([
            (LIST, list.into_bytes()),
            (DESCRIPTOR, descriptor),
            (VALUE, value),
        ])
    }

    /// GB/T 35275 `ContentInfo { signedData, SignedData }`, detached: the
    /// content is `Signature.xml`, beside it in the package.
    fn signed_data(&self, signature: &[u8]) -> Vec<u8> {
        let sm3 = tlv(0x30, &tlv(0x06, OID_SM3));
        let signer_info = tlv(
            0x30,
            &[
                tlv(0x02, &[1]),
                tlv(0x30, &[self.issuer.as_slice(), &self.serial].concat()),
                sm3.clone(),
                tlv(0x30, &tlv(0x06, OID_SM2_SIGN)),
                tlv(0x04, signature),
            ]
            .concat(),
        );
        let signed = tlv(
            0x30,
            &[
                tlv(0x02, &[1]),
                tlv(0x31, &sm3),
                tlv(0x30, &tlv(0x06, OID_GM_DATA)),
                tlv(0xa0, &self.certificate),
                tlv(0x31, &signer_info),
            ]
            .concat(),
        );
        tlv(
            0x30,
            &[tlv(0x06, OID_GM_SIGNED_DATA), tlv(0xa0, &signed)].concat(),
        )
    }
}

const NS: &str = "xmlns:ofd=\"http://www.ofdspec.org/2016\"";

pub fn sm3(data: &[u8]) -> [u8; 32] {
    sm3::Sm3::digest(data).into()
}

/// A DER tag-length-value.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let n = content.len();
    let mut out = vec![tag];
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes = (n as u64).to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (8 - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

fn iso(secs: i64) -> String {
    let (y, mo, d, h, mi, s) = crate::epoch::civil_from_secs(secs);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_lengths_and_sm3() {
        assert_eq!(tlv(0x04, &[7; 3]), [4, 3, 7, 7, 7]);
        assert_eq!(&tlv(0x04, &[0; 200])[..3], [4, 0x81, 200]);
        assert_eq!(&tlv(0x04, &[0; 300])[..4], [4, 0x82, 1, 44]);
        // GM/T 0004 example: SM3("abc").
        assert_eq!(
            sm3(b"abc")[..4],
            [0x66, 0xc7, 0xf0, 0xf4],
            "SM3 test vector"
        );
    }
}
