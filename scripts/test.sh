#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what is missing, builds once (then packs the instrumentation and
# publishes the dashboard from that build), starts the real peers the tests
# use (PostgreSQL, moto; Chromium is launched by the browser tests), runs every test project, stops what it
# started, and ends with "N passed, N failed, N skipped" summed over every project.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
results="$root/TestResults"
rm -rf "$results"
mkdir -p "$results"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

scripts/peers.sh install || { echo "could not install the test peers"; exit 1; }

echo "== build"
if ! dotnet build Observe.sln -c Release -nologo -clp:ErrorsOnly -m:2 >"$results/build.log" 2>&1; then
  cat "$results/build.log"
  echo "0 passed, 1 failed"
  exit 1
fi

# The package tests open the .nupkg as function authors get it (with its ReadyToRun code).
echo "== pack"
if ! dotnet pack instrumentation/Observe.Instrumentation -c Release --no-build -nologo -clp:ErrorsOnly -o artifacts/packages >"$results/pack.log" 2>&1; then
  cat "$results/pack.log"
  echo "0 passed, 1 failed"
  exit 1
fi

# The dashboard as it is shipped: the published tests start this output in Production (PublishedDashboardTests).
echo "== publish"
if ! dotnet publish dashboard/Observe.Dashboard -c Release --no-build -nologo -clp:ErrorsOnly -o artifacts/dashboard >"$results/publish.log" 2>&1; then
  cat "$results/publish.log"
  echo "0 passed, 1 failed"
  exit 1
fi
export OBSERVE_TEST_PUBLISHED_DASHBOARD="$root/artifacts/dashboard"

trap 'scripts/peers.sh stop' EXIT
scripts/peers.sh start || { echo "could not start the test peers"; echo "0 passed, 1 failed"; exit 1; }
set -a
# shellcheck disable=SC1091
. "$root/.peers/env"
set +a

passed=0 failed=0 skipped=0 status=0
for proj in tests/*/*.csproj; do
  name=$(basename "$proj" .csproj)
  echo "== $name"
  log="$results/$name.log"
  dotnet test "$proj" -c Release --no-build --nologo --results-directory "$results/$name" \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" >"$log" 2>&1
  rc=$?
  # vstest prints one summary line per test assembly: "Passed!  - Failed: 0, Passed: 12, Skipped: 0, Total: 12, ..."
  summary=$(grep -E '^(Passed|Failed)! +- +Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$log" | tail -n 1)
  if [ -z "$summary" ]; then
    # The host crashed or nothing ran: count the project as one failure so it cannot pass unnoticed.
    tail -n 40 "$log"
    echo "$name: no test summary (exit $rc)"
    failed=$((failed + 1)); status=1
    continue
  fi
  f=$(sed -E 's/.*Failed: +([0-9]+),.*/\1/' <<<"$summary")
  p=$(sed -E 's/.*Passed: +([0-9]+),.*/\1/' <<<"$summary")
  s=$(sed -E 's/.*Skipped: +([0-9]+),.*/\1/' <<<"$summary")
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
    grep -E '^\s+(Failed|Error Message|Stack Trace)|^\s+at |Assert\.' "$log" | head -n 80
    status=1
  fi
  echo "$name: $p passed, $f failed, $s skipped"
done

echo "artifacts: $results"
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
