#!/usr/bin/env bash
# Regenerates generated code and fails when it differs from the files in the tree.
# Compares file contents directly, so it works in a dirty working tree too.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
list() { { grep -rlZ --include='*.go' -E '^// Code generated .* DO NOT EDIT\.$' . || true; } | sort -z; }
list | while IFS= read -r -d '' f; do mkdir -p "$tmp/$(dirname "$f")"; cp "$f" "$tmp/$f"; done
list | tr '\0' '\n' > "$tmp/.before"
go generate ./...
list | tr '\0' '\n' > "$tmp/.after"
stale=0
if ! diff -u "$tmp/.before" "$tmp/.after" >/dev/null; then
  echo "the set of generated files changed:" >&2; diff -u "$tmp/.before" "$tmp/.after" >&2 || true; stale=1
fi
while IFS= read -r f; do
  [ -n "$f" ] || continue
  if [ -f "$tmp/$f" ] && ! cmp -s "$f" "$tmp/$f"; then echo "stale generated file: $f" >&2; stale=1; fi
done < "$tmp/.after"
if [ $stale -ne 0 ]; then echo "run 'make generate' and commit the result" >&2; exit 1; fi
echo "generated code is up to date"
