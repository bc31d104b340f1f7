//! The one HTTP client of the signing pipeline (RFC 3161 timestamps; later
//! OCSP and CRLs): a POST or GET with a time-out and a size limit. Plain
//! HTTP only: TSA and OCSP responses are signed, so they need no TLS, and a
//! TLS stack would be the largest dependency of the program.

use std::time::Duration;

use super::SignError;

/// Responses larger than this are refused (a timestamp token or OCSP
/// response is a few kilobytes; CRLs of large CAs reach megabytes).
const MAX_RESPONSE: u64 = 16 * 1024 * 1024;

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .build()
        .into()
}

fn check_url(url: &str) -> Result<(), SignError> {
    if url.starts_with("http://") {
        Ok(())
    } else if url.starts_with("https://") {
        Err(SignError::Network {
            url: url.into(),
            reason: "https is not supported; TSA and OCSP responses are signed, use the \
                     service's http:// address"
                .into(),
        })
    } else {
        Err(SignError::Network {
            url: url.into(),
            reason: "not an http:// URL".into(),
        })
    }
}

/// POST `body` with `content_type` and return the response body of a 200.
pub(crate) fn post(
    url: &str,
    content_type: &str,
    body: &[u8],
    authorization: Option<&str>,
    timeout: Duration,
) -> Result<Vec<u8>, SignError> {
    check_url(url)?;
    let fail = |reason: String| SignError::Network {
        url: url.into(),
        reason,
    };
    let mut request = agent(timeout)
        .post(url)
        .header("Content-Type", content_type);
    if let Some(auth) = authorization {
        request = request.header("Authorization", auth);
    }
    let response = request
        .send(body)
        .map_err(|e| fail(describe(&e, timeout)))?;
    body_of_200(response, timeout, fail)
}

/// GET `url` and return the body of a 200.
pub(crate) fn get(url: &str, timeout: Duration) -> Result<Vec<u8>, SignError> {
    check_url(url)?;
    let fail = |reason: String| SignError::Network {
        url: url.into(),
        reason,
    };
    let response = agent(timeout)
        .get(url)
        .call()
        .map_err(|e| fail(describe(&e, timeout)))?;
    body_of_200(response, timeout, fail)
}

/// The body of a 200 answer, read up to [`MAX_RESPONSE`]; any other status is an error.
fn body_of_200(
    mut response: ureq::http::Response<ureq::Body>,
    timeout: Duration,
    fail: impl Fn(String) -> SignError,
) -> Result<Vec<u8>, SignError> {
    let status = response.status().as_u16();
    if status != 200 {
        return Err(fail(format!("HTTP status {status}")));
    }
    response
        .body_mut()
        .with_config()
        .limit(MAX_RESPONSE)
        .read_to_vec()
        .map_err(|e| fail(describe(&e, timeout)))
}

fn describe(e: &ureq::Error, timeout: Duration) -> String {
    match e {
        ureq::Error::Timeout(_) => format!("no answer within {} s", timeout.as_secs_f32()),
        ureq::Error::ConnectionFailed => "connection refused or unreachable".into(),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "connection refused (is the service running?)".into()
        }
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
            format!("no answer within {} s", timeout.as_secs_f32())
        }
        other => other.to_string(),
    }
}

/// `Basic base64(user:password)` from `USER:PASSWORD`.
pub(crate) fn basic_auth(credentials: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = credentials.as_bytes();
    let mut out = String::from("Basic ");
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn basic_auth_is_base64() {
        assert_eq!(
            super::basic_auth("Aladdin:open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(super::basic_auth("a:b"), "Basic YTpi");
    }
}
