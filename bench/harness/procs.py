"""Processes the benchmark starts: start, wait for the ready line, measure from /proc, stop by PID.

Every server is started in its own session (so its process group id is its PID); stopping sends
SIGTERM to that PID, waits, and only then SIGKILLs what is left of *that* group. Nothing is ever
looked up or signalled by name.
"""
import os
import re
import signal
import subprocess
import threading
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024

_started = []  # every Server still running, so an interrupted run can stop them


class StartError(Exception):
    pass


class Server:
    """A process that prints a ready line; its output goes to a log file, never to a full pipe."""

    def __init__(self, name, argv, ready, log_path, cwd=None, env=None):
        self.name = name
        self.argv = argv
        self.ready = re.compile(ready)
        self.log_path = log_path
        self.cwd = cwd
        self.env = env
        self.proc = None
        self.match = None
        self.ready_seconds = None
        self._ready_event = threading.Event()

    @property
    def pid(self):
        return self.proc.pid

    def start(self, timeout=60.0):
        env = dict(os.environ)
        env.update(self.env or {})
        started = time.perf_counter()
        self.proc = subprocess.Popen(self.argv, cwd=self.cwd, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        _started.append(self)
        threading.Thread(target=self._drain, args=(started,), daemon=True).start()
        deadline = time.monotonic() + timeout
        while not self._ready_event.wait(0.05):
            # a server that failed may leave a child holding the pipe open: watch the process itself
            if self.proc.poll() is not None or time.monotonic() > deadline:
                break
        if self.match is None:
            tail = self.log_tail()
            try:
                exited = self.proc.wait(2) if self._ready_event.is_set() else self.proc.poll()
            except subprocess.TimeoutExpired:
                exited = None
            self.stop()
            why = f"exited with {exited}" if exited is not None else f"printed no ready line within {timeout:.0f} s"
            raise StartError(f"{self.name} {why}: {tail}")
        return self

    def _drain(self, started):
        with open(self.log_path, "wb") as log:
            for line in self.proc.stdout:
                log.write(line)
                if self.match is None:
                    log.flush()
                    m = self.ready.search(line.decode("utf-8", "replace"))
                    if m:
                        self.ready_seconds = time.perf_counter() - started
                        self.match = m
                        self._ready_event.set()
        self._ready_event.set()  # the process ended: wake the waiter

    def log_tail(self, n=600):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")[-n:].strip().replace("\n", " | ")
        except OSError:
            return ""

    def stop(self, timeout=15.0):
        if self.proc is None or self.proc.poll() is not None:
            self._forget()
            return
        try:
            os.kill(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        except ProcessLookupError:
            pass
        # Whatever the server left behind in its own group (function processes, runners).
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        self._forget()

    def _forget(self):
        if self in _started:
            _started.remove(self)


def stop_all():
    for server in list(_started):
        server.stop()


# --- /proc measurements -------------------------------------------------------------------------

def _stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        text = f.read()
    # the command name may hold spaces and parentheses: split after the last ')'
    fields = text[text.rindex(")") + 2:].split()
    return fields  # fields[0] is state (field 3 of stat)


def tree(root):
    """The PID and all its descendants, from /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            ppid = int(_stat(entry)[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    result, queue = [], [root]
    while queue:
        pid = queue.pop()
        result.append(pid)
        queue.extend(children.get(pid, []))
    return result


def cpu_by_pid(root):
    """{pid: (command, CPU seconds)} for the process tree (own time only)."""
    result = {}
    for pid in tree(root):
        try:
            f = _stat(pid)
            with open(f"/proc/{pid}/comm") as c:
                comm = c.read().strip()
        except OSError:
            continue
        result[pid] = (comm, (int(f[11]) + int(f[12])) / CLK_TCK)
    return result


def cpu_seconds(root):
    """User + system CPU of the process tree, including children it has already reaped."""
    total = 0
    for pid in tree(root):
        try:
            f = _stat(pid)
        except OSError:
            continue
        total += int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])
    return total / CLK_TCK


def rss_mib(root, pids=None):
    total = 0
    for pid in pids if pids is not None else tree(root):
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * PAGE_KIB
        except OSError:
            continue
    return total / 1024


class Monitor:
    """CPU seconds and peak RSS of a process tree while a load runs (RSS sampled every 50 ms; the
    tree itself, a walk over all of /proc, re-read every 0.5 s to keep the harness's own CPU low)."""

    def __init__(self, root, interval=0.05):
        self.root = root
        self.interval = interval
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = None
        self._cpu0 = 0.0
        self.cpu = 0.0

    def __enter__(self):
        self._cpu0 = cpu_seconds(self.root)
        self._by_pid0 = cpu_by_pid(self.root)
        self.peak = rss_mib(self.root)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        pids, n = tree(self.root), 0
        while not self._stop.wait(self.interval):
            n += 1
            if n % 10 == 0:
                pids = tree(self.root)
            self.peak = max(self.peak, rss_mib(self.root, pids))

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mib(self.root))
        self.cpu = cpu_seconds(self.root) - self._cpu0
        # Where the server's CPU went: the server process itself vs. what it runs (function
        # processes), by command name. Processes that ended during the run are missed here.
        split = {}
        for pid, (comm, cpu) in cpu_by_pid(self.root).items():
            delta = cpu - self._by_pid0.get(pid, (comm, 0.0))[1]
            name = "server" if pid == self.root else comm
            split[name] = split.get(name, 0.0) + delta
        self.split = {k: round(v, 2) for k, v in sorted(split.items(), key=lambda kv: -kv[1]) if v > 0.005}
        return False


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
