#!/usr/bin/env bash
# Regenerates test/fixtures/logs/<version>/<scenario>.log by running REAL gunicorn releases (Debian's
# 20.1.0 and the unpacked ones in .gunicorn-versions.txt) against test/fixtures/logs/app/app.py and
# driving each scenario (timeouts, OOM kills in a real memory cgroup, signals, load errors...).
# Usage: scripts/capture-gunicorn-logs.sh [version...]   (root needed for the OOM scenarios)
#        SCENARIO=oom-during-shutdown scripts/capture-gunicorn-logs.sh [version...]   (just that one)
# Afterwards: GWARDEN_UPDATE_FIXTURES=1 npx vitest run test/unit/core/analyze/fixtures.test.ts, review the
# diff of test/fixtures/logs/expected.json, and `git add -f` the logs (the repo ignores *.log).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
APPDIR=$ROOT/test/fixtures/logs/app
PY=/usr/bin/python3

declare -A PYPATH
PYPATH[$($PY -m gunicorn --version 2>&1 | sed -E 's/.*version ([0-9.]+).*/\1/')]=""
while read -r v p; do [ -n "$v" ] && PYPATH[$v]=${p#PYTHONPATH=}; done < "$ROOT/.gunicorn-versions.txt"

capture_version() {
  local V=$1 PORT=$2 OUT=$ROOT/test/fixtures/logs/$1 TMPH
  TMPH=$(mktemp -d)
  mkdir -p "$OUT"
  local GPID=0 CG=""

  start() { # start <scenario> <extra env...> -- <gunicorn args...>
    local name=$1; shift; local envs=()
    while [ "$1" != "--" ]; do envs+=("$1"); shift; done; shift
    case "${*: -1}" in app:*) ;; *) set -- "$@" app:application ;; esac
    local cgcmd=""
    [ -n "$CG" ] && cgcmd="echo \$\$ > $CG/cgroup.procs;"
    env HOME="$TMPH" PYTHONPATH="${PYPATH[$V]}" "${envs[@]}" sh -c "$cgcmd exec $PY -m gunicorn \"\$@\"" gunicorn \
      --chdir "$APPDIR" -b 127.0.0.1:$PORT --log-level info "$@" 2> "$OUT/$name.log" > /dev/null &
    GPID=$!
  }
  wait_for() { # wait_for <scenario> <regex> <seconds>
    local i; for ((i = 0; i < $3 * 10; i++)); do grep -qE "$2" "$OUT/$1.log" && return 0; sleep 0.1; done; return 1
  }
  stop() { # stop <signal> <seconds to wait>
    kill -"$1" $GPID 2>/dev/null
    local i; for ((i = 0; i < $2 * 10; i++)); do kill -0 $GPID 2>/dev/null || break; sleep 0.1; done
    kill -9 $GPID 2>/dev/null; wait $GPID 2>/dev/null
  }
  waitexit() { local i; for ((i = 0; i < $1 * 10; i++)); do kill -0 $GPID 2>/dev/null || break; sleep 0.1; done; stop KILL 1; }
  req() { curl -s -m 40 -o /dev/null "http://127.0.0.1:$PORT$1"; }
  cg_create() {
    CG=/sys/fs/cgroup/memory/gwarden-capture-$V-$RANDOM$RANDOM
    mkdir "$CG" && echo 150M > "$CG/memory.limit_in_bytes"
    [ -e "$CG/memory.memsw.limit_in_bytes" ] && echo 150M > "$CG/memory.memsw.limit_in_bytes"
  }
  cg_remove() {
    [ -z "$CG" ] && return
    local p; for p in $(cat "$CG/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    sleep 0.5; rmdir "$CG" 2>/dev/null || { sleep 1; rmdir "$CG"; }
    CG=""
  }
  trap cg_remove EXIT
  # kernel_lines <scenario> <uptime before>: the kernel's OOM-kill lines since then, as
  # `journalctl -k -o short-iso` prints them (dmesg's boot-relative stamps turned into wall time)
  kernel_lines() {
    local boot; boot=$(awk -v now="$(date +%s.%N)" -v up="$(awk '{print $1}' /proc/uptime)" 'BEGIN{printf "%.6f", now - up}')
    dmesg | awk -v since="$2" -v boot="$boot" -v host="$(hostname)" '
      FNR == NR { if (match($0, /\[[0-9]+\]/)) pids[substr($0, RSTART + 1, RLENGTH - 2)] = 1; next }
      match($0, /^\[ *[0-9]+\.[0-9]+\]/) {
        t = substr($0, 2, RLENGTH - 2) + 0
        if (t < since || !match($0, /Killed process [0-9]+/)) next
        if (!(substr($0, RSTART + 15, RLENGTH - 15) in pids)) next
        match($0, /^\[ *[0-9]+\.[0-9]+\]/)
        cmd = "date -u -d @" sprintf("%.0f", boot + t) " +%Y-%m-%dT%H:%M:%S+0000"; cmd | getline stamp; close(cmd)
        print stamp " " host " kernel: " substr($0, RLENGTH + 2)
      }' "$OUT/$1.log" - > "$OUT/$1.kernel.txt"
  }

  # an OOM kill during shutdown (baseline lesson 8): one worker holds 80 MiB after a request, and every
  # worker allocates 60 MiB more on its way out, so on TERM the big one crosses the 150 MiB limit and is
  # killed at once while the other exits normally. The kernel's line goes to <scenario>.kernel.txt.
  scenario_oom_during_shutdown() {
    cg_create
    start oom-during-shutdown APP_EXIT_HOG=60 -- -w 2 --graceful-timeout 10
    wait_for oom-during-shutdown "Booting worker" 10; sleep 1
    local since; since=$(awk '{print $1}' /proc/uptime)
    req "/hog?80"; sleep 1; stop TERM 15
    kernel_lines oom-during-shutdown "$since"
    cg_remove
  }
  # a supervisor's stop that kills every worker at once (a stop timeout, a process-group kill): TERM to
  # the master while three requests are in flight, then SIGKILL to all its children in the same second
  scenario_stop_kill_burst() {
    start stop-kill-burst -- -w 3 --graceful-timeout 10
    wait_for stop-kill-burst "Booting worker" 10; sleep 1
    (req "/sleep?5" &); (req "/sleep?5" &); (req "/sleep?5" &); sleep 0.5
    kill -TERM $GPID; sleep 0.2
    kill -9 $(cat /proc/$GPID/task/$GPID/children) 2>/dev/null
    waitexit 15
  }
  if [ -n "${SCENARIO:-}" ]; then "scenario_${SCENARIO//-/_}"; rm -rf "$TMPH"; return; fi

  start normal-boot -- -w 2
  wait_for normal-boot "Booting worker.*" 10; sleep 1; req /; req /; stop INT 10

  start graceful-shutdown -- -w 2
  wait_for graceful-shutdown "Booting worker" 10; sleep 1; stop TERM 10

  start forced-shutdown -- -w 1 --graceful-timeout 2
  wait_for forced-shutdown "Booting worker" 10; sleep 1; (req "/sleep?10" &); sleep 1; stop TERM 10; sleep 0.5

  start request-timeout -- -w 2 -t 2 --graceful-timeout 3
  wait_for request-timeout "Booting worker" 10; sleep 1
  (req "/sleep?6" &); sleep 5; (req "/hang-noabort?30" &); sleep 6; stop TERM 10

  start hung-import APP_IMPORT_HANG=1 -- -w 1 -t 2 --graceful-timeout 2
  sleep 9; stop TERM 10

  start slow-import APP_IMPORT_SLEEP=4 -- -w 1 -t 2 --graceful-timeout 2
  sleep 12; stop TERM 10

  start ttin-ttou -- -w 2
  wait_for ttin-ttou "Booting worker" 10; sleep 1
  for s in TTIN TTIN TTOU TTOU TTOU TTOU; do kill -$s $GPID; sleep 1.5; done; stop TERM 10

  start hup -- -w 2
  wait_for hup "Booting worker" 10; sleep 1; kill -HUP $GPID; sleep 3; stop TERM 10

  start max-requests -- -w 1 --max-requests 3
  wait_for max-requests "Booting worker" 10; sleep 1
  for i in 1 2 3 4 5 6 7; do req /; sleep 0.3; done; stop TERM 10

  start app-load-error -- -w 2 app:nonexistent
  waitexit 20

  start worker-boot-error APP_IMPORT_FAIL=1 -- -w 2
  waitexit 20

  start bind-holder -- -w 1
  wait_for bind-holder "Booting worker" 10; local HOLDER=$GPID
  start bind-error -- -w 1
  waitexit 20; GPID=$HOLDER; stop TERM 10; rm -f "$OUT/bind-holder.log"

  if [ "$(id -u)" = 0 ] && [ -d /sys/fs/cgroup/memory ]; then
    cg_create
    start oom-kill -- -w 2 -t 30 --graceful-timeout 3
    wait_for oom-kill "Booting worker" 10; sleep 1; req "/hog?400"; sleep 2; req "/hog?400"; sleep 2; stop TERM 10
    cg_remove
    cg_create
    start oom-boot-loop APP_IMPORT_HOG=300 -- -w 1 --graceful-timeout 2
    sleep 8; stop TERM 10
    cg_remove
    scenario_oom_during_shutdown
    scenario_stop_kill_burst
  fi
  rm -rf "$TMPH"
}

VERSIONS=("$@"); [ ${#VERSIONS[@]} = 0 ] && VERSIONS=("${!PYPATH[@]}")
port=18400
for v in "${VERSIONS[@]}"; do capture_version "$v" $port & port=$((port + 1)); done
wait
