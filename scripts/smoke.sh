#!/usr/bin/env bash
# Starts the hub as `npm start` does, on a fresh embedded database, waits for it to answer,
# asks it one cross-subgraph question and stops it. Exits non-zero if any step fails.
set -euo pipefail
cd "$(dirname "$0")/.."

data_dir="$(mktemp -d)"
# Run as root, the embedded database server runs as "postgres", which must pass through it.
chmod 711 "$data_dir"
port="${SMOKE_PORT:-4400}"
log="$data_dir/hub.log"
DATA_DIR="$data_dir/data" PORT="$port" npm start >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data_dir"' EXIT

for _ in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then cat "$log"; echo "the hub exited before answering"; exit 1; fi
  sleep 1
done
curl -fsS "http://127.0.0.1:$port/health"
echo
answer="$(curl -fsS "http://127.0.0.1:$port/graphql" -H 'content-type: application/json' \
  -d '{"query":"{ ceremony(id: \"2017-12-28-xian\") { declaredProjectCount signatoryCounties { nameZh pairedJiangsuCity { nameZh } } } }"}')"
echo "$answer"
case "$answer" in
  *'"declaredProjectCount":15'*'"紫阳县"'*) ;;
  *) cat "$log"; echo "smoke: unexpected answer"; exit 1 ;;
esac
# The demo's signed package, printed on a render thread, asked for just before the signal:
# the drain lets it finish, and the thread ends with the hub.
pdf="$data_dir/package.pdf"
curl -fsS -o "$pdf" "http://127.0.0.1:$port/ceremonies/demo-2019-06-18-ankang/packages/1.pdf" &
pdf_pid=$!
sleep 0.3
# SIGTERM to npm reaches the hub, which drains, closes its databases and exits 0.
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
if [ "$status" -ne 0 ]; then cat "$log"; echo "smoke: npm start exited $status on SIGTERM"; exit 1; fi
if ! wait "$pdf_pid" || [ "$(head -c 5 "$pdf")" != "%PDF-" ]; then cat "$log"; echo "smoke: the package being printed at SIGTERM was not answered"; exit 1; fi
if [ -n "$(find "$data_dir/data" -name .hub.lock)" ]; then echo "smoke: the data-folder lock was left behind"; exit 1; fi
echo "smoke: ok"
