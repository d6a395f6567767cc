"""The Markdown table of a run: goals, every point, ratios from the same run, cold starts, caveats."""

SCENARIOS = {
    "admin-password": "AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH (repeat sign-ins)",
    "srp": "USER_SRP_AUTH sign-in (amazon-cognito-identity-js, 2 round trips)",
    "refresh": "InitiateAuth REFRESH_TOKEN_AUTH",
    "hello-jwt": "GET /hello, JWT authorizer -> warm python function",
    "hello-open": "GET /hello without authorizer -> warm python function",
    "hello-proxy": "GET via HTTP_PROXY route -> bare backend",
    "invoke-warm": "Lambda Invoke, warm python function",
    "limit": "bare ASP.NET Core GET /hello (the limit)",
    "s3-put-1k": "S3 PutObject, 1 KiB",
    "s3-get-1k": "S3 GetObject, 1 KiB",
    "s3-put-8m": "S3 PutObject, 8 MiB",
    "s3-get-8m": "S3 GetObject, 8 MiB",
}

GROUP_TITLES = {
    "signin": "2. Sign-ins and refreshes",
    "hello": "3, 4, 6. Authenticated GET /hello, without authorizer, HTTP_PROXY, and the limit",
    "invoke": "5. Lambda Invoke, warm",
    "s3": "7. S3 objects (PUT and GET; the limit is a bare endpoint keeping bodies in memory)",
}

# What a peer cannot do at all: the table says so instead of a figure.
CANNOT = {
    "moto": ("hello-jwt", "moto's API Gateway v2 stores HTTP APIs but does not execute them (no data plane)"),
    "cognito-local": ("hello-jwt", "cognito-local is user pools only"),
    "serverless-offline": ("admin-password", "serverless-offline has no user pools"),
}

CAVEATS = [
    "serverless-offline's httpApi JWT authorizer checks the token's claims (issuer, audience/client_id, "
    "expiry, scopes) but **does not verify its signature**; it is measured with an unsigned Cognito-shaped "
    "token. Gatehouse verifies the RS256 signature against the pool's keys on every request.",
    "moto and cognito-local keep passwords in clear and compare strings; Gatehouse stores a slow salted "
    "hash (PBKDF2) and remembers a successful check for a few minutes, so a working set of users signing in "
    "repeatedly (what this scenario measures) does not pay the full hash each time.",
    "moto can create HTTP APIs but not serve them, and cognito-local is Cognito only: they appear in the "
    "sign-in rows; serverless-offline has no Cognito and appears in the GET /hello, Invoke and cold-start rows.",
    "The SRP client (node, amazon-cognito-identity-js with its big-number maths on OpenSSL) runs on the same "
    "cores as the server: its CPU is the 'gen CPU s' of the SRP rows.",
    "wrk is a closed loop: each connection sends its next request when the previous answer arrives, so "
    "latency percentiles are those of the stated concurrency, not of an open arrival rate.",
    "Server and load generator share the same two cores; 'server CPU s' is the user+system time of the "
    "server's whole process tree (function processes included) during the measured runs, 'gen CPU s' that of "
    "the load generator. A generator near its duration in CPU seconds is saturated.",
]


def fmt(v, digits=0):
    if v is None:
        return ""
    if isinstance(v, (int, float)):
        if digits == 0:
            return f"{v:,.0f}"
        return f"{v:,.{digits}f}"
    return str(v)


def find(doc, key, target, connections=None):
    for p in doc["points"]:
        if p["key"] == key and p["target"].startswith(target) and (connections is None or p["connections"] == connections):
            return p
    return None


def rps(doc, key, target, connections=None):
    p = find(doc, key, target, connections)
    return p["median"]["rps"] if p and p.get("status") == "ok" else None


def ratio(a, b):
    return a / b if a is not None and b else None


