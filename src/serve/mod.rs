//! `communique serve`: a local editor in the browser. One page (compiled in) talks to a small
//! JSON API: list the folder's statements and layouts, read one, typeset the text being edited
//! into page images, download the PDF (the bytes `communique build` writes for the saved file)
//! and save atomically. Everything stays on the machine.
//!
//! Trust: the server listens on 127.0.0.1 unless told otherwise. Every API request must carry
//! the token that only the page knows, a Host header naming this server (DNS rebinding) and no
//! foreign Origin; no CORS header is ever sent, so other sites can neither read nor write.
//! Work is bounded: request bodies, concurrent builds and the time one build may take.

pub mod files;

use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tiny_http::{Header, Method, Request, Response, Server, StatusCode};

use crate::{Error, FontSet, Options};
use files::{PathError, Use};

const PAGE: &str = include_str!("page.html");

/// A statement file is at most 16 MiB (see `statement`); a request carries one and some JSON.
pub const MAX_BODY: usize = 17 * 1024 * 1024;
/// Pages rendered for the preview, at most; the PDF itself has them all.
const MAX_PREVIEW_PAGES: usize = 40;

/// How a server is set up.
#[derive(Debug, Clone)]
pub struct Config {
    /// The folder whose statements and layouts are listed, read and written.
    pub root: PathBuf,
    pub address: SocketAddr,
    /// How long one build may take before the request answers with an error.
    pub build_timeout: Duration,
    /// Builds running at once; further requests are answered "busy", not queued.
    pub max_builds: usize,
    /// Resolution of the preview images.
    pub dpi: f32,
    /// The document date for every build (SOURCE_DATE_EPOCH), as `build` takes it.
    pub timestamp: Option<i64>,
    /// The secret the page sends with every API request.
    pub token: String,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot serve {}: {source}", path.display())]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot listen on {address}: {message}")]
    Listen {
        address: SocketAddr,
        message: String,
    },
}

/// A running server; dropping it does not stop it, [`Running::stop`] does.
pub struct Running {
    server: Arc<Server>,
    workers: Vec<std::thread::JoinHandle<()>>,
    pub address: SocketAddr,
}

impl Running {
    pub fn url(&self) -> String {
        format!("http://{}/", self.address)
    }

    /// Serves until the process ends.
    pub fn join(self) {
        for worker in self.workers {
            let _ = worker.join();
        }
    }

    pub fn stop(self) {
        self.server.unblock();
        for _ in 1..self.workers.len() {
            self.server.unblock();
        }
        self.join();
    }
}

struct State {
    config: Config,
    root: PathBuf,
    builds: Arc<AtomicUsize>,
    /// The Host header values that name this server.
    hosts: Vec<String>,
}

/// Starts serving on background threads.
pub fn start(config: Config) -> Result<Running, ServeError> {
    let root = config
        .root
        .canonicalize()
        .map_err(|source| ServeError::Folder {
            path: config.root.clone(),
            source,
        })?;
    if !root.is_dir() {
        return Err(ServeError::Folder {
            path: config.root.clone(),
            source: std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a folder"),
        });
    }
    let server = Server::http(config.address).map_err(|e| ServeError::Listen {
        address: config.address,
        message: e.to_string(),
    })?;
    let address = server
        .server_addr()
        .to_ip()
        .expect("an HTTP server listens on an IP address");
    let port = address.port();
    let mut hosts = vec![format!("{address}"), format!("localhost:{port}")];
    if address.ip().is_loopback() {
        hosts.push(format!("127.0.0.1:{port}"));
        hosts.push(format!("[::1]:{port}"));
    }
    let state = Arc::new(State {
        config,
        root,
        builds: Arc::new(AtomicUsize::new(0)),
        hosts,
    });
    let server = Arc::new(server);
    // Four request threads: enough for a page that builds while it saves or downloads; a
    // build beyond `max_builds` is refused rather than queued.
    let workers = (0..4)
        .map(|_| {
            let server = Arc::clone(&server);
            let state = Arc::clone(&state);
            std::thread::spawn(move || {
                while let Ok(request) = server.recv() {
                    handle(&state, request);
                }
            })
        })
        .collect();
    Ok(Running {
        server,
        workers,
        address,
    })
}

