//! The real binary on bad and good input: every kind of bad input gives the documented exit
//! code, a message that names the file, the place (line:column) and what was expected, and
//! writes nothing: the output folder stays empty, with no temporary files.

mod common;

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use tempfile::TempDir;

/// A hang guard for every run; a normal run takes well under a second.
const TIMEOUT: Duration = Duration::from_secs(60);

const INVALID: i32 = 2;
const IO: i32 = 3;

/// A scratch folder with input files and an empty `out/` folder; the binary runs inside it.
struct Scratch {
    dir: TempDir,
    inputs: Vec<String>,
}

impl Scratch {
    fn new() -> Scratch {
        let dir = tempfile::Builder::new()
            .prefix("communique-cli-")
            .tempdir()
            .expect("temp dir");
        std::fs::create_dir(dir.path().join("out")).expect("create out/");
        Scratch {
            dir,
            inputs: vec!["out".into()],
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes an input file (relative path) and remembers it as expected.
    fn file(&mut self, name: &str, bytes: impl AsRef<[u8]>) -> &mut Self {
        let path = self.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, bytes).unwrap();
        self.inputs.push(top_level(name));
        self
    }

    fn folder(&mut self, name: &str) -> &mut Self {
        std::fs::create_dir_all(self.path().join(name)).unwrap();
        self.inputs.push(top_level(name));
        self
    }

    fn command(&self) -> Command {
        let mut cmd = Command::cargo_bin("communique").expect("the communique binary");
        cmd.current_dir(self.path())
            .env_remove("SOURCE_DATE_EPOCH")
            .timeout(TIMEOUT);
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("run communique")
    }

    /// `build STATEMENT [extra...] -o out/result.pdf`.
    fn build(&self, statement: &str, extra: &[&str]) -> Output {
        let mut args = vec!["build", statement];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["-o", "out/result.pdf"]);
        self.run(&args)
    }

    /// Nothing was written: `out/` is empty and the folder holds only the inputs.
    fn assert_nothing_written(&self) {
        let out = listing(&self.path().join("out"));
        assert!(out.is_empty(), "files were written to out/: {out:?}");
        let mut top = listing(self.path());
        let mut expected = self.inputs.clone();
        top.sort();
        expected.sort();
        expected.dedup();
        assert_eq!(top, expected, "the folder holds files that were not inputs");
    }
}

fn top_level(name: &str) -> String {
    name.split('/').next().unwrap().to_string()
}

/// File names in a folder, hidden ones included.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The run failed with `code`, printed nothing on stdout, and its message contains each of
/// `needles`. Returns the message.
fn assert_fails(out: &Output, code: i32, needles: &[&str]) -> String {
    let err = stderr(out);
    assert_eq!(
        out.status.code(),
        Some(code),
        "expected exit code {code}, got {:?}; stderr:\n{err}",
        out.status
    );
    assert!(
        out.stdout.is_empty(),
        "nothing should go to stdout on error"
    );
    assert!(
        err.starts_with("error: "),
        "message should start with `error: `:\n{err}"
    );
    for n in needles {
        assert!(err.contains(n), "message should contain `{n}`:\n{err}");
    }
    err
}

/// The (line, column) pairs of every `file:line:col:` the message names.
fn locations(message: &str, file: &str) -> Vec<(usize, usize)> {
    let prefix = format!("{file}:");
    message
        .lines()
        .map(|l| l.strip_prefix("error: ").unwrap_or(l))
        .filter_map(|l| {
            let rest = l.strip_prefix(&prefix)?;
            let mut parts = rest.splitn(3, ':');
            let line = parts.next()?.parse().ok()?;
            let col = parts.next()?.parse().ok()?;
            Some((line, col))
        })
        .collect()
}

fn assert_location(message: &str, file: &str, line: usize, col: Option<usize>) {
    let locs = locations(message, file);
    assert!(
        locs.iter()
            .any(|&(l, c)| l == line && col.is_none_or(|col| c == col)),
        "message should name {file}:{line}{}, it names {locs:?}:\n{message}",
        col.map_or(String::new(), |c| format!(":{c}"))
    );
}

const GOOD_BODY: &str =
    "**A Statement on Testing**\n**Geneva, 14 May 2026**\n\nThe ministers met.\n";

fn seed() -> Vec<u8> {
    std::fs::read(common::seed_statement()).unwrap()
}

// ------------------------------------------------------------------ reading the statement

#[test]
fn missing_statement_file() {
    let s = Scratch::new();
    let out = s.build("missing.md", &[]);
    assert_fails(&out, IO, &["missing.md", "cannot read"]);
    s.assert_nothing_written();
}

