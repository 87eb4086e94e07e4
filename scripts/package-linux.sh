#!/usr/bin/env bash
# Pack PyInstaller's Lantern folder for Linux (scripts/dist.sh calls this):
#   dist/Lantern-VERSION-linux-ARCH.tar.gz   unpack, then double-click Lantern (or ./Lantern)
#   dist/lantern_VERSION_amd64.deb            /opt/lantern, a menu entry with icon, `lantern` on PATH
#
#   scripts/package-linux.sh VERSION ARCH BUNDLE_DIR
set -euo pipefail
VERSION="$1" ARCH="$2" BUNDLE="$3"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# `lantern` beside `Lantern` runs the CLI (packaging/lantern_main.py looks at its own name).
ln -sfn Lantern "$BUNDLE/lantern"

say "packing dist/Lantern-$VERSION-linux-$ARCH.tar.gz"
# flags=r: rename the members, not the `lantern -> Lantern` link's target
tar -C "$(dirname "$BUNDLE")" --owner=0 --group=0 --numeric-owner \
  --transform "flags=r;s,^Lantern,Lantern-$VERSION," \
  -czf "dist/Lantern-$VERSION-linux-$ARCH.tar.gz" "$(basename "$BUNDLE")"

[ "$ARCH" = x86_64 ] || exit 0
command -v dpkg-deb >/dev/null || { echo "package-linux: no dpkg-deb, skipping the .deb" >&2; exit 0; }

say "packing dist/lantern_${VERSION}_amd64.deb"
STAGE="build/deb/lantern_${VERSION}_amd64"
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
  "$STAGE/usr/share/icons/hicolor/256x256/apps" "$STAGE/usr/share/icons/hicolor/scalable/apps"
cp -al "$BUNDLE" "$STAGE/opt/lantern"  # hard links: no second copy of a gigabyte
ln -s /opt/lantern/lantern "$STAGE/usr/bin/lantern"
cp packaging/lantern.png "$STAGE/usr/share/icons/hicolor/256x256/apps/lantern.png"
cp packaging/lantern.svg "$STAGE/usr/share/icons/hicolor/scalable/apps/lantern.svg"
sed -e 's|@EXEC@|/opt/lantern/Lantern|' -e '/^Path=/d' packaging/lantern.desktop \
  > "$STAGE/usr/share/applications/lantern.desktop"

# Depends: the packages of every library the bundle loads from the system (PyInstaller leaves
# out libc, libGL/EGL and libxcb on purpose), found by ldd on each of its binaries.
system_libs() {
  find "$BUNDLE" -type f \( -name '*.so*' -o -name Lantern \) -print0 \
    | { LD_LIBRARY_PATH="$BUNDLE/_internal" xargs -0 ldd 2>/dev/null || true; } \
    | awk -v b="$(cd "$BUNDLE" && pwd)" '$2 == "=>" && $3 ~ /^\// && index($3, b) != 1 {print $3}' \
    | sort -u
}
owner() { dpkg -S "$(readlink -f "$1")" 2>/dev/null || dpkg -S "$1" 2>/dev/null || true; }
depends="$(system_libs | while read -r lib; do owner "$lib"; done | cut -d: -f1 | sort -u \
  | paste -sd, | sed 's/,/, /g')"
size_kb="$(du -sk "$STAGE" | cut -f1)"
cat > "$STAGE/DEBIAN/control" <<EOF
Package: lantern
Version: $VERSION
Architecture: amd64
Maintainer: Lantern developers <lantern@localhost>
Installed-Size: $size_kb
Depends: ${depends:-libc6}
Section: science
Priority: optional
Description: offline assistant that answers questions about your papers
 Lantern reads your PDFs on your own computer and answers questions about them with a
 local language model, citing the paper, the page and the exact sentence. It needs no
 network: Python, llama.cpp, Qt, the embedding model and a small chat model are inside.
EOF
dpkg-deb --root-owner-group -Zgzip --build "$STAGE" "dist/lantern_${VERSION}_amd64.deb" >/dev/null
rm -rf "$STAGE"
