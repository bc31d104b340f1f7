//! Chinese and Japanese statements, set by CLREQ and JLREQ: kinsoku at every line start and
//! end, justified lines flush on both sides, the space between characters within the layout's
//! bound, the text coming back from the PDF as written, and `cjkcheck.py` passing.
//!
//! The CJK font is the installed Noto Serif CJK (Debian fonts-noto-cjk): without it the tests
//! fail when CI=true and skip loudly elsewhere.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use communique::document::{Item, Tag, TextRun};
use communique::{FontSet, Layout, Options, Statement};

const STATEMENTS: [(&str, &str); 2] = [
    ("2026-04-14-shengming-zh.md", "zh-Hans"),
    ("2026-04-14-seimei-ja.md", "ja"),
];

/// Characters no line may start or end with (as `cjkcheck.py` and CLREQ/JLREQ list them).
const NO_START: &str =
    "，。、：；！？）」』】》〉”’・ー…‥々〻ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ";
const NO_END: &str = "（「『【《〈“‘";
/// Full-width punctuation whose blank right half is compressed away at a line end.
const CLOSING: &str = "，。、：；！？）」』】》";

fn statement_path(file: &str) -> PathBuf {
    common::root().join("statements").join(file)
}

fn noto_cjk_installed() -> bool {
    let found = FontSet::bundled().with_cjk("水", "zh-Hans").is_ok();
    common::require("Noto Serif CJK", found, "apt-get install fonts-noto-cjk")
}

fn is_ideograph_or_kana(c: char) -> bool {
    communique::font::is_cjk(c)
}

struct BodyLine {
    text: String,
    /// Right edge of the last glyph, in points from the page's left edge.
    right: f32,
    tag: Tag,
    runs: Vec<TextRun>,
}

/// The body lines of a typeset statement, in reading order, with the fonts that set them.
fn body_lines(statement: &Statement, layout: &Layout) -> (Vec<BodyLine>, FontSet) {
    let fonts = common::load_fonts(layout);
    let fonts = fonts
        .with_cjk(&statement.source, &statement.language)
        .expect("a CJK font")
        .expect("the statement needs one");
    let standards = communique::standards(layout, &Options::default());
    let (document, _) =
        communique::typeset::typeset(statement, layout, &fonts, &standards, None).unwrap();
    let mut lines: Vec<BodyLine> = Vec::new();
    for page in &document.pages {
        let mut rows: Vec<(f32, Vec<TextRun>)> = Vec::new();
        for item in &page.items {
            let Item::Text(run) = item else { continue };
            if run.size != layout.body.size || matches!(run.tag, Tag::Artifact(_)) {
                continue;
            }
            match rows.iter_mut().find(|(y, _)| (y - run.y).abs() < 0.01) {
                Some((_, r)) => r.push(run.clone()),
                None => rows.push((run.y, vec![run.clone()])),
            }
        }
        rows.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (_, mut runs) in rows {
            runs.sort_by(|a, b| a.x.total_cmp(&b.x));
            let text: String = runs.iter().map(|r| r.text.as_str()).collect();
            let last = runs.last().unwrap();
            lines.push(BodyLine {
                right: last.x + last.width(),
                tag: last.tag,
                text,
                runs,
            });
        }
    }
    (lines, fonts)
}

#[test]
fn statements_are_recognised_as_chinese_and_japanese() {
    for (file, language) in STATEMENTS {
        let statement = common::load_statement(&statement_path(file));
        assert_eq!(statement.language, language, "{file}");
        let cjk = statement
            .source
            .chars()
            .filter(|&c| is_ideograph_or_kana(c))
            .count();
        assert!(cjk >= 600, "{file}: {cjk} Han and kana characters");
    }
}

#[test]
fn no_line_starts_or_ends_with_a_prohibited_character() {
    if !noto_cjk_installed() {
        return;
    }
    for layout_file in ["default.toml", "coalition.toml", "memo.toml"] {
        let layout = common::load_layout(&common::root().join("layouts").join(layout_file));
        for (file, _) in STATEMENTS {
            let statement = common::load_statement(&statement_path(file));
            let (lines, _) = body_lines(&statement, &layout);
            assert!(lines.len() > 10, "{file}: {} lines", lines.len());
            for line in &lines {
                let text = line.text.trim();
                let first = text.chars().next().unwrap();
                let last = text.chars().next_back().unwrap();
                assert!(
                    !NO_START.contains(first),
                    "{file} {layout_file}: line starts with {first}: {text}"
                );
                assert!(
                    !NO_END.contains(last),
                    "{file} {layout_file}: line ends with {last}: {text}"
                );
            }
        }
    }
}