/// A fresh secret for one server run, from the operating system's random source. (The PDF
/// never depends on it; only the page and the API share it.)
pub fn new_token() -> std::io::Result<String> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// An answer: a status and a body of one content type.
struct Reply {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    download: Option<String>,
}

impl Reply {
    fn json<T: Serialize>(status: u16, value: &T) -> Reply {
        Reply {
            status,
            content_type: "application/json; charset=utf-8",
            body: serde_json::to_vec(value).expect("replies serialize"),
            download: None,
        }
    }

    fn error(status: u16, message: impl Into<String>) -> Reply {
        Reply::json(
            status,
            &serde_json::json!({ "ok": false, "error": message.into() }),
        )
    }
}

fn handle(state: &State, mut request: Request) {
    let reply = route(state, &mut request);
    let mut response = Response::from_data(reply.body)
        .with_status_code(StatusCode(reply.status))
        .with_header(header("Content-Type", reply.content_type))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"))
        .with_header(header("Referrer-Policy", "no-referrer"))
        .with_header(header(
            "Content-Security-Policy",
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
             img-src data: blob:; connect-src 'self'; frame-ancestors 'none'",
        ));
    if let Some(name) = reply.download {
        response = response.with_header(header(
            "Content-Disposition",
            &format!("attachment; filename=\"{name}\""),
        ));
    }
    // A client that went away is no concern of the server's.
    let _ = request.respond(response);
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("static header names are valid")
}

fn header_value<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request
        .headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

