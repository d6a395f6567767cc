#!/usr/bin/env python3
"""Time from process start to Gatehouse's ready line, and its idle memory, over several runs.

Usage: python3 bench/startup.py [runs] [extra server args...]
Needs a Release build: dotnet build src/Gatehouse -c Release
"""
import os, statistics, subprocess, sys, time, tempfile, shutil

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
dll = os.path.join(root, "src", "Gatehouse", "bin", "Release", "net10.0", "gatehouse.dll")
runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
extra = sys.argv[2:]

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

times, rss = [], []
for i in range(runs):
    data = tempfile.mkdtemp(prefix="gatehouse-bench-")
    start = time.perf_counter()
    proc = subprocess.Popen(["dotnet", dll, "serve", "--port", "0", "--data", data, *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:
        if "Gatehouse ready on" in line:
            times.append((time.perf_counter() - start) * 1000)
            break
    time.sleep(1.0)  # let background warm-up finish, then read idle memory
    rss.append(rss_kib(proc.pid) / 1024)
    proc.terminate()
    proc.wait(timeout=15)
    shutil.rmtree(data, ignore_errors=True)

print(f"runs: {runs}")
print(f"start to ready (ms): median {statistics.median(times):.0f}, min {min(times):.0f}, max {max(times):.0f}")
print(f"idle RSS after 1 s (MiB): median {statistics.median(rss):.0f}, max {max(rss):.0f}")
