#!/bin/sh
# Regenerates docs/gallery/: a PNG of the first page of every layout in layouts/ set with the
# seed statement (and the long water-summit statement, whose front matter has a reference and
# signatories), for docs/layouts.md.
#   scripts/gallery.sh            # needs pdftoppm (poppler-utils)
set -eu
cd "$(dirname "$0")/.."
command -v pdftoppm >/dev/null || { echo "gallery.sh: pdftoppm (poppler-utils) is needed" >&2; exit 1; }
cargo build --release --quiet
out=docs/gallery
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for layout in layouts/*.toml; do
    name=$(basename "$layout" .toml)
    for statement in statements/2020-01-29-copenhagen-political-directors.md statements/2026-03-02-water-summit-long.md; do
        case "$statement" in
            *copenhagen*) suffix="" ;;
            *) suffix="-summit" ;;
        esac
        ./target/release/communique build "$statement" --layout "$layout" -o "$tmp/$name.pdf" 2>/dev/null
        pdftoppm -png -r 60 -f 1 -l 1 -singlefile "$tmp/$name.pdf" "$out/$name$suffix"
        echo "$out/$name$suffix.png"
    done
done
# The Chinese and Japanese statements in the default layout (their font: Noto Serif CJK, from
# Debian's fonts-noto-cjk).
for statement in statements/2026-04-14-shengming-zh.md statements/2026-04-14-seimei-ja.md; do
    name=$(basename "$statement" .md)
    ./target/release/communique build "$statement" -o "$tmp/$name.pdf"
    pdftoppm -png -r 60 -f 1 -l 1 -singlefile "$tmp/$name.pdf" "$out/$name"
    echo "$out/$name.png"
done
