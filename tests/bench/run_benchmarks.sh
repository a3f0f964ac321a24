#!/usr/bin/env bash
# Regenerates every row of the scheduler benchmarks (issue 8's table) and the
# APScheduler comparison; prints each command, its wall time and max RSS, and a
# final table in Markdown. docs/performance.md, "How to run the benchmarks".
#
#   tests/bench/run_benchmarks.sh [ROW...]        (default: every row)
#
# Rows: simulate minute_steps plan validate daemon reporting maildir fsync
#       apscheduler outreach_vs_apscheduler
#
# Needs a built tree (cmake --build build --target outreach_bench) and
# tests/bench/install-bench-deps. Settings (environment):
#   BUILD_DIR        build tree                                  [<source>/build]
#   BENCH_DIR        configs and ext4 state dirs                 [/tmp/outreach-bench]
#   TMPFS_DIR        tmpfs state dirs                            [/dev/shm/outreach-bench]
#   BENCH_LOCK       every timed run holds flock on this file so compiles do not
#                    distort it ("" = no lock)                   [/tmp/outreach-build.lock]
#   BENCH_TIMEOUT    seconds, per timed run                      [1800]
#   BENCH_KEEP=1     keep BENCH_DIR and TMPFS_DIR afterwards
#   SIM_N            simulate 2004-2025: campaigns x 1 recipient [10 20 50 100 200]
#   MINUTE_STEPS     one-minute steps x 1 letter                 [500]
#   PLAN_CAMPAIGNS, PLAN_STATES     plan/validate size           [10000, 200]
#   DAEMON_CAMPAIGNS, DAEMON_STATES daemon size                  [10000, 200]
#   DAEMON_WAKEUPS, IDLE_SECONDS    wake-ups measured, idle window [20, 60]
#   REPORTING_YEARS  reporting_obligations: years simulated      [8]
#   MAILDIR_CAMPAIGNS, MAILDIR_STATES  one step each to that many States [50, 200]
#   FSYNC_FILES, FSYNC_BATCH        fsync_limits files per mode, batch [2000, 1000]
#   APS_JOBS         APScheduler jobs                            [10000]
#   APS_FS           file systems of the comparison              [tmpfs ext4]
#   OUTREACH_DISTINCT  Outreach one-letter occurrences at distinct instants
#                      (minute steps x 1 letter)                 [APS_JOBS]
#   OUTREACH_NOW       Outreach letters of one step ("all due now") [APS_JOBS]
#
# On the old (quadratic) engine keep it small, e.g.
#   SIM_N="10 20" PLAN_CAMPAIGNS=1000 DAEMON_CAMPAIGNS=1000 OUTREACH_DISTINCT=1000 \
#     tests/bench/run_benchmarks.sh
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH=$SRC/tests/bench
BUILD_DIR=${BUILD_DIR:-$SRC/build}
CLI=$BUILD_DIR/bin/outreach
FSYNC_BIN=$BUILD_DIR/bin/outreach_fsync_limits
BENCH_PLUGIN_DIR=$BUILD_DIR/tests/bench/plugins
BENCH_DIR=${BENCH_DIR:-/tmp/outreach-bench}
TMPFS_DIR=${TMPFS_DIR:-/dev/shm/outreach-bench}
BENCH_LOCK=${BENCH_LOCK-/tmp/outreach-build.lock}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-1800}
SIM_N=${SIM_N:-10 20 50 100 200}
MINUTE_STEPS=${MINUTE_STEPS:-500}
PLAN_CAMPAIGNS=${PLAN_CAMPAIGNS:-10000}
PLAN_STATES=${PLAN_STATES:-200}
DAEMON_CAMPAIGNS=${DAEMON_CAMPAIGNS:-10000}
DAEMON_STATES=${DAEMON_STATES:-200}
DAEMON_WAKEUPS=${DAEMON_WAKEUPS:-20}
IDLE_SECONDS=${IDLE_SECONDS:-60}
REPORTING_YEARS=${REPORTING_YEARS:-8}
MAILDIR_CAMPAIGNS=${MAILDIR_CAMPAIGNS:-50}
MAILDIR_STATES=${MAILDIR_STATES:-200}
FSYNC_FILES=${FSYNC_FILES:-2000}
FSYNC_BATCH=${FSYNC_BATCH:-1000}
APS_JOBS=${APS_JOBS:-10000}
APS_FS=${APS_FS:-tmpfs ext4}
OUTREACH_DISTINCT=${OUTREACH_DISTINCT:-$APS_JOBS}
OUTREACH_NOW=${OUTREACH_NOW:-$APS_JOBS}
PY=${PY:-python3}          # generator and daemon helper: standard library only
APS_PY=/usr/bin/python3    # Debian's interpreter, which has python3-apscheduler

