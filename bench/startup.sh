#!/usr/bin/env bash
# Startup time: milliseconds from starting `dotnet run` until /health/ready first answers 200 (database migrated
# and reachable), on a fresh SQLite file each run. Builds once, then runs RUNS times (default 5) and prints each
# figure and min/median/max.
#   bench/startup.sh                  # Release build, 5 runs of `dotnet run --no-build`
#   RUNS=10 CONFIGURATION=Debug bench/startup.sh
#   LAUNCH=dll bench/startup.sh       # `dotnet CivicDesk.Web.dll`, as a deployment starts it: no project evaluation
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-5}
configuration=${CONFIGURATION:-Release}
launch=${LAUNCH:-run}
work=$(mktemp -d /tmp/civicdesk-startup.XXXXXX)
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill -- -"$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# A loopback port where nothing answers now.
free_port() {
  local port
  while true; do
    port=$(( 20000 + RANDOM % 20000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

echo "Building ($configuration) once..."
dotnet build src/CivicDesk.Web -c "$configuration" -v quiet -nologo >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }

# The machine may be shared: the load average says how far the figures are from an idle machine's.
echo "$(nproc) cores; load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
figures=()
for run in $(seq 1 "$runs"); do
  port=$(free_port)
  db="$work/run-$run.db"
  start=$(now_ms)
  # setsid: the app is a child of `dotnet run`; the whole group is stopped after each run.
  app_args=(--urls "http://127.0.0.1:$port" "--Database:ConnectionString=Data Source=$db")
  if [ "$launch" = dll ]; then
    (cd src/CivicDesk.Web && exec setsid dotnet "bin/$configuration/net10.0/CivicDesk.Web.dll" "${app_args[@]}") >"$work/run-$run.log" 2>&1 &
  else
    setsid dotnet run --project src/CivicDesk.Web -c "$configuration" --no-build -- "${app_args[@]}" >"$work/run-$run.log" 2>&1 &
  fi
  pid=$!
  deadline=$(( start + 120000 ))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/health/ready" || true)" = "200" ]; do
    if ! kill -0 "$pid" 2>/dev/null || [ "$(now_ms)" -gt "$deadline" ]; then
      echo "Run $run: the app did not become ready; its output:" >&2
      cat "$work/run-$run.log" >&2
      exit 1
    fi
    sleep 0.01
  done
  elapsed=$(( $(now_ms) - start ))
  figures+=("$elapsed")
  echo "run $run: ${elapsed} ms"
  kill -- -"$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
done

mapfile -t sorted < <(printf '%s\n' "${figures[@]}" | sort -n)
count=${#sorted[@]}
if (( count % 2 == 1 )); then
  median=${sorted[$(( count / 2 ))]}
else
  median=$(( (sorted[count / 2 - 1] + sorted[count / 2]) / 2 ))
fi
echo "load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "startup ($launch, $configuration) to first 200 on /health/ready over $count runs: min ${sorted[0]} ms, median ${median} ms, max ${sorted[count - 1]} ms"
