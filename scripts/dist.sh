#!/usr/bin/env bash
# Build the self-contained Lantern for this platform with PyInstaller (`make dist`):
#   Linux:   dist/Lantern-VERSION-linux-ARCH.tar.gz and dist/lantern_VERSION_amd64.deb
#   macOS:   dist/Lantern-VERSION-macos-ARCH.dmg      (written for, not tried here)
#   Windows: dist/Lantern-VERSION-windows-ARCH.zip    (written for, not tried here)
# A build of the same files is reused (dist/.key, scripts/dist-key.sh);
# --force rebuilds. Needs the project's .venv (make setup) and the models it placed.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
VENV="${VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
[ -x "$PY" ] || PY="$VENV/Scripts/python.exe"  # Windows venv layout
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { echo "dist: $*" >&2; exit 1; }
[ -x "$PY" ] || die "$VENV not found: run 'make setup' first"

VERSION="$("$PY" -c 'import tomllib; print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')"
case "$(uname -s)" in
  Linux) OS=linux ;;
  Darwin) OS=macos ;;
  MINGW*|MSYS*|CYGWIN*) OS=windows ;;
  *) die "unsupported system $(uname -s)" ;;
esac
ARCH="$(uname -m)"; [ "$ARCH" = aarch64 ] && ARCH=arm64
KEY="$(bash scripts/dist-key.sh)"

case "$OS" in
  linux) ARTIFACTS=("dist/Lantern-$VERSION-linux-$ARCH.tar.gz" "dist/lantern_${VERSION}_amd64.deb") ;;
  macos) ARTIFACTS=("dist/Lantern-$VERSION-macos-$ARCH.dmg") ;;
  windows) ARTIFACTS=("dist/Lantern-$VERSION-windows-$ARCH.zip") ;;
esac
[ "$OS" = linux ] && [ "$ARCH" != x86_64 ] && ARTIFACTS=("${ARTIFACTS[0]}")  # .deb: amd64 only

if [ "${1:-}" != "--force" ] && [ "$(cat dist/.key 2>/dev/null)" = "$KEY" ]; then
  ok=1; for f in "${ARTIFACTS[@]}"; do [ -f "$f" ] || ok=0; done
  if [ $ok = 1 ]; then say "dist/ already holds the build of $KEY"; exit 0; fi
fi

# PyInstaller and its hooks come from requirements.lock's dist group, which `make setup`
# installs with everything else (scripts/bootstrap.sh): the bundle is built from the locked set.
"$PY" -c "import PyInstaller" 2>/dev/null || die "PyInstaller missing from $VENV: run 'make setup'"

GGUF="$ROOT/models/$("$PY" -c 'from core.settings import DEFAULT_GGUF; print(DEFAULT_GGUF)')"
[ -f "$GGUF" ] || die "$GGUF not found: run 'make setup' (it places the default model)"
# the judge model goes in when set-up placed it (LANTERN_JUDGE=0 leaves it out of both)
JUDGE_GGUF="$ROOT/models/$("$PY" -c 'from core.settings import DEFAULT_JUDGE_GGUF; print(DEFAULT_JUDGE_GGUF)')"
[ -f "$JUDGE_GGUF" ] || JUDGE_GGUF=""
if [ "$OS" = linux ]; then
  # PyInstaller copies the xcb helper libraries Qt's plugin links into the bundle, so they
  # must be on this machine; the same check tells the user what to install otherwise.
  QT_QPA_PLATFORM=xcb WAYLAND_DISPLAY= "$PY" -m desktop.syscheck || die "install the libraries above, then run make dist again"
fi

# The build record: what --version and the About dialog show besides the live model hashes.
mkdir -p build dist
LLAMA_FLAGS="$(cat "$VENV"/.llama-* 2>/dev/null | head -n1 || true)"
COMMIT="$(git describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)"
LOCK_SHA="$(sha256sum requirements.lock | cut -d' ' -f1)"
"$PY" - "$VERSION" "$COMMIT" "$LLAMA_FLAGS" "$LOCK_SHA" <<'PY'
import json, sys, time
version, commit, flags, lock = sys.argv[1:]
json.dump({"version": version, "commit": commit, "built": time.strftime("%Y-%m-%d", time.gmtime()),
           "llama_cmake_args": flags, "lock_sha256": lock}, open("build/build-info.json", "w"), indent=2)
PY

say "PyInstaller: building Lantern $VERSION for $OS-$ARCH (several minutes)"
start=$SECONDS
LANTERN_GGUF="$GGUF" LANTERN_JUDGE_GGUF="$JUDGE_GGUF" LANTERN_VERSION="$VERSION" "$PY" -m PyInstaller --noconfirm --log-level WARN \
  --distpath build/pyinstaller-dist --workpath build/pyinstaller packaging/lantern.spec
say "PyInstaller took $((SECONDS - start)) s"

rm -f dist/.key "${ARTIFACTS[@]}"
case "$OS" in
  linux) bash scripts/package-linux.sh "$VERSION" "$ARCH" build/pyinstaller-dist/Lantern ;;
  macos)
    hdiutil create -volname Lantern -srcfolder build/pyinstaller-dist/Lantern.app -ov \
      -format UDZO "${ARTIFACTS[0]}" ;;
  windows)
    "$PY" -c 'import shutil, sys; shutil.make_archive(sys.argv[1], "zip", sys.argv[2], "Lantern")' \
      "${ARTIFACTS[0]%.zip}" build/pyinstaller-dist ;;
esac
echo "$KEY" > dist/.key
for f in "${ARTIFACTS[@]}"; do say "$f: $(du -h "$f" | cut -f1)"; done
