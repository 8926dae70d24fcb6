#!/usr/bin/env bash
# Installs the npm clients the tests run, from the committed package-lock.json (npm ci), unless node_modules already
# holds exactly that lock under this Node.js: npm ci deletes and reinstalls node_modules every time, which every
# Maven build of the tests would otherwise pay. Delete node_modules to force a reinstall.
set -euo pipefail
cd "$(dirname "$0")"
stamp=node_modules/.installed-from
wanted="package-lock.json $(sha256sum package-lock.json | cut -d' ' -f1), node $(node --version)"
if [[ -f $stamp && "$(cat "$stamp")" == "$wanted" ]]; then
  echo "test clients: node_modules already installed from this package-lock.json"
  exit 0
fi
npm ci --no-audit --no-fund
echo "$wanted" > "$stamp"