ALL_ROWS=(simulate minute_steps plan validate daemon reporting maildir fsync apscheduler outreach_vs_apscheduler)
TABLE=()      # Markdown rows of the final table
SHOWN=""      # the command timed() prints, when not its arguments
FAILURES=0

die() { echo "run_benchmarks.sh: $*" >&2; exit 2; }

for f in "$CLI" "$FSYNC_BIN" "$BENCH_PLUGIN_DIR/liboutreach_bench_minute_steps.so"; do
  [[ -e $f ]] || die "$f is missing: cmake --build $BUILD_DIR --target outreach_bench"
done
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing: bash tests/bench/install-bench-deps"

mkdir -p "$BENCH_DIR" "$TMPFS_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
TMPFS_DIR=$(cd "$TMPFS_DIR" && pwd)
fstype() { df --output=fstype "$1" | tail -1; }
EXT4_FS=$(fstype "$BENCH_DIR")
TMPFS_FS=$(fstype "$TMPFS_DIR")
[[ $TMPFS_FS == tmpfs ]] || echo "warning: TMPFS_DIR=$TMPFS_DIR is on $TMPFS_FS, not tmpfs" >&2
cleanup() {
  local rc=$?
  if [[ ${BENCH_KEEP:-0} != 1 ]]; then
    rm -rf "${BENCH_DIR:?}"/cfg-* "${BENCH_DIR:?}"/state-* "${BENCH_DIR:?}"/aps-ext4 "${BENCH_DIR:?}"/fsync-ext4 \
           "${BENCH_DIR:?}"/time.out "${TMPFS_DIR:?}"/state-* "${TMPFS_DIR:?}"/aps "${TMPFS_DIR:?}"/fsync \
           "${TMPFS_DIR:?}"/plan.json
    rmdir "$TMPFS_DIR" 2>/dev/null || true
  fi
  exit "$rc"
}
trap cleanup EXIT

# state_dir FS NAME: a fresh state directory on tmpfs or on BENCH_DIR's file system.
state_dir() {
  local dir
  if [[ $1 == tmpfs ]]; then dir=$TMPFS_DIR/state-$2; else dir=$BENCH_DIR/state-$2; fi
  rm -rf "$dir"
  echo "$dir"
}
fs_of() { if [[ $1 == tmpfs ]]; then echo "$TMPFS_FS"; else echo "$EXT4_FS"; fi; }

gen() {  # gen NAME generator-args...: writes BENCH_DIR/cfg-NAME, prints its outreach.toml
  local out=$BENCH_DIR/cfg-$1
  shift
  "$PY" "$BENCH/generate_config.py" --out "$out" --plugin-dir "$BENCH_PLUGIN_DIR" "$@" >/dev/null
  echo "$out/outreach.toml"
}

# timed LOG cmd...: runs cmd under the lock, a timeout and GNU time, its output into
# LOG. Sets WALL (s), RSS (MB), RC; prints the command (SHOWN if set) and the result.
timed() {
  local log=$1
  shift
  local lock=()
  [[ -n $BENCH_LOCK ]] && lock=(flock "$BENCH_LOCK")
  echo "\$ ${SHOWN:-$*}"
  SHOWN=""
  RC=0
  rm -f "$BENCH_DIR/time.out"
  "${lock[@]}" timeout "$BENCH_TIMEOUT" /usr/bin/time -f '%e %M' -o "$BENCH_DIR/time.out" "$@" >"$log" 2>&1 || RC=$?
  if [[ $RC == 124 ]] || grep -q 'Command terminated by signal' "$BENCH_DIR/time.out" 2>/dev/null; then
    WALL="timeout (${BENCH_TIMEOUT} s)"; RSS="-"; RC=124
  elif [[ -s $BENCH_DIR/time.out ]]; then
    read -r WALL RSS_KB < <(tail -1 "$BENCH_DIR/time.out")
    RSS=$(( RSS_KB / 1024 ))
  else
    WALL="-"; RSS="-"  # killed before GNU time could report
  fi
  if [[ $RC != 0 ]]; then
    echo "  FAILED (exit $RC); last lines of $log:"
    tail -5 "$log" | sed 's/^/    /'
    FAILURES=$((FAILURES + 1))
  fi
  echo "  -> ${WALL} s, max RSS ${RSS} MB"
}

