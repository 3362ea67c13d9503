#!/usr/bin/env bash
# Sets up, builds and runs the main job: linecrew-server on its embedded
# SQLite database in ./data, then a short demo through linecrewctl: outage
# tickets reported at urban, rural and remote locations get their zone class
# and arrival deadline (45 / 90 / 120 min). Then a small storm played at high
# speed by the simulator (linecrew-sim: its own servers on a simulated clock,
# a real handheld per crew, Linecrew's planner against a nearest-free-crew
# desk): the board mid-storm and the side-by-side report. The server is
# stopped at the end unless --serve is given.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
bash scripts/setup.sh >build/setup.log 2>&1 || { cat build/setup.log; exit 1; }
echo "demo: building the server and the simulator (log: build/demo-build.log)"
{ cmake -S . -B build/native -DLINECREW_BUILD_SERVER=ON &&
  cmake --build build/native -j2 --target linecrew-server linecrewctl linecrew-sim; } \
  >build/demo-build.log 2>&1 || { tail -40 build/demo-build.log; exit 1; }

server=build/native/server/linecrew-server
ctl=build/native/server/linecrewctl
rm -f build/demo.port
"$server" --config config/server.json --listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 --tracking-listen 127.0.0.1:0 \
  --port-file build/demo.port \
  2>build/demo-server.log &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s build/demo.port ] && break; sleep 0.1; done
[ -s build/demo.port ] || { echo "demo: the server did not start" >&2; exit 1; }
export LINECREW_SERVER="127.0.0.1:$(sed -n 1p build/demo.port)"
metrics_port=$(sed -n 2p build/demo.port)
tracking_port=$(sed -n 3p build/demo.port)
export LINECREW_TOKEN_FILE=data/admin.token  # written by the server's first start
$ctl health

run=$(date +%s)
report() { # report <request id> <name> <phone> <lat> <lon> <address> <channel>; prints the ticket id
  $ctl --json tickets add --request-id "demo-$run-$1" --name "$2" --phone "$3" --lat "$4" --lon "$5" \
    --address "$6" --channel "$7" | grep -m1 '"id"' | sed -E 's/.*"id": "([^"]+)".*/\1/'
}
echo
echo "demo: crews (an admin registers them; re-runs keep the ones already there)"
start=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%MZ)
end=$(date -u -d '+8 hours' +%Y-%m-%dT%H:%MZ)
$ctl crews add C-01 --name "City crew 1" --member Wei --staff-number A1024 --home-lat 30.24 --home-lon 120.14 \
  --shift-start "$start" --shift-end "$end" --skill lv_cable --callback +8657188886666 --on-shift >/dev/null 2>&1 || true
$ctl crews add C-02 --name "Belt crew 2" --member Lin --staff-number B2048 --home-lat 30.05 --home-lon 120.30 \
  --shift-start "$start" --shift-end "$end" --on-shift >/dev/null 2>&1 || true
$ctl crews list
echo
echo "demo: reporting outages on every channel (zones from config/zones.geojson)"
first=$(report 1 "李女士" "+8613800138001" 30.251 120.152 "城区 解放路 12 号" hotline)
report 2 "Mr Wang" "+8613800138002" 30.052 120.351 "Farm belt, lot 7" app >/dev/null
report 3 "赵师傅" "+8613800138003" 30.752 119.553 "Hill country, ridge farm" service_counter >/dev/null
report 4 "Ms Chen" "+8613800138004" 31.500 121.500 "Outside all zones (policy default)" web >/dev/null
echo
# A call about a fault an earlier demo run reported is linked to that run's ticket: pin the fault's lead.
lead=$($ctl --json tickets show "$first" | sed -nE 's/.*"fault_ticket_id": "([^"]+)".*/\1/p' | head -1)
lead=${lead:-$first}
echo "demo: the dispatcher pins the city fault ($lead) to C-01"
$ctl tickets pin "$lead" C-01
echo "demo: a neighbour calls about the same fault: linked to it, no second crew (rules §7)"
dup=$(report 5 "张先生" "+8613800138005" 30.2512 120.1521 "城区 解放路 14 号" web)
$ctl tickets show "$dup" | grep -E "same fault as|fault_linked"
echo
echo "demo: every ticket on the board (earlier demo runs too: they are kept in SQLite)"
$ctl tickets list
echo
echo "demo: the live board (snapshot, then changes; here for one second)"
$ctl board --for 1 >build/demo-board.txt
head -12 build/demo-board.txt
echo
echo "demo: the dispatcher's report for the last 24 h"
$ctl report
echo
echo "demo: metrics for the operations team (Prometheus, http://127.0.0.1:$metrics_port/metrics)"
/usr/bin/python3 -c "import urllib.request,sys; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())" \
  "http://127.0.0.1:$metrics_port/metrics" | grep -E '^linecrew_(open|overdue)' | head -8
echo
echo "demo: one ticket in full"
$ctl tickets show "$first"
echo
echo "demo: what the customer sees: the tracking page of that ticket (the link in their messages)"
token=$($ctl --json tickets show "$first" | grep -m1 '"tracking_token"' | sed -E 's/.*"tracking_token": "([^"]+)".*/\1/')
sleep 1.5  # the notifier picks up the assignment
/usr/bin/python3 - "http://127.0.0.1:$tracking_port/t/$token" <<'PY'
import json, sys, urllib.request
url = sys.argv[1]
v = json.load(urllib.request.urlopen(url + ".json"))
print("  page:", url[: url.rfind("/") + 5] + "…  (HTML for phones; JSON for its refresh)")
print("  ", json.dumps(v, ensure_ascii=False)[:400])
PY
echo
echo "demo: customer messages recorded in the outbox (data/notify.db; no SMS gateway is configured in the demo)"
sqlite3 -header -column data/notify.db \
  "SELECT ticket_id, kind, status, substr(content, 1, 60) AS text FROM messages ORDER BY id DESC LIMIT 6" || true
echo
echo "demo: bad input is refused with the field named"
$ctl tickets add --request-id "demo-$run-bad" --name x --phone "+8613800138000" --lat 91 --lon 120 --address x || true
echo
echo "demo: a dispatcher without a valid token is turned away"
$ctl --token lc_not-a-real-token tickets list || true
echo
echo "demo: a small storm at high speed: 16 crews, 60 outages over 3 simulated hours, city traffic, crews out of"
echo "      coverage; each crew runs the real handheld code; Linecrew's planner, then a nearest-free-crew desk"
build/native/sim/linecrew-sim run --crews 16 --tickets 60 --hours 3 --seed 7 --drain-minutes 120 \
  --work-dir build/sim-demo --board-at 75 --json build/sim-demo-report.json | grep -v '^\[.*\] simulated'
echo "demo: the storm's servers, clocks and request logs are in build/sim-demo; the report as JSON in"
echo "      build/sim-demo-report.json; more in docs/simulator.md"
echo
echo "demo: done. Data kept in ./data (SQLite); request log in build/demo-server.log. Run the server yourself with:"
echo "  $server --config config/server.json"
if [ "${1:-}" = --serve ]; then
  echo "demo: serving on $LINECREW_SERVER until Ctrl-C"
  wait $pid
fi
