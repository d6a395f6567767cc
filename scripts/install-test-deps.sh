#!/usr/bin/env bash
# Installs what the tests drive when it is missing: Debian's AWS CLI v2 (/usr/bin/aws), node,
# Debian's chromium (the hosted login pages' browser tests; playwright-core drives it, it never
# downloads a browser) and the npm clients in tests/clients. Safe to run again: it only installs what is not there.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -x /usr/bin/aws ] || need+=(awscli)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/bwrap ] || need+=(bubblewrap)   # the functions sandbox
command -v node >/dev/null 2>&1 || need+=(nodejs npm)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v zip >/dev/null 2>&1 || need+=(zip)
command -v curl >/dev/null 2>&1 || need+=(curl)
# aws-lambda-ric's native addon (tests/clients-ric) builds with these.
if [ ! -d tests/clients-ric/node_modules/aws-lambda-ric ]; then
  for tool in g++ cmake autoconf automake libtoolize make; do
    pkg=$tool; [ $tool = libtoolize ] && pkg=libtool
    command -v $tool >/dev/null 2>&1 || need+=($pkg)
  done
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${need[*]}"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ ! -d tests/clients/node_modules ] || [ tests/clients/package-lock.json -nt tests/clients/node_modules/.package-lock.json ]; then
  echo "Installing the npm clients the tests drive (tests/clients)"
  (cd tests/clients && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ ! -d tests/clients-ric/node_modules/aws-lambda-ric ]; then
  echo "Installing aws-lambda-ric for the runtime-client compatibility test (tests/clients-ric; builds a native addon)"
  (cd tests/clients-ric && npm ci --no-audit --no-fund --loglevel=error)
fi
