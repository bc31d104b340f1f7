//! `communique serve` over HTTP, without a browser: what it builds, what it writes, and what
//! it refuses (paths out of the folder, huge bodies, other origins, missing tokens, slow
//! builds). Browser tests are in tests/browser.rs.

mod serve_support;

use serde_json::json;
use serve_support::{Server, cli_build, workspace};

const SEED: &str = "statements/2020-01-29-copenhagen-political-directors.md";

#[test]
fn the_page_is_served_with_a_token_and_no_network_assets() {
    let dir = workspace("page");
    let server = Server::start(&dir, &[]);
    let page = server.get("/");
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no remote assets"
    );
    assert_eq!(server.token.len(), 32);
    assert!(
        page.header("Content-Security-Policy")
            .unwrap()
            .contains("default-src 'none'")
    );
    assert!(page.header("Access-Control-Allow-Origin").is_none());
}

#[test]
fn the_listing_names_the_folders_statements_and_layouts() {
    let dir = workspace("listing");
    let server = Server::start(&dir, &[]);
    let list = server.api("files", &json!({})).json();
    let statements = list["statements"].as_array().unwrap();
    assert!(statements.iter().any(|s| s == SEED), "{list}");
    assert!(
        list["layouts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l == "layouts/coalition.toml")
    );
}

#[test]
fn a_build_gives_page_images_and_the_pdf_equals_communique_build() {
    let dir = workspace("build");
    let server = Server::start(&dir, &[]);
    let text = std::fs::read_to_string(dir.join(SEED)).unwrap();
    let built = server
        .api(
            "build",
            &json!({"path": SEED, "text": text, "layout": "layouts/coalition.toml"}),
        )
        .json();
    assert_eq!(built["ok"], true, "{built}");
    assert_eq!(built["page_count"], 1);
    let page = built["pages"][0].as_str().unwrap();
    assert!(page.starts_with("data:image/png;base64,"));
    let pdf = server.api(
        "pdf",
        &json!({"path": SEED, "text": text, "layout": "layouts/coalition.toml"}),
    );
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("Content-Type"), Some("application/pdf"));
    let expected = cli_build(&dir.join(SEED), Some(&dir.join("layouts/coalition.toml")));
    assert!(
        pdf.body == expected,
        "the download differs from `communique build`"
    );
}

#[test]
fn errors_come_back_at_their_line_with_the_clis_message() {
    let dir = workspace("errors");
    let server = Server::start(&dir, &[]);
    let text = "+++\ntitle = \"T\"\ndate = 2026-05-14\nlanguag = \"en\"\n+++\nBody.\n";
    let reply = server.api("build", &json!({"path": "statements/x.md", "text": text}));
    assert_eq!(reply.status, 422);
    let d = &reply.json()["diagnostics"][0];
    assert_eq!(d["file"], "statements/x.md");
    assert_eq!(d["line"], 4);
    assert_eq!(d["column"], 1);
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("unknown key `languag`"),
        "{d}"
    );
    assert_eq!(d["hint"], "did you mean `language`?", "{d}");
    // The same words as the command line prints.
    std::fs::write(dir.join("statements/x.md"), text).unwrap();
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_communique"))
        .arg("build")
        .arg(dir.join("statements/x.md"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&cli.stderr);
    assert!(stderr.contains(d["message"].as_str().unwrap()), "{stderr}");
    assert!(stderr.contains(d["hint"].as_str().unwrap()), "{stderr}");
}