#[test]
fn justified_lines_are_flush_and_spaced_within_the_layouts_bound() {
    if !noto_cjk_installed() {
        return;
    }
    let layout = Layout::builtin();
    let right = layout.page.width - layout.page.margins.right;
    let bound = layout.body.cjk_stretch * layout.body.size;
    for (file, _) in STATEMENTS {
        let statement = common::load_statement(&statement_path(file));
        let (lines, fonts) = body_lines(&statement, &layout);
        let mut checked = 0;
        for (i, line) in lines.iter().enumerate() {
            // A paragraph's last line is set ragged.
            if lines.get(i + 1).is_none_or(|next| next.tag != line.tag) {
                continue;
            }
            let last = line.text.trim_end().chars().next_back().unwrap();
            // Full-width closing punctuation ends the line with its ink: its blank half runs
            // past the measure.
            let hang = if CLOSING.contains(last) {
                0.5 * layout.body.size
            } else {
                0.0
            };
            let edge = line.right - hang;
            assert!(
                (edge - right).abs() <= 0.1,
                "{file}: line ends {:.2}pt from the measure: {}",
                edge - right,
                line.text
            );
            let left = line.runs[0].x;
            assert!(
                (left - layout.page.margins.left).abs() <= 0.1,
                "{file}: line starts {:.2}pt from the margin: {}",
                left - layout.page.margins.left,
                line.text
            );
            // Between two ideographs or kana, the space justification added.
            for run in &line.runs {
                assert!(fonts.get(run.font).name.contains("CJK"), "{}", line.text);
                let chars: Vec<(usize, char)> = run.text.char_indices().collect();
                for g in &run.glyphs {
                    let Some(k) = chars.iter().position(|&(at, _)| at == g.text.start) else {
                        continue;
                    };
                    let (this, next) = (chars[k].1, chars.get(k + 1).map(|c| c.1));
                    if !is_ideograph_or_kana(this) || !next.is_some_and(is_ideograph_or_kana) {
                        continue;
                    }
                    // Every ideograph and kana is one em wide in Noto Serif CJK.
                    let extra = g.advance * run.hscale - run.size;
                    assert!(
                        (-0.01..=bound + 0.01).contains(&extra),
                        "{file}: {extra:.3}pt after {this} (bound {bound:.2}pt): {}\n{:?}",
                        line.text,
                        line.runs
                            .iter()
                            .map(|r| (r.x, r.glyphs.iter().map(|g| g.advance).collect::<Vec<_>>()))
                            .collect::<Vec<_>>()
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 300, "{file}: only {checked} gaps checked");
    }
}

fn render_default(file: &str, dir: &Path) -> PathBuf {
    let rendered = common::render_files(
        &statement_path(file),
        &common::root().join("layouts/default.toml"),
        &Options::default(),
    );
    let pdf = dir.join(file.replace(".md", ".pdf"));
    std::fs::write(&pdf, &rendered.pdf).unwrap();
    pdf
}

/// The statement's text as written, without markup and whitespace.
fn squashed(text: &str) -> String {
    text.replace("**", "")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

#[test]
fn extracted_text_is_the_source_without_line_breaks() {
    if !noto_cjk_installed() || !common::require_pdftotext() {
        return;
    }
    let dir = common::fresh_dir("cjk-text");
    for (file, _) in STATEMENTS {
        let pdf = render_default(file, &dir);
        let text = common::pdftotext(&pdf).unwrap();
        // No space between two ideographs or kana, however the line was justified.
        let chars: Vec<char> = text.chars().collect();
        for w in chars.windows(3) {
            assert!(
                !(w[1] == ' ' && is_ideograph_or_kana(w[0]) && is_ideograph_or_kana(w[2])),
                "{file}: a space between {} and {}",
                w[0],
                w[2]
            );
        }
        let source = std::fs::read_to_string(statement_path(file)).unwrap();
        // Every space extraction gives within a line is one the source has (the quarter em
        // between Han and Latin, a gap, must not read as one: "2026年", not "2026 年").
        let flat = source.replace("**", "").replace('\n', " ");
        for line in text.lines() {
            let chars: Vec<char> = line.chars().collect();
            for (i, _) in chars.iter().enumerate().filter(|(_, c)| **c == ' ') {
                let around: String = chars[i.saturating_sub(2)..(i + 3).min(chars.len())]
                    .iter()
                    .collect();
                assert!(
                    flat.contains(&around),
                    "{file}: a space the source does not have: {around:?} in {line:?}"
                );
            }
        }
        // Every paragraph comes back whole, in order.
        let pdf_text = squashed(&text);
        let mut from = 0;
        for paragraph in source.split("\n\n").map(squashed).filter(|p| !p.is_empty()) {
            let found = pdf_text[from..].find(&paragraph);
            assert!(found.is_some(), "{file}: not found in order: {paragraph}");
            from += found.unwrap() + paragraph.len();
        }
    }
}

#[test]
fn cjkcheck_passes() {
    if !noto_cjk_installed() {
        return;
    }
    let pdfplumber = Command::new("python3")
        .args(["-c", "import pdfplumber"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !common::require("pdfplumber", pdfplumber, "pip install pdfplumber") {
        return;
    }
    let script = common::root().join("scripts/cjkcheck.py");
    let dir = common::fresh_dir("cjk-check");
    for layout in ["default", "coalition", "memo", "ministry"] {
        let layout_path = common::root().join(format!("layouts/{layout}.toml"));
        for (file, _) in STATEMENTS {
            let rendered =
                common::render_files(&statement_path(file), &layout_path, &Options::default());
            let pdf = dir.join(file.replace(".md", &format!("--{layout}.pdf")));
            std::fs::write(&pdf, &rendered.pdf).unwrap();
            let out = Command::new("python3")
                .arg(&script)
                .arg(&pdf)
                .arg(statement_path(file))
                .arg(&layout_path)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{file} in {layout}: cjkcheck.py failed:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

fn communique() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("communique").expect("the communique binary")
}

#[test]
fn an_unknown_family_is_an_error_at_its_layout_line_with_the_closest_names() {
    let dir = common::fresh_dir("cjk-family");
    let layout = dir.join("x.toml");
    std::fs::write(&layout, "[fonts]\nfamily = \"Liberaton Serif\"\n").unwrap();
    let out = dir.join("x.pdf");
    let result = communique()
        .arg("build")
        .arg(common::seed_statement())
        .arg("--layout")
        .arg(&layout)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.contains(
            "x.toml:2:10: font family `Liberaton Serif` is neither bundled nor installed"
        ) && stderr.contains("closest names: Liberation Serif"),
        "{stderr}"
    );
    assert!(!out.exists(), "no output on error");
}

#[test]
fn a_family_by_name_sets_the_statement_in_it() {
    let dir = common::fresh_dir("cjk-family-named");
    let layout_file = dir.join("x.toml");
    std::fs::write(&layout_file, "[fonts]\nfamily = \"noto serif\"\n").unwrap();
    let layout = common::load_layout(&layout_file);
    let fonts = common::load_fonts(&layout);
    let regular = fonts.primary(communique::statement::Style::default());
    assert_eq!(fonts.get(regular).name, "Noto Serif");
}

#[test]
fn fonts_lists_bundled_then_installed_families_with_their_sources() {
    let result = communique().arg("fonts").output().unwrap();
    assert!(result.status.success());
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(
        stdout.starts_with("TeX Gyre Termes (bundled)\n    Regular            bundled\n"),
        "{stdout}"
    );
    assert!(stdout.contains("Noto Naskh Arabic (bundled)"), "{stdout}");
    if !noto_cjk_installed() {
        return;
    }
    let cjk = communique()
        .args(["fonts", "serif cjk sc"])
        .output()
        .unwrap();
    let cjk = String::from_utf8_lossy(&cjk.stdout);
    assert!(cjk.starts_with("Noto Serif CJK SC (installed)\n"), "{cjk}");
    assert!(cjk.contains("NotoSerifCJK-Regular.ttc (face "), "{cjk}");
    assert!(cjk.contains("Bold"), "{cjk}");
}

#[test]
fn a_layout_naming_a_cjk_collection_face_sets_chinese_in_it() {
    if !noto_cjk_installed() {
        return;
    }
    let dir = common::fresh_dir("cjk-family-ttc");
    let layout_file = dir.join("x.toml");
    std::fs::write(&layout_file, "[fonts]\nfamily = \"Noto Serif CJK TC\"\n").unwrap();
    let layout = common::load_layout(&layout_file);
    let fonts = common::load_fonts(&layout);
    let statement = common::load_statement(&statement_path(STATEMENTS[0].0));
    // The layout's family draws Han itself: nothing is added.
    assert!(
        fonts
            .with_cjk(&statement.source, &statement.language)
            .unwrap()
            .is_none()
    );
    let regular = fonts.primary(communique::statement::Style::default());
    assert_eq!(fonts.get(regular).name, "Noto Serif CJK TC");
    let rendered = communique::render(&statement, &layout, &fonts, &Options::default()).unwrap();
    assert_eq!(rendered.pages, 1);
}

/// A batch records the installed CJK faces a statement was set in, so that a new
/// `fonts-noto-cjk` rebuilds it rather than leaving a PDF the fonts no longer give.
#[test]
fn a_batch_records_the_installed_cjk_faces_in_the_manifest() {
    if !noto_cjk_installed() {
        return;
    }
    let dir = common::fresh_dir("cjk-batch");
    let input = dir.join("in");
    std::fs::create_dir_all(&input).unwrap();
    let seed = "2020-01-29-copenhagen-political-directors";
    for file in ["2026-04-14-shengming-zh.md", &format!("{seed}.md")] {
        std::fs::copy(statement_path(file), input.join(file)).unwrap();
    }
    let out = dir.join("out");
    let result = communique()
        .arg("batch")
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(result.status.success(), "{result:?}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let faces = |pdf: &str| -> Vec<String> {
        let digest = manifest["outputs"][pdf]["fonts"].as_str().unwrap();
        (manifest["font_sets"][digest].as_array().unwrap().iter())
            .map(|f| f["name"].as_str().unwrap().to_string())
            .collect()
    };
    let chinese = faces("2026-04-14-shengming-zh.pdf");
    let english = faces(&format!("{seed}.pdf"));
    assert_eq!(chinese[..english.len()], english[..]);
    assert_eq!(
        chinese[english.len()..],
        ["Noto Serif CJK SC", "Noto Serif CJK SC Bold"]
    );
}
