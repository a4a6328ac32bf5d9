#!/usr/bin/env bash
# What `make test` needs besides the virtualenv, checked (and installed where it can be) first:
# - Debian's Chromium and its driver, for the widget's browser tests: installed with apt-get when
#   missing and this user may (root), else the exact command is printed and `make test` stops;
# - PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379, for the scale-out tests: one line
#   says so when they do not answer (those tests then fail; the others run).
set -uo pipefail

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  command="apt-get install -y chromium chromium-driver"
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "==> Installing Chromium for the browser tests ($command)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1 \
      || { apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; } \
      || { echo "Installing Chromium failed: run '$command' and then 'make test' again" >&2; exit 1; }
  else
    echo "The browser tests need Chromium: run 'sudo $command' and then 'make test' again" >&2
    exit 1
  fi
fi

answers() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
missing=()
answers 127.0.0.1 5432 || missing+=("PostgreSQL (127.0.0.1:5432)")
answers 127.0.0.1 6379 || missing+=("Redis (127.0.0.1:6379)")
if [ ${#missing[@]} -gt 0 ]; then
  printf 'Not answering: %s; the scale-out tests will fail (start them: see docs/deployment.md, "Tests")\n' \
    "$(IFS=,; echo "${missing[*]}" | sed 's/,/ and /')"
fi
exit 0
