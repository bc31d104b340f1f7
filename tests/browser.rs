//! `communique serve` in a real browser: Debian's chromium, driven over WebDriver by
//! chromedriver (both on loopback ports the test picks, both stopped when it ends). The test
//! opens the page, loads the seed, types, sees the preview change, makes an error and sees it
//! at its line, fixes it, saves, downloads, and compares the download with `communique build`.
//! With CI=true a missing browser fails the test; elsewhere it is skipped loudly.

mod common;
mod serve_support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use serve_support::{Server, cli_build, http_json, workspace};

const SEED: &str = "statements/2020-01-29-copenhagen-political-directors.md";
const ARABIC: &str = "statements/2026-04-14-bayan-ar.md";

fn chromium() -> Option<(PathBuf, PathBuf)> {
    let find = |names: &[&str]| names.iter().map(PathBuf::from).find(|p| p.exists());
    let browser = find(&["/usr/bin/chromium", "/usr/bin/chromium-browser"])?;
    let driver = find(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"])?;
    Some((browser, driver))
}

struct Driver {
    child: Child,
    port: u16,
    session: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = http_json(
            self.port,
            "DELETE",
            &format!("/session/{}", self.session),
            None,
        );
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Driver {
    fn start(browser: &Path, driver: &Path, downloads: &Path) -> Driver {
        let port = free_port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let mut d = Driver {
            child,
            port,
            session: String::new(),
        };
        wait_for("chromedriver to listen", Duration::from_secs(30), || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        let (status, value) = http_json(
            port,
            "POST",
            "/session",
            Some(&json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": browser,
                    "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                             "--disable-dev-shm-usage", "--window-size=1400,1000",
                             "--no-first-run", "--disable-extensions"],
                    "prefs": {"download.default_directory": downloads,
                              "download.prompt_for_download": false}
                }
            }}})),
        );
        assert_eq!(status, 200, "no WebDriver session: {value}");
        d.session = value["value"]["sessionId"].as_str().unwrap().to_string();
        d
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, value) = http_json(
            self.port,
            method,
            &format!("/session/{}{path}", self.session),
            body.as_ref(),
        );
        assert_eq!(status, 200, "{method} {path}: {value}");
        value["value"].clone()
    }

    fn go(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    fn js(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    fn element(&self, css: &str) -> String {
        let v = self.call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        v.as_object()
            .unwrap()
            .values()
            .next()
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    fn click(&self, css: &str) {
        let id = self.element(css);
        self.call("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css);
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        );
    }

    fn screenshot(&self, to: &Path) {
        use base64::Engine;
        let v = self.call("GET", "/screenshot", None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap())
            .unwrap();
        std::fs::write(to, png).unwrap();
    }

    /// Waits until `script` (a JavaScript expression) is truthy; returns its value.
    fn until(&self, what: &str, script: &str) -> Value {
        let mut last = Value::Null;
        wait_for(what, Duration::from_secs(60), || {
            last = self.js(&format!("return ({script}) || null;"));
            !last.is_null() && last != json!(false)
        });
        last
    }
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn setup(name: &str) -> Option<(PathBuf, Server, Driver, PathBuf)> {
    let found = chromium();
    if !common::require(
        "chromium and chromedriver",
        found.is_some(),
        "apt-get install chromium chromium-driver",
    ) {
        return None;
    }
    let (browser, driver) = found.unwrap();
    let dir = workspace(name);
    let downloads = dir.join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let server = Server::start(&dir, &[]);
    let driver = Driver::start(&browser, &driver, &downloads);
    Some((dir, server, driver, downloads))
}

const STATUS: &str = "document.getElementById('status').textContent";
const FIRST_PAGE: &str = "(document.querySelector('#preview img') || {}).src";

#[test]
fn a_writer_edits_sees_errors_saves_and_downloads_in_the_browser() {
    let Some((dir, server, d, downloads)) = setup("browser-edit") else {
        return;
    };
    d.go(&server.url());
    d.until(
        "the file list",
        &format!("document.querySelector('nav a[data-path=\"{SEED}\"]')"),
    );
    d.click(&format!("nav a[data-path=\"{SEED}\"]"));
    d.until(
        "the seed's preview",
        &format!("/1 page/.test({STATUS}) && {FIRST_PAGE}"),
    );
    let before = d.js(&format!("return {FIRST_PAGE};"));

    // Typing a sentence changes the page.
    d.js("const t = document.getElementById('text'); t.focus(); \
          t.setSelectionRange(t.value.length, t.value.length);");
    d.type_into(
        "#text",
        "\nA sentence typed in the browser closes this statement.",
    );
    let after = d.until(
        "a new preview",
        &format!("/page/.test({STATUS}) && {FIRST_PAGE} !== {before} && {FIRST_PAGE}"),
    );
    assert_ne!(after, before);

    // An error shows in the list and at its line in the gutter.
    d.js("const t = document.getElementById('text'); \
          t.value = '+++\\ntitle = \"Draft\"\\ndate = 2026-05-14\\nlanguag = \"en\"\\n+++\\nBody.\\n'; \
          t.dispatchEvent(new Event('input'));");
    let message = d.until(
        "the error",
        "(document.querySelector('#problems li.error') || {}).textContent",
    );
    let message = message.as_str().unwrap();
    assert!(
        message.contains(":4:1") && message.contains("did you mean `language`"),
        "{message}"
    );
    let marked =
        d.js("return [...document.querySelectorAll('#gutter .bad')].map(e => e.textContent);");
    assert_eq!(marked, json!(["4"]));
    // Clicking the error puts the caret on its line.
    d.click("#problems li.error");
    let caret = d.js("const t = document.getElementById('text'); \
                      return t.value.slice(0, t.selectionStart).split('\\n').length;");
    assert_eq!(caret, json!(4));

    // Fixed: the preview comes back and the error list empties.
    d.js("const t = document.getElementById('text'); \
          t.value = t.value.replace('languag', 'language'); t.dispatchEvent(new Event('input'));");
    d.until(
        "the fixed preview",
        &format!("/1 page/.test({STATUS}) && !document.querySelector('#problems li.error')"),
    );

    // Save under a new name, then download the PDF.
    d.js("document.getElementById('name').value = 'statements/from-browser.md';");
    d.click("#save");
    d.until("the save", &format!("/saved/.test({STATUS})"));
    let saved = dir.join("statements/from-browser.md");
    let typed = d.js("return document.getElementById('text').value;");
    assert_eq!(
        std::fs::read_to_string(&saved).unwrap(),
        typed.as_str().unwrap()
    );

    d.click("#download");
    let pdf = downloads.join("from-browser.pdf");
    wait_for("the download", Duration::from_secs(60), || {
        pdf.exists()
            && std::fs::read_dir(&downloads)
                .unwrap()
                .flatten()
                .all(|e| !e.file_name().to_string_lossy().ends_with(".crdownload"))
    });
    let downloaded = std::fs::read(&pdf).unwrap();
    assert!(
        downloaded == cli_build(&saved, None),
        "download differs from `communique build`"
    );
}

#[test]
fn an_arabic_statement_is_edited_right_to_left_and_keeps_its_crlf() {
    let Some((dir, server, d, _)) = setup("browser-arabic") else {
        return;
    };
    // A copy with CRLF line ends: the editor shows LF, the file keeps CRLF.
    let text = std::fs::read_to_string(dir.join(ARABIC))
        .unwrap()
        .replace('\n', "\r\n");
    std::fs::write(dir.join("statements/crlf-ar.md"), &text).unwrap();
    d.go(&format!("{}#{}", server.url(), "statements%2Fcrlf-ar.md"));
    d.until(
        "the Arabic preview",
        &format!("/page/.test({STATUS}) && {FIRST_PAGE}"),
    );
    assert_eq!(
        d.js("return document.getElementById('text').dir;"),
        json!("rtl")
    );
    if std::env::var_os("SCREENSHOTS").is_some() {
        d.screenshot(&Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/gallery/serve-arabic.png"));
    }
    d.click("#save");
    d.until("the save", &format!("/saved/.test({STATUS})"));
    assert_eq!(
        std::fs::read(dir.join("statements/crlf-ar.md")).unwrap(),
        text.as_bytes(),
        "saving changed the bytes"
    );
}

#[test]
fn the_seed_page_looks_right() {
    let Some((_dir, server, d, _)) = setup("browser-look") else {
        return;
    };
    d.go(&format!("{}#{}", server.url(), SEED.replace('/', "%2F")));
    d.until(
        "the preview",
        &format!("/1 page/.test({STATUS}) && {FIRST_PAGE}"),
    );
    let natural = d.js("const i = document.querySelector('#preview img'); return [i.naturalWidth, i.naturalHeight];");
    // A4 (595.3 x 841.9 pt) at 96 dpi, in whole pixels.
    assert_eq!(natural, json!([793, 1122]));
    if std::env::var_os("SCREENSHOTS").is_some() {
        d.screenshot(&Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/gallery/serve.png"));
    }
}
