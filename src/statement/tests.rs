use super::*;

fn parse(text: &str) -> Result<Statement, Error> {
    Statement::parse(Path::new("s.md"), text.as_bytes())
}

fn plain(inlines: &[Inline]) -> String {
    inlines
        .iter()
        .map(|i| match i {
            Inline::Text { text, .. } => text.as_str(),
            Inline::SoftBreak => " ",
            Inline::HardBreak => "\n",
        })
        .collect()
}

#[test]
fn form_a_bold_title_and_dateline_in_one_paragraph() {
    let s = parse(
        "\n\n**Statement of X\nCopenhagen, Denmark, January 29, 2020**\n\nBody one.\n\nBody two.\n",
    )
    .unwrap();
    assert_eq!(s.title.text, "Statement of X");
    assert_eq!(
        s.dateline.unwrap().text,
        "Copenhagen, Denmark, January 29, 2020"
    );
    assert_eq!(s.blocks.len(), 2);
    assert_eq!(s.language, "en");
}

#[test]
fn form_a_title_and_dateline_as_two_bold_paragraphs() {
    let s = parse("**Title**\n\n**Geneva, 14 May 2026**\n\nText.").unwrap();
    assert_eq!(s.title.text, "Title");
    assert_eq!(s.dateline.unwrap().text, "Geneva, 14 May 2026");
    assert_eq!(
        s.blocks,
        vec![Block::Paragraph(vec![Inline::Text {
            text: "Text.".into(),
            style: Style::default(),
            link: None,
            lang: None,
            offset: 36
        }])]
    );
}

#[test]
fn form_a_without_bold_title_is_an_error() {
    let err = parse("Just a paragraph.\n").unwrap_err();
    assert!(err.to_string().contains("no title"), "{err}");
}

#[test]
fn form_b_front_matter() {
    let s = parse(
        "+++\ntitle = \"T\"\ndate = 2026-05-14\nlanguage = \"fr\"\nkeywords = [\"a\", \"b\"]\n\
         [[signatories]]\nname = \"N\"\nrole = \"R\"\n+++\nCorps *du* **texte**.\n",
    )
    .unwrap();
    assert_eq!(s.title.text, "T");
    assert_eq!(
        s.date,
        Some(Date {
            year: 2026,
            month: 5,
            day: 14
        })
    );
    assert_eq!(s.language, "fr");
    assert_eq!(s.keywords, ["a", "b"]);
    assert_eq!(s.signatories[0].role.as_deref(), Some("R"));
    let Block::Paragraph(inl) = &s.blocks[0] else {
        panic!()
    };
    assert_eq!(plain(inl), "Corps du texte.");
}

#[test]
fn front_matter_reports_every_wrong_field_with_file_lines() {
    let err =
        parse("+++\ntitle = 3\ndate = \"2026-01-01\"\nlanguag = \"en\"\n+++\nBody\n").unwrap_err();
    let Error::Invalid(d) = err else { panic!() };
    let text: Vec<String> = d.iter().map(|d| d.to_string()).collect();
    assert_eq!(d.len(), 3, "{text:#?}");
    assert!(
        text.iter()
            .any(|t| t.starts_with("s.md:4:1") && t.contains("did you mean `language`")),
        "{text:#?}"
    );
    assert!(
        text.iter()
            .any(|t| t.starts_with("s.md:2:9") && t.contains("`title` must be a string")),
        "{text:#?}"
    );
    assert!(
        text.iter()
            .any(|t| t.starts_with("s.md:3:8") && t.contains("TOML date")),
        "{text:#?}"
    );
}

#[test]
fn unterminated_front_matter() {
    let err = parse("+++\ntitle = \"x\"\nBody\n").unwrap_err();
    assert!(err.to_string().contains("never closed"), "{err}");
}

#[test]
fn toml_syntax_error_points_into_the_statement_file() {
    let err = parse("+++\ntitle = \"x\"\nbad = = 1\n+++\nBody\n").unwrap_err();
    assert!(err.to_string().starts_with("s.md:3:"), "{err}");
}

#[test]
fn missing_title_in_front_matter() {
    let err = parse("+++\nauthor = \"x\"\n+++\nBody\n").unwrap_err();
    assert!(err.to_string().contains("no title"), "{err}");
}

#[test]
fn empty_and_whitespace_statements_are_refused() {
    for text in ["", "  \n\t\n"] {
        let err = parse(text).unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
    }
}

