#!/usr/bin/env bash
# Install what HipCoach needs on a Debian/Ubuntu machine, from nothing, and create .venv.
#   bash scripts/setup.sh          # to run the app
#   bash scripts/setup.sh test     # also what the tests need (virtual display, test packages)
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"

# System libraries: OpenCV and Qt's runtime, Qt's xcb platform (for a real or virtual display),
# sound and speech for the coach's voice, EGL on Mesa's software rasteriser for the clip renderer.
debs=(
  python3 python3-venv python3-pip git ca-certificates
  libgl1 libglib2.0-0 libegl1 libgl1-mesa-dri libfontconfig1 libfreetype6 libdbus-1-3
  libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libx11-xcb1
  libpulse0 libasound2 speech-dispatcher espeak-ng
)
if [ "$mode" = "test" ]; then
  debs+=(xvfb xauth)
  # tests/test_no_network.py watches analyze and a live session for any network use (native code too).
  debs+=(strace)
  # The model rebuild test fetches @mediapipe/pose with npm.
  command -v npm >/dev/null 2>&1 || debs+=(npm)
fi
missing=()
for d in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$d" 2>/dev/null | grep -q "install ok installed" || missing+=("$d")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=python3
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [ "$mode" = "test" ]; then
  .venv/bin/python -m pip install -q -e ".[test,render]"
else
  .venv/bin/python -m pip install -q -e .
fi
echo "HipCoach is installed in .venv ($mode)."