def goals(doc):
    rows = []
    start = doc.get("start")
    if start:
        ms = start["median"]["ready_ms"]
        rows.append(("start -> ready <= 1 s", f"{ms:,.0f} ms (median; max {start['max_ready_ms']:,.0f})", ms <= 1000,
                     f"over by {ms - 1000:,.0f} ms" if ms > 1000 else ""))
        mb = start["median"]["idle_rss_mib"] * 1.048576
        rows.append(("idle memory <= 150 MB", f"{mb:,.0f} MB RSS (median)", mb <= 150,
                     f"over by {mb - 150:,.0f} MB" if mb > 150 else ""))
    else:
        rows.append(("start -> ready <= 1 s; idle <= 150 MB", "not measured", None, ""))
    hello = find(doc, "hello-jwt", "gatehouse", 32)
    if hello and hello.get("status") == "ok":
        r, p99 = hello["median"]["rps"], hello["median"]["p99_ms"]
        rows.append(("authenticated GET /hello >= 10,000 req/s (32 conns)", f"{r:,.0f} req/s", r >= 10000,
                     f"short by {1 - r / 10000:.1%}" if r < 10000 else ""))
        rows.append(("... with p99 <= 10 ms", f"{p99:,.2f} ms", p99 <= 10, f"over by {p99 - 10:,.1f} ms" if p99 > 10 else ""))
        peer = rps(doc, "hello-jwt", "serverless-offline", 32)
        if peer:
            x = r / peer
            rows.append(("... >= 2.5x serverless-offline", f"{x:,.3f}x ({peer:,.0f} req/s)", x >= 2.5,
                         f"short by {1 - x / 2.5:.1%}" if x < 2.5 else ""))
        else:
            rows.append(("... >= 2.5x serverless-offline", "peer not measured", None, ""))
    else:
        reason = hello.get("reason", "") if hello else "not run"
        rows.append(("authenticated GET /hello >= 10,000 req/s, p99 <= 10 ms, >= 2.5x serverless-offline",
                      "not available", None, reason))
    for key, label in (("admin-password", "repeat sign-ins"), ("refresh", "refreshes")):
        ours = rps(doc, key, "gatehouse")
        for peer in ("moto", "cognito-local"):
            theirs = rps(doc, key, peer)
            goal = f"{label} ahead of {peer}"
            if ours is None:
                p = find(doc, key, "gatehouse")
                rows.append((goal, "not available", None, p.get("reason", "") if p else "not run"))
            elif theirs is None:
                rows.append((goal, f"{ours:,.0f}/s; peer not measured", None, ""))
            else:
                rows.append((goal, f"{ours:,.0f}/s vs {theirs:,.0f}/s ({ours / theirs:,.2f}x)", ours > theirs,
                             f"behind by {1 - ours / theirs:.1%}" if ours <= theirs else ""))
    rows.extend(s3_goals(doc))
    cold = next((c for c in doc["cold"] if c["target"] == "gatehouse" and c["runtime"] == "python"), None)
    if cold and cold["status"] == "ok":
        ms = cold["median"]["total_ms"]
        rows.append(("python cold start <= 150 ms", f"{ms:,.0f} ms (median create -> first response)", ms <= 150,
                     f"over by {ms - 150:,.0f} ms" if ms > 150 else ""))
    else:
        rows.append(("python cold start <= 150 ms", "not available", None, cold.get("reason", "") if cold else "not run"))
    return rows


