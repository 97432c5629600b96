# Shared by run.sh and scale.sh: common settings, the release build, waiting for a server,
# running wrk and reading its summary, signing people in. Sourced after the caller's own
# settings.
DURATION="${DURATION:-15s}"
CONNECTIONS="${CONNECTIONS:-50}"
PG_ADMIN="${PG_ADMIN:-postgres://postgres@127.0.0.1:5432/test}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/quietlegs-target}"
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 1; }
cargo build --release -p quietlegs --bin quietlegs >&2
bin="$CARGO_TARGET_DIR/release/quietlegs"
work="${WORK:-$HOME/.cache/quietlegs-load}"
mkdir -p "$work"
# The Lua scripts read the signed-in sessions from here (kept out of the source tree).
export SESSIONS="$work/sessions.txt"

wait_up() { for _ in $(seq 1 100); do curl -fs "http://$1/healthz" >/dev/null 2>&1 && return 0; curl -fs "http://$1/" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }

# wrk's summary -> "requests/s p50 p99" (latencies in ms).
measure() {
  local out rps p50 p99
  out="$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$@")"
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  p50="$(awk '$1 == "50%" {print $2}' <<<"$out")"
  p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
  errors="$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')"
  [ -n "$errors" ] && echo "  wrk: $errors" >&2
  echo "$rps $(to_ms "$p50") $(to_ms "$p99")"
}
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v } else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v * 1000 } else print v }'; }


# Signs in $CONNECTIONS seeded people spread over 1..$1 on the server at $2; writes "cookie csrf"
# lines to $SESSIONS for the Lua scripts.
sign_in_people() {
  local people="$1" addr="$2" i user answer cookie csrf
  : > "$SESSIONS"
  for i in $(seq 1 "$CONNECTIONS"); do
    user="seed$(printf %06d $(( (i * 197) % people + 1 )))"
    answer="$(curl -s -D - -o "$work/login.json" -H 'Content-Type: application/json' \
      -d "{\"username\":\"$user\",\"password\":\"seeded-password\"}" "http://$addr/api/v1/login")"
    cookie="$(grep -i '^set-cookie:' <<<"$answer" | sed -E 's/^[Ss]et-[Cc]ookie: ([^;]*);.*/\1/' | tr -d '\r')"
    csrf="$(sed -E 's/.*"csrf_token":"([^"]+)".*/\1/' "$work/login.json")"
    echo "$cookie $csrf" >> "$SESSIONS"
  done
}
