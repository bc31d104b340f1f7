use super::*;

fn parse(text: &str) -> Result<Layout, Error> {
    Layout::parse(Path::new("l.toml"), text)
}

fn messages(text: &str) -> Vec<String> {
    match parse(text) {
        Err(Error::Invalid(d)) => d.iter().map(|d| d.to_string()).collect(),
        other => panic!("expected diagnostics, got {other:?}"),
    }
}

#[test]
fn bundled_default_spells_out_the_defaults() {
    let builtin = Layout::builtin();
    let defaults = Layout::default();
    let expected = Layout {
        path: builtin.path.clone(),
        footer: Footer {
            location: builtin.footer.location.clone(),
            ..defaults.footer.clone()
        },
        continuation: Continuation {
            location: builtin.continuation.location.clone(),
            ..defaults.continuation.clone()
        },
        ..defaults
    };
    assert_eq!(builtin, expected);
}

#[test]
fn empty_layout_is_the_default() {
    let l = parse("").unwrap();
    assert_eq!(l.body, Layout::default().body);
}

#[test]
fn lengths_take_units() {
    let l = parse(
        "[page]\nsize = \"Letter\"\nmargins = \"1in\"\n[body]\nsize = \"10pt\"\nleading = \"1.2em\"\nfirst_line_indent = \"2.5cm\"\n",
    )
    .unwrap();
    assert_eq!(l.page.width, 612.0);
    assert_eq!(l.page.margins.left, 72.0);
    assert!((l.body.leading - 12.0).abs() < 1e-4);
    assert!((l.body.first_line_indent - 70.866).abs() < 1e-2);
}

#[test]
fn every_wrong_field_is_reported_with_its_line() {
    let m = messages(
        "[body]\nsize = 11\njustify = \"yes\"\n[footer]\nalign = \"middle\"\n[titel]\nsize = \"1pt\"\n",
    );
    assert_eq!(m.len(), 4, "{m:#?}");
    assert!(
        m.iter()
            .any(|t| t.starts_with("l.toml:6:2") && t.contains("did you mean `title`")),
        "{m:#?}"
    );
    assert!(
        m.iter()
            .any(|t| t.starts_with("l.toml:2:8") && t.contains("`body.size` must be a string")),
        "{m:#?}"
    );
    assert!(
        m.iter()
            .any(|t| t.starts_with("l.toml:3:11")
                && t.contains("`body.justify` must be true or false")),
        "{m:#?}"
    );
    assert!(m.iter().any(|t| t.starts_with("l.toml:5:9") && t.contains("\"left\", \"center\" or \"right\"")), "{m:#?}");
}

#[test]
fn unknown_nested_keys_get_suggestions() {
    let m = messages("[page]\nmargins = { top = \"1cm\", lefft = \"1cm\" }\n");
    assert!(
        m[0].contains("unknown key `lefft` in [page.margins]; did you mean `left`?"),
        "{m:#?}"
    );
}

#[test]
fn margins_that_leave_no_room_are_refused() {
    let m = messages("[page]\nsize = \"A4\"\nmargins = { left = \"110mm\", right = \"110mm\" }\n");
    assert!(m[0].contains("leave no room for text"), "{m:#?}");
    assert!(m[0].contains(":3:11:"), "at the margins: {m:#?}");
}

#[test]
fn negative_margins_are_refused() {
    let m = messages("[page]\nmargins = { top = \"-5mm\" }\n");
    assert!(
        m[0].contains("`page.margins.top`: must be zero or more"),
        "{m:#?}"
    );
}

#[test]
fn bad_units_and_colours() {
    let m = messages("[body]\nsize = \"11px\"\ncolor = \"red\"\n");
    assert!(m[0].contains("not a length"), "{m:#?}");
    assert!(m[1].contains("not a colour"), "{m:#?}");
}

#[test]
fn toml_syntax_error_has_a_line() {
    let m = messages("[body]\nsize = \n");
    assert!(m[0].starts_with("l.toml:2:"), "{m:#?}");
}

#[test]
fn standards() {
    let l = parse("[pdf]\nstandard = \"a-1b\"\n").unwrap();
    assert_eq!(l.pdf.standards, vec![Standard::A1b]);
    let m = messages("[pdf]\nstandard = [\"ua-1\"]\n");
    assert!(m[0].contains("exactly one PDF/A level"), "{m:#?}");
}

