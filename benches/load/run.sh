#!/usr/bin/env bash
# Load test: Quietlegs against its own ceilings, on SQLite and PostgreSQL, in one run.
#   PEOPLE=10000 YEARS=3 DURATION=15s benches/load/run.sh
# Seeds PEOPLE x YEARS (skipped when the database already holds them), then with wrk at 50
# connections measures: the check-in PUT, the Tonight and Insights pages, a minimal axum
# "hello" and a minimal one-INSERT handler (the ceilings), and the server's resident memory.
# Prints a Markdown table for BENCHMARKS.md. Needs wrk (Debian package `wrk`).
set -euo pipefail
cd "$(dirname "$0")"
PEOPLE="${PEOPLE:-10000}"
YEARS="${YEARS:-3}"
COLD="${COLD:-3s}"
source ./lib.sh
cargo build --release -p quietlegs-web --example ceiling >&2
ceiling="$CARGO_TARGET_DIR/release/examples/ceiling"

rows=()
"$ceiling" hello 127.0.0.1:9101 & hello_pid=$!
wait_up 127.0.0.1:9101
read -r hello_rps hello_p50 hello_p99 < <(measure http://127.0.0.1:9101/)
kill "$hello_pid"
rows+=("| axum hello (ceiling) | — | $hello_rps | $hello_p50 | $hello_p99 | |")

for backend in sqlite postgres; do
  if [ "$backend" = sqlite ]; then
    db="sqlite://$work/load-$PEOPLE-$YEARS.db"; ceiling_db="sqlite://$work/ceiling.db?mode=rwc"; rm -f "$work"/ceiling.db*
  else
    name="quietlegs_load_${PEOPLE}_${YEARS}"
    psql "$PG_ADMIN" -qtc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1 || psql "$PG_ADMIN" -qc "CREATE DATABASE $name"
    db="${PG_ADMIN%/*}/$name"
    psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS quietlegs_ceiling WITH (FORCE)"; psql "$PG_ADMIN" -qc "CREATE DATABASE quietlegs_ceiling"
    ceiling_db="${PG_ADMIN%/*}/quietlegs_ceiling"
  fi
  have="$("$bin" --database "$db" --user "seed$(printf %06d "$PEOPLE")" export --format csv 2>/dev/null | wc -l || true)"
  if [ "${have:-0}" -lt 2 ]; then
    echo "== seeding $PEOPLE people x $YEARS years on $backend" >&2
    "$bin" --database "$db" dev seed --people "$PEOPLE" --years "$YEARS" >&2
  fi

  "$ceiling" insert 127.0.0.1:9102 "$ceiling_db" & ins_pid=$!
  wait_up 127.0.0.1:9102 || true
  sleep 0.5
  read -r ins_rps ins_p50 ins_p99 < <(measure -s ceiling_insert.lua http://127.0.0.1:9102)
  kill "$ins_pid"
  rows+=("| one INSERT (ceiling) | $backend | $ins_rps | $ins_p50 | $ins_p99 | |")

  QUIETLEGS_LOG=warn "$bin" serve --multi-user --addr 127.0.0.1:9100 --database "$db" 2>"$work/serve-$backend.log" & serve_pid=$!
  wait_up 127.0.0.1:9100
  sign_in_people "$PEOPLE" 127.0.0.1:9100
  read -r put_rps put_p50 put_p99 < <(measure -s checkin.lua http://127.0.0.1:9100)
  ratio="$(awk -v a="$put_rps" -v b="$ins_rps" 'BEGIN { printf "%.0f %%", 100 * a / b }')"
  rows+=("| check-in PUT | $backend | $put_rps | $put_p50 | $put_p99 | $ratio of one INSERT |")
  # Every check-in above changed its person's data, so the first Tonight pages rebuild each
  # person's plan and insights (reading all their nights): measured on its own, then warm.
  read -r cold_rps cold_p50 cold_p99 < <(PAGE=/tonight DURATION="$COLD" measure -s get_page.lua http://127.0.0.1:9100)
  rows+=("| Tonight page, first $COLD after the check-ins (caches cold) | $backend | $cold_rps | $cold_p50 | $cold_p99 | |")
  read -r ton_rps ton_p50 ton_p99 < <(PAGE=/tonight measure -s get_page.lua http://127.0.0.1:9100)
  rows+=("| Tonight page | $backend | $ton_rps | $ton_p50 | $ton_p99 | $(awk -v a="$ton_rps" -v b="$hello_rps" 'BEGIN { printf "%.0f %%", 100 * a / b }') of hello |")
  read -r ins2_rps ins2_p50 ins2_p99 < <(PAGE=/insights measure -s get_page.lua http://127.0.0.1:9100)
  rows+=("| Insights page | $backend | $ins2_rps | $ins2_p50 | $ins2_p99 | |")
  rss="$(ps -o rss= -p "$serve_pid" | awk '{printf "%.0f", $1 / 1024}')"
  rows+=("| server RSS after the run | $backend | | | | $rss MB |")
  kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true
done

echo "| what | backend | requests/s | p50 ms | p99 ms | notes |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