#[test]
fn a_directory_given_as_the_statement() {
    let mut s = Scratch::new();
    s.folder("folder.md");
    let out = s.build("folder.md", &[]);
    assert_fails(&out, IO, &["folder.md", "cannot read"]);
    s.assert_nothing_written();
}

#[test]
fn empty_statement() {
    let mut s = Scratch::new();
    s.file("empty.md", "");
    let out = s.build("empty.md", &[]);
    let msg = assert_fails(&out, INVALID, &["empty", "expected a title"]);
    assert_location(&msg, "empty.md", 1, Some(1));
    s.assert_nothing_written();
}

#[test]
fn whitespace_only_statement() {
    let mut s = Scratch::new();
    s.file("blank.md", "  \n\t\n   \r\n\n");
    let out = s.build("blank.md", &[]);
    let msg = assert_fails(&out, INVALID, &["empty", "expected a title"]);
    assert_location(&msg, "blank.md", 1, Some(1));
    s.assert_nothing_written();
}

#[test]
fn invalid_utf8_names_byte_offset_and_line() {
    let mut s = Scratch::new();
    let bytes = b"**Title**\n\nab\ncd \xFF x\n";
    let offset = bytes.iter().position(|&b| b == 0xFF).unwrap();
    s.file("latin1.md", bytes);
    let out = s.build("latin1.md", &[]);
    let msg = assert_fails(&out, INVALID, &[&format!("byte offset {offset}"), "UTF-8"]);
    assert_location(&msg, "latin1.md", 4, Some(4));
    s.assert_nothing_written();
}

#[test]
fn control_characters_name_line_and_column() {
    let mut s = Scratch::new();
    s.file(
        "ctl.md",
        "**Title**\n\nab\u{0}c\u{7} d\u{1B}\n\nok \u{7F}\n",
    );
    let out = s.build("ctl.md", &[]);
    let msg = assert_fails(&out, INVALID, &["U+0000", "U+0007", "U+001B", "U+007F"]);
    assert_location(&msg, "ctl.md", 3, Some(3));
    assert_location(&msg, "ctl.md", 3, Some(5));
    assert_location(&msg, "ctl.md", 3, Some(8));
    assert_location(&msg, "ctl.md", 5, Some(4));
    s.assert_nothing_written();
}

#[test]
fn unterminated_front_matter() {
    let mut s = Scratch::new();
    s.file("open.md", "+++\ntitle = \"A title\"\n\nThe body.\n");
    let out = s.build("open.md", &[]);
    let msg = assert_fails(&out, INVALID, &["never closed", "`+++`"]);
    assert_location(&msg, "open.md", 1, Some(1));
    s.assert_nothing_written();
}

#[test]
fn toml_syntax_error_in_front_matter_is_placed_in_the_statement_file() {
    let mut s = Scratch::new();
    // Line 5 of the file, line 4 of the TOML.
    s.file(
        "syntax.md",
        "+++\ntitle = \"A title\"\nlanguage = \"en\"\n# a comment\ndate = = 2026-05-14\n+++\n\nBody.\n",
    );
    let out = s.build("syntax.md", &[]);
    let msg = assert_fails(&out, INVALID, &["TOML syntax error"]);
    assert_location(&msg, "syntax.md", 5, Some(8));
    s.assert_nothing_written();
}

#[test]
fn wrong_types_in_front_matter_are_all_reported() {
    let mut s = Scratch::new();
    s.file(
        "types.md",
        "+++\ntitle = 5\nkeywords = \"one\"\ndate = \"2026-05-14\"\n+++\n\nBody.\n",
    );
    let out = s.build("types.md", &[]);
    let msg = assert_fails(
        &out,
        INVALID,
        &[
            "`title` must be a string, found an integer",
            "`keywords` must be an array of strings",
            "`date` must be a TOML date",
        ],
    );
    assert_location(&msg, "types.md", 2, Some(9));
    assert_location(&msg, "types.md", 3, Some(12));
    assert_location(&msg, "types.md", 4, Some(8));
    s.assert_nothing_written();
}

#[test]
fn unknown_front_matter_key_suggests_the_right_one() {
    let mut s = Scratch::new();
    s.file(
        "unknown.md",
        "+++\ntitle = \"A title\"\nsubtitel = \"A subtitle\"\n+++\n\nBody.\n",
    );
    let out = s.build("unknown.md", &[]);
    let msg = assert_fails(
        &out,
        INVALID,
        &["unknown key `subtitel`", "did you mean `subtitle`?"],
    );
    assert_location(&msg, "unknown.md", 3, Some(1));
    s.assert_nothing_written();
}

