#!/bin/sh
# Regenerates docs/gallery/: a PNG of the first page of every layout in layouts/ set with the
# seed statement (and the long water-summit statement, whose front matter has a reference and
# signatories), for the README and docs/layouts.md. docs/gallery/sources.txt records the
# SHA-256 of the PDF each PNG was made from; tests/gallery.rs renders the same PDFs and fails
# when one differs, so a change to the output that leaves the gallery stale is caught.
# The pictures come from `communique preview` (hayro), so no external rasterizer is needed.
#   scripts/gallery.sh            # needs sha256sum
set -eu
cd "$(dirname "$0")/.."
cargo build --release --quiet
out=docs/gallery
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sources="$tmp/sources.txt"
# first_page STATEMENT OUT.png [build options]: page 1 of what `build` writes, at 60 dpi.
first_page() {
    statement=$1 png=$2
    shift 2
    rm -rf "$tmp/png"
    ./target/release/communique preview "$statement" "$@" --dpi 60 -o "$tmp/png" >/dev/null
    # Pages are STEM-1.png ... (STEM-01.png ... from ten pages on): the first sorts first.
    mv "$tmp/png/$(ls "$tmp/png" | sort | sed -n 1p)" "$png"
}
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
        first_page "$statement" "$out/$name$suffix.png" --layout "$layout"
        echo "$(sha256sum "$pdf" | cut -d' ' -f1)  $name$suffix.png  $statement  $layout" >> "$sources"
        echo "$out/$name$suffix.png"
    done
done
# The Chinese and Japanese statements in the default layout (their font: Noto Serif CJK, from
# Debian's fonts-noto-cjk).
for statement in statements/2026-04-14-shengming-zh.md statements/2026-04-14-seimei-ja.md; do
    name=$(basename "$statement" .md)
    ./target/release/communique build "$statement" -o "$tmp/$name.pdf"
    first_page "$statement" "$out/$name.png"
    echo "$(sha256sum "$tmp/$name.pdf" | cut -d' ' -f1)  $name.png  $statement  layouts/default.toml" >> "$sources"
    echo "$out/$name.png"
done
mv "$sources" "$out/sources.txt"
