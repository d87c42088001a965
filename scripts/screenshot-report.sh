#!/usr/bin/env bash
# Renders an Attune report in a real browser: a headless Chromium screenshot of
# DIR/index.html (default attune-report), trimmed to the page, written to OUT (default
# DIR/screenshot.png). Installs Chromium and ImageMagick from Debian's packages if missing
# (needs root or sudo). Look at the PNG to check the charts are legible.
#
#   scripts/screenshot-report.sh [DIR] [OUT.png]
set -euo pipefail

dir=${1:-attune-report}
out=${2:-$dir/screenshot.png}
page="$dir/index.html"
[[ -f $page ]] || { echo "error: no $page (run: swift run -c release attune report)" >&2; exit 1; }

install() {
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "installing $* from Debian's packages…" >&2
  $sudo apt-get update -qq >&2 && $sudo apt-get install -y -qq "$@" >&2
}
command -v chromium >/dev/null || install chromium
[[ -x /usr/bin/convert ]] || install imagemagick

# A window as wide as the page's layout and taller than the page; the trim removes the rest.
width=1360
height=${ATTUNE_SCREENSHOT_HEIGHT:-14000}
raw=$(mktemp --suffix .png)
trap 'rm -f "$raw"' EXIT
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
  --window-size="$width,$height" --screenshot="$raw" "file://$(realpath "$page")" \
  >/dev/null 2>&1
[[ -s $raw ]] || { echo "error: Chromium wrote no screenshot" >&2; exit 1; }
# Trim the empty background below the page, keeping the full width and a margin.
/usr/bin/convert "$raw" -background '#fafafa' -gravity south -trim +repage \
  -gravity north -extent "${width}x" "$out.tmp.png"
mv "$out.tmp.png" "$out"
size=$(/usr/bin/identify -format '%wx%h' "$out")
echo "$out ($size)"