#[test]
fn missing_title_in_front_matter() {
    let mut s = Scratch::new();
    s.file(
        "untitled.md",
        "+++\nsubtitle = \"A subtitle\"\n+++\n\nBody.\n",
    );
    let out = s.build("untitled.md", &[]);
    let msg = assert_fails(&out, INVALID, &["no title", "title = \""]);
    assert!(!locations(&msg, "untitled.md").is_empty(), "{msg}");
    s.assert_nothing_written();
}

#[test]
fn missing_title_in_plain_text() {
    let mut s = Scratch::new();
    s.file("plain.md", "Just a paragraph, no bold title.\n\nAnother.\n");
    let out = s.build("plain.md", &[]);
    let msg = assert_fails(&out, INVALID, &["no title", "**Title**"]);
    assert_location(&msg, "plain.md", 1, Some(1));
    s.assert_nothing_written();
}

// ------------------------------------------------------------------ the layout

fn with_layout(layout: &str) -> (Scratch, Output) {
    let mut s = Scratch::new();
    s.file("statement.md", GOOD_BODY);
    s.file("layout.toml", layout);
    let out = s.build("statement.md", &["--layout", "layout.toml"]);
    (s, out)
}

#[test]
fn layout_toml_syntax_error() {
    let (s, out) = with_layout("[page]\nsize = \"A4\"\nmargins = { top = \"1mm\"\n");
    let msg = assert_fails(&out, INVALID, &["TOML syntax error"]);
    assert_location(&msg, "layout.toml", 3, None);
    s.assert_nothing_written();
}

#[test]
fn layout_wrong_types_are_all_reported() {
    let (s, out) = with_layout(
        "[page]\nsize = 4\n\n[body]\nsize = true\njustify = \"yes\"\nwidows = \"2\"\n\n[footer]\ntext = 3\n",
    );
    let msg = assert_fails(
        &out,
        INVALID,
        &[
            "`page.size` must be",
            "`body.size` must be a string, found a boolean",
            "`body.justify` must be true or false, found a string",
            "`body.widows` must be an integer, found a string",
            "`footer.text` must be a string, found an integer",
        ],
    );
    for (line, col) in [(2, 8), (5, 8), (6, 11), (7, 10), (10, 8)] {
        assert_location(&msg, "layout.toml", line, Some(col));
    }
    s.assert_nothing_written();
}

#[test]
fn layout_unknown_keys_suggest_the_right_ones() {
    let (s, out) = with_layout("[body]\nsise = \"11pt\"\n\n[titel]\nsize = \"14pt\"\n");
    let msg = assert_fails(
        &out,
        INVALID,
        &[
            "unknown key `sise` in [body]",
            "did you mean `size`?",
            "unknown key `titel`",
            "did you mean `title`?",
        ],
    );
    assert_location(&msg, "layout.toml", 2, Some(1));
    assert_location(&msg, "layout.toml", 4, None);
    s.assert_nothing_written();
}

#[test]
fn margins_that_leave_no_room() {
    let (s, out) = with_layout(
        "# margins larger than the page\n[page]\nsize = \"A4\"\nmargins = { top = \"150mm\", bottom = \"150mm\", left = \"25mm\", right = \"25mm\" }\n",
    );
    let msg = assert_fails(&out, INVALID, &["margins leave no room"]);
    // The [page] table or its `margins` key.
    let locs = locations(&msg, "layout.toml");
    assert!(
        locs.iter().any(|&(l, _)| l == 2 || l == 4),
        "message should point at [page] (line 2) or margins (line 4), it names {locs:?}:\n{msg}"
    );
    s.assert_nothing_written();
}

#[test]
fn negative_margins() {
    let (s, out) = with_layout("[page]\nmargins = { top = \"-5mm\", left = \"-1in\" }\n");
    let msg = assert_fails(
        &out,
        INVALID,
        &["page.margins.top", "page.margins.left", "zero or more"],
    );
    assert_location(&msg, "layout.toml", 2, Some(19));
    assert_location(&msg, "layout.toml", 2, Some(34));
    s.assert_nothing_written();
}

#[test]
fn missing_layout_file() {
    let mut s = Scratch::new();
    s.file("statement.md", GOOD_BODY);
    let out = s.build("statement.md", &["--layout", "nope.toml"]);
    assert_fails(&out, IO, &["nope.toml", "cannot read"]);
    s.assert_nothing_written();
}