fn route(state: &State, request: &mut Request) -> Reply {
    let host_ok = header_value(request, "Host").is_some_and(|h| state.hosts.iter().any(|k| k == h));
    if !host_ok {
        return Reply::error(421, "this server answers only to its own address");
    }
    if let Some(origin) = header_value(request, "Origin") {
        let own = state.hosts.iter().any(|h| origin == format!("http://{h}"));
        if !own {
            return Reply::error(403, "requests from other origins are refused");
        }
    }
    let url = request.url().to_string();
    let path = url.split('?').next().unwrap_or("");
    match (request.method(), path) {
        (Method::Get, "/") => Reply {
            status: 200,
            content_type: "text/html; charset=utf-8",
            body: PAGE.replace("{{TOKEN}}", &state.config.token).into_bytes(),
            download: None,
        },
        (Method::Post, api) if api.starts_with("/api/") => {
            let token_ok = header_value(request, "X-Communique-Token")
                .is_some_and(|t| constant_time_eq(t.as_bytes(), state.config.token.as_bytes()));
            if !token_ok {
                return Reply::error(403, "missing or wrong token: reload the page");
            }
            let body = match read_body(request) {
                Ok(body) => body,
                Err(reply) => return reply,
            };
            api_call(state, &api["/api/".len()..], &body)
        }
        (Method::Get, _) => Reply::error(404, "not found"),
        _ => Reply::error(405, "method not allowed"),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn read_body(request: &mut Request) -> Result<Vec<u8>, Reply> {
    let too_large = || {
        Reply::error(
            413,
            format!("the request is larger than {} MiB", MAX_BODY >> 20),
        )
    };
    if request.body_length().is_some_and(|n| n > MAX_BODY) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    request
        .as_reader()
        .take(MAX_BODY as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| Reply::error(400, format!("cannot read the request: {e}")))?;
    if body.len() > MAX_BODY {
        return Err(too_large());
    }
    Ok(body)
}

#[derive(Deserialize)]
struct PathRequest {
    path: String,
}

#[derive(Deserialize)]
struct SaveRequest {
    path: String,
    text: String,
}

/// What the page asks to typeset: the text in the editor, the file it belongs to (for
/// messages and for images named relative to it) and the layout chosen.
#[derive(Deserialize)]
struct BuildRequest {
    path: Option<String>,
    text: String,
    /// A layout file in the folder; empty for the statement's own or the bundled default.
    #[serde(default)]
    layout: String,
}

fn api_call(state: &State, call: &str, body: &[u8]) -> Reply {
    let bad = |e: serde_json::Error| Reply::error(400, format!("malformed request: {e}"));
    match call {
        "files" => Reply::json(200, &files::list(&state.root)),
        "file" => {
            let req: PathRequest = match serde_json::from_slice(body) {
                Ok(r) => r,
                Err(e) => return bad(e),
            };
            let path = match files::resolve(&state.root, &req.path, Use::ReadStatement) {
                Ok(p) => p,
                Err(e) => return path_error(e),
            };
            match std::fs::read(&path) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => Reply::json(200, &serde_json::json!({"ok": true, "text": text})),
                    Err(e) => Reply::error(
                        422,
                        format!(
                            "{} is not UTF-8 text (invalid byte at offset {})",
                            req.path,
                            e.utf8_error().valid_up_to()
                        ),
                    ),
                },
                Err(e) => Reply::error(500, format!("cannot read {}: {e}", req.path)),
            }
        }
        "save" => {
            let req: SaveRequest = match serde_json::from_slice(body) {
                Ok(r) => r,
                Err(e) => return bad(e),
            };
            let path = match files::resolve(&state.root, &req.path, Use::WriteStatement) {
                Ok(p) => p,
                Err(e) => return path_error(e),
            };
            match crate::write_atomically(&path, req.text.as_bytes()) {
                Ok(()) => Reply::json(200, &serde_json::json!({"ok": true})),
                Err(e) => Reply::error(500, e.to_string()),
            }
        }
        "build" | "pdf" => {
            let req: BuildRequest = match serde_json::from_slice(body) {
                Ok(r) => r,
                Err(e) => return bad(e),
            };
            build(state, req, call == "pdf")
        }
        _ => Reply::error(404, "no such call"),
    }
}

fn path_error(e: PathError) -> Reply {
    let status = match e {
        PathError::Missing(_) => 404,
        _ => 403,
    };
    Reply::error(status, e.to_string())
}

/// One diagnostic as the page shows it: at its line in the editor and in the list.
#[derive(Serialize)]
struct Shown {
    /// The file it is in, relative to the folder; the editor marks only its own file's lines.
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    message: String,
    /// What to do about it ("did you mean `language`?"), where there is a suggestion.
    hint: Option<String>,
}

#[derive(Serialize)]
struct Built {
    ok: bool,
    pages: Vec<String>,
    page_count: usize,
    milliseconds: u128,
    warnings: Vec<String>,
    rtl: bool,
    diagnostics: Vec<Shown>,
}

/// The outcome of one build thread.
type Outcome = Result<(Vec<u8>, usize, Vec<String>, bool), Error>;

