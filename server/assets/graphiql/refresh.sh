#!/usr/bin/env bash
# Refreshes the vendored GraphiQL browser files in this directory from the npm registry.
#
# The server embeds these files in its binary so that GraphiQL works without internet access
# and loads nothing from another origin. Each tarball is checked against the sha512 integrity
# the registry publishes for that version before anything is taken from it, and SHA256SUMS is
# rewritten so that reviewers and the end-to-end tests can tell the files were not edited.
#
# To upgrade, change the versions below, run this script, and check GraphiQL in a browser.
# graphiql.min.js must stay a UMD build that needs only the React and ReactDOM globals.
set -euo pipefail

GRAPHIQL_VERSION=3.8.3
REACT_VERSION=18.3.1
REACT_DOM_VERSION=18.3.1

here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# fetch PACKAGE VERSION: downloads the tarball into $work, checks its integrity and unpacks it
# into $work/PACKAGE.
fetch() {
  local package="$1" version="$2"
  local expected actual tarball
  expected="$(npm view "$package@$version" dist.integrity)"
  case "$expected" in
    sha512-*) ;;
    *) echo "$package@$version: the registry gave no sha512 integrity ($expected)" >&2; exit 1 ;;
  esac
  tarball="$(cd "$work" && npm pack --silent "$package@$version" | tail -n 1)"
  actual="sha512-$(openssl dgst -sha512 -binary "$work/$tarball" | base64 | tr -d '\n')"
  if [[ "$actual" != "$expected" ]]; then
    echo "$package@$version: tarball integrity $actual, registry says $expected" >&2
    exit 1
  fi
  mkdir -p "$work/$package"
  tar -xzf "$work/$tarball" -C "$work/$package"
  echo "$package@$version: $expected"
}

# take PACKAGE PATH-IN-TARBALL NAME: copies one file into this directory as NAME.
take() {
  install -m 0644 "$work/$1/package/$2" "$here/$3"
}

fetch graphiql "$GRAPHIQL_VERSION"
fetch react "$REACT_VERSION"
fetch react-dom "$REACT_DOM_VERSION"

take graphiql graphiql.min.js graphiql.min.js
take graphiql graphiql.min.css graphiql.min.css
take graphiql LICENSE graphiql.LICENSE.txt
take react umd/react.production.min.js react.production.min.js
take react LICENSE react.LICENSE.txt
take react-dom umd/react-dom.production.min.js react-dom.production.min.js
take react-dom LICENSE react-dom.LICENSE.txt

# Only the files that came from the registry: init.js and page.css are ours.
cd "$here"
sha256sum \
  graphiql.min.css graphiql.min.js graphiql.LICENSE.txt \
  react.production.min.js react.LICENSE.txt \
  react-dom.production.min.js react-dom.LICENSE.txt >SHA256SUMS
cat SHA256SUMS
