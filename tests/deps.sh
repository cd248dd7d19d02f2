#!/usr/bin/env bash
# Installs the Debian packages named on the command line that are missing.
# Runs apt-get update first, once, only when something must be installed.
set -eu
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "npio: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${missing[@]}"
fi
# a comma-decimal locale, for the tests that check the locale never leaks
# into number parsing or formatting
if command -v localedef >/dev/null 2>&1 &&
   ! locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
  $SUDO localedef -i de_DE -f UTF-8 de_DE.UTF-8 2>/dev/null ||
    echo "npio: could not generate de_DE.UTF-8 (locale tests will say so)"
fi
exit 0