def s3_goals(doc):
    """Issue #13's S3 goals: small objects >= 5x moto; large ones >= 50% of the limit's MB/s; memory flat."""
    rows = []
    if not any(p["key"].startswith("s3-") for p in doc["points"]):
        return rows

    def compare(key, c, peer, goal, at_least, text):
        ours, theirs = rps(doc, key, "gatehouse", c), rps(doc, key, peer, c)
        if ours is None or theirs is None:
            rows.append((goal, "not available", None, ""))
        else:
            x = ours / theirs
            rows.append((goal, text(x, ours, theirs), x >= at_least, f"short of {at_least:g}x by {1 - x / at_least:.1%}" if x < at_least else ""))
    for method in ("put", "get"):
        for c in (1, 16):
            key = f"s3-{method}-1k"
            compare(key, c, "moto", f"{SCENARIOS[key]} c{c} >= 5x moto", 5,
                    lambda x, a, b: f"{x:,.1f}x ({a:,.0f} vs {b:,.0f} req/s)")
            key = f"s3-{method}-8m"
            compare(key, c, "limit", f"{SCENARIOS[key]} c{c} >= 50% of the limit's MB/s", 0.5,
                    lambda x, a, b: f"{x:.0%} ({a * 8:,.0f} vs {b * 8:,.0f} MiB/s)")
    big = [p for p in doc["points"] if p["key"].endswith("-8m") and p["target"] == "gatehouse" and p.get("status") == "ok"]
    if big:
        peak = max(p["median"]["peak_rss_mib"] for p in big)
        rows.append(("server memory flat while streaming 8 MiB objects (peak RSS <= 200 MiB)", f"{peak:,.0f} MiB peak", peak <= 200, ""))
    return rows


