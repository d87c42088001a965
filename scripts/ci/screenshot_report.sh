#!/usr/bin/env bash
# Renders an Attune report in a real browser: a headless Chromium screenshot of
# DIR/index.html (default attune-report), trimmed to the page, written to OUT (default
# DIR/screenshot.png); then fails (status 1) if any chart or table reaches beyond the page's
# 1360 px. Installs Chromium and ImageMagick from Debian's packages if missing
# (needs root or sudo). Look at the PNG to check the charts are legible.
#
#   scripts/ci/screenshot_report.sh [DIR] [OUT.png]
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

# Nothing may stick out of the 1360 px layout: the page laid out 1360 px wide again, in a window
# 600 px wider, with tables no longer scrolled inside their boxes (a table wider than the page
# would be clipped, not seen); everything right of the content's edge (x = 1336) must be bare
# background.
wide=$((width + 600))
raw_wide=$(mktemp --suffix .png)
unclipped=$(mktemp --suffix .html)
trap 'rm -f "$raw" "$raw_wide" "$unclipped"' EXIT
sed "s|</style>|body { width: ${width}px !important; margin: 0 !important; } .table-wrap { overflow: visible !important; }</style>|" \
  "$page" >"$unclipped"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
  --window-size="$wide,$height" --screenshot="$raw_wide" "file://$unclipped" \
  >/dev/null 2>&1
[[ -s $raw_wide ]] || { echo "error: Chromium wrote no screenshot" >&2; exit 1; }
# The page's content ends 24 px (its padding) before the right edge.
margin=$((width - 24))
spread=$(/usr/bin/convert "$raw_wide" -crop "$((wide - margin))x${height}+${margin}+0" +repage \
  -format '%[fx:maxima-minima]' info:)
if [[ $spread != 0 ]]; then
  echo "FAIL something is drawn beyond the page's 1360 px (right margin not blank: $spread)" >&2
  exit 1
fi
echo "ok: everything within the page's 1360 px"