#[test]
fn font_path_that_does_not_exist() {
    let (s, out) = with_layout("# fonts\n\n[fonts]\nregular = \"fonts/Missing-Regular.ttf\"\n");
    // A font that cannot be read is "a file cannot be read" (3), as a missing layout is.
    let msg = assert_fails(&out, IO, &["cannot read font", "Missing-Regular.ttf"]);
    // The message points at the `regular = ...` line, where the path is written.
    assert_location(&msg, "layout.toml", 4, None);
    s.assert_nothing_written();
}

#[test]
fn font_path_that_is_not_a_font() {
    let mut s = Scratch::new();
    s.file("statement.md", GOOD_BODY);
    s.file("fonts/NotAFont.ttf", "this is text, not a font\n");
    s.file(
        "layout.toml",
        "# fonts\n\n[fonts]\nbold = \"fonts/NotAFont.ttf\"\n",
    );
    let out = s.build("statement.md", &["--layout", "layout.toml"]);
    let msg = assert_fails(
        &out,
        INVALID,
        &["NotAFont.ttf", "is not a TrueType or OpenType font"],
    );
    assert_location(&msg, "layout.toml", 4, None);
    s.assert_nothing_written();
}

// ------------------------------------------------------------------ typesetting

fn undrawable(ch: char) {
    let mut s = Scratch::new();
    s.file(
        "glyph.md",
        format!("**Title**\n**Geneva, 14 May 2026**\n\nHello {ch} world.\n"),
    );
    let out = s.build("glyph.md", &[]);
    let code = format!("U+{:04X}", ch as u32);
    let msg = assert_fails(
        &out,
        INVALID,
        &[&code, "fonts tried", "TeX Gyre Termes", "Noto Serif"],
    );
    assert_location(&msg, "glyph.md", 4, Some(7));
    s.assert_nothing_written();
}

#[test]
fn emoji_no_font_can_draw() {
    undrawable('\u{1F600}');
}

#[test]
fn egyptian_hieroglyph_no_font_can_draw() {
    undrawable('\u{13000}');
}

#[test]
fn undrawable_character_in_the_layout_letterhead_names_the_layout_line() {
    let (s, out) = with_layout("# letterhead\n\n[letterhead]\nlines = [\"MINISTRY \u{1F600}\"]\n");
    let msg = assert_fails(&out, INVALID, &["U+1F600", "fonts tried"]);
    assert_location(&msg, "layout.toml", 4, None);
    s.assert_nothing_written();
}

#[test]
fn undrawable_character_in_the_footer_or_header_names_the_layout_line() {
    let (s, out) =
        with_layout("# footer\n\n[footer]\nsize = \"9pt\"\ntext = \"Page {page} \u{1F600}\"\n");
    let msg = assert_fails(&out, INVALID, &["U+1F600", "fonts tried"]);
    assert_location(&msg, "layout.toml", 5, None);
    s.assert_nothing_written();
    // The continuation header of pages 2 and later is checked on a one-page statement too.
    let (s, out) = with_layout("[continuation]\ntext = \"\u{13000} {page}\"\n");
    let msg = assert_fails(&out, INVALID, &["U+13000", "fonts tried"]);
    assert_location(&msg, "layout.toml", 2, None);
    s.assert_nothing_written();
}

/// 60,000 words of varied prose in one paragraph.
fn long_paragraph(words: usize) -> String {
    let source =
        std::fs::read_to_string(common::root().join("statements/2024-06-05-form-a-ministerial.md"))
            .unwrap();
    let vocabulary: Vec<&str> = source
        .split_whitespace()
        .filter(|w| !w.contains('*'))
        .collect();
    let mut text = String::from("**A Very Long Statement**\n**Geneva, 14 May 2026**\n\n");
    // A fixed pseudo-random walk through the vocabulary (no rand dependency, same every run).
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..words {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if i > 0 {
            text.push(' ');
        }
        text.push_str(vocabulary[(x % vocabulary.len() as u64) as usize]);
    }
    text.push_str(".\n");
    text
}