#[test]
fn paths_resolve_against_the_layout_folder() {
    let l = Layout::parse(Path::new("/x/layouts/a.toml"), "").unwrap();
    assert_eq!(
        l.resolve(Path::new("../fonts/F.ttf")),
        PathBuf::from("/x/layouts/../fonts/F.ttf")
    );
    assert_eq!(
        l.resolve(Path::new("/abs/F.ttf")),
        PathBuf::from("/abs/F.ttf")
    );
}

#[test]
fn shipped_layouts_load() {
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/layouts")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            Layout::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
}

#[test]
fn letterhead_lines_in_both_forms_with_their_own_styles() {
    let l = parse(
        "[letterhead]\nsize = \"9pt\"\ncolor = \"#112233\"\nlines = [\"SIMPLE\", { text = \"Big\", size = \"14pt\", bold = false, italic = true, align = \"right\", color = \"#ABCDEF\" }]\n",
    )
    .unwrap();
    let lines = &l.letterhead.lines;
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].text, "SIMPLE");
    assert_eq!(
        (lines[0].size, lines[0].color),
        (9.0, Color(0x11, 0x22, 0x33))
    );
    assert!(lines[0].bold);
    assert_eq!(lines[1].size, 14.0);
    assert!(!lines[1].bold && lines[1].italic);
    assert_eq!(lines[1].align, Align::Right);
    assert_eq!(lines[1].color, Color(0xAB, 0xCD, 0xEF));

    let l = parse("[[letterhead.lines]]\ntext = \"A\"\n[[letterhead.lines]]\ntext = \"Ref. {reference}\"\nsize = \"8pt\"\n").unwrap();
    assert_eq!(l.letterhead.lines[1].text, "Ref. {reference}");
}

#[test]
fn logo_keys_and_arrangement() {
    let l = parse(
        "[letterhead]\narrangement = \"logo-left\"\nlogo = { path = \"a/b.png\", width = \"20mm\", alt = \"Emblem\", gap = \"4mm\" }\n",
    )
    .unwrap();
    let logo = l.letterhead.logo.unwrap();
    assert_eq!(l.letterhead.arrangement, Arrangement::LogoLeft);
    assert_eq!(logo.image.path, PathBuf::from("a/b.png"));
    assert_eq!(logo.image.location.as_ref().unwrap().line, 3);
    assert!((logo.width.unwrap() - mm(20.0)).abs() < 1e-3);
    assert_eq!(logo.height, None);
    assert_eq!(logo.alt.as_deref(), Some("Emblem"));
    let l = parse("[letterhead.logo]\npath = \"x.png\"\nartifact = true\n").unwrap();
    assert_eq!(l.letterhead.logo.unwrap().alt, None);
}

#[test]
fn a_logo_needs_alt_text_or_artifact() {
    let m = messages("[letterhead]\nlogo = { path = \"x.png\" }\n");
    assert!(
        m[0].starts_with("l.toml:2:8") && m[0].contains("needs `alt`"),
        "{m:#?}"
    );
    let m = messages("[letterhead.logo]\npath = \"x.png\"\nalt = \"  \"\n");
    assert!(
        m[0].starts_with("l.toml:3:") && m[0].contains("alt text is empty"),
        "{m:#?}"
    );
    let m = messages("[letterhead.logo]\npath = \"x.png\"\nalt = \"E\"\nartifact = true\n");
    assert!(m[0].contains("not both"), "{m:#?}");
    let m = messages("[letterhead.logo]\nalt = \"E\"\n");
    assert!(m[0].contains("needs a `path`"), "{m:#?}");
    let m = messages(
        "[letterhead.logo]\npath = \"x.png\"\nalt = \"E\"\nwidth = \"1m\"\nheight = \"900pt\"\n",
    );
    assert_eq!(m.len(), 2, "{m:#?}");
    let m = messages("[letterhead]\narrangement = \"beside\"\n");
    assert!(m[0].contains("\"logo-left\""), "{m:#?}");
}

#[test]
fn colours_that_are_not_colours_are_named_with_their_line() {
    let m = messages(
        "[letterhead]\nlines = [{ text = \"x\", color = \"#12345\" }]\nrule = { thickness = \"3pt\", color = \"navy\" }\n[continuation]\ncolor = \"#GGGGGG\"\n",
    );
    assert_eq!(m.len(), 3, "{m:#?}");
    assert!(
        m[0].starts_with("l.toml:2:") && m[0].contains("not a colour"),
        "{m:#?}"
    );
    assert!(
        m[1].starts_with("l.toml:3:") && m[1].contains("`letterhead.rule.color`"),
        "{m:#?}"
    );
    assert!(m[2].starts_with("l.toml:5:"), "{m:#?}");
}

