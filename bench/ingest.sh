#!/usr/bin/env bash
# Ingestion benchmark (docs/benchmarks.md, "Site analytics: ingestion"): builds the app and the tool in Release, then
# runs the same realistic load against a bare Kestrel endpoint that answers 202, the app on SQLite and, when a server
# is given, the app on PostgreSQL, in rounds (3 by default: each round measures every target once, and the ratio is
# judged by its median); prints one table and PASS/FAIL against issue 3's targets.
#   bench/ingest.sh                  # 30 s measured per target and round after a warm-up of at least 10 s, 16 connections
#   bench/ingest.sh 10               # 10 s measured per target and round
#   bench/ingest.sh 20 --rounds 5
#   CIVICDESK_BENCH_POSTGRES="Host=127.0.0.1;Port=5433;Username=postgres;Database=postgres" bench/ingest.sh 30
#                                    # adds the PostgreSQL target (a fresh database is created and dropped)
#   WARMUP=3 CONNECTIONS=32 bench/ingest.sh 10
#   bench/ingest.sh 10 --rate-limit 100000 --keep   # further arguments go to the tool (see its usage)
#   bench/ingest.sh 15 --rate 8000   # a fixed 8,000 events a second: processor time per event instead of throughput
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-30}
shift || true
warmup=${WARMUP:-10}
connections=${CONNECTIONS:-16}
log=$(mktemp /tmp/civicdesk-ingest-build.XXXXXX)
trap 'rm -f "$log"' EXIT

echo "Building the app and the benchmark (Release)..."
for project in src/CivicDesk.Web bench/Ingest; do
  dotnet build "$project" -c Release -v quiet -nologo >"$log" 2>&1 || { cat "$log"; exit 1; }
done

# The machine may be shared: the load average says how far the figures are from an idle machine's.
echo "$(nproc) cores; load average before the run: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC')"
dotnet bench/Ingest/bin/Release/net10.0/CivicDesk.Bench.Ingest.dll \
  --app src/CivicDesk.Web/bin/Release/net10.0/CivicDesk.Web.dll \
  --duration "$duration" --warmup "$warmup" --connections "$connections" "$@"
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
