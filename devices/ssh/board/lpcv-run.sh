#!/bin/sh
# The board side of an SSH-board run (docs/ssh-boards.md), copied into the run's folder with the package.
# POSIX sh only (dash, bash, busybox ash), plus date, sleep, kill, setsid.
#
#   sh lpcv-run.sh run  RUN_DIR -- COMMAND [ARG...]   one measured run; results in RUN_DIR/meta
#   sh lpcv-run.sh kill RUN_DIR                       kill the running command's process group (prints
#                                                     killed, or not-started when no command runs yet)
#   sh lpcv-run.sh env  RUN_DIR                       print one reading of the board's state (below)
#
# `run` reads RUN_DIR/meta/config (PERIOD_MS, TIMEOUT_MS, DROP_CACHES, DROP_CACHES_CMD, LOCK, LOCK_CMD,
# UNLOCK_CMD, ENVIRONMENT, ENV_SYS, ENV_PROC; written by the harness) and RUN_DIR/meta/power-files (the hwmon
# files to read, one a line, chosen by the harness from the board's hwmon listing; empty when the board has
# no power sensor).
# In order: drop the page cache, lock the network, start the power loop and wait for its first reading,
# read the board's state (ENVIRONMENT=1), read the clock, start the command in its own session (its own
# process group), wait for it (a watchdog kills the group at TIMEOUT_MS), read the clock, read the board's
# state again, let the power loop take one reading after that, unlock, and write meta/result. The clock is
# `date +%s%N` (CLOCK_REALTIME, ns) for the window and every power sample alike; without %N support it is
# /proc/uptime (10 ms steps), and meta/result says which.
#
# The board's state (docs/ssh-boards.md, "Environment guards"; parsed by devices/ssh/board-environment.ts),
# one reading a line, tab-separated, whatever the board does not expose simply absent: the time, the cores
# this shell may run on (Cpus_allowed_list: the command inherits them), /proc/loadavg, the cpuN lines of
# /proc/stat, each of those cores' cpufreq (scaling_cur_freq, cpuinfo_max_freq, scaling_governor), every
# thermal zone (type, temp in millidegrees) and, while it runs, the power loop's CPU time (`harness`,
# jiffies). meta/env-before and meta/env-after hold the readings just before and after the command, and
# meta/times-before and meta/times-after the shell's `times` there: the difference of its children's line is
# the CPU time of the command and of whatever the command waited for. ENV_SYS and ENV_PROC are where sysfs
# and procfs are read (default /sys and /proc).
#
# Exit status: 0 when the command ran (whatever its own status; that is in meta/result), else a harness
# failure with the reason in meta/error: 2 usage, 3 page cache, 4 network lock, 5 power loop, 6 clock,
# 7 abandoned by the host before the command started.
# (A power file that cannot be read gives an empty value in its column; the harness refuses that sample.)
set -u

mode=${1:-}
dir=${2:-}
[ -n "$dir" ] && [ -d "$dir/meta" ] || { echo "usage: lpcv-run.sh run|kill|env RUN_DIR [-- COMMAND...]" >&2; exit 2; }
meta=$dir/meta

if [ "$mode" = kill ]; then
  # Prints what it found: the command killed, or no command started yet (stuck in a harness step).
  if [ -s "$meta/cmd.pid" ]; then
    read -r pid < "$meta/cmd.pid"
    : > "$meta/killed"
    kill -KILL "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
    echo killed
  else
    # The host gives up on this run: the runner stops at its next step instead of starting the command.
    : > "$meta/abandoned"
    echo not-started
  fi
  exit 0
