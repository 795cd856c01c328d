#!/usr/bin/env bash
# Load test of `pcgd serve` with wrk (Debian's package) on loopback.
#
# Builds a store the way a user would: the emulated shops of one SME (Shopify
# UK, 3000 orders; WooCommerce France, 2000 orders) synced with `pcgd sync`,
# daily EUR->GBP rates imported; creates an admin token; starts `pcgd serve`
# from a RelWithDebInfo build; then, per route, runs
#   wrk -t2 -c16 -d${DURATION}s --latency -H "Authorization: Bearer ..."
# while sampling the service's VmRSS from /proc, and prints requests/s,
# p50/p99 latency, and the memory at rest and under load; then /healthz's
# latency from one client while sixteen others load the planning report.
#
#   bash bench/serve/load.sh            # BUILD_DIR=build DURATION=20 LOG_FORMAT=text|json
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
build=${BUILD_DIR:-build}
duration=${DURATION:-20}
log_format=${LOG_FORMAT:-text}  # the service logs a line per response at info: text or json

# The load generator, for this benchmark only (not a build or test dependency).
if ! command -v wrk >/dev/null; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi

export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/pcgd-ccache} CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=true
[ -f "$build/CMakeCache.txt" ] || cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt")
sanitize=$(sed -n 's/^PCGD_SANITIZE:STRING=//p' "$build/CMakeCache.txt")
[ -z "$sanitize" ] || { echo "load.sh: $build is a sanitizer build ($sanitize): use an optimised one" >&2; exit 2; }
nice -n 10 cmake --build "$build" -j2 --target pcgd pcgd-emulator pcgd_shopify pcgd_woocommerce pcgd_amazon pcgd_ebay >/dev/null

