"""Bounded loads: wrk with a generated Lua script (pre-built raw requests, JSON summary), and the
same summary shape for the SRP client, which wrk cannot drive (two round trips and client maths)."""
import json
import os
import resource
import statistics
import subprocess

from procs import Monitor

# Percentiles wrk reports for the distribution chart; 100 is the maximum.
PERCENTILES = [0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95, 97.5, 99, 99.5, 99.9, 99.99, 100]

_LUA = r"""
local counter = 0
local nthreads = 0
function setup(thread)
  thread:set("offset", nthreads * 7919)
  nthreads = nthreads + 1
end
function init(args)
  counter = offset or 0
end
function request()
  counter = counter + 1
  return reqs[(counter % #reqs) + 1]
end
function done(summary, latency, requests)
  local ps = {PERCENTILES}
  local out = {}
  for i, p in ipairs(ps) do
    if p == 0 then out[i] = latency.min elseif p == 100 then out[i] = latency.max
    else out[i] = latency:percentile(p) end
  end
  io.write(string.format(
    'BENCHJSON {"duration_us":%d,"requests":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},"percentiles_us":[%s]}\n',
    summary.duration, summary.requests, summary.bytes, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout, table.concat(out, ",")))
end
""".replace("PERCENTILES", ",".join(str(p) for p in PERCENTILES))


def _lua_string(raw: bytes) -> str:
    out = []
    for b in raw:
        c = chr(b)
        if c.isalnum() or c in " /:.,-_={}[]()+*&%$#@!?;<>|~^'":
            out.append(c)
        else:
            out.append("\\%03d" % b)
    return '"' + "".join(out) + '"'


def raw_request(method, path, host, headers=None, body=b""):
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if body or method in ("POST", "PUT"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def prime(port, raw, connections, rounds=2, timeout=60):
    """`connections` requests at once, `rounds` times: a server that runs one function process per
    concurrent request starts them all here, not during the measurement."""
    import socket
    import threading
    head, rest = raw.split(b"\r\n", 1)
    closing = head + b"\r\nConnection: close\r\n" + rest

    def one():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
                s.sendall(closing)
                while s.recv(65536):
                    pass
        except OSError:
            pass
    for _ in range(rounds):
        threads = [threading.Thread(target=one) for _ in range(connections)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()


def wrk(workdir, name, port, requests, connections, seconds, threads=1, timeout_s=10):
    """One wrk run; returns the summary dict plus generator CPU seconds."""
    script = os.path.join(workdir, f"{name}.lua")
    with open(script, "w") as f:
        f.write("reqs = {\n" + ",\n".join(_lua_string(r) for r in requests) + "\n}\n" + _LUA)
    threads = max(1, min(threads, connections))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", f"{timeout_s}s",
         "-s", script, f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, timeout=seconds + timeout_s + 30)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    for line in proc.stdout.splitlines():
        if line.startswith("BENCHJSON "):
            summary = json.loads(line[len("BENCHJSON "):])
            summary["generator_cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            return summary
    raise RuntimeError(f"wrk gave no summary: {proc.stdout[-400:]} {proc.stderr[-400:]}")


def summarize(raw, cpu_s, peak_rss_mib, connections, split=None):
    """A wrk-shaped summary -> the figures the report uses (latency in ms)."""
    seconds = raw["duration_us"] / 1e6
    pct = dict(zip(PERCENTILES, raw["percentiles_us"]))
    errors = raw["errors"]
    failed = errors["connect"] + errors["read"] + errors["write"] + errors["timeout"] + errors["status"]
    return {
        "connections": connections,
        "seconds": round(seconds, 3),
        "requests": raw["requests"],
        "rps": raw["requests"] / seconds if seconds else 0.0,
        "p50_ms": pct[50] / 1000, "p90_ms": pct[90] / 1000, "p99_ms": pct[99] / 1000, "max_ms": pct[100] / 1000,
        "errors": failed,
        "non2xx": errors["status"],
        "server_cpu_s": round(cpu_s, 3),
        "server_cpu_per_1k_req_ms": round(cpu_s * 1e6 / raw["requests"], 3) if raw["requests"] else None,
        "peak_rss_mib": round(peak_rss_mib, 1),
        "server_cpu_split_s": split or {},
        "generator_cpu_s": round(raw.get("generator_cpu_s", 0.0), 3),
        "distribution": [[p, v / 1000] for p, v in zip(PERCENTILES, raw["percentiles_us"])],
    }


def measured_point(settings, server_pid, run_once, connections):
    """Warm-up (discarded) until the rate settles, then `reps` bounded runs while /proc is watched;
    the median of each figure."""
    warm_up(settings, run_once)
    runs = []
    for _ in range(settings.reps):
        with Monitor(server_pid) as mon:
            raw = run_once(settings.duration)
        runs.append(summarize(raw, mon.cpu, mon.peak, connections, mon.split))
    return runs, median_of(runs)


def warm_up(settings, run_once):
    """One-second runs until two in a row agree within 15 % (JIT tiers, pools of function processes
    and connections all settle), at least `warmup` s and at most `warmup_max` s."""
    previous, spent = None, 0
    while spent < settings.warmup_max:
        raw = run_once(1)
        spent += 1
        rate = raw["requests"] / max(raw["duration_us"] / 1e6, 1e-3)
        if spent >= settings.warmup and previous and abs(rate - previous) <= 0.15 * max(rate, previous):
            return
        previous = rate


def median_of(runs):
    if not runs:
        return None
    keys = ["rps", "p50_ms", "p90_ms", "p99_ms", "max_ms", "server_cpu_s", "server_cpu_per_1k_req_ms",
            "peak_rss_mib", "generator_cpu_s", "errors", "non2xx", "requests", "seconds"]
    med = {k: statistics.median([r[k] for r in runs if r.get(k) is not None])
           for k in keys if any(r.get(k) is not None for r in runs)}
    med["connections"] = runs[0]["connections"]
    # The distribution shown is the run whose throughput is the median one.
    ordered = sorted(runs, key=lambda r: r["rps"])
    med["distribution"] = ordered[len(ordered) // 2]["distribution"]
    med["server_cpu_split_s"] = ordered[len(ordered) // 2].get("server_cpu_split_s", {})
    return med