#[test]
fn sixty_thousand_word_paragraph_finishes_in_bounded_time_on_many_pages() {
    let mut s = Scratch::new();
    let text = long_paragraph(60_000);
    s.file("long.md", &text);
    let started = Instant::now();
    let out = s.build("long.md", &[]);
    let elapsed = started.elapsed();
    eprintln!("60,000 words: {elapsed:?}");
    assert!(
        out.status.success(),
        "the long statement should build ({:?} after {elapsed:?}):\n{}",
        out.status,
        stderr(&out)
    );
    let pdf = std::fs::read(s.path().join("out/result.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // pdfinfo when it is there; otherwise the library (the same pipeline, but a second render).
    let pages = common::pdfinfo_pages(&s.path().join("out/result.pdf")).unwrap_or_else(|| {
        let statement = common::load_statement(&s.path().join("long.md"));
        let layout = communique::Layout::builtin();
        let fonts = common::load_fonts(&layout);
        communique::render(&statement, &layout, &fonts, &communique::Options::default())
            .unwrap()
            .pages
    });
    assert!(pages > 50, "60,000 words on only {pages} pages");
}

#[test]
fn deeply_nested_quotes_are_refused_cleanly() {
    let mut s = Scratch::new();
    s.file(
        "deep.md",
        format!(
            "**Title**\n**Geneva, 14 May 2026**\n\n{} too deep\n",
            ">".repeat(5_000)
        ),
    );
    let out = s.build("deep.md", &[]);
    let msg = assert_fails(&out, INVALID, &["nested more than", "levels deep"]);
    assert!(
        msg.contains(&communique::statement::MAX_NESTING.to_string()),
        "message should name the limit:\n{msg}"
    );
    assert!(!locations(&msg, "deep.md").is_empty(), "{msg}");
    s.assert_nothing_written();
}

#[test]
fn deeply_nested_lists_are_refused_cleanly() {
    let mut s = Scratch::new();
    s.file(
        "lists.md",
        format!(
            "**Title**\n**Geneva, 14 May 2026**\n\n{}item\n",
            "- ".repeat(5_000)
        ),
    );
    let out = s.build("lists.md", &[]);
    let msg = assert_fails(&out, INVALID, &["nested more than", "levels deep"]);
    assert!(!locations(&msg, "lists.md").is_empty(), "{msg}");
    s.assert_nothing_written();
}

// ------------------------------------------------------------------ where output goes

#[test]
fn dash_output_writes_the_pdf_to_stdout() {
    let mut s = Scratch::new();
    s.file("statement.md", GOOD_BODY);
    let out = s.run(&["build", "statement.md", "-o", "-"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.starts_with(b"%PDF-"), "stdout is not a PDF");
    assert!(out.stdout.ends_with(b"%%EOF") || out.stdout.ends_with(b"%%EOF\n"));
    s.assert_nothing_written();
}

#[test]
fn without_output_the_pdf_lands_beside_the_statement() {
    let mut s = Scratch::new();
    s.file("press/release.md", GOOD_BODY);
    let out = s.run(&["build", "press/release.md"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert_eq!(
        listing(&s.path().join("press")),
        ["release.md", "release.pdf"],
        "only the PDF beside the statement, no temporary files"
    );
    let pdf = std::fs::read(s.path().join("press/release.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    s.assert_nothing_written();
}

#[test]
fn a_failed_build_leaves_an_existing_output_untouched() {
    let mut s = Scratch::new();
    s.file("bad.md", "");
    s.file("old.pdf", "old content");
    let out = s.run(&["build", "bad.md", "-o", "old.pdf"]);
    assert_fails(&out, INVALID, &["bad.md"]);
    assert_eq!(
        std::fs::read(s.path().join("old.pdf")).unwrap(),
        b"old content"
    );
    s.assert_nothing_written();
}

#[test]
fn output_into_a_missing_folder_fails_without_leftovers() {
    let mut s = Scratch::new();
    s.file("statement.md", GOOD_BODY);
    let out = s.run(&["build", "statement.md", "-o", "no/such/folder/x.pdf"]);
    assert_fails(&out, IO, &["cannot write", "x.pdf"]);
    s.assert_nothing_written();
}

#[test]
fn output_onto_a_folder_writes_the_statement_name_inside_it() {
    let mut s = Scratch::new();
    s.file("statement.md", GOOD_BODY);
    for dir in ["out", "out/", "."] {
        let out = s.run(&["build", "statement.md", "-o", dir]);
        assert!(out.status.success(), "-o {dir}: {}", stderr(&out));
        let written = s.path().join(dir).join("statement.pdf");
        assert!(
            std::fs::read(&written).unwrap().starts_with(b"%PDF-"),
            "-o {dir}"
        );
        std::fs::remove_file(written).unwrap();
    }
    s.assert_nothing_written();
}

#[test]
fn output_into_a_folder_that_does_not_exist_says_so() {
    let mut s = Scratch::new();
    s.file("statement.md", GOOD_BODY);
    let out = s.run(&["build", "statement.md", "-o", "nowhere/"]);
    assert_fails(&out, IO, &["nowhere/", "no such folder"]);
    s.assert_nothing_written();
}

#[test]
fn output_onto_the_statement_is_refused_and_the_statement_kept() {
    let mut s = Scratch::new();
    s.file("statement.md", GOOD_BODY);
    for o in ["statement.md", "./statement.md", "out/../statement.md"] {
        let out = s.run(&["build", "statement.md", "-o", o]);
        assert_fails(&out, INVALID, &["it is the statement"]);
        assert_eq!(
            std::fs::read_to_string(s.path().join("statement.md")).unwrap(),
            GOOD_BODY
        );
    }
    // Without -o the output is beside the statement, a different file.
    s.assert_nothing_written();
}

#[test]
fn output_onto_the_layout_a_font_or_an_image_is_refused() {
    let mut s = Scratch::new();
    let font = common::root().join("fonts");
    let regular = std::fs::read_dir(&font)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "otf" || e == "ttf"))
        .expect("a bundled font file");
    s.file("font.otf", std::fs::read(&regular).unwrap());
    s.file(
        "sig.jpg",
        std::fs::read(common::root().join("tests/layouts_assets/sig.jpg")).unwrap(),
    );
    s.file("layout.toml", "[fonts]\nregular = \"font.otf\"\n");
    s.file(
        "statement.md",
        "+++\ntitle = \"T\"\ndate = 2026-05-14\n[[signatories]]\nname = \"A\"\n\
         image = \"sig.jpg\"\nimage_alt = \"Signature of A\"\n+++\nText.\n",
    );
    for (o, what) in [
        ("layout.toml", "the layout"),
        ("font.otf", "the font"),
        ("sig.jpg", "the signature image"),
    ] {
        let before = std::fs::read(s.path().join(o)).unwrap();
        let out = s.run(&["build", "statement.md", "--layout", "layout.toml", "-o", o]);
        assert_fails(&out, INVALID, &[what]);
        assert_eq!(std::fs::read(s.path().join(o)).unwrap(), before, "{o}");
    }
    s.assert_nothing_written();
}

fn is_char_device(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_char_device())
}

#[test]
fn output_to_dev_null_leaves_it_a_character_device() {
    let dev_null = Path::new("/dev/null");
    assert!(
        is_char_device(dev_null),
        "/dev/null is not a character device"
    );
    let mut s = Scratch::new();
    s.file("statement.md", GOOD_BODY);
    let out = s.run(&["build", "statement.md", "-o", "/dev/null"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // As root (CI), a rename would have replaced the device with a regular file.
    assert!(is_char_device(dev_null), "/dev/null was replaced");
    s.assert_nothing_written();
}

#[test]
fn output_to_dev_stdout_writes_through_the_link_to_standard_output() {
    let mut s = Scratch::new();
    s.file("statement.md", GOOD_BODY);
    // /dev/stdout is a link into /proc whose target names a pipe, not a path.
    let out = s.run(&["build", "statement.md", "-o", "/dev/stdout"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.starts_with(b"%PDF-"), "stdout is not a PDF");
    s.assert_nothing_written();
}

#[test]
fn output_to_dev_full_fails_as_a_write_error_and_leaves_the_device() {
    let dev_full = Path::new("/dev/full");
    if !is_char_device(dev_full) {
        eprintln!("SKIPPED: no /dev/full on this system");
        return;
    }
    let mut s = Scratch::new();
    s.file("statement.md", GOOD_BODY);
    let out = s.run(&["build", "statement.md", "-o", "/dev/full"]);
    assert_fails(&out, IO, &["cannot write /dev/full"]);
    assert!(is_char_device(dev_full), "/dev/full was replaced");
    s.assert_nothing_written();
}

#[test]
fn output_to_a_fifo_is_written_through_to_its_reader() {
    use std::os::unix::fs::FileTypeExt;
    let mut s = Scratch::new();
    s.file("statement.md", GOOD_BODY);
    let fifo = s.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo (coreutils)");
    assert!(made.success());
    s.inputs.push("pipe".into());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let out = s.run(&["build", "statement.md", "-o", "pipe"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let read = reader.join().unwrap();
    assert!(read.starts_with(b"%PDF-"), "the reader got no PDF");
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo(),
        "the FIFO was replaced"
    );
    s.assert_nothing_written();
}

#[test]
fn output_through_a_symlink_replaces_its_target_and_keeps_the_link() {
    let mut s = Scratch::new();
    s.file("statement.md", GOOD_BODY);
    s.file("out/real.pdf", "old");
    std::os::unix::fs::symlink("out/real.pdf", s.path().join("link.pdf")).unwrap();
    s.inputs.push("link.pdf".into());
    let out = s.run(&["build", "statement.md", "-o", "link.pdf"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let link = std::fs::symlink_metadata(s.path().join("link.pdf")).unwrap();
    assert!(link.file_type().is_symlink(), "the link was replaced");
    let pdf = std::fs::read(s.path().join("out/real.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "the target was not written");
    assert_eq!(listing(&s.path().join("out")), ["real.pdf"], "no leftovers");
}

#[test]
fn a_missing_image_is_a_file_that_cannot_be_read() {
    let mut s = Scratch::new();
    s.file(
        "statement.md",
        "+++\ntitle = \"T\"\ndate = 2026-05-14\n[[signatories]]\nname = \"A\"\n\
         image = \"missing.png\"\nimage_alt = \"Signature of A\"\n+++\nText.\n",
    );
    let out = s.build("statement.md", &[]);
    let msg = assert_fails(&out, IO, &["missing.png", "no such file"]);
    assert_location(&msg, "statement.md", 6, None);
    s.assert_nothing_written();
}

#[test]
fn invalid_source_date_epoch_is_refused() {
    let mut s = Scratch::new();
    s.file("statement.md", GOOD_BODY);
    let out = s
        .command()
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .args(["build", "statement.md", "-o", "out/result.pdf"])
        .output()
        .unwrap();
    assert_fails(&out, INVALID, &["SOURCE_DATE_EPOCH", "yesterday"]);
    s.assert_nothing_written();
}

// ------------------------------------------------------------------ help and the happy path

/// Every `-x, --option` line of a long `--help` is followed by its description.
fn undocumented_options(help: &str) -> Vec<String> {
    let lines: Vec<&str> = help.lines().collect();
    let mut bad = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let is_item = (trimmed.starts_with('-') || trimmed.starts_with('<'))
            && line.len() - trimmed.len() <= 6;
        if !is_item {
            continue;
        }
        let indent = line.len() - trimmed.len();
        let described = lines.get(i + 1).is_some_and(|next| {
            let t = next.trim_start();
            !t.is_empty() && next.len() - t.len() > indent
        });
        if !described {
            bad.push(trimmed.to_string());
        }
    }
    bad
}

#[test]
fn help_mentions_every_command_and_option() {
    let s = Scratch::new();
    let out = s.run(&["--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout).into_owned();
    for needle in ["build", "--help", "--version"] {
        assert!(
            help.contains(needle),
            "--help should mention `{needle}`:\n{help}"
        );
    }
    // Every subcommand it lists has a one-line description and a working --help whose
    // options are all described.
    let commands: Vec<String> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            let name = parts.next()?.to_string();
            assert!(
                parts.next().is_some(),
                "command `{name}` has no description"
            );
            (name != "help").then_some(name)
        })
        .collect();
    assert!(commands.contains(&"build".to_string()), "{help}");
    for command in &commands {
        let out = s.run(&[command, "--help"]);
        assert!(out.status.success(), "{command} --help failed");
        let sub = String::from_utf8_lossy(&out.stdout);
        let bad = undocumented_options(&sub);
        assert!(
            bad.is_empty(),
            "{command} --help: no description for {bad:?}:\n{sub}"
        );
    }

    let out = s.run(&["build", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "<STATEMENT>",
        "--layout",
        "-l,",
        "--output",
        "-o,",
        "`-`",
        "--pdfa",
        "a-1b",
        "a-2a",
        "a-2b",
        "a-2u",
        "a-3a",
        "--help",
        "Exit status",
    ] {
        assert!(
            help.contains(needle),
            "build --help should mention `{needle}`:\n{help}"
        );
    }
}

// ------------------------------------------------------------------ bundled layouts by name

#[test]
fn layouts_lists_every_bundled_layout_with_a_description() {
    let s = Scratch::new();
    let out = s.run(&["layouts"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let names: Vec<&str> = text
        .lines()
        .map(|l| {
            let mut parts = l.split_whitespace();
            let name = parts.next().unwrap();
            assert!(parts.next().is_some(), "no description: {l}");
            name
        })
        .collect();
    let mut files: Vec<String> = common::layouts().iter().map(|p| common::stem(p)).collect();
    files.sort();
    let mut listed: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    listed.sort();
    assert_eq!(
        listed, files,
        "every layouts/*.toml is bundled, and only those"
    );
}

#[test]
fn layout_by_bundled_name_gives_the_same_bytes_as_the_file() {
    let s = Scratch::new();
    let seed = common::seed_statement();
    for layout in common::layouts() {
        let name = common::stem(&layout);
        let run = |l: &str| {
            let out = s
                .command()
                .arg("build")
                .arg(&seed)
                .args(["--layout", l, "-o", "-"])
                .output()
                .unwrap();
            assert!(out.status.success(), "--layout {l}: {}", stderr(&out));
            out.stdout
        };
        // Run from an empty folder: the name must not depend on layouts/ being there.
        assert!(
            run(&name) == run(layout.to_str().unwrap()),
            "--layout {name} differs from {}",
            layout.display()
        );
    }
}

#[test]
fn an_unknown_layout_name_lists_the_bundled_ones() {
    let mut s = Scratch::new();
    s.file("statement.md", GOOD_BODY);
    let out = s.build("statement.md", &["--layout", "coalitoin"]);
    assert_fails(&out, IO, &["coalitoin", "bundled: default, coalition"]);
    s.assert_nothing_written();
}

#[test]
fn an_existing_file_wins_over_a_bundled_name() {
    let mut s = Scratch::new();
    s.file("statement.md", GOOD_BODY);
    s.file("memo", "[page]\nsize = \"Bogus\"\n");
    let out = s.build("statement.md", &["--layout", "memo"]);
    assert_fails(&out, INVALID, &["memo:2:"]);
}

#[test]
fn seed_statement_with_the_default_layout_as_pdfa_1b() {
    let mut s = Scratch::new();
    s.file("seed.md", seed());
    let out = s.run(&["build", "seed.md", "--pdfa", "a-1b", "-o", "out/seed.pdf"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("error"), "{}", stderr(&out));
    assert_eq!(listing(&s.path().join("out")), ["seed.pdf"]);
    let pdf = std::fs::read(s.path().join("out/seed.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-1.4"), "PDF/A-1b is PDF 1.4");
    assert!(
        pdf.windows(b"pdfaid:part".len())
            .any(|w| w == b"pdfaid:part"),
        "the XMP metadata claims PDF/A"
    );
}

#[test]
fn every_bundled_statement_builds_with_every_layout() {
    let s = Scratch::new();
    for statement in common::statements() {
        for layout in common::layouts() {
            let out = s
                .command()
                .arg("build")
                .arg(&statement)
                .arg("--layout")
                .arg(&layout)
                .args(["-o", "-"])
                .output()
                .unwrap();
            assert!(
                out.status.success() && out.stdout.starts_with(b"%PDF-"),
                "{} with {}: {:?}\n{}",
                statement.display(),
                layout.display(),
                out.status,
                stderr(&out)
            );
        }
    }
}

#[test]
fn pdftotext_reads_an_arabic_statement_in_logical_order() {
    if !common::require_pdftotext() {
        return;
    }
    let s = Scratch::new();
    let statement = common::root().join("statements/2026-04-14-bayan-ar.md");
    let out = s.build(statement.to_str().unwrap(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = common::pdftotext(&s.path().join("out/result.pdf")).unwrap();
    // pdftotext marks right-to-left lines with embedding characters; the words are what count.
    let text: String = text
        .chars()
        .filter(|c| !('\u{202A}'..='\u{202E}').contains(c))
        .collect();
    let lines: Vec<&str> = text.lines().collect();
    let has = |needle: &str| lines.iter().any(|l| l.contains(needle));
    // Words in reading order, not reversed, with their letters joined in order.
    assert!(
        has("اجتمع اليوم في مدينة بورت ألدرين وزراء الدول"),
        "{text}"
    );
    assert!(has("الاجتماع الوزاري للجنة حوض نهر ميريديان"), "{text}");
    // Digits embedded left to right in an RTL line, after the words that precede them.
    let dateline = lines
        .iter()
        .find(|l| l.contains("بورت ألدرين") && l.contains("2026"))
        .unwrap_or_else(|| panic!("no dateline in {text}"));
    let at = |w: &str| dateline.find(w).unwrap();
    assert!(
        at("بورت") < at("فيلمورا") && at("فيلمورا") < at("14"),
        "{dateline}"
    );
    assert!(
        at("14") < at("أبريل") && at("أبريل") < at("2026"),
        "{dateline}"
    );
    // Latin acronyms stay as written.
    assert!(has("UNHCR") && has("ISIS"), "{text}");
}