def markdown(doc, charts):
    m, s, v = doc["machine"], doc["settings"], doc["versions"]
    out = [f"# Gatehouse benchmark, {doc['date']} UTC" + (" (quick smoke run)" if doc["quick"] else ""), ""]
    out.append(f"Machine: {m['cpus']} CPUs ({m.get('cpu') or '?'}), {m['memory_gib']} GiB, Linux {m['kernel']}; "
               f".NET SDK {m['dotnet']}, node {m['node']}, python {m['python']}, {m['wrk']}. "
               f"Load average at start: {', '.join(f'{x:.2f}' for x in m['load_average_at_start'])}.")
    out.append(f"Each point: a warm-up of 1-s runs until the rate settles ({s['warmup_s']}-{s.get('warmup_max_s', '?')} s, "
               f"discarded), then {s['reps']} x {s['duration_s']} s; "
               f"the median of each figure is quoted. wrk threads: {s['wrk_threads']}. Sign-ins cycle over "
               f"{s['users']} users at {s['cognito_connections']} connections. Whole run: {doc['seconds']:.0f} s.")
    load1 = m["load_average_at_start"][0]
    if load1 > m["cpus"]:
        out.append(f"**The machine was busy when this run started (load average {load1:.1f} on {m['cpus']} CPUs): "
                   "other work competed for the cores, so absolute figures are low and noisy; the ratios, taken "
                   "in the same run, suffer less.**")
    out.append("Versions: " + ", ".join(f"{k} {val}" for k, val in v.items() if val) + ".")
    out.append("")
    out.append("## Goals")
    out.append("")
    out.append("| goal | measured | met | note |")
    out.append("|---|---|---|---|")
    for goal, measured, met, note in goals(doc):
        out.append(f"| {goal} | {measured} | {'yes' if met else 'no' if met is False else '—'} | {note} |")
    out.append("")

    start = doc.get("start")
    out.append("## 1. Start -> ready, idle memory")
    out.append("")
    if start:
        out.append("`gatehouse serve --port 0 --in-memory`, from process start to the ready line, "
                   f"{len(start['runs'])} times; idle memory 1 s after ready.")
        out.append("")
        out.append("| | median | max |")
        out.append("|---|---|---|")
        runs = start["runs"]
        for k, label, d in (("ready_ms", "start -> ready (ms)", 0), ("cpu_to_ready_s", "CPU to ready (s)", 2),
                            ("rss_at_ready_mib", "RSS at ready (MiB)", 0), ("idle_rss_mib", "idle RSS (MiB)", 0)):
            out.append(f"| {label} | {fmt(start['median'][k], d)} | {fmt(max(r[k] for r in runs), d)} |")
    else:
        out.append("Not run.")
    out.append("")

    for group in ("signin", "hello", "invoke", "s3"):
        points = [p for p in doc["points"] if p["group"] == group]
        if not points:
            continue
        out.append("## " + GROUP_TITLES[group])
        out.append("")
        out.append("| scenario | server | conns | req/s | p50 ms | p90 ms | p99 ms | max ms | server CPU s | peak RSS MiB | gen CPU s |")
        out.append("|---|---|---|---|---|---|---|---|---|---|---|")
        for p in points:
            target = p["target"]
            if target == "serverless-offline" and p["key"] == "hello-jwt":
                target += " (claims only: signature not verified)"
            head = f"| {p['scenario']} | {target} | {p['connections']} |"
            if p.get("median") and p["status"] in ("ok", "failed"):
                d = p["median"]
                note = "" if p["status"] == "ok" else f" (**{p['reason']}**)"
                out.append(f"{head} {fmt(d['rps'])}{note} | {fmt(d['p50_ms'], 2)} | {fmt(d['p90_ms'], 2)} | "
                           f"{fmt(d['p99_ms'], 2)} | {fmt(d['max_ms'], 1)} | {fmt(d['server_cpu_s'], 1)} | "
                           f"{fmt(d['peak_rss_mib'])} | {fmt(d['generator_cpu_s'], 1)} |")
            else:
                word = "cannot" if p["status"] == "cannot" else "not available"
                out.append(f"{head} {word}: {p.get('reason', '')} | | | | | | | |")
        out.append("")

    out.append("## Ratios (same run)")
    out.append("")
    out.append("| Gatehouse scenario | conns | compared with | Gatehouse req/s | their req/s | ratio |")
    out.append("|---|---|---|---|---|---|")
    pairs = []
    for c in (1, 32):
        for key in ("hello-jwt", "hello-open"):
            pairs.append((key, c, "limit", "limit"))
        pairs.append(("hello-jwt", c, "serverless-offline", "hello-jwt"))
        pairs.append(("hello-open", c, "serverless-offline", "hello-open"))
        pairs.append(("invoke-warm", c, "serverless-offline", "invoke-warm"))
    pairs.append(("hello-proxy", 32, "limit", "limit"))
    for key in ("admin-password", "srp", "refresh"):
        for peer in ("moto", "cognito-local"):
            pairs.append((key, None, peer, key))
    for size in ("1k", "8m"):
        for method in ("put", "get"):
            for c in (1, 16):
                pairs.append((f"s3-{method}-{size}", c, "moto", f"s3-{method}-{size}"))
                pairs.append((f"s3-{method}-{size}", c, "limit", f"s3-{method}-{size}"))
    for key, c, peer, peer_key in pairs:
        ours, theirs = rps(doc, key, "gatehouse", c), rps(doc, peer_key, peer, c)
        if ours is None and theirs is None:
            continue
        r = ratio(ours, theirs)
        conns = c if c else (find(doc, key, "gatehouse") or {}).get("connections", "")
        other = "the limit (bare endpoint)" if peer == "limit" else peer
        if r:
            text = f"**{r:,.2f}x**"
        elif ours is None:
            text = "n/a: Gatehouse not available"
        else:
            p = find(doc, peer_key, peer, c)
            text = f"n/a: {peer} {p['status'] if p else 'not run'}"
        out.append(f"| {SCENARIOS[key]} | {conns} | {other} | {fmt(ours) or '—'} | {fmt(theirs) or '—'} | {text} |")
    out.append("")

    out.append("## 5. Cold starts")
    out.append("")
    out.append("| server | runtime | median ms | create ms | until Active ms | first Invoke ms | next (warm) Invoke ms | runs | what is timed |")
    out.append("|---|---|---|---|---|---|---|---|---|")
    for c in doc["cold"]:
        if c["status"] == "ok":
            d = c["median"]
            out.append(f"| {c['target']} | {c['runtime']}{' (' + c['runtime_name'] + ')' if c.get('runtime_name') else ''} | {fmt(d['total_ms'])} | "
                       f"{fmt(d.get('create_ms'))} | {fmt(d.get('active_ms'))} | {fmt(d.get('first_invoke_ms'))} | "
                       f"{fmt(d.get('warm_invoke_ms'), 1)} | {len(c['samples'])} | {c['measure']} |")
        else:
            out.append(f"| {c['target']} | {c['runtime']} | not available: {c.get('reason', '')} | | | | | | |")
    out.append("")

    by = {(c["target"], c["runtime"]): c for c in doc["cold"] if c["status"] == "ok"}
    for runtime in ("python", "node"):
        ours, theirs = by.get(("gatehouse", runtime)), by.get(("serverless-offline", runtime))
        if ours and theirs:
            a, b = ours["median"]["total_ms"], theirs["median"]["total_ms"]
            out.append(f"- {runtime}: Gatehouse {fmt(a)} ms (create included) vs serverless-offline {fmt(b)} ms "
                       f"(a new handler, no create step): **{a / b:,.2f}x** the time.")
    out.append("")
    out.append("## The load generator's ceiling")
    out.append("")
    lim = find(doc, "limit", "limit", 32)
    if lim and lim.get("status") == "ok":
        d = lim["median"]
        top = max((p for p in doc["points"] if p.get("status") == "ok" and not p["target"].startswith("limit")),
                  key=lambda p: p["median"]["rps"], default=None)
        share = d["generator_cpu_s"] / d["seconds"] if d.get("seconds") else None
        out.append(f"wrk against the bare endpoint at 32 connections: **{fmt(d['rps'])} req/s**, using "
                   f"{fmt(d['generator_cpu_s'], 2)} CPU s in {fmt(d['seconds'], 1)} s"
                   + (f" ({share:.0%} of one core)" if share is not None else "") + ", so one wrk thread "
                   + (f"would sustain about {fmt(d['rps'] / share)} req/s on a core of its own. " if share else ". ")
                   + (f"The highest rate measured on a server other than the limit is {fmt(top['median']['rps'])} req/s "
                      f"({top['target']}, {top['key']}, {top['connections']} conn): the generator reached "
                      f"{d['rps'] / top['median']['rps']:,.1f}x that against the limit in the same run."
                      if top else ""))
    else:
        out.append("Not measured in this run.")
    out.append("")

    out.append("## Where the server's CPU went")
    out.append("")
    out.append("CPU seconds of the server's process tree during a point's median run, by process "
               "(`server` is the server process itself; the others are what it started, e.g. function runtimes).")
    out.append("")
    out.append("| scenario | server | conns | CPU s by process |")
    out.append("|---|---|---|---|")
    for p in doc["points"]:
        split = (p.get("median") or {}).get("server_cpu_split_s")
        if split:
            text = ", ".join(f"{k} {v:.2f}" for k, v in split.items())
            out.append(f"| {p['scenario']} | {p['target']} | {p['connections']} | {text} |")
    out.append("")
    for p in doc["points"]:
        prof = p.get("profile")
        if not prof:
            continue
        out.append(f"### Profile: {p['target']}, {p['scenario']}, {p['connections']} connections")
        out.append("")
        if "error" in prof:
            out.append(f"Profiling failed: {prof['error']}")
            out.append("")
            continue
        out.append(f"`{prof['tool']}` during one more {p['median']['seconds']:.0f}-s run "
                   f"({fmt(prof['rps_while_tracing'])} req/s while tracing); trace: `{prof['trace']}` "
                   "(open it with PerfView or `dotnet-trace report`). Top frames by inclusive CPU time:")
        out.append("")
        out.append("```")
        out.extend(prof["top_inclusive"])
        out.append("```")
        out.append("")

    if charts:
        out.append("## Charts")
        out.append("")
        for c in charts:
            out.append(f"![{c}]({c})")
        out.append("")
    out.append("## How to read this")
    out.append("")
    for c in CAVEATS:
        out.append(f"- {c}")
    for n in doc.get("notes", []):
        out.append(f"- {n}")
    out.append("")
    return "\n".join(out)
