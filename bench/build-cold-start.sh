#!/usr/bin/env bash
# Builds what the cold-start benchmark starts (bench/Observe.Benchmarks, --filter '*ColdStart*'):
#  - the bare function (no package): JIT (net10.0), ReadyToRun (net10.0) and Native AOT (net8.0: the samples publish
#    Native AOT on net10.0 too, but docs/benchmarks.md was measured on net8.0 and the benchmark reads that build);
#  - the orders function built against the packed package, as a function author builds it: the same three;
#  - the orders function built against the project (IL only, no ReadyToRun code from the package): JIT, to show what
#    the package's ReadyToRun code saves.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
samples=instrumentation/samples
version=0.1.0-local

# NuGet keeps a restored package by version: drop the previous local pack so the samples get this one.
rm -rf "${NUGET_PACKAGES:-$HOME/.nuget/packages}/observe.instrumentation/$version"
dotnet pack instrumentation/Observe.Instrumentation -c Release -p:Version=$version -o artifacts/packages -nologo -clp:ErrorsOnly

for s in ColdStartBare OrdersFunction.Packaged; do
  dotnet build "$samples/Observe.Samples.$s" -c Release -f net10.0 -nologo -clp:ErrorsOnly
  dotnet publish "$samples/Observe.Samples.$s" -c Release -f net10.0 -r linux-x64 --self-contained false \
    -p:PublishAot=false -p:PublishTrimmed=false -p:PublishReadyToRun=true -o "$samples/Observe.Samples.$s/bin/r2r" -nologo -clp:ErrorsOnly
  dotnet publish "$samples/Observe.Samples.$s" -c Release -f net8.0 -r linux-x64 -nologo -clp:ErrorsOnly
done
dotnet build "$samples/Observe.Samples.OrdersFunction" -c Release -f net10.0 -nologo -clp:ErrorsOnly