messages_in() { find "$1/outbox/new" -type f 2>/dev/null | wc -l; }
per_second() { awk -v n="$1" -v s="$2" 'BEGIN { if (s + 0 > 0) printf "%.0f", n / s; else print "-" }'; }
add_row() {  # add_row workload command wall rss result
  local wall=$3
  [[ $RC == 0 ]] || wall="$3 (FAILED, exit $RC)"
  TABLE+=("| $1 | \`$2\` | $wall | $4 | $5 |")
}

# ---- rows ----------------------------------------------------------------------

row_simulate() {
  echo "## simulate 2004-2025, N treaty_event campaigns x 1 recipient (state on $TMPFS_FS)"
  local n cfg st
  for n in $SIM_N; do
    cfg=$(gen "sim-$n" --type treaty_event --campaigns "$n" --one-recipient --recipient FRA)
    st=$(state_dir tmpfs "sim-$n")
    timed "$BENCH_DIR/sim-$n.log" "$CLI" -c "$cfg" simulate --from 2004-01-01 --to 2025-12-31 --state-dir "$st" --summary
    local msgs
    msgs=$(messages_in "$st")
    add_row "simulate 2004-2025, N=$n treaty_event x 1 recipient (tmpfs)" \
      "outreach simulate --from 2004-01-01 --to 2025-12-31 --summary" "$WALL s" "$RSS MB" "$msgs messages"
    rm -rf "$st"
  done
}

row_minute_steps() {
  echo "## simulate: one campaign, $MINUTE_STEPS one-minute steps x 1 letter (state on $TMPFS_FS)"
  local cfg st to
  cfg=$(gen minute --type minute_steps --steps "$MINUTE_STEPS" --one-recipient --recipient FRA)
  to=$(date -u -d "2010-01-04 + $(( (540 + MINUTE_STEPS) / 1440 + 1 )) days" +%F)
  st=$(state_dir tmpfs minute)
  timed "$BENCH_DIR/minute.log" "$CLI" -c "$cfg" simulate --from 2010-01-04 --to "$to" --state-dir "$st" --summary
  local msgs
  msgs=$(messages_in "$st")
  add_row "simulate, $MINUTE_STEPS one-minute steps x 1 letter (tmpfs)" \
    "outreach simulate --from 2010-01-04 --to $to --summary" "$WALL s" "$RSS MB" "$msgs letters"
  rm -rf "$st"
}

PLAN_CFG=""
plan_config() {
  [[ -n $PLAN_CFG ]] && return
  PLAN_CFG=$(gen plan --type treaty_event --campaigns "$PLAN_CAMPAIGNS" --states "$PLAN_STATES")
}

row_plan() {
  echo "## plan --format json, $PLAN_CAMPAIGNS campaigns x $PLAN_STATES-State roster"
  plan_config
  SHOWN="$CLI -c $PLAN_CFG plan --from 2004-01-01 --to 2025-12-31 --format json >$TMPFS_DIR/plan.json"
  timed "$BENCH_DIR/plan.log" sh -c "exec \"\$0\" -c \"\$1\" plan --from 2004-01-01 --to 2025-12-31 --format json >\"\$2\"" \
    "$CLI" "$PLAN_CFG" "$TMPFS_DIR/plan.json"
  local size
  size=$(du -m "$TMPFS_DIR/plan.json" 2>/dev/null | cut -f1)
  add_row "plan --format json, $PLAN_CAMPAIGNS campaigns x $PLAN_STATES-State roster" \
    "outreach plan --from 2004-01-01 --to 2025-12-31 --format json >FILE" "$WALL s" "$RSS MB" "${size:-?} MB of JSON"
  rm -f "$TMPFS_DIR/plan.json"
}

row_validate() {
  echo "## validate, $PLAN_CAMPAIGNS campaigns x $PLAN_STATES-State roster"
  plan_config
  timed "$BENCH_DIR/validate.log" "$CLI" -c "$PLAN_CFG" validate
  add_row "validate, $PLAN_CAMPAIGNS campaigns x $PLAN_STATES-State roster" "outreach validate" "$WALL s" "$RSS MB" "-"
}

