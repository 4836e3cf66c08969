#!/usr/bin/env bash
# Regenerates checks/popular/{npm,pypi}.txt, the names that typosquat detection compares new dependencies
# with, from registry download rankings: npm by monthly downloads, PyPI by download rank. The input lists
# are the package tables of the workplace's tool library (env/packages/npm.tsv and pypi.tsv).
set -euo pipefail
packages=${1:-/work/.library/env/packages}
out=$(cd "$(dirname "$0")/.." && pwd)/checks/popular
count=${COUNT:-5000}
{
  echo "# npm packages by monthly downloads (top $count); one name a line"
  awk -F'\t' 'NR > 1 && $3 ~ /^[0-9]+$/ { print $3 "\t" $1 }' "$packages/npm.tsv" | sort -t$'\t' -k1,1nr | awk -v n="$count" 'NR <= n' | cut -f2
} > "$out/npm.txt"
{
  echo "# PyPI packages by download rank (top $count); one name a line"
  awk -F'\t' 'NR > 1 && $4 ~ /^[0-9]+$/ { print $4 "\t" $1 }' "$packages/pypi.tsv" | sort -t$'\t' -k1,1n | awk -v n="$count" 'NR <= n' | cut -f2
} > "$out/pypi.txt"
wc -l "$out"/npm.txt "$out"/pypi.txt
