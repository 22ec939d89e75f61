#!/usr/bin/env bash
# Installs citecheck for the Action: a cached binary is kept; otherwise the release named by
# CITECHECK_VERSION from crates.io, or (empty) the Action's own source.
set -euo pipefail
if command -v citecheck >/dev/null 2>&1; then
  echo "citecheck already installed: $(citecheck --version)"
  exit 0
fi
if [ -n "${CITECHECK_VERSION:-}" ]; then
  cargo install --locked citecheck --version "$CITECHECK_VERSION"
else
  cargo install --locked --path "${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
fi
citecheck --version
