"""The solution package's supervisor: the first process inside the bubblewrap sandbox (docs/solution-packages.md).

Run by the harness as `python3 -I -S supervisor.py <status fd> <config JSON>`. It

1. makes itself non-dumpable, so that the package (same uid) cannot read or write its memory or its file
   descriptors through /proc or ptrace; the package can still kill it, which the harness sees as a missing
   report (LPCV_E_SANDBOX_SUPERVISOR);
2. reads the network counters of the sandbox's own network namespace (/proc/net/snmp, /proc/net/snmp6): that
   namespace has only a loopback device, so any IP traffic at all, even a refused connect or an unroutable
   send, moves them, and the package cannot move them back;
3. starts the package in a child with RLIMIT_AS (memory), RLIMIT_NPROC (processes and threads) and
   RLIMIT_FSIZE (the largest file it may write: the output folder's size limit) set, and every descriptor
   above 2 closed (the status pipe is the supervisor's alone);
4. while it runs, every poll: counts the sandbox's tasks (a fork bomb sits at the limit), compares the
   network counters, and sums the output folder (its bytes and entries, against the track's limits); on any,
   kills every process of the sandbox and says why;
5. when the package's process exits, kills what it left behind (background processes do not outlive it),
   and writes one JSON report line to the status fd.

Standard library only, no site packages (-I -S): this file trusts nothing the package could have put there.
"""
import ctypes
import json
import os
import resource
import select
import signal
import sys
import time

PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36


def counters():
    """Every counter of the namespace's IP stack, as {"Ip.OutRequests": n, ...}."""
    out = {}
    try:
        with open('/proc/net/snmp') as f:
            lines = f.read().splitlines()
        for head, values in zip(lines[0::2], lines[1::2]):
            names = head.split()
            for name, value in zip(names[1:], values.split()[1:]):
                out[names[0].rstrip(':') + '.' + name] = int(value)
    except OSError:
        pass
    try:
        with open('/proc/net/snmp6') as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2:
                    out[parts[0]] = int(parts[1])
    except OSError:
        pass
    return out


# Settings and gauges, not traffic: they may differ without a packet sent.
NOT_TRAFFIC = {'Ip.Forwarding', 'Ip.DefaultTTL', 'Tcp.RtoAlgorithm', 'Tcp.RtoMin', 'Tcp.RtoMax', 'Tcp.MaxConn', 'Tcp.CurrEstab'}


def traffic(before, after):
    return {k: after[k] - before.get(k, 0) for k in sorted(after) if k not in NOT_TRAFFIC and after[k] != before.get(k, 0)}


def tasks(me):
    """Tasks (threads included, as RLIMIT_NPROC counts them) of the sandbox other than pid 1 and this one."""
    n = 0
    for entry in os.listdir('/proc'):
        if not entry.isdigit() or int(entry) in (1, me):
            continue
        try:
            n += len(os.listdir('/proc/' + entry + '/task'))
        except OSError:
            pass
    return n


def output_usage(root, max_bytes, max_files):
    """(bytes, entries) under the output folder, links not followed; stops counting once past either limit."""
    total = 0
    files = 0
    stack = [root]
    while stack:
        try:
            with os.scandir(stack.pop()) as it:
                for entry in it:
                    files += 1
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    # Allocated blocks as well as the length: a sparse file fills no disk, a dense one does.
                    total += max(st.st_size if entry.is_file(follow_symlinks=False) else 0, st.st_blocks * 512)
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    if total > max_bytes or files > max_files:
                        return total, files
        except OSError:
            pass
    return total, files


def kill_all():
    """SIGKILL to every process this uid may signal in the sandbox (all but pid 1 and this one)."""
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError:
        pass


def reap(child, on_child):
    """Collects every exited child (orphans come here too: this is the sandbox's subreaper)."""
    while True:
        try:
            pid, wstatus = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid == child:
            on_child(wstatus)


def main():
    status_fd = int(sys.argv[1])
    config = json.loads(sys.argv[2])
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 or libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), 'prctl failed')
    status = os.fdopen(status_fd, 'w', buffering=1)
    me = os.getpid()
    max_tasks = int(config['maxProcesses'])
    output_dir = config['outputDir']
    max_output = int(config['outputBytes'])
    max_files = int(config['maxOutputFiles'])
    poll = float(config['pollMs']) / 1000.0
    before = counters()
    status.write(json.dumps({'event': 'started', 'tasksBefore': tasks(me)}) + '\n')

    started = time.monotonic_ns()
    child = os.fork()
    if child == 0:
        try:
            os.closerange(3, os.sysconf('SC_OPEN_MAX'))
            if config.get('memoryBytes'):
                limit = int(config['memoryBytes'])
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            # pid 1 and this supervisor run as the same uid and count against the same limit.
            resource.setrlimit(resource.RLIMIT_NPROC, (max_tasks + 2, max_tasks + 2))
            resource.setrlimit(resource.RLIMIT_FSIZE, (max_output, max_output))
            os.execve(config['argv'][0], config['argv'], dict(os.environ))
        except BaseException as e:  # noqa: B036 - the child must never return into the supervisor
            os.write(2, ('lpcv supervisor: cannot start the package: %r\n' % (e,)).encode())
        os._exit(127)

    violation = None
    peak = 0
    result = {}
    usage = (0, 0)
    polls = 0

    def on_child(wstatus):
        result['ended'] = time.monotonic_ns()
        result['status'] = wstatus

    # Readable the moment the package's process exits: the wait below ends then, not at the next poll.
    pidfd = os.pidfd_open(child)
    while 'status' not in result:
        reap(child, on_child)
        if 'status' in result:
            break
        n = tasks(me)
        peak = max(peak, n)
        # The output folder every 10th poll: a walk over thousands of label maps is work the package would
        # share its core with; RLIMIT_FSIZE bounds each file in between, and the end is always checked.
        polls += 1
        if polls % 10 == 0:
            usage = output_usage(output_dir, max_output, max_files)
        if n >= max_tasks:
            violation = 'processes'
        elif traffic(before, counters()):
            violation = 'network'
        elif usage[0] > max_output or usage[1] > max_files:
            violation = 'output'
        if violation is not None:
            kill_all()
            _, wstatus = os.waitpid(child, 0)
            on_child(wstatus)
            break
        select.select([pidfd], [], [], poll)
    wstatus = result['status']
    exit_signal = os.WTERMSIG(wstatus) if os.WIFSIGNALED(wstatus) else None
    exit_code = os.WEXITSTATUS(wstatus) if os.WIFEXITED(wstatus) else None

    # Whatever the package left running does not outlive it.
    leftover = tasks(me)
    if leftover > 0:
        kill_all()
    deadline = time.monotonic() + 5
    reap(child, on_child)
    while tasks(me) > 0 and time.monotonic() < deadline:
        time.sleep(0.005)
        reap(child, on_child)
    net = traffic(before, counters())
    if violation is None and net:
        violation = 'network'
    # What the package wrote between the last poll and its end counts too.
    usage = output_usage(output_dir, max_output, max_files)
    if violation is None and (usage[0] > max_output or usage[1] > max_files):
        violation = 'output'
    status.write(json.dumps({
        'event': 'exit',
        'exitCode': exit_code,
        'signal': exit_signal,
        'violation': violation,
        'network': net,
        'peakTasks': peak,
        'leftoverTasks': leftover,
        'packageNs': result['ended'] - started,
        'outputBytes': usage[0],
        'outputFiles': usage[1],
    }) + '\n')
    status.close()


if __name__ == '__main__':
    main()
