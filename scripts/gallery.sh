#!/bin/sh
# Regenerates docs/gallery/: a PNG of the first page of every layout in layouts/ set with the
# seed statement (and the long water-summit statement, whose front matter has a reference and
# signatories), for the README and docs/layouts.md. docs/gallery/sources.txt records the
# SHA-256 of the PDF each PNG was made from; tests/gallery.rs renders the same PDFs and fails
# when one differs, so a change to the output that leaves the gallery stale is caught.
#   scripts/gallery.sh            # needs pdftoppm (poppler-utils) and sha256sum
set -eu
cd "$(dirname "$0")/.."
command -v pdftoppm >/dev/null || { echo "gallery.sh: pdftoppm (poppler-utils) is needed" >&2; exit 1; }
cargo build --release --quiet
out=docs/gallery
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sources="$tmp/sources.txt"
{
    echo "# Written by scripts/gallery.sh; checked by tests/gallery.rs. Do not edit by hand."
    echo "# SHA-256 of the PDF, the PNG made from its first page, the statement, the layout."
} > "$sources"
for layout in layouts/*.toml; do
    name=$(basename "$layout" .toml)
    for statement in statements/2020-01-29-copenhagen-political-directors.md statements/2026-03-02-water-summit-long.md; do
        case "$statement" in
            *copenhagen*) suffix="" ;;
            *) suffix="-summit" ;;
        esac
        pdf="$tmp/$name$suffix.pdf"
        ./target/release/communique build "$statement" --layout "$layout" -o "$pdf"
        pdftoppm -png -r 60 -f 1 -l 1 -singlefile "$pdf" "$out/$name$suffix"
        echo "$(sha256sum "$pdf" | cut -d' ' -f1)  $name$suffix.png  $statement  $layout" >> "$sources"
        echo "$out/$name$suffix.png"
    done
done
# The Chinese and Japanese statements in the default layout (their font: Noto Serif CJK, from
# Debian's fonts-noto-cjk).
for statement in statements/2026-04-14-shengming-zh.md statements/2026-04-14-seimei-ja.md; do
    name=$(basename "$statement" .md)
    ./target/release/communique build "$statement" -o "$tmp/$name.pdf"
    pdftoppm -png -r 60 -f 1 -l 1 -singlefile "$tmp/$name.pdf" "$out/$name"
    echo "$(sha256sum "$tmp/$name.pdf" | cut -d' ' -f1)  $name.png  $statement  layouts/default.toml" >> "$sources"
    echo "$out/$name.png"
done
mv "$sources" "$out/sources.txt"
