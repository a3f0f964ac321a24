#!/usr/bin/env python3
"""CPU per daemon wake-up with nothing to fire, and idle wake-ups (docs/performance.md).

    python3 tests/bench/daemon_wake_bench.py --cli build/bin/outreach --config DIR/outreach.toml \
        --state-dir STATE [--wakeups 20] [--idle-seconds 60] [--settle-timeout 900]

Starts `outreach -v -c CONFIG daemon --state-dir STATE` (a configuration whose next
step is far in the future), waits until it has started and its CPU time stops
growing, then W times: touches STATE/journal.sqlite.wake (what `outreach respond`
does; docs/daemon.md), waits until the daemon has logged the wake-up and its CPU time
is stable again, and takes the CPU time the wake-up cost. CPU time = the sum over the
daemon's threads of /proc/PID/task/*/schedstat's run time (ns resolution); utime +
stime from /proc/PID/stat (10 ms ticks) is printed as a cross-check. Then counts the
daemon's context switches (all threads, voluntary + involuntary) over --idle-seconds
with nothing touched: an idle daemon is never scheduled, so this is 0. Checks that no
letter was written (nothing was due) and that SIGTERM stops the daemon with 0.
Standard library only.
"""
import argparse
import glob
import os
import signal
import subprocess
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def runtime_ns(pid):
    total = 0
    for path in glob.glob(f"/proc/{pid}/task/*/schedstat"):
        try:
            with open(path) as f:
                total += int(f.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime (fields 14, 15)


def context_switches(pid):
    total = 0
    for path in glob.glob(f"/proc/{pid}/task/*/status"):
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        total += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def status_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def log_count(log, needle):
    with open(log, errors="replace") as f:
        return f.read().count(needle)


def wait_until(predicate, timeout, what, proc):
    deadline = time.monotonic() + timeout
    while not predicate():
        if proc.poll() is not None:
            sys.exit(f"daemon_wake_bench: the daemon exited with {proc.returncode} while waiting for {what}")
        if time.monotonic() > deadline:
            sys.exit(f"daemon_wake_bench: timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)


def wait_cpu_stable(pid, proc, quiet, timeout):
    """Waits until the daemon's CPU time has not grown for `quiet` seconds."""
    deadline = time.monotonic() + timeout
    last, since = runtime_ns(pid), time.monotonic()
    while time.monotonic() - since < quiet:
        if proc.poll() is not None:
            sys.exit(f"daemon_wake_bench: the daemon exited with {proc.returncode}")
        if time.monotonic() > deadline:
            sys.exit(f"daemon_wake_bench: CPU time still growing after {timeout} s")
        time.sleep(0.01)
        now = runtime_ns(pid)
        if now != last:
            last, since = now, time.monotonic()


def count_letters(state_dir):
    new = os.path.join(state_dir, "outbox", "new")
    return len(os.listdir(new)) if os.path.isdir(new) else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cli", required=True)
    p.add_argument("--config", required=True)
    p.add_argument("--state-dir", required=True)
    p.add_argument("--wakeups", type=int, default=20)
    p.add_argument("--idle-seconds", type=float, default=60)
    p.add_argument("--quiet", type=float, default=0.3, help="seconds of unchanged CPU time that end a wake-up")
    p.add_argument("--settle-timeout", type=float, default=900, help="bound on start-up and on each wake-up")
    args = p.parse_args()
    # A SIGTERM (run_benchmarks.sh's timeout) still stops the daemon in `finally`.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(124))

    os.makedirs(args.state_dir, exist_ok=True)
    wake = os.path.join(args.state_dir, "journal.sqlite.wake")
    open(wake, "a").close()
    log = os.path.join(args.state_dir, "daemon.log")
    env = {k: v for k, v in os.environ.items() if k not in ("INVOCATION_ID", "JOURNAL_STREAM", "NOTIFY_SOCKET")}
    cmd = [args.cli, "-v", "-c", args.config, "daemon", "--state-dir", args.state_dir]
    print("$ " + " ".join(cmd), flush=True)
    t0 = time.monotonic()
    with open(log, "w") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env)
    pid = proc.pid
    try:
        wait_until(lambda: log_count(log, "started with") > 0, args.settle_timeout, "the daemon to start", proc)
        wait_cpu_stable(pid, proc, 1.0, args.settle_timeout)
        start_s, start_cpu = time.monotonic() - t0, runtime_ns(pid) / 1e9
        print(f"started in {start_s:.2f} s ({start_cpu:.2f} s CPU), RSS {status_kb(pid, 'VmRSS') / 1024:.0f} MB",
              flush=True)

        costs, tick0 = [], ticks(pid)
        for k in range(args.wakeups):
            seen = log_count(log, "touched: re-planning")
            before = runtime_ns(pid)
            os.utime(wake)
            wait_until(lambda: log_count(log, "touched: re-planning") > seen, args.settle_timeout,
                       f"wake-up {k + 1} to be noticed", proc)
            wait_cpu_stable(pid, proc, args.quiet, args.settle_timeout)
            costs.append((runtime_ns(pid) - before) / 1e6)
        rss_mb = status_kb(pid, "VmHWM") / 1024
        tick_ms = (ticks(pid) - tick0) * 1000 / TICK / max(args.wakeups, 1)
        costs.sort()
        mean = sum(costs) / len(costs)
        print(f"wake-up with nothing to fire: {mean:.1f} ms CPU mean, median {costs[len(costs) // 2]:.1f}, "
              f"min {costs[0]:.1f}, max {costs[-1]:.1f} over {len(costs)} (utime+stime: {tick_ms:.1f} ms); "
              f"max RSS {rss_mb:.0f} MB", flush=True)

        cs0 = context_switches(pid)
        time.sleep(args.idle_seconds)
        idle = context_switches(pid) - cs0
        print(f"idle: {idle} wake-ups in {args.idle_seconds:g} s", flush=True)
        letters = count_letters(args.state_dir)
        if letters:
            print(f"daemon_wake_bench: {letters} letters were written, but nothing should have been due",
                  file=sys.stderr)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    print(f"daemon exited with {proc.returncode} after SIGTERM")
    # Machine-readable summary for run_benchmarks.sh.
    print(f"RESULT wake_ms={mean:.2f} idle={idle} idle_s={args.idle_seconds:g} start_s={start_s:.2f} "
          f"rss_mb={rss_mb:.0f}")
    return 0 if proc.returncode == 0 and letters == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
