#!/usr/bin/env bash
# Re-resolve requirements.lock (`make lock`): every package that set-up, the tests and the
# bundle install, at exact versions with their sha256, for CPython 3.11 on Linux x86_64, glibc 2.36 or newer (the
# platform of CI, the tarball and the .deb). Resolved by uv from pyproject.toml (the runtime,
# dev, server and dist groups) and packaging/build-requirements.in (what builds llama.cpp).
#
#   scripts/lock.sh            keep every pin that still satisfies pyproject.toml
#   scripts/lock.sh --upgrade  take the newest versions pyproject.toml allows
#
# torch is the CPU build (torch==X+cpu), found in TORCH_WHEELS (a folder of wheels, default
# /opt/wheels where this machine keeps it) or else on PyTorch's CPU index.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
UV="${UV:-$ROOT/.venv/bin/uv}"
[ -x "$UV" ] || { echo "lock: $UV not found: run 'make setup' first (uv is in the dev group)" >&2; exit 1; }
TORCH_WHEELS="${TORCH_WHEELS:-/opt/wheels}"
if [ -d "$TORCH_WHEELS" ]; then
  torch_source=(--find-links "$TORCH_WHEELS")
else
  torch_source=(--extra-index-url https://download.pytorch.org/whl/cpu --index-strategy unsafe-best-match)
fi
upgrade=()
[ "${1:-}" = "--upgrade" ] && upgrade=(--upgrade)
"$UV" pip compile pyproject.toml packaging/build-requirements.in \
  --extra dev --extra server --extra dist \
  --python-version 3.11 --python-platform x86_64-manylinux_2_36 \
  "${torch_source[@]}" --no-emit-find-links --no-emit-index-url \
  --generate-hashes --emit-build-options --custom-compile-command "make lock" \
  "${upgrade[@]}" --quiet -o requirements.lock
echo "requirements.lock: $(grep -c '^[A-Za-z0-9]' requirements.lock) packages, sha256 $(sha256sum requirements.lock | cut -c1-16)"
