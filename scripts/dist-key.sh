#!/usr/bin/env bash
# The key of a bundle build: a hash of every file that goes into it (tracked or new, committed
# or not), so `make test-dist` reuses a build exactly when it would come out the same.
# The models and the virtualenv are keyed by pyproject.toml and scripts/bootstrap.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files -co --exclude-standard -- core desktop packaging scripts pyproject.toml requirements.lock \
  | sort | while read -r f; do [ -f "$f" ] && printf '%s %s\n' "$(git hash-object "$f")" "$f"; done \
  | { cat; for f in models/judge/*.gguf; do [ -f "$f" ] && stat -c "%s %n" "$f"; done; true; } \
  | sha256sum | cut -c1-16
