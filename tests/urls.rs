//! URLs and e-mail addresses break by the Chicago Manual of Style's rule (17th ed., 7.42; issue
//! 17): a line ending inside one ends just before `/ . , - _ ? # % ~ = &` or just after `//`,
//! `:`, `=` or `&`, never with an added hyphen, so that the text layer with its line breaks
//! removed gives each address back exactly. Checked in every bundled layout.

mod common;

use std::path::Path;

use communique::{FontSet, Layout, Options, Statement};

const URLS: &[&str] = &[
    "https://transit-authority.example.org/en/services/cross-border-corridors/schedule.html",
    "https://www.example.org/press/releases/2026/01/20/statement-on-regional-cooperation.html",
    "https://data.example.int/api/v2/search?query=humanitarian-access&region=sahel&page=12#results",
    "https://archive.example.org/~registry/documents/NWC_2026_017/annex_b%20final.pdf",
    "press-office.regional-coordination@ministry-of-foreign-affairs.example.gov",
    "www.long-hyphenated-host-name.example-ministry.org/very/long/path/to/the/document-index",
];

fn statement() -> String {
    let mut body = String::new();
    for (i, url) in URLS.iter().enumerate() {
        // Different amounts of lead text, so that each address meets the end of a line at a
        // different place.
        let lead = "The Working Group publishes its records ".repeat(1 + i % 3);
        body.push_str(&format!("{lead}at {url} for every reader.\n\n"));
    }
    format!("+++\ntitle = \"Addresses\"\ndate = 2026-05-01\n+++\n\n{body}")
}

/// Where a line may end inside `url`, `at` bytes in.
fn allowed(url: &str, at: usize) -> bool {
    let (before, after) = url.split_at(at);
    before.ends_with("//")
        || before.ends_with(':')
        || before.ends_with('=')
        || before.ends_with('&')
        || after.starts_with(['/', '.', ',', '-', '_', '?', '#', '%', '~', '=', '&'])
            && !(after.starts_with("//") || before.ends_with('/') && after.starts_with('/'))
}

#[test]
fn urls_break_only_where_chicago_allows_and_extract_whole() {
    if !common::require_pdftotext() {
        return;
    }
    let text = statement();
    let statement = Statement::parse(Path::new("urls.md"), text.as_bytes()).expect("statement");
    let dir = common::fresh_dir("urls");
    let mut breaks_inside = 0;
    for layout_path in common::layouts() {
        let layout = Layout::load(&layout_path).expect("layout");
        let fonts = FontSet::load(&layout).expect("fonts");
        let rendered =
            communique::render(&statement, &layout, &fonts, &Options::default()).expect("renders");
        let name = common::stem(&layout_path);
        let pdf = dir.join(format!("{name}.pdf"));
        std::fs::write(&pdf, &rendered.pdf).expect("write");
        let extracted = common::pdftotext_raw(&pdf).expect("pdftotext");
        // The text with line breaks removed, and where each break was.
        let mut joined = String::new();
        let mut line_ends = Vec::new();
        for line in extracted.lines() {
            joined.push_str(line);
            line_ends.push(joined.len());
        }
        for url in URLS {
            let Some(start) = joined.find(url) else {
                panic!("{name}: `{url}` is not in the text with line breaks removed:\n{extracted}");
            };
            for &end in &line_ends {
                if end > start && end < start + url.len() {
                    breaks_inside += 1;
                    assert!(
                        allowed(url, end - start),
                        "{name}: a line ends inside `{url}` after `{}`",
                        &url[..end - start]
                    );
                }
            }
        }
    }
    assert!(
        breaks_inside >= 4,
        "only {breaks_inside} lines end inside an address: the test checks too little"
    );
}

#[test]
fn the_rule_itself() {
    let url = "https://a.org/b-c?d=e";
    assert!(allowed(url, "https:".len()));
    assert!(allowed(url, "https://".len()));
    assert!(!allowed(url, "https:/".len()));
    assert!(allowed(url, "https://a".len()));
    assert!(allowed(url, "https://a.org".len()));
    assert!(!allowed(url, "https://a.org/b-".len()));
    assert!(allowed(url, "https://a.org/b".len()));
    assert!(allowed(url, "https://a.org/b-c?d".len()));
    assert!(allowed(url, "https://a.org/b-c?d=".len()));
    assert!(!allowed(url, "https://a.org/b-c?d=e"[..10].len() + 1));
}

#[test]
fn a_broken_link_has_an_annotation_per_piece_each_with_the_whole_target() {
    if !common::require_qpdf() {
        return;
    }
    let url = URLS[0];
    let text = format!(
        "+++\ntitle = \"Link\"\ndate = 2026-05-01\n+++\n\nThe Working Group publishes its \
         records at <{url}> for every reader.\n"
    );
    let statement = Statement::parse(Path::new("link.md"), text.as_bytes()).expect("statement");
    let layout = Layout::builtin();
    let fonts = FontSet::load(&layout).expect("fonts");
    let rendered =
        communique::render(&statement, &layout, &fonts, &Options::default()).expect("renders");
    let dir = common::fresh_dir("urls-link");
    let (pdf, qdf) = (dir.join("link.pdf"), dir.join("link-qdf.pdf"));
    std::fs::write(&pdf, &rendered.pdf).expect("write");
    let status = std::process::Command::new("qpdf")
        .args(["--qdf", "--object-streams=disable"])
        .arg(&pdf)
        .arg(&qdf)
        .status()
        .expect("qpdf runs");
    assert!(status.success());
    let bytes = std::fs::read(&qdf).expect("read");
    let text = String::from_utf8_lossy(&bytes);
    let targets: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("/URI ("))
        .collect();
    assert!(targets.len() >= 2, "the link is not broken: {targets:?}");
    for t in &targets {
        assert_eq!(t.trim_end_matches(')'), url);
    }
}
