#!/usr/bin/env bash
# Runs the check for the Action: the Markdown summary goes to $GITHUB_STEP_SUMMARY, the tables,
# report.html and JUnit XML to reports/, a WACZ of the archive to $RUNNER_TEMP (with
# CITECHECK_ARCHIVE=true), and the exit code to $GITHUB_OUTPUT as `exit-code` (the step itself
# succeeds, so the uploads run; the Action's last step fails the job).
set -uo pipefail
: "${GITHUB_STEP_SUMMARY:?GITHUB_STEP_SUMMARY is not set}" "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
: "${RUNNER_TEMP:?RUNNER_TEMP is not set}" "${CITECHECK_DOCUMENTS:?name the documents to check}"
mkdir -p reports
archive=()
if [ "${CITECHECK_ARCHIVE:-false}" = "true" ]; then
  archive=(--archive archive)
fi
# Word splitting on purpose: several documents, globs (expanded by citecheck) and extra flags.
# shellcheck disable=SC2086
citecheck check $CITECHECK_DOCUMENTS --quiet --format markdown --junit reports/junit.xml \
  "${archive[@]}" ${CITECHECK_ARGS:-} >"$RUNNER_TEMP/citecheck-summary.md"
code=$?
cat "$RUNNER_TEMP/citecheck-summary.md" >>"$GITHUB_STEP_SUMMARY"
if [ "${CITECHECK_ARCHIVE:-false}" = "true" ] && [ -d archive ]; then
  citecheck export-wacz archive -o "$RUNNER_TEMP/citecheck.wacz" --quiet || echo "::warning::the WACZ could not be written"
fi
echo "exit-code=$code" >>"$GITHUB_OUTPUT"
