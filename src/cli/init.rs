//! `communique init`: a starter layout and a sample statement that builds as it is.

use std::path::PathBuf;

use communique::Error;

#[derive(clap::Args)]
pub struct Args {
    /// Folder to write into (created if missing). Default: the current folder.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// The bundled layout to start from: default, coalition, memo or ministry.
    #[arg(long, value_name = "NAME", default_value = "default")]
    pub layout: String,
    /// The organisation's name: the letterhead's first line and the statement's author.
    #[arg(long, value_name = "TEXT")]
    pub org: Option<String>,
}

pub fn run(args: Args) -> Result<Vec<PathBuf>, Error> {
    let bundled = communique::layout::bundled();
    let Some(chosen) = bundled.iter().find(|b| b.name == args.layout) else {
        let names: Vec<&str> = bundled.iter().map(|b| b.name).collect();
        return Err(Error::invalid_value(
            "--layout",
            format!(
                "no bundled layout is called `{}`; expected one of {}",
                args.layout,
                names.join(", ")
            ),
        ));
    };
    let layout_text = chosen.text;
    let layout = match &args.org {
        Some(org) => with_org(layout_text, org),
        None => layout_text.to_string(),
    };
    let statement = sample_statement(args.org.as_deref());
    let mut files: Vec<(PathBuf, Vec<u8>)> = vec![
        (args.dir.join("layout.toml"), layout.clone().into_bytes()),
        (args.dir.join("statement.md"), statement.into_bytes()),
    ];
    // The files the layout names (the ministry emblem) go beside it.
    for (rel, bytes) in communique::layout::bundled_assets() {
        if layout_text.contains(rel) {
            files.push((args.dir.join(rel), bytes.to_vec()));
        }
    }
    // Nothing is overwritten: a starter is written whole into a fresh place or not at all.
    for (path, _) in &files {
        if path.exists() {
            return Err(Error::Write {
                path: path.clone(),
                source: std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "the file exists; init does not overwrite files",
                ),
            });
        }
    }
    // An organisation name the layout cannot hold (a `{` read as a placeholder) is refused
    // before anything is written.
    communique::Layout::parse(&args.dir.join("layout.toml"), &layout)?;
    for (path, bytes) in &files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| Error::Write {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        communique::write_atomically(path, bytes)?;
    }
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The layout with `org` as the letterhead's first line: it replaces a first line that is
/// plain text (the name of the organisation the layout was made for) and goes above one that
/// shows a placeholder (`{reference}`, `{date}`).
fn with_org(layout: &str, org: &str) -> String {
    let quoted = toml_string(org);
    let mut lines: Vec<String> = layout.lines().map(str::to_string).collect();
    let is_table = |l: &str| l.trim_start().starts_with('[');
    if let Some(first) = lines
        .iter()
        .position(|l| l.trim_start().starts_with("[[letterhead.lines]]"))
    {
        let text = lines[first + 1..]
            .iter()
            .take_while(|l| !is_table(l))
            .position(|l| l.trim_start().starts_with("text ="))
            .map(|i| first + 1 + i);
        match text {
            Some(i) if !lines[i].contains('{') => lines[i] = format!("text = {quoted}"),
            _ => lines.insert(
                first,
                format!("[[letterhead.lines]]\ntext = {quoted}\nbold = true\n"),
            ),
        }
    } else if let Some(head) = lines.iter().position(|l| l.trim() == "[letterhead]") {
        let list = lines[head + 1..]
            .iter()
            .take_while(|l| !is_table(l))
            .position(|l| l.trim_start().starts_with("lines = [") && l.contains(']'))
            .map(|i| head + 1 + i);
        match list {
            Some(i) => lines[i] = format!("lines = [{quoted}]"),
            None => lines.insert(head + 1, format!("lines = [{quoted}]")),
        }
    } else {
        lines.push(format!("\n[letterhead]\nlines = [{quoted}]"));
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

fn sample_statement(org: Option<&str>) -> String {
    let author = org.map_or(String::new(), |o| format!("author = {}\n", toml_string(o)));
    let who = org.unwrap_or("The organisation");
    format!(
        r#"+++
title = "Statement on the Opening of the Regional Office"
dateline = "Geneva, 14 May 2026"
date = 2026-05-14
language = "en"
reference = "REF/2026/001"
layout = "layout.toml"
{author}+++

{who} today opened its regional office. This file is a sample statement written by
`communique init`: replace its text and front matter with your own, then run
`communique build statement.md` or keep `communique watch statement.md` running while you edit.

## What the office will do

The office will:

- coordinate the work of the national teams;
- publish its statements as archival PDF/A documents;
- answer questions from the press within one working day.

A paragraph may use *emphasis* and **strong emphasis**. Paragraphs are separated by an empty
line, and a single line break inside a paragraph is a space.
"#
    )
}