fi
if [ "$mode" != env ]; then
  [ "$mode" = run ] && [ "${3:-}" = -- ] && [ $# -ge 4 ] || { echo "usage: lpcv-run.sh run RUN_DIR -- COMMAND [ARG...]" >&2; exit 2; }
  shift 3
fi

fail() { # status message
  printf '%s\n' "$2" > "$meta/error"
  printf 'lpcv-run: %s\n' "$2" >&2
  exit "$1"
}

PERIOD_MS=50 TIMEOUT_MS=0 DROP_CACHES=0 DROP_CACHES_CMD= LOCK=0 LOCK_CMD= UNLOCK_CMD= ENVIRONMENT=0 ENV_SYS=/sys ENV_PROC=/proc
. "$meta/config" || fail 2 "cannot read $meta/config"

# The clock, in ns.
t=$(date +%s%N 2>/dev/null)
case $t in
  '' | *[!0-9]*)
    [ -r /proc/uptime ] || fail 6 'neither date +%s%N nor /proc/uptime gives a clock'
    CLOCK=proc-uptime
    now() {
      read -r up _ < /proc/uptime
      s=${up%.*} c=${up#*.}
      c=${c#0}
      echo $((s * 1000000000 + c * 10000000))
    } ;;
  *)
    CLOCK=realtime-ns
    now() { date +%s%N; } ;;
esac

# The board's state, one reading a line (see the top). Builtins only, but for the clock: no child of this
# shell is left behind to blur the `times` around the command. A file that cannot be read gives an empty
# field (the harness then has no such reading); stderr of a failed redirection goes nowhere.
env_snapshot() {
  if [ "$CLOCK" = realtime-ns ]; then
    printf 't_ns\t%s\n' "$(now)"
  else
    printf 'epoch_s\t%s\n' "$(date +%s 2>/dev/null)"
  fi
  if [ -r "$ENV_PROC/self/status" ]; then
    while IFS= read -r l; do
      case $l in Cpus_allowed_list:*) printf 'cpus\t%s\n' "${l#*:}" ;; esac
    done < "$ENV_PROC/self/status"
  fi
  l=
  read -r l 2>/dev/null < "$ENV_PROC/loadavg" && printf 'loadavg\t%s\n' "$l"
  cores=
  if [ -r "$ENV_PROC/stat" ]; then
    # The cpu lines come first; the loop stops at the first other line (intr is long).
    while read -r name rest; do
      case $name in
        cpu) ;;
        cpu[0-9]*) printf 'stat\t%s %s\n' "$name" "$rest"; cores="$cores ${name#cpu}" ;;
        *) break ;;
      esac
    done < "$ENV_PROC/stat"
  fi
  for c in $cores; do
    f=$ENV_SYS/devices/system/cpu/cpu$c/cpufreq
    [ -d "$f" ] || continue
    cur= max= gov=
    read -r cur 2>/dev/null < "$f/scaling_cur_freq"
    read -r max 2>/dev/null < "$f/cpuinfo_max_freq"
    read -r gov 2>/dev/null < "$f/scaling_governor"
    printf 'freq\t%s\t%s\t%s\t%s\n' "$c" "$cur" "$max" "$gov"
  done
  for z in "$ENV_SYS"/class/thermal/thermal_zone*; do
    [ -d "$z" ] || continue
    ty= t=
    read -r ty 2>/dev/null < "$z/type"
    read -r t 2>/dev/null < "$z/temp"
    printf 'thermal\t%s\t%s\t%s\n' "${z##*/}" "$ty" "$t"
  done
  # The power loop is the harness's own work on the board's cores, not another tenant's: its CPU time
  # (utime stime cutime cstime of /proc/<pid>/stat, its `date` children included) is taken off as well.
  if [ -n "${sampler:-}" ] && read -r x x x x x x x x x x x x x ut st cut cst x 2>/dev/null < "/proc/$sampler/stat"; then
    printf 'harness\t%s\n' "$((ut + st + cut + cst))"
  fi
}

if [ "$mode" = env ]; then
  env_snapshot
  exit 0
fi

# sleep takes seconds; fractions work with GNU coreutils and busybox.
period=$(printf '%d.%03d' $((PERIOD_MS / 1000)) $((PERIOD_MS % 1000)))

# Between harness steps: stop when the host gave up (kill before the command) or removed the run's folder.
wanted() {
  [ -e "$meta/config" ] && [ ! -e "$meta/abandoned" ] || fail 7 'the host abandoned this run before its command started'
}

locked=0 sampler= watchdog= pid=
finish() {
  [ -n "$watchdog" ] && kill "$watchdog" 2>/dev/null
  if [ -n "$sampler" ]; then
    : > "$meta/stop"
    wait "$sampler" 2>/dev/null
    sampler=
  fi
  if [ "$locked" = 1 ]; then
    locked=0
    if sh -c "$UNLOCK_CMD" > "$meta/unlock.log" 2>&1; then echo unlocked > "$meta/network"; else echo unlock-failed > "$meta/network"; fi
  fi
}
trap 'finish' EXIT
trap '[ -n "$pid" ] && kill -KILL "-$pid" 2>/dev/null; finish; exit 130' INT TERM HUP