work=$(mktemp -d /tmp/pcgd-bench-serve.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
cat > "$work/pcgd.toml" <<TOML
[store]
path = "pcgd.db"
[plugins]
dir = "$repo/$build/plugins"
[secrets]
key_file = "secret.key"
[log]
level = "info"
format = "$log_format"
[fees.shopify]
percent = 1.5
fixed_minor = 25
[fees.woocommerce]
percent = 1.5
fixed_minor = 25
TOML
pcgd() { "$repo/$build/bin/pcgd" --config "$work/pcgd.toml" "$@"; }

# wait_line FILE: the URL of a "listening on URL" line, once it is there.
wait_line() {
  for _ in $(seq 200); do
    if grep -q '^listening on ' "$1"; then sed -n 's/^listening on //p' "$1"; return; fi
    sleep 0.05
  done
  echo "load.sh: no 'listening on' line in $1" >&2; exit 1
}

echo "== store: one SME, Shopify UK (3000 orders) and WooCommerce FR (2000 orders), synced"
"$build/bin/pcgd-emulator" --platform shopify --country GB --seed 42 --products 60 --orders 3000 --port 0 \
  > "$work/gb.out" 2>/dev/null & pids+=($!)
"$build/bin/pcgd-emulator" --platform woocommerce --country FR --seed 42 --products 60 --orders 2000 --port 0 \
  > "$work/fr.out" 2>/dev/null & pids+=($!)
gb=$(wait_line "$work/gb.out"); fr=$(wait_line "$work/fr.out")
pcgd sme add --id maison-lumiere --name "Maison Lumière" --currency GBP --lang en >/dev/null
pcgd shop add --id lumiere-uk --sme maison-lumiere --platform shopify --base-url "$gb" --country GB \
  --credential access_token=shpat_pcgd_emulator_token >/dev/null
pcgd shop add --id lumiere-fr --sme maison-lumiere --platform woocommerce --base-url "$fr" --country FR \
  --credential consumer_key=ck_4c1d2b0a9e8f7d6c5b4a39281706f5e4d3c2b1a0 \
  --credential consumer_secret=cs_0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3 >/dev/null
sync_start=$(date +%s.%N)
pcgd sync >/dev/null
echo "synced in $(echo "$(date +%s.%N) - $sync_start" | bc) s"
{
  echo "date,from,to,rate"
  for d in $(seq 0 1130); do echo "$(date -u -d "2023-10-01 + $d day" +%F),EUR,GBP,0.8$((d % 7 + 3))"; done
} > "$work/rates.csv"
pcgd rates import "$work/rates.csv" >/dev/null
kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; pids=()
echo "store: $(du -h "$work/pcgd.db" | cut -f1)"; pcgd shop list
token=$(pcgd token create --role admin --name bench 2>/dev/null)

echo "== pcgd serve ($build_type build; a $log_format log line per response, to a file)"
"$repo/$build/bin/pcgd" --config "$work/pcgd.toml" serve --listen 127.0.0.1:0 > "$work/serve.out" 2> "$work/serve.err" &
server=$!; pids+=($server)
url=$(wait_line "$work/serve.out")
kib() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$server/status"; }
sleep 1
rest_kib=$(kib VmRSS)
echo "RSS at rest (started, no request yet): $((rest_kib / 1024)) MiB ($rest_kib kB)"

# run_route NAME PATH: one wrk run, RSS sampled every 200 ms meanwhile.
results=()
run_route() {
  local name=$1 path=$2 peak=0 rss
  local code; code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$url$path")
  [ "$code" = 200 ] || { echo "load.sh: GET $path answered $code" >&2; exit 1; }
  wrk -t2 -c16 -d"${duration}s" --latency -H "Authorization: Bearer $token" "$url$path" > "$work/$name.wrk" &
  local load=$!
  while kill -0 "$load" 2>/dev/null; do
    rss=$(kib VmRSS); [ "${rss:-0}" -gt "$peak" ] && peak=$rss
    sleep 0.2
  done
  wait "$load"
  local rps p50 p99 errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/$name.wrk")
  p50=$(awk '$1 == "50%" {print $2}' "$work/$name.wrk")
  p99=$(awk '$1 == "99%" {print $2}' "$work/$name.wrk")
  errors=$(grep -E 'Non-2xx|Socket errors' "$work/$name.wrk" | tr -s ' ' | paste -sd';' || true)
  results+=("$(printf '%-32s %10s %9s %9s %9s MiB %s' "$name" "$rps" "$p50" "$p99" "$((peak / 1024))" "${errors:-}")")
  echo "-- $name: GET $path"; sed -n '1,/^Transfer/p' "$work/$name.wrk" | grep -v '^Running\|threads and'
}
run_route planning "/api/reports/planning?sme=maison-lumiere&month=2026-10"
run_route smes "/api/smes"
run_route shops "/api/smes/maison-lumiere/shops"
run_route quality "/api/reports/quality?sme=maison-lumiere&month=2026-10"

# /healthz from one client while 16 others ask for planning reports: health is
# answered on the I/O thread, the reports on the workers, so it never queues
# behind them.
planning_url="$url/api/reports/planning?sme=maison-lumiere&month=2026-10"
wrk -t1 -c16 -d"${duration}s" -H "Authorization: Bearer $token" "$planning_url" > "$work/beside.wrk" &
beside=$!
wrk -t1 -c1 -d"${duration}s" --latency "$url/healthz" > "$work/healthz.wrk"
wait "$beside"
health_line=$(printf '%-32s %10s %9s %9s' "healthz beside planning" \
  "$(awk '/^Requests\/sec:/ {print $2}' "$work/healthz.wrk")" \
  "$(awk '$1 == "50%" {print $2}' "$work/healthz.wrk")" "$(awk '$1 == "99%" {print $2}' "$work/healthz.wrk")")
beside_line="planning meanwhile: $(awk '/^Requests\/sec:/ {print $2}' "$work/beside.wrk") requests/s"
sleep 1
after_kib=$(kib VmRSS); hwm_kib=$(kib VmHWM)

echo
echo "== summary: wrk -t2 -c16 -d${duration}s on $(nproc) cores, $build_type, $log_format logs"
printf '%-32s %10s %9s %9s %13s\n' route "requests/s" p50 p99 "peak RSS"
printf '%s\n' "${results[@]}"
echo "$health_line ($beside_line)"
echo "RSS at rest: $((rest_kib / 1024)) MiB; after the load, idle: $((after_kib / 1024)) MiB; high-water mark (VmHWM): $((hwm_kib / 1024)) MiB"
kill -TERM "$server"; status=0; wait "$server" || status=$?; echo "SIGTERM: exit $status"
pids=()
