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

/// (text, language) of each text inline of the first block.
fn languages(s: &Statement) -> Vec<(String, Option<String>)> {
    let (Block::Paragraph(inlines)
    | Block::Heading {
        content: inlines, ..
    }) = &s.blocks[0]
    else {
        panic!("not a paragraph: {:?}", s.blocks[0]);
    };
    inlines
        .iter()
        .filter_map(|i| match i {
            Inline::Text { text, lang, .. } => {
                Some((text.clone(), lang.as_deref().map(String::from)))
            }
            _ => None,
        })
        .collect()
}

fn de(text: &str) -> (String, Option<String>) {
    (text.to_string(), Some("de".to_string()))
}

fn plain_en(text: &str) -> (String, Option<String>) {
    (text.to_string(), None)
}

#[test]
fn language_spans_mark_their_text() {
    let s =
        parse("**T**\n\nThe <span lang=\"de\">Wasserrahmenrichtlinie</span> applies.\n").unwrap();
    assert_eq!(
        languages(&s),
        vec![
            plain_en("The "),
            de("Wasserrahmenrichtlinie"),
            plain_en(" applies.")
        ]
    );
    // Statements without spans are parsed as before: no language on any text.
    let s = parse("**T**\n\nThe water framework directive applies.\n").unwrap();
    assert!(languages(&s).iter().all(|(_, l)| l.is_none()));
}

#[test]
fn language_spans_nest_with_emphasis_links_and_each_other() {
    // Emphasis around the span, and inside it.
    let s =
        parse("**T**\n\n*<span lang=\"de\">Wasser</span>* <span lang=\"de\">**Rahmen**</span>\n")
            .unwrap();
    assert_eq!(
        languages(&s),
        vec![de("Wasser"), plain_en(" "), de("Rahmen")]
    );
    let Block::Paragraph(inlines) = &s.blocks[0] else {
        panic!()
    };
    assert!(matches!(&inlines[0], Inline::Text { style, .. } if style.emphasis));
    assert!(matches!(&inlines[2], Inline::Text { style, .. } if style.strong));
    // A span inside a link, a link inside a span.
    let s = parse(
        "**T**\n\n[<span lang=\"fr\">Accord de Paris</span>](https://x.org) and \
         <span lang=\"de\">siehe [hier](https://y.org)</span>\n",
    )
    .unwrap();
    let Block::Paragraph(inlines) = &s.blocks[0] else {
        panic!()
    };
    let linked: Vec<(&str, Option<&str>, Option<&str>)> = inlines
        .iter()
        .filter_map(|i| match i {
            Inline::Text {
                text, link, lang, ..
            } => Some((text.as_str(), link.as_deref(), lang.as_deref())),
            _ => None,
        })
        .collect();
    assert_eq!(
        linked,
        vec![
            ("Accord de Paris", Some("https://x.org"), Some("fr")),
            (" and ", None, None),
            ("siehe ", None, Some("de")),
            ("hier", Some("https://y.org"), Some("de")),
        ]
    );
    // Nested spans: the innermost language wins, the outer one resumes after it.
    let s = parse("**T**\n\n<span lang=\"de\">Das <span lang=\"fr\">Accord</span> gilt</span>.\n")
        .unwrap();
    assert_eq!(
        languages(&s),
        vec![
            de("Das "),
            ("Accord".into(), Some("fr".into())),
            de(" gilt"),
            plain_en(".")
        ]
    );
}

#[test]
fn language_spans_in_headings_and_titles() {
    let s = parse("**T**\n\n## Die <span lang=\"de\">Richtlinie</span>\n\nText.\n").unwrap();
    assert_eq!(languages(&s), vec![plain_en("Die "), de("Richtlinie")]);
    // Form A: the bold title line.
    let s = parse(
        "**On the <span lang=\"de\">Wasserrahmenrichtlinie</span>\nBerlin, 14 April 2026**\n\nText.\n",
    )
    .unwrap();
    assert_eq!(s.title.text, "On the Wasserrahmenrichtlinie");
    assert_eq!(s.title.languages.len(), 1);
    assert_eq!(
        &s.title.text[s.title.languages[0].range.clone()],
        "Wasserrahmenrichtlinie"
    );
    assert_eq!(s.dateline.unwrap().text, "Berlin, 14 April 2026");
    // Form B: front-matter strings.
    let s = parse(
        "+++\ntitle = 'On the <span lang=\"de\">Richtlinie</span>'\n\
         subtitle = '<span lang=\"fr\">Réunion</span> of ministers'\n+++\nText.\n",
    )
    .unwrap();
    assert_eq!(s.title.text, "On the Richtlinie");
    assert_eq!(&*s.title.languages[0].lang, "de");
    let subtitle = s.subtitle.unwrap();
    assert_eq!(subtitle.text, "Réunion of ministers");
    assert_eq!(subtitle.languages[0].range, 0.."Réunion".len());
}