#[test]
fn release_reference_continuation_and_signature_keys() {
    let l = parse(
        "[release]\nposition = \"left-of-dateline\"\ntext = \"MEMORANDUM\"\nsize = \"12pt\"\n\
         [reference]\nposition = \"below-dateline\"\ntext = \"Our ref. {reference}\"\n\
         [continuation]\ntext = \"{title} — {date}\"\nsize = \"8pt\"\nalign = \"right\"\nrule = { thickness = \"0.25pt\" }\n\
         [signature]\ncolumns = 2\nimage_height = \"15mm\"\n",
    )
    .unwrap();
    assert_eq!(l.release.position, ReleasePosition::LeftOfDateline);
    assert_eq!(l.release.text, "MEMORANDUM");
    assert_eq!(l.release.block.size, 12.0);
    assert_eq!(l.reference.position, ReferencePosition::BelowDateline);
    assert_eq!(l.reference.text, "Our ref. {reference}");
    assert_eq!(l.continuation.text, "{title} — {date}");
    assert_eq!(l.continuation.align, Align::Right);
    assert_eq!(l.continuation.rule.unwrap().thickness, 0.25);
    assert_eq!(l.signature_columns, 2);
    assert!((l.signature_image_height - mm(15.0)).abs() < 1e-3);
}

#[test]
fn unknown_placeholders_and_bad_positions_are_refused() {
    let m = messages(
        "[footer]\ntext = \"Page {page} of {total}\"\n[letterhead]\nlines = [\"{page}\"]\n\
         [release]\nposition = \"top\"\n[signature]\ncolumns = 9\n[reference]\ntext = \"{ref\"\n",
    );
    assert_eq!(m.len(), 5, "{m:#?}");
    let has = |at: &str, what: &str| m.iter().any(|t| t.starts_with(at) && t.contains(what));
    assert!(has("l.toml:6:", "\"above-title\""), "{m:#?}");
    assert!(has("l.toml:8:", "1 to 4"), "{m:#?}");
    assert!(has("l.toml:10:", "without"), "{m:#?}");
    assert!(has("l.toml:4:", "`{page}`"), "{m:#?}");
    assert!(has("l.toml:2:", "`{total}`"), "{m:#?}");
}

#[test]
fn page_mirror_is_a_choice_with_its_line() {
    use super::{Align, Arrangement, Mirror};
    assert_eq!(parse("").unwrap().page.mirror, Mirror::Auto);
    let l = parse("[page]\nmirror = \"never\"\n").unwrap();
    assert_eq!(l.page.mirror, Mirror::Never);
    assert!(!l.mirrors(true));
    let l = parse("[page]\nmirror = \"always\"\n").unwrap();
    assert!(l.mirrors(false));
    let m = messages("[page]\nsize = \"A4\"\nmirror = \"yes\"\n");
    assert_eq!(m.len(), 1, "{m:#?}");
    assert!(m[0].contains("l.toml:3:10"), "{m:#?}");
    assert!(m[0].contains("\"auto\", \"always\" or \"never\""), "{m:#?}");

    // Auto: left-to-right statements see the layout as written; right to left, the
    // furniture and the text blocks swap sides.
    let l = parse(
        "[letterhead]\narrangement = \"logo-left\"\nalign = \"left\"\n[footer]\nalign = \"right\"\n\
         [heading]\nalign = \"left\"\n",
    )
    .unwrap();
    assert!(matches!(l.directed(false), std::borrow::Cow::Borrowed(_)));
    let r = l.directed(true);
    assert_eq!(r.letterhead.arrangement, Arrangement::LogoRight);
    assert_eq!(r.letterhead.align, Align::Right);
    assert_eq!(r.footer.align, Align::Left);
    assert_eq!(r.heading.align, Align::Right);
    // Never: the furniture stays, the headings still start at the right.
    let mut never = l.clone();
    never.page.mirror = Mirror::Never;
    let r = never.directed(true);
    assert_eq!(r.letterhead.arrangement, Arrangement::LogoLeft);
    assert_eq!(r.footer.align, Align::Right);
    assert_eq!(r.heading.align, Align::Right);
}
