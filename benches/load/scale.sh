#!/usr/bin/env bash
# Does one person's request get slower as the number of people grows? On PostgreSQL, seeds
# 1,000, then 10,000, then 100,000 people with YEARS of nights each (adding to one database),
# and at each size measures with wrk at 50 connections, with the session cache off so every
# request asks the database at least once: the check-in PUT, the last month of the journal
# (GET /api/v1/journal), and the Tonight page. Prints p50/p99 per size and the p50 ratio
# against the smallest size, for BENCHMARKS.md.
#   SIZES="1000 10000 100000" YEARS=1 DURATION=15s benches/load/scale.sh
set -euo pipefail
cd "$(dirname "$0")"
SIZES="${SIZES:-1000 10000 100000}"
YEARS="${YEARS:-1}"
source ./lib.sh

name="quietlegs_scale_${YEARS}y"
psql "$PG_ADMIN" -qtc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1 || psql "$PG_ADMIN" -qc "CREATE DATABASE $name"
db="${PG_ADMIN%/*}/$name"
month="/api/v1/journal?from=$(date -d '-30 days' +%F)&to=$(date -d yesterday +%F)"
export NIGHTS_BACK=$(( YEARS * 365 ))
rows=()
base_put="" base_month="" base_tonight=""
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

for size in $SIZES; do
  have="$(psql "$db" -qtAc "SELECT count(*) FROM people WHERE username LIKE 'seed%'" 2>/dev/null || echo 0)"
  if [ "$have" -lt "$size" ]; then
    echo "== seeding people $((have + 1))..$size x $YEARS years" >&2
    "$bin" --database "$db" dev seed --first $((have + 1)) --people $((size - have)) --years "$YEARS" >&2
    # Fresh statistics and a checkpoint now, so neither lands in the middle of a measurement.
    psql "$db" -qc "ANALYZE" -c "CHECKPOINT"
  fi
  nights="$(psql "$db" -qtAc "SELECT count(*) FROM nights")"
  bytes="$(psql "$db" -qtAc "SELECT pg_size_pretty(pg_database_size('$name'))")"

  QUIETLEGS_LOG=warn QUIETLEGS_SESSION_CACHE_SECONDS=0 "$bin" serve --multi-user --addr 127.0.0.1:9100 \
    --database "$db" 2>"$work/scale-$size.log" & serve_pid=$!
  wait_up 127.0.0.1:9100
  sign_in_people "$size" 127.0.0.1:9100
  read -r put_rps put_p50 put_p99 < <(measure -s checkin.lua http://127.0.0.1:9100)
  read -r mon_rps mon_p50 mon_p99 < <(PAGE="$month" measure -s get_page.lua http://127.0.0.1:9100)
  read -r ton_rps ton_p50 ton_p99 < <(PAGE=/tonight measure -s get_page.lua http://127.0.0.1:9100)
  kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true
  : "${base_put:=$put_p50}" "${base_month:=$mon_p50}" "${base_tonight:=$ton_p50}"
  rows+=("| $size | $nights | $bytes | $put_rps / $put_p50 / $put_p99 ($(ratio "$put_p50" "$base_put")) | $mon_rps / $mon_p50 / $mon_p99 ($(ratio "$mon_p50" "$base_month")) | $ton_rps / $ton_p50 / $ton_p99 ($(ratio "$ton_p50" "$base_tonight")) |")
done

echo "| people | nights | database | check-in PUT: req/s / p50 / p99 ms (p50 ratio) | last month of the journal | Tonight page |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
