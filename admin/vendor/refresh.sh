#!/usr/bin/env bash
# Refreshes the admin UI's vendored view library (Preact, its hooks, htm, signals) in
# ../assets/vendor from the npm registry, at the versions package-lock.json pins.
#
# The UI has no build step: the browser loads these ES modules as they are. Each tarball is
# checked against the lock's sha512 integrity before anything is taken from it. The modules
# import each other by package name ("preact", "preact/hooks", "@preact/signals-core"), which a
# browser resolves only through an import map, and an import map is inline script, which our
# Content-Security-Policy refuses; so those names are rewritten to the sibling files' paths,
# and nothing else is changed. SHA256SUMS records each package's version and integrity and each
# file's hash after the rewrite; a test checks both against the lock and the files served.
#
# To upgrade: change the versions in package.json, run
# `npm install --package-lock-only --ignore-scripts`, then this script, then the tests.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../assets/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# lock NAME FIELD: the version or integrity package-lock.json pins for NAME.
lock() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["packages"]["node_modules/" + sys.argv[2]][sys.argv[3]])' \
    "$here/package-lock.json" "$1" "$2"
}

sums_header=""
# fetch NAME: downloads the pinned tarball, checks its integrity, unpacks it into $work/NAME.
fetch() {
  local name="$1" version integrity tarball actual
  version="$(lock "$name" version)"
  integrity="$(lock "$name" integrity)"
  tarball="$(cd "$work" && npm pack --silent "$name@$version" | tail -n 1)"
  actual="sha512-$(openssl dgst -sha512 -binary "$work/$tarball" | base64 | tr -d '\n')"
  if [[ "$actual" != "$integrity" ]]; then
    echo "$name@$version: tarball integrity $actual, the lock says $integrity" >&2
    exit 1
  fi
  mkdir -p "$work/$name"
  tar -xzf "$work/$tarball" -C "$work/$name"
  sums_header+="# $name@$version $integrity"$'\n'
  echo "$name@$version: $integrity"
}

# take NAME PATH-IN-TARBALL FILE: copies one module, its package imports pointed at siblings.
take() {
  sed -e 's#from"preact/hooks"#from"./hooks.module.js"#g' \
      -e 's#from"preact"#from"./preact.module.js"#g' \
      -e 's#from"@preact/signals-core"#from"./signals-core.module.js"#g' \
      "$work/$1/package/$2" >"$out/$3"
  if grep -Eq 'from"[^./]' "$out/$3"; then
    echo "$3 still imports a package by name" >&2
    exit 1
  fi
}

fetch preact
fetch htm
fetch @preact/signals
fetch @preact/signals-core

take preact dist/preact.module.js preact.module.js
take preact hooks/dist/hooks.module.js hooks.module.js
take htm dist/htm.module.js htm.module.js
take @preact/signals dist/signals.module.js signals.module.js
take @preact/signals-core dist/signals-core.module.js signals-core.module.js
install -m 0644 "$work/preact/package/LICENSE" "$out/preact.LICENSE.txt"
install -m 0644 "$work/htm/package/LICENSE" "$out/htm.LICENSE.txt"
install -m 0644 "$work/@preact/signals/package/LICENSE" "$out/signals.LICENSE.txt"

cd "$out"
{
  printf '%s' "$sums_header"
  sha256sum preact.module.js hooks.module.js htm.module.js signals.module.js \
    signals-core.module.js preact.LICENSE.txt htm.LICENSE.txt signals.LICENSE.txt
} >SHA256SUMS
cat SHA256SUMS
