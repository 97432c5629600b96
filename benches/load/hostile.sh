#!/usr/bin/env bash
# Load under hostile conditions (issue: hostile clients), SQLite by default:
#   BACKEND=postgres IDLE=10000 benches/load/hostile.sh
# 1. Holds IDLE idle connections open (a Python client, nothing sent) while wrk measures
#    /healthz and the check-in PUT.
# 2. Fires BURST simultaneous report PDFs and exports for one person with a ten-year journal
#    (3,650 nights) while measuring /healthz, and reads the server's peak resident memory.
# Prints a Markdown table for BENCHMARKS.md. Needs wrk and python3.
set -euo pipefail
cd "$(dirname "$0")"
IDLE="${IDLE:-10000}"
BURST="${BURST:-50}"
BACKEND="${BACKEND:-sqlite}"
PEOPLE="${PEOPLE:-60}"
source ./lib.sh
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

if [ "$BACKEND" = sqlite ]; then
  db="sqlite://$work/hostile.db"; rm -f "$work"/hostile.db*
else
  psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS quietlegs_hostile WITH (FORCE)"
  psql "$PG_ADMIN" -qc "CREATE DATABASE quietlegs_hostile"
  db="${PG_ADMIN%/*}/quietlegs_hostile"
fi
echo "== seeding $PEOPLE people x 10 years on $BACKEND" >&2
"$bin" --database "$db" dev seed --people "$PEOPLE" --years 10 >&2

# Idle connections must stay for the whole run, and one address holds them all.
QUIETLEGS_LOG=warn QUIETLEGS_HEADER_TIMEOUT_SECONDS=600 \
  QUIETLEGS_MAX_CONNECTIONS=$((IDLE + 1000)) QUIETLEGS_MAX_CONNECTIONS_PER_ADDRESS=$((IDLE + 1000)) \
  "$bin" serve --multi-user --addr 127.0.0.1:9100 --database "$db" 2>"$work/hostile-serve.log" &
serve_pid=$!
trap 'kill "$serve_pid" 2>/dev/null || true' EXIT
wait_up 127.0.0.1:9100
sign_in_people "$PEOPLE" 127.0.0.1:9100
rows=()

python3 - "$IDLE" <<'PY' & idle_pid=$!
import socket, sys, time
held = []
for _ in range(int(sys.argv[1])):
    try:
        held.append(socket.create_connection(("127.0.0.1", 9100)))
    except OSError as e:
        print(f"  idle client stopped at {len(held)}: {e}", file=sys.stderr)
        break
print(f"  holding {len(held)} idle connections", file=sys.stderr)
time.sleep(3600)
PY
sleep 8
read -r h_rps h_p50 h_p99 < <(measure http://127.0.0.1:9100/healthz)
rows+=("| /healthz with $IDLE idle connections open | $BACKEND | $h_rps | $h_p50 | $h_p99 | |")
read -r c_rps c_p50 c_p99 < <(measure -s checkin.lua http://127.0.0.1:9100)
rows+=("| check-in PUT with $IDLE idle connections open | $BACKEND | $c_rps | $c_p50 | $c_p99 | |")
kill "$idle_pid" 2>/dev/null || true

# 100 simultaneous sign-ins (Argon2 each, about 20 MB apiece): they queue for a hash slot.
before="$(awk '/VmHWM/ {print $2}' "/proc/$serve_pid/status")"
started=$(date +%s%N)
(
  for i in $(seq 1 100); do
    user="seed$(printf %06d $(( i % PEOPLE + 1 )))"
    curl -s -o /dev/null -H 'Content-Type: application/json' \
      -d "{\"username\":\"$user\",\"password\":\"seeded-password\"}" http://127.0.0.1:9100/api/v1/login &
  done
  wait
)
took=$(( ($(date +%s%N) - started) / 1000000 ))
peak="$(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$serve_pid/status")"
rows+=("| 100 simultaneous sign-ins | $BACKEND | | | | all answered in $took ms; peak RSS $peak MB (before: $((before / 1024)) MB) |")

# The burst: one person's report PDF, CSV and FHIR exports, BURST at once.
read -r cookie csrf < "$SESSIONS"
urls=(/report.pdf /api/v1/export?format=csv /api/v1/export?format=fhir /report)
before="$(awk '/VmHWM/ {print $2}' "/proc/$serve_pid/status")"
(
  for i in $(seq 1 "$BURST"); do
    curl -s -o /dev/null -H "Cookie: $cookie" "http://127.0.0.1:9100${urls[$((i % 4))]}" &
  done
  wait
) & burst_pid=$!
read -r b_rps b_p50 b_p99 < <(DURATION=10s CONNECTIONS=10 measure http://127.0.0.1:9100/healthz)
wait "$burst_pid"
peak="$(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$serve_pid/status")"
rows+=("| /healthz during $BURST simultaneous reports and exports (10-year journal) | $BACKEND | $b_rps | $b_p50 | $b_p99 | peak RSS $peak MB (before: $((before / 1024)) MB) |")

echo "| what | backend | requests/s | p50 ms | p99 ms | notes |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
