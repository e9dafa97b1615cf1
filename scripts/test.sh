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

# One project's tests into its own log; its summary line ("passed failed skipped exit") into $results/<name>.sum.
run_project() {
  local proj=$1 name log rc summary
  name=$(basename "$proj" .csproj)
  log="$results/$name.log"
  echo "none none none 1" >"$results/$name.sum"
  dotnet test "$proj" -c Release --no-build --nologo --results-directory "$results/$name" \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" >"$log" 2>&1
  rc=$?
  # vstest prints one summary line per test assembly: "Passed!  - Failed: 0, Passed: 12, Skipped: 0, Total: 12, ..."
  summary=$(grep -E '^(Passed|Failed)! +- +Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$log" | tail -n 1)
  if [ -z "$summary" ]; then
    echo "none none none $rc" >"$results/$name.sum"
  else
    sed -E "s/.*Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+).*/\2 \1 \3 $rc/" <<<"$summary" >"$results/$name.sum"
  fi
}

# The browser tests (the Dashboard project) mostly wait on Chromium and the dashboard's renders, so they run beside the
# other projects, which run one after another; the two lanes share nothing (each test takes its own database, moto
# account and dashboard port).
projects=(tests/*/*.csproj)
lane=()
for proj in "${projects[@]}"; do
  case "$proj" in
    */Observe.Dashboard.Tests.csproj) ;;
    *) lane+=("$proj") ;;
  esac
done
echo "== Observe.Dashboard.Tests (beside the others)"
run_project tests/Observe.Dashboard.Tests/Observe.Dashboard.Tests.csproj &
browser=$!
for proj in "${lane[@]}"; do
  echo "== $(basename "$proj" .csproj)"
  run_project "$proj"
done
wait "$browser"

passed=0 failed=0 skipped=0 status=0
for proj in "${projects[@]}"; do
  name=$(basename "$proj" .csproj)
  log="$results/$name.log"
  read -r p f s rc <"$results/$name.sum"
  if [ "$p" = none ]; then
    # The host crashed or nothing ran: count the project as one failure so it cannot pass unnoticed.
    tail -n 40 "$log"
    echo "$name: no test summary (exit $rc)"
    failed=$((failed + 1)); status=1
    continue
  fi
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