#[test]
fn save_writes_the_text_exactly_and_atomically() {
    let dir = workspace("save");
    let server = Server::start(&dir, &[]);
    let text = "**Title**\r\n**Genève, 14 May 2026**\r\n\r\nÜber alles — “quoted”.\r\n";
    let reply = server.api("save", &json!({"path": "statements/new.md", "text": text}));
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        std::fs::read(dir.join("statements/new.md")).unwrap(),
        text.as_bytes()
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.join("statements"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
    let read = server
        .api("file", &json!({"path": "statements/new.md"}))
        .json();
    assert_eq!(read["text"], text);
}

#[test]
fn paths_out_of_the_folder_are_refused_and_nothing_is_written() {
    let dir = workspace("paths");
    let outside = dir.parent().unwrap().join("paths-outside");
    let _ = std::fs::remove_dir_all(&outside);
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.md"), "secret").unwrap();
    std::os::unix::fs::symlink(&outside, dir.join("escape")).unwrap();
    std::os::unix::fs::symlink(outside.join("secret.md"), dir.join("link.md")).unwrap();
    let server = Server::start(&dir, &[]);
    for path in [
        "../paths-outside/secret.md",
        "statements/../../paths-outside/secret.md",
        outside.join("secret.md").to_str().unwrap(),
        "escape/secret.md",
        "link.md",
        ".hidden.md",
    ] {
        let read = server.api("file", &json!({ "path": path }));
        assert!(
            matches!(read.status, 403 | 404),
            "read {path}: {}",
            read.status
        );
        assert!(!read.text().contains("secret\""), "read {path}");
        let save = server.api("save", &json!({"path": path, "text": "overwritten"}));
        assert!(
            matches!(save.status, 403 | 404),
            "save {path}: {}",
            save.status
        );
        let build = server.api("build", &json!({"path": path, "text": "x", "layout": ""}));
        assert!(
            matches!(build.status, 403 | 404),
            "build {path}: {}",
            build.status
        );
    }
    let layout = server.api(
        "build",
        &json!({"path": SEED, "text": "**T**\n\nx", "layout": "../../Cargo.toml"}),
    );
    assert_eq!(layout.status, 403);
    assert_eq!(
        std::fs::read_to_string(outside.join("secret.md")).unwrap(),
        "secret"
    );
    let not_statement = server.api(
        "save",
        &json!({"path": "layouts/coalition.toml", "text": "x"}),
    );
    assert_eq!(not_statement.status, 403);
    assert_ne!(
        std::fs::read_to_string(dir.join("layouts/coalition.toml")).unwrap(),
        "x"
    );
}

#[test]
fn a_50_mb_request_body_is_refused_with_413() {
    let dir = workspace("large");
    let server = Server::start(&dir, &[]);
    let body = vec![b'a'; 50 * 1024 * 1024];
    let reply = server.raw("POST", "/api/save", &server.default_headers(true), &body);
    assert_eq!(reply.status, 413);
    assert!(!dir.join("statements/big.md").exists());
}

#[test]
fn requests_from_other_origins_hosts_or_without_the_token_are_refused() {
    let dir = workspace("origin");
    let server = Server::start(&dir, &[]);
    let save = json!({"path": "statements/evil.md", "text": "x"});
    let body = serde_json::to_vec(&save).unwrap();

    let mut foreign = server.default_headers(true);
    foreign.push(("Origin".into(), "http://evil.example".into()));
    let reply = server.raw("POST", "/api/save", &foreign, &body);
    assert_eq!(reply.status, 403);
    assert!(reply.header("Access-Control-Allow-Origin").is_none());

    let no_token = server.raw("POST", "/api/save", &server.default_headers(false), &body);
    assert_eq!(no_token.status, 403);

    let mut wrong = server.default_headers(false);
    wrong.push(("X-Communique-Token".into(), "0".repeat(32)));
    assert_eq!(server.raw("POST", "/api/save", &wrong, &body).status, 403);

    // DNS rebinding: a page on another name that resolves to 127.0.0.1.
    let mut rebound = server.default_headers(true);
    rebound[0].1 = format!("evil.example:{}", server.port);
    assert_eq!(server.raw("POST", "/api/save", &rebound, &body).status, 421);
    assert_eq!(server.raw("GET", "/", &rebound, b"").status, 421);

    // A CORS preflight gets no permission.
    let mut preflight = server.default_headers(false);
    preflight.push(("Origin".into(), "http://evil.example".into()));
    preflight.push(("Access-Control-Request-Method".into(), "POST".into()));
    let reply = server.raw("OPTIONS", "/api/save", &preflight, b"");
    assert!(reply.status >= 400);
    assert!(reply.header("Access-Control-Allow-Origin").is_none());

    // The page's own origin is fine.
    let mut own = server.default_headers(true);
    own.push((
        "Origin".into(),
        server.url().trim_end_matches('/').to_string(),
    ));
    assert_eq!(server.raw("POST", "/api/save", &own, &body).status, 200);
    assert!(dir.join("statements/evil.md").exists());
}

#[test]
fn a_build_that_takes_too_long_answers_with_an_error_and_work_does_not_pile_up() {
    let dir = workspace("slow");
    let server = Server::start(&dir, &["--timeout", "1"]);
    // About 2,000 pages of text: far more than a second of typesetting.
    let paragraph = "The ministers reaffirmed their commitment to the principles of the \
        charter and agreed to meet again before the end of the year to review progress. ";
    let text = format!(
        "**A very long statement**\n**Geneva, 14 May 2026**\n\n{}",
        (0..6_000)
            .map(|_| paragraph.repeat(6))
            .collect::<Vec<_>>()
            .join("\n\n")
    );
    let request = json!({"path": "statements/slow.md", "text": text});
    let first = server.api("build", &request);
    assert_eq!(first.status, 503, "{}", first.text());
    assert!(
        first.text().contains("took longer than"),
        "{}",
        first.text()
    );
    // The abandoned build still holds its slot: a second slow build may start, the third
    // is refused at once instead of queueing.
    let second = server.api("build", &request);
    let third = server.api("build", &request);
    assert_eq!(second.status, 503);
    assert_eq!(third.status, 503);
    assert!(third.text().contains("busy") || third.text().contains("took longer"));
}