row_daemon() {
  echo "## daemon, $DAEMON_CAMPAIGNS campaigns x $DAEMON_STATES States, next step years ahead: CPU per wake-up"
  local cfg st log
  # Letters in 2090-2099: whatever the date, nothing is due for decades.
  cfg=$(gen daemon --type treaty_event --campaigns "$DAEMON_CAMPAIGNS" --states "$DAEMON_STATES" \
          --first-year 2090 --last-year 2099)
  st=$(state_dir tmpfs daemon)
  log=$BENCH_DIR/daemon.log
  timed "$log" "$PY" "$BENCH/daemon_wake_bench.py" --cli "$CLI" --config "$cfg" --state-dir "$st" \
    --wakeups "$DAEMON_WAKEUPS" --idle-seconds "$IDLE_SECONDS" --settle-timeout "$BENCH_TIMEOUT"
  sed 's/^/  /' "$log"
  local result wake idle rss
  result=$(grep '^RESULT' "$log" || true)
  wake=$(sed -n 's/.*wake_ms=\([^ ]*\).*/\1/p' <<<"$result")
  idle=$(sed -n 's/.* idle=\([^ ]*\).*/\1/p' <<<"$result")
  rss=$(sed -n 's/.* rss_mb=\([^ ]*\).*/\1/p' <<<"$result")
  add_row "daemon, $DAEMON_CAMPAIGNS campaigns, one wake-up with nothing to fire (tmpfs)" \
    "daemon_wake_bench.py --wakeups $DAEMON_WAKEUPS --idle-seconds $IDLE_SECONDS" "${wake:-?} ms CPU per wake-up" \
    "${rss:-?} MB" "idle: ${idle:-?} wake-ups in $IDLE_SECONDS s"
  rm -rf "$st"
}

row_reporting() {
  echo "## reporting_obligations, 195 States x $REPORTING_YEARS years (state on $TMPFS_FS)"
  if ! "$CLI" -c "$SRC/config/outreach.toml" plugins 2>/dev/null | grep -qw reporting_obligations; then
    echo "  skipped: \`outreach plugins\` does not list reporting_obligations"
    RC=0
    add_row "reporting_obligations, 195 States x $REPORTING_YEARS years" "-" "skipped" "-" "type not built"
    return
  fi
  local cfg st to
  cfg=$(gen reporting --type reporting_obligations --states 195 --due-first 2010-06-30 --due-years 2)
  to=$(( 2010 + REPORTING_YEARS - 1 ))-12-31
  st=$(state_dir tmpfs reporting)
  timed "$BENCH_DIR/reporting.log" "$CLI" -c "$cfg" simulate --from 2010-01-01 --to "$to" --state-dir "$st" --summary
  local msgs
  msgs=$(messages_in "$st")
  add_row "reporting_obligations, 195 States x $REPORTING_YEARS years (tmpfs)" \
    "outreach simulate --from 2010-01-01 --to $to --summary" "$WALL s" "$RSS MB" "$msgs messages"
  rm -rf "$st"
}

row_maildir() {
  local letters=$((MAILDIR_CAMPAIGNS * MAILDIR_STATES)) cfg fs st msgs
  echo "## Maildir delivery: $MAILDIR_CAMPAIGNS campaigns x one step to $MAILDIR_STATES States = $letters letters"
  cfg=$(gen maildir --type minute_steps --steps 1 --campaigns "$MAILDIR_CAMPAIGNS" --states "$MAILDIR_STATES")
  for fs in ext4 tmpfs; do
    st=$(state_dir "$fs" maildir)
    timed "$BENCH_DIR/maildir-$fs.log" "$CLI" -c "$cfg" simulate --from 2010-01-04 --to 2010-01-05 --state-dir "$st" --summary
    msgs=$(messages_in "$st")
    add_row "Maildir delivery, $MAILDIR_CAMPAIGNS campaigns x 1 step x $MAILDIR_STATES States ($(fs_of "$fs"))" \
      "outreach simulate --from 2010-01-04 --to 2010-01-05 --summary" "$WALL s" "$RSS MB" \
      "$msgs letters, $(per_second "$msgs" "$WALL") letters/s"
    rm -rf "$st"
  done
}

row_fsync() {
  local fs dir mode line
  for fs in ext4 tmpfs; do
    echo "## fsync limits on $(fs_of "$fs")"
    if [[ $fs == tmpfs ]]; then dir=$TMPFS_DIR/fsync; else dir=$BENCH_DIR/fsync-ext4; fi
    rm -rf "$dir"
    for mode in per-file batch-dir batch-fsync batch; do
      local files=$FSYNC_FILES
      [[ $mode == batch* ]] && files=$((FSYNC_FILES * 5))
      timed "$BENCH_DIR/fsync-$fs-$mode.log" "$FSYNC_BIN" --dir "$dir" --files "$files" --batch "$FSYNC_BATCH" --mode "$mode"
      line=$(cat "$BENCH_DIR/fsync-$fs-$mode.log")
      echo "  $line"
      add_row "fsync limits, $mode ($(fs_of "$fs"))" \
        "outreach_fsync_limits --files $files --batch $FSYNC_BATCH --mode $mode" "$WALL s" "$RSS MB" \
        "$(sed -n 's/.*: \([0-9]*\) files\/s.*/\1/p' <<<"$line") files/s"
    done
    rm -rf "$dir"
  done
}

