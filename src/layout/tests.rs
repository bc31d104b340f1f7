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
    let expected = Layout {
        path: builtin.path.clone(),
        ..Layout::default()
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
    let m = messages("[page]\nmargins = { left = \"110mm\", right = \"110mm\" }\n");
    assert!(m[0].contains("leave no room for text"), "{m:#?}");
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