#[test]
fn markdown_blocks() {
    let s = parse(
        "+++\ntitle = \"T\"\n+++\n## Head\n\n- one\n- two\n\n3. three\n\n> quoted\n\nA [link](https://x.org) here  \nbreak\n",
    )
    .unwrap();
    assert!(matches!(s.blocks[0], Block::Heading { level: 2, .. }));
    let Block::List { start: None, items } = &s.blocks[1] else {
        panic!("{:?}", s.blocks[1])
    };
    assert_eq!(items.len(), 2);
    assert!(matches!(s.blocks[2], Block::List { start: Some(3), .. }));
    assert!(matches!(s.blocks[3], Block::Quote(_)));
    let Block::Paragraph(inl) = &s.blocks[4] else {
        panic!()
    };
    assert!(
        inl.iter()
            .any(|i| matches!(i, Inline::Text { link: Some(l), .. } if &**l == "https://x.org"))
    );
    assert!(inl.contains(&Inline::HardBreak));
}

#[test]
fn unsupported_markdown_is_named_with_its_line() {
    let err = parse("+++\ntitle = \"T\"\n+++\nText\n\n```\ncode\n```\n").unwrap_err();
    assert!(
        err.to_string().starts_with("s.md:6:1: a code block"),
        "{err}"
    );
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let body = ">".repeat(5000) + " deep\n";
    let err = parse(&format!("**T**\n\n{body}")).unwrap_err();
    assert!(err.to_string().contains("nested more than"), "{err}");
}

#[test]
fn smart_punctuation_curls_quotes() {
    let s = parse("**T**\n\nDaesh/ISIS's \"plan\".\n").unwrap();
    let Block::Paragraph(inl) = &s.blocks[0] else {
        panic!()
    };
    assert_eq!(plain(inl), "Daesh/ISIS\u{2019}s \u{201c}plan\u{201d}.");
}

#[test]
fn front_matter_layout_is_resolved_against_the_statement_folder() {
    let text = "+++\ntitle = \"T\"\nlayout = \"../layouts/x.toml\"\n+++\nBody.\n";
    let s = Statement::parse(Path::new("a/b/s.md"), text.as_bytes()).unwrap();
    assert_eq!(s.layout, Some(PathBuf::from("a/b/../layouts/x.toml")));
    let s = Statement::parse(
        Path::new("a/s.md"),
        b"+++\ntitle = \"T\"\nlayout = \"/abs/x.toml\"\n+++\nBody.\n",
    )
    .unwrap();
    assert_eq!(s.layout, Some(PathBuf::from("/abs/x.toml")));
    assert_eq!(parse("**T**\n\nBody.\n").unwrap().layout, None);
}

#[test]
fn front_matter_layout_must_be_a_non_empty_string() {
    let err = parse("+++\ntitle = \"T\"\nlayout = 3\n+++\nBody.\n").unwrap_err();
    assert!(err.to_string().contains("`layout` must be"), "{err}");
    let err = parse("+++\ntitle = \"T\"\nlayout = \"\"\n+++\nBody.\n").unwrap_err();
    assert!(err.to_string().contains("empty string"), "{err}");
    let err = parse("+++\ntitle = \"T\"\nlayuot = \"x.toml\"\n+++\nBody.\n").unwrap_err();
    assert!(err.to_string().contains("did you mean `layout`"), "{err}");
}

#[test]
fn release_embargo_and_signature_images_in_the_front_matter() {
    let s = parse(
        "+++\ntitle = \"T\"\ndate = 2020-01-29\nlanguage = \"de\"\nrelease = \"FOR IMMEDIATE RELEASE\"\nembargo = \"EMBARGOED UNTIL 29 January 2020, 14:00 CET\"\n\
         [[signatories]]\nname = \"A\"\nimage = \"sig/a.png\"\nimage_alt = \"Signature of A\"\n+++\nText.\n",
    )
    .unwrap();
    assert_eq!(s.release.as_deref(), Some("FOR IMMEDIATE RELEASE"));
    assert_eq!(
        s.embargo.as_deref(),
        Some("EMBARGOED UNTIL 29 January 2020, 14:00 CET")
    );
    let image = s.signatories[0].image.as_ref().unwrap();
    assert_eq!(image.image.path, PathBuf::from("sig/a.png"));
    assert_eq!(image.image.location.as_ref().unwrap().line, 9);
    assert_eq!(image.alt, "Signature of A");
    assert_eq!(s.formatted_date().as_deref(), Some("29. Januar 2020"));
}

#[test]
fn release_lines_are_single_lines_and_unknown_keys_stay_errors() {
    let err =
        parse("+++\ntitle = \"T\"\nrelease = \"\"\nembargo = 3\nrelaese = \"x\"\n+++\nText.\n")
            .unwrap_err()
            .to_string();
    assert!(
        err.contains("s.md:3:11: `release`: expected one line"),
        "{err}"
    );
    assert!(
        err.contains("s.md:4:11: `embargo` must be a string"),
        "{err}"
    );
    assert!(err.contains("did you mean `release`?"), "{err}");
    let err =
        parse("+++\ntitle = \"T\"\n[[signatories]]\nname = \"A\"\nimage_alt = \"x\"\n+++\nText.\n")
            .unwrap_err()
            .to_string();
    assert!(err.contains("`image_alt` without `image`"), "{err}");
}
