#!/usr/bin/env bash
# Quick start: a real token from the broker on your machine, before you have an Azure tenant.
#
#   examples/quickstart/run.sh                  # build if needed, start, get a token, stop
#   examples/quickstart/run.sh --keep-running   # the same, then keep both running until Ctrl-C
#
# It builds the broker if needed (./mvnw package -DskipTests), starts the test suite's Entra ID emulator as a local
# stand-in (HTTPS on 127.0.0.1, an app registered with a fresh client secret), starts the broker on the files store
# with that app as the registration "quickstart" and one caller with a fresh API key, trusting the stand-in's
# certificate and declaring its origin in broker.azure.allowed-authority-hosts, and calls POST /v1/token. Each step
# prints how long it took. Both processes and the work directory (secret, key) are removed on exit and on Ctrl-C.
#
# QUICKSTART_BUILD=never fails instead of building. Ports: QUICKSTART_HTTP_PORT (default 8080) for the API, QUICKSTART_MANAGEMENT_PORT (default 9000) for health,
# metrics and OpenAPI; both on 127.0.0.1 only. Needs Java 17+ and curl.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

keep_running=false
case "${1:-}" in
  --keep-running) keep_running=true ;;
  "") ;;
  *) echo "usage: $0 [--keep-running]" >&2; exit 2 ;;
esac
http_port=${QUICKSTART_HTTP_PORT:-8080}
management_port=${QUICKSTART_MANAGEMENT_PORT:-9000}

