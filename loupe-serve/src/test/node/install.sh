#!/usr/bin/env bash
# Installs what the Node-driven tests need, idempotently: the npm packages pinned in package-lock.json and
# Debian's chromium (playwright-core drives it; it never downloads a browser of its own).
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d node_modules/openai ] || [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
if [ ! -x /usr/bin/chromium ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi
