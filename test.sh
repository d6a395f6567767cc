#!/usr/bin/env bash
# Runs every test: installs what the tests need, builds once (Release), runs all test projects.
#   ./test.sh                      everything (what CI runs)
#   ./test.sh --filter EXPRESSION  only the matching tests, e.g. --filter "FullyQualifiedName~Sandbox"
#                                  (dotnet test's filter syntax); the set-up and the build are the same
set -euo pipefail
cd "$(dirname "$0")"
filter=()
if [ "${1:-}" = "--filter" ] && [ -n "${2:-}" ]; then
  filter=(--filter "$2")
elif [ $# -gt 0 ]; then
  echo "usage: ./test.sh [--filter EXPRESSION]" >&2
  exit 2
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

scripts/install-test-deps.sh
dotnet build Gatehouse.slnx -c Release -nologo -clp:ErrorsOnly

status=0
# What is generated must be what is committed: the protocol layer's files from specs/ (tools/Gatehouse.CodeGen)
# and docs/coverage.md (which names each handler's file and line). Regenerate; a difference fails the run.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  dotnet tools/Gatehouse.CodeGen/bin/Release/net10.0/Gatehouse.CodeGen.dll "$PWD" >/dev/null
  dotnet src/Gatehouse/bin/Release/net10.0/gatehouse.dll coverage > docs/coverage.md
  if ! git diff --quiet -- src/Gatehouse.Protocol/Generated docs/coverage.md; then
    echo "Generated files differ from what is committed (commit the regenerated ones):" >&2
    git diff --stat -- src/Gatehouse.Protocol/Generated docs/coverage.md >&2
    status=1
  fi
fi

results=$(mktemp -d)
# Test projects run in parallel (one MSBuild node each); each starts its own servers on free ports.
dotnet test Gatehouse.slnx -c Release --no-build -nologo "${filter[@]}" \
  --logger "trx" --results-directory "$results" -- RunConfiguration.TreatNoTestsAsError=false || status=$?

# One closing line over all projects, from the TRX files.
python3 - "$results" <<'PY'
import sys, glob, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
for path in glob.glob(sys.argv[1] + "/*.trx"):
    counters = ET.parse(path).getroot().find("t:ResultSummary/t:Counters", ns)
    if counters is None:
        continue
    passed += int(counters.get("passed", 0))
    failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0))
    skipped += int(counters.get("notExecuted", 0))
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
rm -rf "$results"
exit $status