#[test]
fn inline_html_other_than_a_language_span_is_an_error_with_its_place() {
    let cases: [(&str, &str); 6] = [
        (
            "**T**\n\nA <b>bold</b> word.\n",
            "s.md:3:3: inline HTML `<b>` is not supported",
        ),
        (
            "**T**\n\nA <span lang=\"de\">Wort.\n",
            "s.md:3:3: `<span lang=\"de\">` is not closed; expected `</span>`",
        ),
        (
            "**T**\n\nA word</span>.\n",
            "s.md:3:7: `</span>` closes no span",
        ),
        (
            "**T**\n\nA <span lang=\"deutsch\">Wort</span>.\n",
            "s.md:3:3: `<span lang=\"deutsch\">`: `deutsch` is not a language tag; expected a BCP 47 tag",
        ),
        (
            "**T**\n\nA <span class=\"x\">Wort</span>.\n",
            "s.md:3:3: `<span class=\"x\">`: expected `<span lang=\"...\">`",
        ),
        (
            "+++\ntitle = 'A <span lang=\"d\">Wort</span>'\n+++\nText.\n",
            "s.md:2:12: `<span lang=\"d\">`: `d` is not a language tag",
        ),
    ];
    for (text, expected) in cases {
        let err = parse(text).unwrap_err().to_string();
        assert!(
            err.contains(expected),
            "{text:?}:\n{err}\nexpected: {expected}"
        );
    }
    // A span may not run over into the next paragraph.
    let err = parse("**T**\n\nA <span lang=\"de\">Wort\n\nnext</span>.\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("s.md:3:3: `<span lang=\"de\">` is not closed"),
        "{err}"
    );
    assert!(err.contains("s.md:5:5: `</span>` closes no span"), "{err}");
    // Block-level HTML is refused as before.
    let err = parse("**T**\n\n<div>\nx\n</div>\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("s.md:3:1: raw HTML is not supported"), "{err}");
}

#[test]
fn form_a_statements_get_their_language_from_the_text() {
    let ru = parse(
        "**Совместное заявление**\n\n**Порт-Алдрен, 14 апреля 2026 года**\n\nМинистры государств бассейна реки собрались сегодня.\n",
    )
    .unwrap();
    assert_eq!(ru.language, "ru");
    let ar =
        parse("**بيان مشترك**\n\n**بورت ألدرين، 14 أبريل 2026**\n\nاجتمع اليوم وزراء الدول.\n")
            .unwrap();
    assert_eq!(ar.language, "ar");
    assert!(ar.rtl());
    let fr = parse(
        "**Déclaration**\n\n**Paris, le 14 avril 2026**\n\nLes ministres des États riverains se sont réunis et ont salué le travail de la Commission.\n",
    )
    .unwrap();
    assert_eq!(fr.language, "fr");
    // A declared language wins over what the text looks like.
    let declared = parse(
        "+++\ntitle = \"Statement\"\nlanguage = \"en\"\ndate = 2026-04-14\n+++\n\nLes ministres des États riverains se sont réunis et ont salué le travail de la Commission.\n",
    )
    .unwrap();
    assert_eq!(declared.language, "en");
}

/// The one message of a refused statement, or a panic saying what was accepted instead.
fn refused(text: &str) -> String {
    match parse(text) {
        Ok(s) => panic!("accepted: {:?}", s.blocks),
        Err(e) => e.to_string(),
    }
}

#[test]
fn gfm_table_is_refused_at_its_line_not_printed_as_pipes() {
    let err = refused(
        "**Title**\n\nBudget:\n\n| Country | Amount |\n|---|---:|\n| A | 1 |\n| B | 2 |\n\nEnd.\n",
    );
    assert!(err.contains("s.md:5:1"), "{err}");
    assert!(err.contains("a table"), "{err}");
    // One construct, one message: the cells are not reported again.
    assert_eq!(err.matches("s.md:").count(), 1, "{err}");
}

#[test]
fn footnotes_are_refused_at_the_reference_and_the_definition() {
    let err = refused("**Title**\n\nA claim.[^1]\n\n[^1]: The source.\n");
    assert!(
        err.contains("s.md:3:9") && err.contains("footnote reference (`[^1]`)"),
        "{err}"
    );
    assert!(
        err.contains("s.md:5:1") && err.contains("footnote definition"),
        "{err}"
    );
}

#[test]
fn footnote_reference_without_definition_is_refused() {
    let err = refused("**Title**\n\nA claim.[^note]\n");
    assert!(err.contains("s.md:3:9") && err.contains("[^note]"), "{err}");
}

#[test]
fn strikethrough_is_refused_not_printed_with_tildes() {
    let err = refused("**Title**\n\nWe ~~will not~~ agree.\n");
    assert!(
        err.contains("s.md:3:4") && err.contains("struck-through"),
        "{err}"
    );
}

#[test]
fn task_list_is_refused_not_printed_with_brackets() {
    let err = refused("**Title**\n\n- [ ] first\n- [x] second\n");
    assert!(
        err.contains("s.md:3:3") && err.contains("task list"),
        "{err}"
    );
}

#[test]
fn literal_tildes_and_brackets_stay_text() {
    let s =
        parse("**Title**\n\nAbout ~40 people, \\~\\~not struck\\~\\~, [^not a note.\n").unwrap();
    let Block::Paragraph(inl) = &s.blocks[0] else {
        panic!()
    };
    assert_eq!(
        plain(inl),
        "About ~40 people, ~~not struck~~, [^not a note."
    );
}

#[test]
fn third_bold_line_in_title_block_is_an_error_naming_it() {
    let err = refused("**Title\nGeneva, 14 May 2026\nSpeech by the Minister**\n\nBody.\n");
    assert!(err.contains("s.md:3:1"), "{err}");
    assert!(
        err.contains("third bold line") && err.contains("Speech by the Minister"),
        "{err}"
    );
    // Two bold paragraphs, the second with two lines: the same.
    let err = refused("**Title**\n\n**Geneva, 14 May 2026\nSpeech**\n\nBody.\n");
    assert!(
        err.contains("s.md:4:1") && err.contains("\"Speech\""),
        "{err}"
    );
}

#[test]
fn dateline_date_that_does_not_exist_is_an_error_at_its_place() {
    let err = refused("**Title\nGeneva, 31 February 2026**\n\nBody.\n");
    assert!(err.contains("s.md:2:9"), "{err}");
    assert!(err.contains("\"31 February 2026\" does not exist"), "{err}");
    assert!(err.contains("February 2026 has 28 days"), "{err}");
    let err = refused("**Title\nGeneva, 2026-04-31**\n\nBody.\n");
    assert!(
        err.contains("s.md:2:9") && err.contains("April 2026 has 30 days"),
        "{err}"
    );
    let err = refused("**Title\nParis, le 30 février 2028**\n\nCorps du texte.\n");
    assert!(err.contains("February 2028 has 29 days"), "{err}");
    // A leap day is a day.
    assert!(parse("**Title\nGeneva, 29 February 2028**\n\nBody.\n").is_ok());
}

#[test]
fn unclosed_bold_on_line_one_says_so_not_no_title() {
    let err = refused("**Statement on the summit\n\nBody.\n");
    assert!(err.contains("s.md:1:1"), "{err}");
    assert!(err.contains("opened with `**` is never closed"), "{err}");
    assert!(!err.contains("start it with a bold line"), "{err}");
    let err = refused("Intro **words\n\nBody.\n");
    assert!(
        err.contains("s.md:1:7") && err.contains("never closed"),
        "{err}"
    );
}

#[test]
fn a_signatory_name_too_long_for_the_pdf_strings_it_goes_into_is_an_error_at_its_line() {
    let long = "N".repeat(1_001);
    let err = parse(&format!(
        "+++\ntitle = \"T\"\n[[signatories]]\nname = \"{long}\"\n+++\nText.\n"
    ))
    .unwrap_err()
    .to_string();
    assert!(
        err.contains(":4:8:") && err.contains("the name has 1001 characters; at most 1000"),
        "{err}"
    );
    assert!(!err.contains("needs a `name`"), "one error: {err}");
    let fine = parse(&format!(
        "+++\ntitle = \"T\"\n[[signatories]]\nname = \"{}\"\n+++\nText.\n",
        &long[1..]
    ))
    .unwrap();
    assert_eq!(fine.signatories[0].name.len(), 1_000);
}