fn build(state: &State, req: BuildRequest, pdf_only: bool) -> Reply {
    let statement_path = match req.path.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => match files::resolve(&state.root, p, Use::WriteStatement) {
            Ok(path) => path,
            Err(e) => return path_error(e),
        },
        None => state.root.join("untitled.md"),
    };
    let layout_path = if req.layout.is_empty() {
        None
    } else {
        match files::resolve(&state.root, &req.layout, Use::ReadLayout) {
            Ok(p) => Some(p),
            Err(e) => return path_error(e),
        }
    };
    // Refuse rather than queue: a page that types faster than builds finish asks again.
    if state.builds.fetch_add(1, Ordering::SeqCst) >= state.config.max_builds {
        state.builds.fetch_sub(1, Ordering::SeqCst);
        return Reply::error(503, "busy: another build is still running; try again");
    }
    let started = Instant::now();
    let (tx, rx) = std::sync::mpsc::channel::<Outcome>();
    let timestamp = state.config.timestamp;
    let text = req.text;
    let slot = SlotGuard(Arc::clone(&state.builds));
    let worker_path = statement_path.clone();
    std::thread::spawn(move || {
        let _slot = slot;
        let _ = tx.send(typeset(
            &worker_path,
            &text,
            layout_path.as_deref(),
            timestamp,
        ));
    });
    let outcome = match rx.recv_timeout(state.config.build_timeout) {
        Ok(outcome) => outcome,
        Err(_) => {
            return Reply::error(
                503,
                format!(
                    "typesetting took longer than {} s and was abandoned",
                    state.config.build_timeout.as_secs_f32()
                ),
            );
        }
    };
    let (pdf, page_count, warnings, rtl) = match outcome {
        Ok(done) => done,
        Err(error) => {
            return Reply::json(
                422,
                &Built {
                    ok: false,
                    pages: vec![],
                    page_count: 0,
                    milliseconds: started.elapsed().as_millis(),
                    warnings: vec![],
                    rtl: false,
                    diagnostics: diagnostics(&error, &state.root),
                },
            );
        }
    };
    if pdf_only {
        let name = statement_path
            .with_extension("pdf")
            .file_name()
            .map_or_else(
                || "statement.pdf".into(),
                |n| n.to_string_lossy().into_owned(),
            )
            .replace(['"', '\\'], "_");
        return Reply {
            status: 200,
            content_type: "application/pdf",
            body: pdf,
            download: Some(name),
        };
    }
    let pages = match crate::render::rasterize(&pdf, state.config.dpi) {
        Ok(pages) => pages
            .iter()
            .take(MAX_PREVIEW_PAGES)
            .map(|p| {
                use base64::Engine;
                format!(
                    "data:image/png;base64,{}",
                    base64::engine::general_purpose::STANDARD.encode(p.to_png())
                )
            })
            .collect(),
        Err(e) => return Reply::error(500, format!("cannot draw the pages: {e}")),
    };
    Reply::json(
        200,
        &Built {
            ok: true,
            pages,
            page_count,
            milliseconds: started.elapsed().as_millis(),
            warnings,
            rtl,
            diagnostics: vec![],
        },
    )
}

/// Releases a build slot when the build thread ends, however it ends: a build that timed out
/// keeps its slot until it is really done, so slow builds cannot pile up.
struct SlotGuard(Arc<AtomicUsize>);

impl Drop for SlotGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The same steps as `communique build`, on text instead of a file.
fn typeset(path: &Path, text: &str, layout: Option<&Path>, timestamp: Option<i64>) -> Outcome {
    let (statement, layout, sources) =
        crate::archive::load_bytes(path, text.as_bytes().to_vec(), layout, false)?;
    let fonts = FontSet::load(&layout)?;
    let options = Options {
        pdfa: None,
        timestamp,
    };
    let rendered = crate::render_with(&statement, &layout, &fonts, &options, sources.as_ref())?;
    Ok((
        rendered.pdf,
        rendered.pages,
        rendered.warnings,
        statement.rtl(),
    ))
}

/// The same reports the command line prints (message and hint), with paths made relative to
/// the served folder.
fn diagnostics(error: &Error, root: &Path) -> Vec<Shown> {
    let relative = |p: &Path| {
        p.strip_prefix(root)
            .unwrap_or(p)
            .to_string_lossy()
            .into_owned()
    };
    crate::diagnostics::Report::from_error(error)
        .into_iter()
        .map(|r| Shown {
            file: r.file.as_deref().map(relative),
            line: r.start.map(|p| p.line),
            column: r.start.map(|p| p.column),
            message: r.message.replace(&format!("{}/", root.display()), ""),
            hint: r.hint,
        })
        .collect()
}
