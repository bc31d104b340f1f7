//! A `communique serve` child process on a free loopback port, and a small HTTP/1.1 client that
//! can send what a browser would not (foreign Host and Origin headers, huge bodies).

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running server; killed when dropped, so no test leaves one behind.
pub struct Server {
    child: Child,
    pub client: Client,
}

impl std::ops::Deref for Server {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

/// Talks to a server as its page does; cheap to clone into other threads.
#[derive(Clone)]
pub struct Client {
    pub port: u16,
    pub token: String,
}

impl Server {
    pub fn start(dir: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_communique"))
            .arg("serve")
            .arg(dir)
            .args(["--port", "0"])
            .args(extra)
            .env("SOURCE_DATE_EPOCH", "1778716800")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("communique serve starts");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("serve prints its address");
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {line:?}"));
        let port: u16 = url
            .trim_start_matches("http://127.0.0.1:")
            .trim_end_matches('/')
            .parse()
            .unwrap_or_else(|_| panic!("no loopback port in {url}"));
        let mut client = Client {
            port,
            token: String::new(),
        };
        let page = client.get("/");
        assert_eq!(page.status, 200);
        let body = page.text();
        let marker = "name=\"communique-token\" content=\"";
        let start = body.find(marker).unwrap() + marker.len();
        client.token = body[start..start + 32].to_string();
        Server { child, client }
    }
}

impl Client {
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    pub fn get(&self, path: &str) -> Reply {
        self.raw("GET", path, &self.default_headers(false), b"")
    }

    /// A POST to the API as the page makes it.
    pub fn api(&self, call: &str, json: &serde_json::Value) -> Reply {
        let body = serde_json::to_vec(json).unwrap();
        self.raw(
            "POST",
            &format!("/api/{call}"),
            &self.default_headers(true),
            &body,
        )
    }

    pub fn default_headers(&self, token: bool) -> Vec<(String, String)> {
        let mut h = vec![
            ("Host".into(), format!("127.0.0.1:{}", self.port)),
            ("Content-Type".into(), "application/json".into()),
        ];
        if token {
            h.push(("X-Communique-Token".into(), self.token.clone()));
        }
        h
    }

    pub fn raw(
        &self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Reply {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(120)))
            .unwrap();
        let mut head = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        stream.write_all(head.as_bytes()).unwrap();
        // The server may answer (413) and close before a large body is sent: that is fine.
        let _ = stream.write_all(body);
        read_reply(&mut stream)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub fn read_reply(stream: &mut TcpStream) -> Reply {
    // Read the head, then the body by its Content-Length where there is one: a server may
    // keep the connection open (chromedriver does) whatever the request said.
    let mut raw = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    let split = loop {
        if let Some(p) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        let n = stream.read(&mut buf).unwrap_or(0);
        assert!(n > 0, "no HTTP reply: {:?}", String::from_utf8_lossy(&raw));
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok());
    let mut body = raw[split + 4..].to_vec();
    match length {
        Some(n) => {
            while body.len() < n {
                let got = stream.read(&mut buf).unwrap_or(0);
                if got == 0 {
                    break;
                }
                body.extend_from_slice(&buf[..got]);
            }
            body.truncate(n);
        }
        None => {
            let _ = stream.read_to_end(&mut body);
        }
    }
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Reply {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(end) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size_text = String::from_utf8_lossy(&data[..end]);
        let size =
            usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).unwrap_or(0);
        if size == 0 {
            return out;
        }
        let start = end + 2;
        out.extend_from_slice(&data[start..(start + size).min(data.len())]);
        data = &data[(start + size + 2).min(data.len())..];
    }
}

/// A copy of the bundled statements and layouts in a fresh folder.
pub fn workspace(name: &str) -> std::path::PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target").join("serve-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    for sub in ["statements", "layouts"] {
        copy_dir(&root.join(sub), &dir.join(sub));
    }
    dir.canonicalize().unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()));
        } else if path.extension().is_some_and(|e| e != "pdf") {
            std::fs::copy(&path, to.join(entry.file_name())).unwrap();
        }
    }
}

/// What `communique build` writes for a statement (with the server's document date).
pub fn cli_build(statement: &Path, layout: Option<&Path>) -> Vec<u8> {
    let out = statement.with_extension("cli.pdf");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_communique"));
    cmd.arg("build").arg(statement).arg("-o").arg(&out);
    if let Some(l) = layout {
        cmd.arg("--layout").arg(l);
    }
    let status = cmd.env("SOURCE_DATE_EPOCH", "1778716800").status().unwrap();
    assert!(status.success());
    let bytes = std::fs::read(&out).unwrap();
    std::fs::remove_file(&out).unwrap();
    bytes
}

/// A JSON request to a local HTTP service (chromedriver speaks WebDriver over HTTP).
pub fn http_json(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&serde_json::Value>,
) -> (u16, serde_json::Value) {
    let body = body
        .map(|b| serde_json::to_vec(b).unwrap())
        .unwrap_or_default();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body).unwrap();
    let reply = read_reply(&mut stream);
    let value = serde_json::from_slice(&reply.body).unwrap_or(serde_json::Value::Null);
    (reply.status, value)
}
