#!/usr/bin/env bash
# Prints the typographic figures of every bundled statement set in a layout, as the shared
# measuring tool (../shared/tools/pdfcheck.py) reports them: word-gap ratios of justified
# lines (mean, p95, max), loose (>1.5) and tight (<0.8) lines, hyphenated lines and the longest
# run of them, widows and orphans, letter spacing and glyph scaling guards, missing words.
#
# usage: scripts/quality.sh [LAYOUT.toml] [STATEMENT...]
set -euo pipefail
cd "$(dirname "$0")/.."
layout=${1:-layouts/coalition.toml}
shift || true
statements=("$@")
[ ${#statements[@]} -gt 0 ] || statements=(statements/*.md)
check=${PDFCHECK:-../shared/tools/pdfcheck.py}
[ -f "$check" ] || { echo "pdfcheck.py not found at $check (set PDFCHECK)" >&2; exit 1; }
cargo build --release --quiet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-44s %5s %6s %6s %6s %5s %5s %5s %4s %4s %6s %11s %5s\n' statement pages mean p95 max loose tight hyph run w/o ls_em hscale miss
for s in "${statements[@]}"; do
  pdf="$out/$(basename "$s" .md).pdf"
  ./target/release/communique build "$s" --layout "$layout" -o "$pdf"
  python3 "$check" "$pdf" --source "$s" --skip preflight_a1b,qpdf_check --json | python3 -c '
import json, sys
d = json.load(sys.stdin); j = d.get("justification") or {}; t = d.get("text_fidelity") or {}
name = sys.argv[1].split("/")[-1][:44]
print("%-44s %5s %6s %6s %6s %5s %5s %5s %4s %4s %6s %5s-%-5s %5s" % (name, d.get("pages"),
      j.get("gap_ratio_mean"), j.get("gap_ratio_p95"), j.get("gap_ratio_max"), j.get("loose_lines"),
      j.get("tight_lines"), j.get("hyphen_lines"), j.get("max_consecutive_hyphens"),
      (j.get("widows") or 0) + (j.get("orphans") or 0), j.get("letterspace_em_max_abs"),
      j.get("hscale_min"), j.get("hscale_max"), t.get("source_words_missing_bag")))' "$s"
done