dropped=0
if [ "$DROP_CACHES" = 1 ]; then
  sh -c "$DROP_CACHES_CMD" > "$meta/drop-caches.log" 2>&1 || fail 3 "the page-cache command failed (exit $?): $(tail -n 2 "$meta/drop-caches.log" | tr '\n' ' ')"
  dropped=1
fi
wanted
if [ "$LOCK" = 1 ]; then
  locked=1
  sh -c "$LOCK_CMD" > "$meta/lock.log" 2>&1 || fail 4 "the network lock command failed (exit $?): $(tail -n 2 "$meta/lock.log" | tr '\n' ' ')"
  echo locked > "$meta/network"
fi
wanted

sample() {
  line=$(now)
  while IFS= read -r f; do
    v=
    read -r v < "$f" 2>/dev/null
    line="$line	$v"
  done < "$meta/power-files"
  printf '%s\n' "$line" >> "$meta/power.tsv"
}

[ -e "$meta/power-files" ] || : > "$meta/power-files"
if [ -s "$meta/power-files" ]; then
  # One line per sample: the time in ns, then each file's raw value, in the order of meta/power-files.
  # The stop file is looked at before the reading, so the reading after it is later than the window's end.
  (
    last=
    while :; do
      [ -e "$meta/stop" ] && last=1
      sample
      [ -n "$last" ] && break
      sleep "$period"
    done
  ) < /dev/null > /dev/null 2> "$meta/sampler.log" &
  sampler=$!
  while [ ! -s "$meta/power.tsv" ]; do
    kill -0 "$sampler" 2>/dev/null || fail 5 "the power loop stopped before its first reading: $(tail -n 2 "$meta/sampler.log" | tr '\n' ' ')"
    sleep 0.01
  done
fi

# The measured window: the clock read just before the command starts and just after it ends. setsid puts
# the command in its own session and process group, so that kill and the watchdog reach its children too.
wanted
if command -v setsid > /dev/null 2>&1; then runner=setsid; else runner=; fi
[ "$ENVIRONMENT" = 1 ] && env_snapshot > "$meta/env-before"
times > "$meta/times-before"
start=$(now)
mkdir -p "$dir/log"
$runner "$@" < /dev/null > "$dir/log/stdout" 2> "$dir/log/stderr" &
pid=$!
echo "$pid" > "$meta/cmd.pid"
if [ "$TIMEOUT_MS" -gt 0 ]; then
  (
    trap 'kill "$s" 2>/dev/null; exit 0' TERM
    sleep "$((TIMEOUT_MS / 1000)).$(printf '%03d' $((TIMEOUT_MS % 1000)))" & s=$!
    wait "$s"
    : > "$meta/timed-out"
    kill -KILL "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
  ) < /dev/null > /dev/null 2>&1 &
  watchdog=$!
fi
wait "$pid"
status=$?
end=$(now)
times > "$meta/times-after"
[ "$ENVIRONMENT" = 1 ] && env_snapshot > "$meta/env-after"
# Whatever the command left running in its group is not part of the run.
kill -KILL "-$pid" 2>/dev/null
finish
timed_out=0
[ -e "$meta/timed-out" ] && timed_out=1
killed=0
[ -e "$meta/killed" ] && killed=1
network=none
[ -s "$meta/network" ] && read -r network < "$meta/network"
# The outputs' size, so that the harness can refuse to copy back more than it accepts.
outputs_kib=$(du -sk "$dir/outputs" 2>/dev/null | cut -f1)
# The command's own output stays on the board; its last bytes come back for the report and the status
# page: one byte more than the harness keeps (8 KiB), so that it can tell a longer stream was cut.
tail -c 8193 "$dir/log/stdout" > "$meta/stdout.tail" 2>/dev/null
tail -c 8193 "$dir/log/stderr" > "$meta/stderr.tail" 2>/dev/null
printf 'status=%s\nstart_ns=%s\nend_ns=%s\nclock=%s\ntimed_out=%s\nkilled=%s\ndropped=%s\nnetwork=%s\nsetsid=%s\noutputs_kib=%s\n' \
  "$status" "$start" "$end" "$CLOCK" "$timed_out" "$killed" "$dropped" "$network" "${runner:-no}" "${outputs_kib:-0}" > "$meta/result.tmp"
mv "$meta/result.tmp" "$meta/result"
cat "$meta/result"
exit 0
