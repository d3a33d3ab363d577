#!/usr/bin/env bash
# deps.sh: installs the Debian packages weir needs to build and test, only
# when some are missing (one `apt-get update`, then one `apt-get install -y`),
# and the npm packages the JavaScript client tests use (from the committed
# lockfile). Safe to run every time: it does nothing when all is present.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(
  gcc make clang pkg-config git procps
  librdkafka-dev zlib1g-dev libzstd-dev liblz4-dev libsnappy-dev libssl-dev
  kcat python3 python3-confluent-kafka python3-kafka
  nodejs npm
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs/npm may come from outside Debian's packages on some images: accept a working node.
if command -v node >/dev/null && command -v npm >/dev/null; then
  tmp=(); for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || tmp+=("$p"); done
  missing=("${tmp[@]+"${tmp[@]}"}")
fi
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q "${missing[@]}"
fi
# npm ci when node_modules is missing, or lacks a package that package.json
# lists (a dependency added since the last install, e.g. @duckdb/node-api).
js_missing() {
  (cd tests/js && node -e "const fs = require('fs');
    for (const p of Object.keys(require('./package.json').dependencies || {}))
      if (!fs.existsSync('node_modules/' + p + '/package.json')) process.exit(1);") >/dev/null 2>&1 && return 1
  return 0
}
# `npm ci` refuses a lockfile without entries for other platforms' optional
# packages (@duckdb/node-bindings-darwin-*), which the registry reachable
# here does not serve, so the lockfile cannot list them; `npm install`
# installs the same locked versions and accepts it.
if [ -f tests/js/package-lock.json ] && { [ ! -d tests/js/node_modules ] || js_missing; }; then
  echo "deps: npm install (locked versions) in tests/js"
  (cd tests/js && { npm ci --no-audit --no-fund --loglevel=silent 2>/dev/null ||
                    npm install --no-audit --no-fund --loglevel=error; })
fi