# Milliseconds since the epoch; bash 5 has EPOCHREALTIME, older shells (macOS's bash 3.2) fall back to seconds.
now_ms() {
  if [ -n "${EPOCHREALTIME:-}" ]; then
    local t=${EPOCHREALTIME/,/.}
    echo $(( ${t%.*} * 1000 + 10#$(printf '%.3s' "${t#*.}000") ))
  else
    echo $(( $(date +%s) * 1000 ))
  fi
}
started_ms=$(now_ms)
step_ms=$started_ms
done_step() {
  local t; t=$(now_ms)
  printf '  %-44s %6.1f s\n' "$1" "$(awk "BEGIN { print ($t - $step_ms) / 1000 }")"
  step_ms=$t
}

work=$(mktemp -d "${TMPDIR:-/tmp}/exo-quickstart.XXXXXX")
pids=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in ${pids[@]+"${pids[@]}"}; do
    kill "$pid" 2> /dev/null || true
  done
  for pid in ${pids[@]+"${pids[@]}"}; do
    wait "$pid" 2> /dev/null || true
  done
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
  echo "quickstart: $1" >&2
  for log in "$work"/*.log; do
    [ -f "$log" ] && { echo "--- last lines of $(basename "$log")" >&2; tail -n 20 "$log" >&2; }
  done
  exit 1
}

port_in_use() {
  (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null
}
for port in "$http_port" "$management_port"; do
  if port_in_use "$port"; then
    fail "port $port is in use: set QUICKSTART_HTTP_PORT / QUICKSTART_MANAGEMENT_PORT to free ones"
  fi
done

echo "exo-token-broker quick start (work directory $work)"

# 1. Build, unless the jar, the test classes and their classpath are there and newer than every source.
jar=target/quarkus-app/quarkus-run.jar
classpath_file=target/quickstart-classpath.txt
if [ ! -f "$jar" ] || [ ! -f "$classpath_file" ] \
    || [ ! -f target/test-classes/io/exobroker/testing/quickstart/QuickstartEntraId.class ] \
    || [ -n "$(find src pom.xml -newer "$jar" -type f -not -path '*/node_modules/*' -print -quit)" ]; then
  # QUICKSTART_BUILD=never: the caller built it already (the test that runs this script inside ./mvnw verify).
  [ "${QUICKSTART_BUILD:-}" != never ] || fail "the broker needs a build, and QUICKSTART_BUILD=never"
  ./mvnw -B -q package -DskipTests > "$work/build.log" 2>&1 || fail "the build failed (./mvnw -B package -DskipTests)"
  done_step "built the broker (./mvnw package -DskipTests)"
else
  done_step "build: up to date"
fi

# 2. The Entra ID stand-in, in the work directory (it writes its files there, nowhere else).
(cd "$work" && exec java -cp "$root/target/test-classes:$root/target/classes:$(cat "$root/$classpath_file")" \
  io.exobroker.testing.quickstart.QuickstartEntraId "$work") > "$work/entra-id.log" 2>&1 &
pids+=($!)
entra_pid=$!
for _ in $(seq 1 600); do
  [ -f "$work/quickstart.env" ] && break
  kill -0 "$entra_pid" 2> /dev/null || fail "the Entra ID stand-in stopped"
  sleep 0.1
done
[ -f "$work/quickstart.env" ] || fail "the Entra ID stand-in did not start within 60 s"
# shellcheck disable=SC1091
. "$work/quickstart.env"
done_step "Entra ID stand-in on $AUTHORITY_HOST"

# 3. The broker: files store, the stand-in declared as a sign-in origin and trusted, loopback only.
java -Djavax.net.ssl.trustStore="$TRUST_STORE" -Djavax.net.ssl.trustStorePassword="$TRUST_STORE_PASSWORD" \
  -Djavax.net.ssl.trustStoreType=PKCS12 \
  -Dbroker.files.dir="$work/store" -Dbroker.azure.allowed-authority-hosts="$AUTHORITY_HOST" \
  -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$http_port" \
  -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$management_port" \
  -Dbroker.audit.destination=file -Dbroker.audit.file.path="$work/audit/exo-audit.log" \
  -jar "$jar" > "$work/broker.log" 2>&1 &
pids+=($!)
broker_pid=$!
echo "  (Entra ID stand-in pid $entra_pid, broker pid $broker_pid)"
for _ in $(seq 1 1200); do
  curl -sf "http://127.0.0.1:$management_port/q/health/ready" > /dev/null 2>&1 && break
  kill -0 "$broker_pid" 2> /dev/null || fail "the broker stopped"
  sleep 0.1
done
curl -sf "http://127.0.0.1:$management_port/q/health/ready" > /dev/null 2>&1 || fail "the broker was not ready within 120 s"
done_step "broker ready on http://127.0.0.1:$http_port"

# 4. A token. The key goes to curl in a file, not on its command line, where other local users could read it.
umask 077
printf 'X-Api-Key: %s\n' "$API_KEY" > "$work/api-key.header"
response=$(curl -s -w '\n%{http_code}' -X POST "http://127.0.0.1:$http_port/v1/token" -H @"$work/api-key.header" \
  -H 'Content-Type: application/json' -d '{"registration":"quickstart","resource":"graph"}') \
  || fail "the token request did not complete"
status=${response##*$'\n'}
body=${response%$'\n'*}
done_step "POST /v1/token answered $status"
# Only the first 16 characters of the token are shown.
echo "$body" | sed -E 's/("access_token" *: *"[^"]{16})[^"]*"/\1..."/'
[ "$status" = 200 ] || fail "the broker answered $status"
case "$body" in *'"access_token"'*) ;; *) fail "no access_token in the answer" ;; esac
printf '  %-44s %6.1f s\n' "total" "$(awk "BEGIN { print ($(now_ms) - $started_ms) / 1000 }")"

if $keep_running; then
  echo
  echo "Running; Ctrl-C stops both and deletes $work."
  echo "  health:  curl -s http://127.0.0.1:$management_port/q/health/ready"
  echo "  a token: curl -s -X POST http://127.0.0.1:$http_port/v1/token -H @$work/api-key.header \\"
  echo "             -H 'Content-Type: application/json' -d '{\"registration\":\"quickstart\",\"resource\":\"outlook\"}'"
  wait "$broker_pid"
fi
