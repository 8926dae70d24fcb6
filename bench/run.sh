#!/usr/bin/env bash
# One command for the broker's benchmark: builds what it needs, runs every scenario, writes a summary.
#   bench/run.sh             full benchmark (about 20 minutes on 2 cores)
#   bench/run.sh --smoke     CI smoke: every scenario, shrunk; fails only when an invariant breaks
#   bench/run.sh --no-build  reuse target/quarkus-app and bench/work/build from an earlier build
#   bench/run.sh --only=throughput,single-flight,startup,scale,cached-at-scale,lookup-micro
#   bench/run.sh --loadgen=wrk|java   (default: wrk when installed, else the Java generator)
#   bench/run.sh --jfr       record a JFR profile of the broker during the throughput scenario
#   bench/run.sh --broker-opt=-Dkey=value   extra JVM option for every broker launched (ablations)
#   bench/run.sh --connections=16   throughput only at these connection counts
#   bench/run.sh --no-install  never install wrk or nginx-light (by default, missing ones are installed with apt-get)
# Results: bench/work/results/<time>/summary.md (and bench/work/results/latest), with every broker's log.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

build=1
install=1
mode=full
args=()
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    --no-install) install=0 ;;
    --smoke) mode=smoke; args+=("$arg") ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) args+=("$arg") ;;
  esac
done

WORK="$ROOT/bench/work"
mkdir -p "$WORK"
if [[ $build == 1 ]]; then
  echo "== building the broker (target/quarkus-app) and the bench build (bench/work/build)"
  ./mvnw -B -q package -DskipTests
  ./mvnw -B -q -Pbench package
fi
for required in target/quarkus-app/quarkus-run.jar "$WORK/build/quarkus-app/quarkus-run.jar" "$WORK/build/harness-classpath.txt"; do
  [[ -e $required ]] || { echo "missing $required: run without --no-build" >&2; exit 2; }
done
# Freeze the production app for this run: a rebuild of target/ by someone else mid-run must not swap the jar.
rm -rf "$WORK/prod-app" && cp -r target/quarkus-app "$WORK/prod-app"

# The load generator (wrk) and the second anchor (nginx serving the token answer as a static file) come from Debian.
# A fresh machine (CI) gets them here when apt-get can run as root; without them the run still works: the Java
# generator replaces wrk, and the nginx anchor is skipped with a note. Never a reason to fail the run.
find_nginx() { command -v nginx 2>/dev/null || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; } || true; }
missing=()
command -v wrk >/dev/null || missing+=(wrk)
[[ -n $(find_nginx) ]] || missing+=(nginx-light)
if [[ $install == 1 && ${#missing[@]} -gt 0 ]]; then
  sudo=""
  if [[ $(id -u) != 0 ]] && command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; fi
  if command -v apt-get >/dev/null && { [[ $(id -u) == 0 ]] || [[ -n $sudo ]]; }; then
    echo "== installing ${missing[*]} (apt-get)"
    # policy-rc.d exit 101: the package must not start a system nginx on port 80; the benchmark runs its own.
    policy=/usr/sbin/policy-rc.d
    if [[ ! -e $policy ]]; then printf '#!/bin/sh\nexit 101\n' | $sudo tee $policy >/dev/null && $sudo chmod +x $policy; added_policy=1; fi
    { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        "${missing[@]}"; } >"$WORK/apt-get.log" 2>&1 || echo "note: apt-get could not install ${missing[*]} (see $WORK/apt-get.log)"
    if [[ ${added_policy:-0} == 1 ]]; then $sudo rm -f $policy; fi
  else
    echo "note: ${missing[*]} not installed, and apt-get cannot run as root here"
  fi
fi
if ! command -v wrk >/dev/null; then
  echo "note: wrk is not installed (Debian: apt-get install wrk); using the Java load generator"
fi
nginx_bin=$(find_nginx)
[[ -n $nginx_bin ]] || echo "note: nginx is not installed (Debian: apt-get install nginx-light); the nginx anchor is skipped"

# What is measured: the commit, and whether the tree had changes on top of it.
commit="${BENCH_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)}"
if [[ -z ${BENCH_COMMIT:-} ]] && [[ -n $(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null) ]]; then
  commit="$commit+changes"
fi

# Broker logs carry one audit line per request (a full run writes ~2 GB): keep only the last five runs.
if [[ -d $WORK/results ]]; then
  find "$WORK/results" -mindepth 1 -maxdepth 1 -type d -name '20*' | sort -r | tail -n +5 | xargs -r rm -rf
fi
OUT="$WORK/results/$(date +%Y%m%d-%H%M%S)-$mode"
mkdir -p "$OUT"
ln -sfn "$OUT" "$WORK/results/latest"
CLASSPATH_FILE="$WORK/build/harness-classpath.txt"
CP="$WORK/build/test-classes:$WORK/build/classes:$(cat "$CLASSPATH_FILE")"
cd "$OUT"   # the harness writes the emulator's trust store relative to its working directory
exec java -Xmx2g -cp "$CP" io.exobroker.bench.BenchMain \
  --prod-jar="$WORK/prod-app/quarkus-run.jar" \
  --bench-jar="$WORK/build/quarkus-app/quarkus-run.jar" \
  --wrk-script="$ROOT/bench/wrk/token.lua" \
  --out="$OUT" --commit="$commit" --nginx="$nginx_bin" ${args[@]+"${args[@]}"}
