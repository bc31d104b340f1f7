//! docs/gallery is not stale: each PNG was made (by scripts/gallery.sh) from the PDF that
//! today's code renders. docs/gallery/sources.txt records the SHA-256 of each of those PDFs;
//! comparing PDFs, which are deterministic, avoids comparing PNGs, which depend on the
//! rasterizer's version.

mod common;

use std::collections::BTreeSet;

use communique::Options;
use sha2::Digest;

const STALE: &str = "docs/gallery is stale: run scripts/gallery.sh and commit the PNGs and \
                     docs/gallery/sources.txt";

#[test]
fn gallery_pngs_were_made_from_todays_output() {
    let root = common::root();
    let sources = std::fs::read_to_string(root.join("docs/gallery/sources.txt"))
        .unwrap_or_else(|e| panic!("docs/gallery/sources.txt: {e}; {STALE}"));
    let mut layouts_seen = BTreeSet::new();
    let mut stale = Vec::new();
    for line in sources
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [sha, png, statement, layout] = fields[..] else {
            panic!("docs/gallery/sources.txt: a malformed line: {line}");
        };
        assert!(
            root.join("docs/gallery").join(png).is_file(),
            "docs/gallery/{png} is missing; {STALE}"
        );
        layouts_seen.insert(common::stem(&root.join(layout)));
        // SOURCE_DATE_EPOCH is not set by the script (its builds take the statement's date).
        let pdf = common::render_files(
            &root.join(statement),
            &root.join(layout),
            &Options::default(),
        )
        .pdf;
        let today: String = sha2::Sha256::digest(&pdf)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if today != sha {
            stale.push(format!("{png} ({statement} with {layout})"));
        }
    }
    let layouts: BTreeSet<String> = common::layouts().iter().map(|p| common::stem(p)).collect();
    assert_eq!(
        layouts_seen, layouts,
        "every bundled layout has a gallery picture; {STALE}"
    );
    assert!(
        stale.is_empty(),
        "{STALE}; these changed:\n{}",
        stale.join("\n")
    );
}
