#!/usr/bin/env bash
# Put Lantern in the desktop's application menu (freedesktop: GNOME, KDE, Xfce, ...).
# Installs for the current user only: a .desktop launcher that runs this checkout's
# .venv/bin/python -m desktop, and the icon. `make install-desktop` runs it; --uninstall undoes it.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DATA="${XDG_DATA_HOME:-$HOME/.local/share}"
APPS="$DATA/applications"
ICONS="$DATA/icons/hicolor"
DESKTOP_FILE="$APPS/lantern.desktop"

if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$DESKTOP_FILE" "$ICONS/scalable/apps/lantern.svg" "$ICONS/256x256/apps/lantern.png"
  command -v update-desktop-database >/dev/null && update-desktop-database -q "$APPS" || true
  echo "Lantern removed from the application menu."
  exit 0
fi

PYTHON="$ROOT/.venv/bin/python"
if [ ! -x "$PYTHON" ]; then
  echo "install-desktop: $PYTHON not found; run 'make setup' first" >&2
  exit 1
fi

mkdir -p "$APPS" "$ICONS/scalable/apps" "$ICONS/256x256/apps"
cp "$ROOT/packaging/lantern.svg" "$ICONS/scalable/apps/lantern.svg"
cp "$ROOT/packaging/lantern.png" "$ICONS/256x256/apps/lantern.png"

# Exec quoting per the Desktop Entry spec: the path in double quotes, with \ " ` $ escaped.
quote() { printf '"%s"' "$(printf '%s' "$1" | sed -e 's/[\\"`$]/\\\\&/g')"; }
EXEC="env HF_HUB_OFFLINE=1 $(quote "$PYTHON") -m desktop"
sed -e "s|@EXEC@|$(printf '%s' "$EXEC" | sed 's/[|&]/\\&/g')|" \
    -e "s|@ROOT@|$(printf '%s' "$ROOT" | sed 's/[|&]/\\&/g')|" \
    "$ROOT/packaging/lantern.desktop" > "$DESKTOP_FILE.tmp"
mv "$DESKTOP_FILE.tmp" "$DESKTOP_FILE"
chmod 644 "$DESKTOP_FILE"

command -v desktop-file-validate >/dev/null && desktop-file-validate "$DESKTOP_FILE" || true
command -v update-desktop-database >/dev/null && update-desktop-database -q "$APPS" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$ICONS" 2>/dev/null || true

echo "Lantern is in your application menu ($DESKTOP_FILE)."
echo "It runs: $PYTHON -m desktop"