row_apscheduler() {
  local fs mode dir log
  for fs in $APS_FS; do
    for mode in distinct now; do
      echo "## APScheduler 3.9, $APS_JOBS one-letter jobs, $mode, on $(fs_of "$fs")"
      if [[ $fs == tmpfs ]]; then dir=$TMPFS_DIR/aps; else dir=$BENCH_DIR/aps-ext4; fi
      log=$BENCH_DIR/aps-$fs-$mode.log
      timed "$log" "$APS_PY" "$BENCH/apscheduler_bench.py" --dir "$dir" --jobs "$APS_JOBS" --mode "$mode"
      sed 's/^/  /' "$log"
      add_row "APScheduler 3.9 + SQLAlchemy/SQLite, $APS_JOBS one-letter jobs, $mode ($(fs_of "$fs"))" \
        "apscheduler_bench.py --jobs $APS_JOBS --mode $mode" "$WALL s" "$RSS MB" \
        "$(sed -n 's/.*fired, \([0-9]*\) jobs\/s scheduled and fired/\1/p' "$log") jobs/s (schedule+fire); $(sed -n 's/.*: \([0-9]*\) jobs\/s fired.*/\1/p' "$log") fire only"
      rm -rf "$dir"
    done
  done
}

row_outreach_vs_apscheduler() {
  local fs cfg st msgs to
  echo "## Outreach counterpart: $OUTREACH_DISTINCT one-letter occurrences at distinct instants (minute steps)"
  cfg=$(gen vs-distinct --type minute_steps --steps "$OUTREACH_DISTINCT" --one-recipient --recipient FRA)
  to=$(date -u -d "2010-01-04 + $(( (540 + OUTREACH_DISTINCT) / 1440 + 1 )) days" +%F)
  for fs in $APS_FS; do
    st=$(state_dir "$fs" vs-distinct)
    timed "$BENCH_DIR/vs-distinct-$fs.log" "$CLI" -c "$cfg" simulate --from 2010-01-04 --to "$to" --state-dir "$st" --summary
    msgs=$(messages_in "$st")
    add_row "Outreach, $OUTREACH_DISTINCT one-letter occurrences at distinct instants ($(fs_of "$fs"))" \
      "outreach simulate --from 2010-01-04 --to $to --summary" "$WALL s" "$RSS MB" \
      "$msgs letters, $(per_second "$msgs" "$WALL") letters/s"
    rm -rf "$st"
  done
  echo "## Outreach counterpart: one step to $OUTREACH_NOW States x 1 addressee (all due at once)"
  cfg=$(gen vs-now --type minute_steps --steps 1 --states "$OUTREACH_NOW")
  for fs in $APS_FS; do
    st=$(state_dir "$fs" vs-now)
    timed "$BENCH_DIR/vs-now-$fs.log" "$CLI" -c "$cfg" simulate --from 2010-01-04 --to 2010-01-05 --state-dir "$st" --summary
    msgs=$(messages_in "$st")
    add_row "Outreach, one step to $OUTREACH_NOW States x 1 letter, all due at once ($(fs_of "$fs"))" \
      "outreach simulate --from 2010-01-04 --to 2010-01-05 --summary" "$WALL s" "$RSS MB" \
      "$msgs letters, $(per_second "$msgs" "$WALL") letters/s"
    rm -rf "$st"
  done
}

# ---- main ----------------------------------------------------------------------

rows=("$@")
((${#rows[@]})) || rows=("${ALL_ROWS[@]}")
for r in "${rows[@]}"; do
  [[ " ${ALL_ROWS[*]} " == *" $r "* ]] || die "unknown row '$r' (rows: ${ALL_ROWS[*]})"
done

echo "Outreach benchmarks: $(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo '?'), $CLI"
echo "$(nproc) CPUs, $(uname -r); BENCH_DIR=$BENCH_DIR ($EXT4_FS), TMPFS_DIR=$TMPFS_DIR ($TMPFS_FS)"
echo
for r in "${rows[@]}"; do
  "row_$r"
  echo
done

echo "| workload | command | wall | max RSS | result |"
echo "|---|---|---|---|---|"
printf '%s\n' "${TABLE[@]}"
if ((FAILURES)); then
  echo
  echo "$FAILURES run(s) failed or timed out (logs in $BENCH_DIR; BENCH_KEEP=1 keeps them)"
  exit 1
fi
