//! The report as one HTML page: no scripts, no fonts or styles from the network; the images
//! are the PNG files beside it.

use super::{Change, Report, image_names};

const STYLE: &str = "body{font-family:sans-serif;margin:1.5em;color:#222;background:#fafafa}\
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em;border-top:1px solid #ccc;padding-top:.8em}\
h3{font-size:1em}.row{display:flex;gap:1em;align-items:flex-start}\
figure{margin:0;flex:1;min-width:0}figure img{width:100%;border:1px solid #999;background:#fff}\
figcaption{font-size:.85em;color:#555;margin-bottom:.3em}.del{color:#b00;}.ins{color:#070;}\
.words{font-family:monospace;font-size:.9em;margin:.3em 0}.same{color:#070}";

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One comparison's section: what changed on each page and the three images.
fn section(out: &mut String, heading: &str, report: &Report, prefix: &str, level: u8) {
    let h = format!("h{level}");
    let sub = format!("h{}", level + 1);
    out.push_str(&format!("<{h}>{}</{h}>\n", escape(heading)));
    out.push_str(&format!(
        "<p>{} page(s) before, {} after; {} differing.</p>\n",
        report.old_pages,
        report.new_pages,
        report.pages.len()
    ));
    for p in &report.pages {
        let what = match p.change {
            Change::Added => "added".to_string(),
            Change::Removed => "removed".to_string(),
            Change::Changed => format!("{} changed region(s)", p.regions.len()),
        };
        out.push_str(&format!("<{sub}>Page {}: {what}</{sub}>\n", p.page));
        for r in &p.regions {
            out.push_str(&format!(
                "<div class=\"words\">region at x {:.1} pt, y {:.1} pt, {:.1} &times; {:.1} pt</div>\n",
                r.x, r.y, r.width, r.height
            ));
        }
        if !p.words_removed.is_empty() {
            out.push_str(&format!(
                "<div class=\"words del\">&minus; {}</div>\n",
                escape(&p.words_removed.join(" "))
            ));
        }
        if !p.words_added.is_empty() {
            out.push_str(&format!(
                "<div class=\"words ins\">+ {}</div>\n",
                escape(&p.words_added.join(" "))
            ));
        }
        let [old, new, overlay] = image_names(prefix, p.page);
        out.push_str("<div class=\"row\">\n");
        for (src, caption) in [
            (old, "before"),
            (new, "after"),
            (overlay, "changes (red: only before, green: only after)"),
        ] {
            out.push_str(&format!(
                "<figure><figcaption>{caption}</figcaption><img src=\"{}\" alt=\"page {} {caption}\"></figure>\n",
                escape(&src),
                p.page
            ));
        }
        out.push_str("</div>\n");
    }
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>{}</title><style>{STYLE}</style></head><body>\n{body}</body></html>\n",
        escape(title)
    )
}

/// The page for one `communique diff OLD NEW --out DIR`.
pub fn html(report: &Report, old: &str, new: &str) -> String {
    let mut body = String::new();
    section(&mut body, &format!("{old} \u{2192} {new}"), report, "", 1);
    page(&format!("communique diff: {new}"), &body)
}

/// The page for a whole `batch --check --diff DIR` run: one section per differing file
/// (name, report, the prefix of its images), then the files that could not be compared.
pub fn html_run(title: &str, files: &[(String, Report, String)], problems: &[String]) -> String {
    let mut body = format!("<h1>{}</h1>\n", escape(title));
    if files.is_empty() && problems.is_empty() {
        body.push_str("<p class=\"same\">Every file is the same.</p>\n");
    }
    for (name, report, prefix) in files {
        section(&mut body, name, report, prefix, 2);
    }
    if !problems.is_empty() {
        body.push_str("<h2>Not compared</h2>\n<ul>\n");
        for p in problems {
            body.push_str(&format!("<li>{}</li>\n", escape(p)));
        }
        body.push_str("</ul>\n");
    }
    page(title, &body)
}
