#!/usr/bin/env python3
"""Gatehouse's end-to-end benchmark: the scenarios of issue 7, beside the machine's limit and the
peers, in one bounded run. Started by bench/run (which builds and installs first); see
docs/benchmarks.md for what each scenario does and how to read the results."""
import argparse
import base64
import datetime
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)

import aws  # noqa: E402
import load  # noqa: E402
import procs  # noqa: E402
import report  # noqa: E402
import s3  # noqa: E402

BENCH = os.path.dirname(HERE)
ROOT = os.path.dirname(BENCH)
CACHE = os.path.join(BENCH, ".cache")
PEERS = os.path.join(CACHE, "peers")
GATEHOUSE = {"dll": os.path.join(ROOT, "src", "Gatehouse", "bin", "Release", "net10.0", "gatehouse.dll")}
LIMIT_DLL = os.path.join(BENCH, "Limit", "bin", "Release", "net10.0", "Gatehouse.Bench.Limit.dll")
HELLO_BODY = b'"Hello from Lambda!"'

PYTHON_HANDLER = """import json

def lambda_handler(event, context):
    # TODO implement
    return {
        'statusCode': 200,
        'body': json.dumps('Hello from Lambda!')
    }
"""
NODE_HANDLER = """export const handler = async (event) => {
  // TODO implement
  const response = {
    statusCode: 200,
    body: JSON.stringify('Hello from Lambda!'),
  };
  return response;
};
"""

GROUPS = ["start", "limit", "signin", "hello", "invoke", "cold", "s3"]
TARGETS = ["gatehouse", "moto", "cognito-local", "serverless-offline"]


class NotAvailable(Exception):
    """The server cannot do this scenario (yet): the table says why instead of a figure."""


def log(message):
    print(time.strftime("[%H:%M:%S] ") + message, file=sys.stderr, flush=True)


class Run:
    def __init__(self, settings, workdir):
        self.s = settings
        self.workdir = workdir
        self.points = []
        self.start = None
        self.cold = []
        self.notes = []
        self.versions = {}
        self.servers = {}

    # -- recording -------------------------------------------------------------------------------

    def point(self, group, key, target, connections, measure):
        record = {"group": group, "key": key, "scenario": report.SCENARIOS[key], "target": target,
                  "connections": connections}
        try:
            runs, med = measure()
            record.update(status="ok", runs=runs, median=med)
            total = med.get("requests") or 0
            if not total:
                record.update(status="failed", reason="no request completed")
            elif med.get("errors", 0) > 0.01 * total:
                record.update(status="failed", reason=f"{med['errors']:.0f} of {total:.0f} requests failed "
                                                      f"({med.get('non2xx', 0):.0f} with an error status)")
            log(f"{target:<19} {key:<15} c{connections:<3} {med['rps']:>10,.0f} req/s  p50 {med['p50_ms']:.2f} "
                f"p99 {med['p99_ms']:.2f} ms  cpu {med['server_cpu_s']:.1f} s  rss {med['peak_rss_mib']:.0f} MiB"
                + ("" if record["status"] == "ok" else "  [" + record["reason"] + "]"))
        except (NotAvailable, aws.AwsError, procs.StartError, RuntimeError, OSError, ValueError, KeyError) as e:
            record.update(status="not available", reason=reason_of(e))
            log(f"{target:<19} {key:<15} c{connections:<3} not available: {record['reason']}")
        self.points.append(record)
        return record

    def unavailable(self, group, key, target, connections, reason):
        self.points.append({"group": group, "key": key, "scenario": report.SCENARIOS[key], "target": target,
                            "connections": connections, "status": "not available", "reason": reason})
        log(f"{target:<19} {key:<15} c{connections:<3} not available: {reason}")

    # -- loads -----------------------------------------------------------------------------------

    def wrk_point(self, group, key, target, server, port, requests, connections, check=None):
        record = self._wrk_point(group, key, target, server, port, requests, connections, check)
        if target == "gatehouse" and record["status"] == "ok" and self.should_profile(key, connections, record):
            try:
                record["profile"] = profile_point(self, server, port, requests, connections, f"{key}-c{connections}")
            except (OSError, subprocess.SubprocessError, RuntimeError) as e:
                record["profile"] = {"error": reason_of(e)}
                log(f"profile of {key} c{connections} failed: {record['profile']['error']}")
        return record

    def should_profile(self, key, connections, record):
        """--profile: the goal points; otherwise, in a full run, the authenticated GET /hello at 32
        connections when it misses its goal (so the report can say where the time goes)."""
        goal_point = (key == "hello-jwt" and connections == 32) or key in ("admin-password", "refresh")
        if self.s.profile == "always":
            return goal_point
        if self.s.profile == "never" or self.s.quick:
            return False
        med = record["median"]
        return key == "hello-jwt" and connections == 32 and (med["rps"] < 10000 or med["p99_ms"] > 10)

    def _wrk_point(self, group, key, target, server, port, requests, connections, check=None):
        def measure():
            if check is not None:
                check()
            name = f"{target}-{key}-c{connections}"
            if connections > 1:
                load.prime(port, requests[0], connections)
            return load.measured_point(
                self.s, server.pid,
                lambda seconds: load.wrk(self.workdir, name, port, requests, connections, seconds, self.s.threads),
                connections)
        return self.point(group, key, target, connections, measure)


TRACE_VERSION = "10.0.750501"


def profile_point(run, server, port, requests, connections, name, seconds=5):
    """A kernel CPU-sampling trace of the server (dotnet-trace collect-linux, pinned, installed into
    bench/.cache/tools) during one more run of the point; the report keeps its top frames."""
    tools = os.path.join(CACHE, "tools")
    tool = os.path.join(tools, "dotnet-trace")
    if not os.path.exists(tool):
        subprocess.run(["dotnet", "tool", "install", "--tool-path", tools, "dotnet-trace", "--version", TRACE_VERSION],
                       check=True, capture_output=True, timeout=300)
    trace = os.path.join(run.workdir, f"profile-{name}.nettrace")
    collector = subprocess.Popen([tool, "collect-linux", "-p", str(server.pid), "--profile", "cpu-sampling",
                                  "--duration", f"00:00:00:{seconds:02d}", "-o", trace],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(1.5)  # the session attaches
        with procs.Monitor(server.pid) as mon:
            raw = load.wrk(run.workdir, f"profile-{name}", port, requests, connections, seconds, run.s.threads)
        output, _ = collector.communicate(timeout=120)
    finally:
        if collector.poll() is None:
            collector.terminate()
            collector.wait(10)
    if not os.path.exists(trace):
        raise RuntimeError("dotnet-trace wrote no trace: " + output.strip()[-300:])
    report_text = subprocess.run([tool, "report", trace, "topN", "-n", "45", "--inclusive"], capture_output=True,
                                 text=True, timeout=300).stdout
    noise = ("EventData:", "EventName:", "(Non-Activities)", "Threads ")
    lines = [line.rstrip() for line in report_text.splitlines()
             if line.strip() and not any(n in line[:60] for n in noise)]
    log(f"profiled {name}: {os.path.relpath(trace, ROOT)}")
    return {"trace": os.path.relpath(trace, ROOT), "tool": f"dotnet-trace {TRACE_VERSION} collect-linux --profile cpu-sampling",
            "rps_while_tracing": raw["requests"] / (raw["duration_us"] / 1e6),
            "server_cpu_split_s": mon.split, "top_inclusive": lines[:48]}


def reason_of(e):
    if isinstance(e, aws.AwsError) and e.not_implemented:
        m = re.search(r"implement (.+?) operation (\w+)", e.message)
        return f"not implemented in this build ({m.group(2)}, {m.group(1)})" if m else "not implemented: " + e.message
    if isinstance(e, aws.AwsError):
        text = f"{e.code}: {e.message}" if e.code else e.message
        return ("not implemented in this build: " if e.not_implemented else "") + text.strip()[:240]
    return str(e).strip()[:240] or type(e).__name__


# --- servers ------------------------------------------------------------------------------------

def start_gatehouse(run, name="gatehouse"):
    server = procs.Server(name, ["dotnet", GATEHOUSE["dll"], "serve", "--port", "0", "--in-memory"],
                          r"Gatehouse ready on (http://\S+)", os.path.join(run.workdir, f"{name}.log"))
    server.start(60)
    server.base = server.match.group(1)
    server.port = int(server.base.rsplit(":", 1)[1])
    log(f"{name} started: PID {server.pid}, {server.base}")
    return server


def start_limit(run):
    server = procs.Server("limit", ["dotnet", LIMIT_DLL, "--port", "0"], r"ready on (http://\S+)",
                          os.path.join(run.workdir, "limit.log"))
    server.start(60)
    server.base = server.match.group(1)
    server.port = int(server.base.rsplit(":", 1)[1])
    return server


# --- scenario 1: start -> ready, idle memory ----------------------------------------------------

def scenario_start(run):
    samples = []
    # One start first, not counted: it pays for reading the freshly built files into the page cache.
    for i in range(run.s.starts + 1):
        server = procs.Server("gatehouse-start", ["dotnet", GATEHOUSE["dll"], "serve", "--port", "0", "--in-memory"],
                              r"Gatehouse ready on (http://\S+)", os.path.join(run.workdir, f"start-{i}.log"))
        try:
            server.start(30)
            cpu_ready = procs.cpu_seconds(server.pid)
            rss_ready = procs.rss_mib(server.pid)
            time.sleep(1.0)  # the models load in the background after the ready line; then idle
            if i == 0:
                continue
            samples.append({"ready_ms": server.ready_seconds * 1000, "cpu_to_ready_s": cpu_ready,
                            "rss_at_ready_mib": rss_ready, "idle_rss_mib": procs.rss_mib(server.pid),
                            "idle_cpu_s": procs.cpu_seconds(server.pid)})
        finally:
            server.stop()
    med = {k: statistics.median(s[k] for s in samples) for k in samples[0]}
    run.start = {"runs": samples, "median": med, "max_ready_ms": max(s["ready_ms"] for s in samples),
                 "max_idle_rss_mib": max(s["idle_rss_mib"] for s in samples)}
    log(f"gatehouse start -> ready: median {med['ready_ms']:.0f} ms (max {run.start['max_ready_ms']:.0f}), "
        f"idle RSS {med['idle_rss_mib']:.0f} MiB")


# --- scenario 6: the limit ----------------------------------------------------------------------

def scenario_limit(run, limit):
    host = f"127.0.0.1:{limit.port}"

    def check():
        status, body = aws.http_get(f"http://{host}/hello")
        if status != 200 or body != HELLO_BODY:
            raise NotAvailable(f"the bare endpoint answered {status} {body[:80]!r}")
    request = load.raw_request("GET", "/hello", host)
    for c in run.s.hello_connections:
        run.wrk_point("hello", "limit", "limit (bare Kestrel)", limit, limit.port, [request], c, check)


# --- scenario 2: sign-ins -----------------------------------------------------------------------

def scenario_signin(run, target, server, base, port, stack=None):
    host = f"127.0.0.1:{port}"
    keys = ["admin-password", "srp", "refresh"]
    try:
        pool, client, users = stack if stack else aws.create_pool(base, run.s.users)
        tokens = [aws.admin_sign_in(base, pool, client, u) for u in users]
    except (aws.AwsError, OSError, KeyError) as e:
        for key in keys:
            run.unavailable("signin", key, target, run.s.cognito_connections, reason_of(e))
        return None
    c = run.s.cognito_connections

    sign_ins = [load.raw_request("POST", "/", host, aws.json_headers("AdminInitiateAuth"), json.dumps({
        "UserPoolId": pool, "ClientId": client, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": u, "PASSWORD": aws.PASSWORD}}).encode()) for u in users]
    run.wrk_point("signin", "admin-password", target, server, port, sign_ins, c)

    srp = run.point("signin", "srp", target, c, lambda: srp_point(run, server, base, pool, client, users, c))
    if target == "moto" and "UserNotFound" in srp.get("reason", ""):
        srp["reason"] += (" (moto's PASSWORD_VERIFIER challenge names the user by its sub in USER_ID_FOR_SRP, "
                          "then looks that up as a username)")

    def check_refresh():
        aws.refresh(base, client, tokens[0]["RefreshToken"])
    refreshes = [load.raw_request("POST", "/", host, aws.json_headers("InitiateAuth"), json.dumps({
        "ClientId": client, "AuthFlow": "REFRESH_TOKEN_AUTH",
        "AuthParameters": {"REFRESH_TOKEN": t["RefreshToken"]}}).encode()) for t in tokens]
    run.wrk_point("signin", "refresh", target, server, port, refreshes, c, check_refresh)
    return pool, client, users, tokens


def srp_point(run, server, base, pool, client, users, connections):
    script = os.path.join(BENCH, "clients", "srp.cjs")
    env = dict(os.environ, NODE_PATH=os.path.join(PEERS, "node_modules"),
               BENCH_PERCENTILES=",".join(str(p) for p in load.PERCENTILES))

    def once(seconds):
        proc = subprocess.run(["node", script, base + "/", pool, client, aws.PASSWORD, str(seconds),
                               str(connections), *users], capture_output=True, text=True, env=env,
                              timeout=seconds + 60)
        for line in proc.stdout.splitlines():
            if line.startswith("BENCHJSON "):
                summary = json.loads(line[len("BENCHJSON "):])
                if summary["errors"]["status"] >= summary["requests"]:
                    raise NotAvailable("every SRP sign-in with amazon-cognito-identity-js failed: "
                                       + (summary.get("first_error") or "no error given"))
                summary["generator_cpu_s"] = summary["client_cpu_s"]
                return summary
        raise RuntimeError(f"the SRP client failed: {proc.stderr.strip()[-300:]}")
    return load.measured_point(run.s, server.pid, once, connections)


# --- scenarios 3-5: functions and HTTP APIs on Gatehouse ---------------------------------------

def create_function(base, name, runtime):
    if runtime.startswith("python"):
        code, handler = aws.zip_b64("lambda_function.py", PYTHON_HANDLER), "lambda_function.lambda_handler"
    else:
        code, handler = aws.zip_b64("index.mjs", NODE_HANDLER), "index.handler"
    return aws.call_rest(base, "POST", "/2015-03-31/functions", "lambda", "CreateFunction", {
        "FunctionName": name, "Runtime": runtime, "Handler": handler,
        "Role": f"arn:aws:iam::000000000000:role/service-role/{name}-role",
        "Code": {"ZipFile": code}})


def wait_active(base, name, timeout=60.0):
    deadline = time.monotonic() + timeout
    while True:
        conf = aws.call_rest(base, "GET", f"/2015-03-31/functions/{name}/configuration", "lambda",
                             "GetFunctionConfiguration")
        state = conf.get("State", "Active")
        if state == "Active":
            return
        if state == "Failed" or time.monotonic() > deadline:
            raise NotAvailable(f"function {name} is {state}: {conf.get('StateReason', '')}")
        time.sleep(0.005)


def invoke(base, name):
    status, headers, body = aws.call_rest(base, "POST", f"/2015-03-31/functions/{name}/invocations", "lambda",
                                          "Invoke", {}, raw=True)
    if headers.get("X-Amz-Function-Error") or b"Hello from Lambda!" not in body:
        raise NotAvailable(f"Invoke of {name} returned {status} {body[:160]!r}")
    return body


def gatehouse_api(base, function_arn, issuer, client, backend):
    api = aws.call_rest(base, "POST", "/v2/apis", "apigateway", "CreateApi", {"name": "bench", "protocolType": "HTTP"})
    api_id = api["apiId"]
    routes = {}
    lambda_integration = aws.call_rest(base, "POST", f"/v2/apis/{api_id}/integrations", "apigateway",
                                       "CreateIntegration", {"integrationType": "AWS_PROXY",
                                                             "integrationUri": function_arn,
                                                             "payloadFormatVersion": "2.0"})["integrationId"]
    if issuer:
        authorizer = aws.call_rest(base, "POST", f"/v2/apis/{api_id}/authorizers", "apigateway", "CreateAuthorizer", {
            "name": "cognito", "authorizerType": "JWT", "identitySource": ["$request.header.Authorization"],
            "jwtConfiguration": {"issuer": issuer, "audience": [client]}})["authorizerId"]
        aws.call_rest(base, "POST", f"/v2/apis/{api_id}/routes", "apigateway", "CreateRoute", {
            "routeKey": "GET /hello", "authorizationType": "JWT", "authorizerId": authorizer,
            "target": f"integrations/{lambda_integration}"})
        routes["hello-jwt"] = "/hello"
    aws.call_rest(base, "POST", f"/v2/apis/{api_id}/routes", "apigateway", "CreateRoute", {
        "routeKey": "GET /open", "target": f"integrations/{lambda_integration}"})
    routes["hello-open"] = "/open"
    proxy = aws.call_rest(base, "POST", f"/v2/apis/{api_id}/integrations", "apigateway", "CreateIntegration", {
        "integrationType": "HTTP_PROXY", "integrationMethod": "GET", "integrationUri": backend,
        "payloadFormatVersion": "1.0"})["integrationId"]
    aws.call_rest(base, "POST", f"/v2/apis/{api_id}/routes", "apigateway", "CreateRoute", {
        "routeKey": "GET /proxy", "target": f"integrations/{proxy}"})
    routes["hello-proxy"] = "/proxy"
    aws.call_rest(base, "POST", f"/v2/apis/{api_id}/stages", "apigateway", "CreateStage",
                  {"stageName": "$default", "autoDeploy": True})
    return api_id, routes


def scenario_gatehouse_functions(run, gh, limit, stack, before_hello):
    """Invoke warm (5), then the HTTP API routes (3, 4) over the same function."""
    base, port = gh.base, gh.port
    function_arn = None
    try:
        function_arn = create_function(base, "hello", "python3.13")["FunctionArn"]
        wait_active(base, "hello")
        invoke(base, "hello")
    except (aws.AwsError, NotAvailable, OSError, KeyError) as e:
        reason = reason_of(e)
        for c in run.s.invoke_connections:
            run.unavailable("invoke", "invoke-warm", "gatehouse", c, reason)
    if function_arn and "invoke" in run.s.groups:
        invocation = load.raw_request("POST", "/2015-03-31/functions/hello/invocations", f"127.0.0.1:{port}", {
            "Authorization": aws.auth_header("lambda"), "X-Amz-Date": aws.amz_date(),
            "Content-Type": "application/json"}, b"{}")
        for c in run.s.invoke_connections:
            run.wrk_point("invoke", "invoke-warm", "gatehouse", gh, port, [invocation], c)

    if "hello" not in run.s.groups:
        return
    before_hello()
    keys = {"hello-jwt": run.s.hello_connections, "hello-open": run.s.hello_connections,
            "hello-proxy": run.s.proxy_connections}
    issuer = token = None
    if stack:
        pool, client, users, tokens = stack
        token = tokens[0]["AccessToken"]
        try:
            status, body = aws.http_get(f"{base}/{pool}/.well-known/openid-configuration")
            issuer = json.loads(body)["issuer"] if status == 200 else f"{base}/{pool}"
        except (OSError, ValueError, KeyError):
            issuer = f"{base}/{pool}"
    try:
        if function_arn is None:
            # The gateway can still be measured on its HTTP_PROXY route.
            function_arn = "arn:aws:lambda:us-east-1:000000000000:function:hello"
        api_id, routes = gatehouse_api(base, function_arn, issuer, stack[1] if stack else None,
                                       f"{limit.base}/hello")
    except (aws.AwsError, OSError, KeyError) as e:
        for key, conns in keys.items():
            for c in conns:
                run.unavailable("hello", key, "gatehouse", c, reason_of(e))
        return
    host = f"{api_id}.execute-api.localhost:{port}"
    for key, conns in keys.items():
        path = routes.get(key)
        if path is None:
            for c in conns:
                run.unavailable("hello", key, "gatehouse", c, "needs a user pool token: sign-in is not available")
            continue
        headers = {"Authorization": f"Bearer {token}"} if key == "hello-jwt" else {}

        def check(path=path, headers=headers, key=key):
            if key == "hello-jwt":
                status, _ = aws.http_get(f"http://127.0.0.1:{port}{path}", {"Host": host})
                if status != 401:
                    raise NotAvailable(f"GET {path} without a token answered {status}, not 401")
            status, body = aws.http_get(f"http://127.0.0.1:{port}{path}", {"Host": host, **headers})
            if status != 200 or body.strip() != HELLO_BODY:
                raise NotAvailable(f"GET {path} answered {status} {body[:120]!r}")
        request = load.raw_request("GET", path, host, headers)
        for c in conns:
            run.wrk_point("hello", key, "gatehouse", gh, port, [request], c, check)


def scenario_cold(run, gh):
    """Create -> first response, for python and node, several times (each a new function)."""
    for runtime_choices, label in ((["python3.13"], "python"), (["nodejs22.x", "nodejs20.x"], "node")):
        samples, reason = [], None
        for i in range(run.s.cold_starts):
            name = f"cold-{label}-{i}"
            try:
                t0 = time.perf_counter()
                for j, runtime in enumerate(runtime_choices):
                    try:
                        create_function(gh.base, name, runtime)
                        break
                    except aws.AwsError as e:
                        if j == len(runtime_choices) - 1 or e.not_implemented:
                            raise
                t1 = time.perf_counter()
                wait_active(gh.base, name)
                t2 = time.perf_counter()
                invoke(gh.base, name)
                t3 = time.perf_counter()
                invoke(gh.base, name)
                t4 = time.perf_counter()
                samples.append({"runtime": runtime, "total_ms": (t3 - t0) * 1000, "create_ms": (t1 - t0) * 1000,
                                "active_ms": (t2 - t1) * 1000, "first_invoke_ms": (t3 - t2) * 1000,
                                "warm_invoke_ms": (t4 - t3) * 1000})
                try:
                    aws.call_rest(gh.base, "DELETE", f"/2015-03-31/functions/{name}", "lambda", "DeleteFunction")
                except aws.AwsError:
                    pass
            except (aws.AwsError, NotAvailable, OSError, KeyError) as e:
                reason = reason_of(e)
                break
        record_cold(run, "gatehouse", label, samples, reason, "create -> first response")


def record_cold(run, target, label, samples, reason, measure):
    if samples:
        med = {k: statistics.median(s[k] for s in samples) for k in samples[0] if k != "runtime"}
        run.cold.append({"target": target, "runtime": label, "status": "ok", "measure": measure,
                         "samples": samples, "median": med, "runtime_name": samples[0].get("runtime")})
        log(f"{target:<19} cold start {label:<6} median {med['total_ms']:.0f} ms over {len(samples)}")
    else:
        run.cold.append({"target": target, "runtime": label, "status": "not available", "reason": reason})
        log(f"{target:<19} cold start {label:<6} not available: {reason}")


# --- peers --------------------------------------------------------------------------------------

def start_moto(run):
    port = procs.free_port()
    server = procs.Server("moto", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                          r"Running on (http://\S+)", os.path.join(run.workdir, "moto.log"))
    server.start(60)
    server.base, server.port = f"http://127.0.0.1:{port}", port
    return server


def start_cognito_local(run):
    port = procs.free_port()
    home = os.path.join(run.workdir, "cognito-local")
    os.makedirs(home, exist_ok=True)
    server = procs.Server("cognito-local",
                          ["node", os.path.join(PEERS, "node_modules", "cognito-local", "lib", "bin", "start.js")],
                          r"Cognito Local running on (http://\S+)", os.path.join(run.workdir, "cognito-local.log"),
                          cwd=home, env={"HOST": "127.0.0.1", "PORT": str(port)})
    server.start(60)
    server.base, server.port = f"http://127.0.0.1:{port}", port
    return server


SLS_YML = """service: bench
frameworkVersion: '3'
provider:
  name: aws
  runtime: python3.11
  region: us-east-1
  stage: dev
  httpApi:
    authorizers:
      cognito:
        type: jwt
        identitySource: $request.header.Authorization
        issuerUrl: {issuer}
        audience:
          - {audience}
functions:
  hello:
    handler: lambda_function.lambda_handler
    events:
      - httpApi:
          path: /hello
          method: get
          authorizer:
            name: cognito
      - httpApi:
          path: /open
          method: get
  helloNode:
    runtime: nodejs20.x
    handler: index.handler
plugins:
  - serverless-offline
"""


def start_serverless_offline(run, issuer, audience, reload_handler=False):
    """serverless v3 + serverless-offline in a service folder under the peers' install (so the plugin resolves)."""
    name = "sls-reload" if reload_handler else "sls"
    service = os.path.join(PEERS, "services", name)
    os.makedirs(service, exist_ok=True)
    with open(os.path.join(service, "serverless.yml"), "w") as f:
        f.write(SLS_YML.format(issuer=issuer, audience=audience))
    with open(os.path.join(service, "lambda_function.py"), "w") as f:
        f.write(PYTHON_HANDLER)
    with open(os.path.join(service, "index.mjs"), "w") as f:
        f.write(NODE_HANDLER)
    http_port, lambda_port, ws_port = procs.free_port(), procs.free_port(), procs.free_port()
    argv = ["node", os.path.join(PEERS, "node_modules", "serverless", "bin", "serverless.js"), "offline", "start",
            "--host", "127.0.0.1", "--httpPort", str(http_port), "--lambdaPort", str(lambda_port),
            "--websocketPort", str(ws_port), "--noTimeout",
            # without this flag serverless-offline does not run httpApi JWT authorizers at all; with it,
            # it checks the claims and skips the signature (its own name for what it does)
            "--ignoreJWTSignature"]
    if reload_handler:
        argv.append("--reloadHandler")
    server = procs.Server(name, argv, r"Server ready: (http://\S+)", os.path.join(run.workdir, f"{name}.log"),
                          cwd=service, env={"SLS_TELEMETRY_DISABLED": "1", "SLS_NOTIFICATIONS_MODE": "off",
                                            "SLS_DEPRECATION_DISABLE": "*", "AWS_ACCESS_KEY_ID": "bench",
                                            "AWS_SECRET_ACCESS_KEY": "bench", "AWS_REGION": "us-east-1"})
    server.start(120)
    server.base, server.port, server.lambda_port = f"http://127.0.0.1:{http_port}", http_port, lambda_port
    return server


def unsigned_token(issuer, client):
    """A Cognito-shaped access token: serverless-offline's JWT authorizer checks claims, never the signature."""
    def b64(obj):
        return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).rstrip(b"=").decode()
    now = int(time.time())
    claims = {"sub": "00000000-0000-4000-8000-000000000000", "iss": issuer, "client_id": client,
              "token_use": "access", "scope": "aws.cognito.signin.user.admin", "auth_time": now,
              "iat": now, "exp": now + 3600, "jti": "bench", "username": "user000"}
    return f"{b64({'kid': 'bench', 'alg': 'RS256'})}.{b64(claims)}.{'A' * 342}"


def scenario_serverless_offline(run):
    issuer, audience = "http://127.0.0.1:1/us-east-1_bench", "benchclient"
    if "hello" in run.s.groups or "invoke" in run.s.groups:
        sls = None
        try:
            sls = start_serverless_offline(run, issuer, audience)
            run.versions["serverless-offline"] = npm_version("serverless-offline")
            run.versions["serverless"] = npm_version("serverless")
            token = unsigned_token(issuer, audience)
            host = f"127.0.0.1:{sls.port}"

            def check():
                status, _ = aws.http_get(f"{sls.base}/hello")
                if status != 401:
                    raise NotAvailable(f"GET /hello without a token answered {status}, not 401")
                status, body = aws.http_get(f"{sls.base}/hello", {"Authorization": f"Bearer {token}"})
                if status != 200 or body.strip() != HELLO_BODY:
                    raise NotAvailable(f"GET /hello answered {status} {body[:120]!r}")
            if "hello" in run.s.groups:
                request = load.raw_request("GET", "/hello", host, {"Authorization": f"Bearer {token}"})
                for c in run.s.hello_connections:
                    run.wrk_point("hello", "hello-jwt", "serverless-offline", sls, sls.port, [request], c, check)
                request = load.raw_request("GET", "/open", host)
                for c in run.s.hello_connections:
                    run.wrk_point("hello", "hello-open", "serverless-offline", sls, sls.port, [request], c)
            if "invoke" in run.s.groups:
                invocation = load.raw_request("POST", "/2015-03-31/functions/bench-dev-hello/invocations",
                                              f"127.0.0.1:{sls.lambda_port}", {"Content-Type": "application/json"},
                                              b"{}")
                for c in run.s.invoke_connections:
                    run.wrk_point("invoke", "invoke-warm", "serverless-offline", sls, sls.lambda_port, [invocation], c)
        except procs.StartError as e:
            for key, conns in (("hello-jwt", run.s.hello_connections), ("invoke-warm", run.s.invoke_connections)):
                for c in conns:
                    run.unavailable("hello" if key.startswith("hello") else "invoke", key, "serverless-offline", c,
                                    reason_of(e))
        finally:
            if sls:
                sls.stop()
    if "cold" in run.s.groups:
        cold_serverless_offline(run, issuer, audience)


def cold_serverless_offline(run, issuer, audience):
    """With --reloadHandler every invocation starts a new handler process (python) or worker (node)."""
    sls = None
    try:
        sls = start_serverless_offline(run, issuer, audience, reload_handler=True)
        for function, label in (("bench-dev-hello", "python"), ("bench-dev-helloNode", "node")):
            samples = []
            for _ in range(run.s.cold_starts):
                t0 = time.perf_counter()
                status, _, body = aws.call_rest(f"http://127.0.0.1:{sls.lambda_port}", "POST",
                                                f"/2015-03-31/functions/{function}/invocations", "lambda", "Invoke",
                                                {}, raw=True)
                t1 = time.perf_counter()
                if b"Hello from Lambda!" not in body:
                    raise NotAvailable(f"Invoke of {function} returned {status} {body[:120]!r}")
                samples.append({"total_ms": (t1 - t0) * 1000, "first_invoke_ms": (t1 - t0) * 1000})
                time.sleep(0.2)
            record_cold(run, "serverless-offline", label, samples, None,
                        "Invoke with --reloadHandler (a new handler each time; no create step)")
    except (procs.StartError, NotAvailable, aws.AwsError, OSError) as e:
        for label in ("python", "node"):
            if not any(c["target"] == "serverless-offline" and c["runtime"] == label for c in run.cold):
                record_cold(run, "serverless-offline", label, [], reason_of(e), "")
    finally:
        if sls:
            sls.stop()


def npm_version(package):
    try:
        with open(os.path.join(PEERS, "node_modules", package, "package.json")) as f:
            return json.load(f)["version"]
    except OSError:
        return None


def scenario_cognito_peer(run, target, start):
    if "signin" not in run.s.groups:
        return
    server = None
    try:
        server = start(run)
        scenario_signin(run, target, server, server.base, server.port)
    except procs.StartError as e:
        for key in ("admin-password", "srp", "refresh"):
            run.unavailable("signin", key, target, run.s.cognito_connections, reason_of(e))
    finally:
        if server:
            server.stop()


# --- main ---------------------------------------------------------------------------------------

def parse(argv):
    p = argparse.ArgumentParser(prog="bench/run", description=__doc__)
    p.add_argument("--quick", action="store_true", help="a ~2-minute smoke run (short points, one repetition)")
    p.add_argument("--duration", type=int, help="seconds per measured run (default 4; --quick 2)")
    p.add_argument("--reps", type=int, help="measured runs per point, median quoted (default 3; --quick 1)")
    p.add_argument("--only", default=",".join(GROUPS), help=f"scenario groups, comma-separated: {','.join(GROUPS)}")
    p.add_argument("--targets", default=",".join(TARGETS), help=f"servers to measure: {','.join(TARGETS)}")
    p.add_argument("--threads", type=int, default=1, help="wrk threads (default 1: the server keeps a core)")
    p.add_argument("--out", default=os.path.join(BENCH, "results"), help="results folder")
    p.add_argument("--gatehouse-dll", default=GATEHOUSE["dll"],
                   help="the gatehouse.dll to measure (default: this tree's Release build)")
    p.add_argument("--profile", choices=["auto", "always", "never"], default="auto",
                   help="CPU profile of Gatehouse's goal points with dotnet-trace (auto: in a full run, "
                        "the authenticated GET /hello at 32 connections when it misses its goal)")
    p.add_argument("--no-charts", action="store_true", help="skip the PNG charts")
    a = p.parse_args(argv)
    GATEHOUSE["dll"] = a.gatehouse_dll
    a.groups = set(a.only.split(","))
    a.targets = set(a.targets.split(","))
    a.duration = a.duration or (2 if a.quick else 4)
    a.reps = a.reps or (1 if a.quick else 3)
    a.warmup = 1 if a.quick else 2
    a.warmup_max = 8 if a.quick else 15
    a.starts = 3 if a.quick else 5
    a.cold_starts = 2 if a.quick else 5
    a.users = 8
    a.cognito_connections = 8
    a.hello_connections = [1, 32]
    a.proxy_connections = [32]
    a.invoke_connections = [1, 32]
    return a


def machine():
    def out(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return None
    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        model = None
    return {"cpus": os.cpu_count(), "cpu": model, "kernel": platform.release(),
            "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "dotnet": out(["dotnet", "--version"]), "node": out(["node", "--version"]),
            "python": platform.python_version(), "wrk": (out(["wrk", "-v"]) or "").split(" [")[0],
            "load_average_at_start": os.getloadavg()}


def main(argv):
    settings = parse(argv)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d-%H%M")
    name = stamp + ("-quick" if settings.quick else "")
    workdir = os.path.join(CACHE, "run", name)
    os.makedirs(workdir, exist_ok=True)
    os.makedirs(settings.out, exist_ok=True)
    run = Run(settings, workdir)
    began = time.monotonic()

    def interrupted(signum, _frame):
        procs.stop_all()
        sys.exit(128 + signum)
    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)

    try:
        import moto
        run.versions["moto"] = moto.__version__
    except ImportError:
        pass
    run.versions["cognito-local"] = npm_version("cognito-local")
    run.versions["amazon-cognito-identity-js"] = npm_version("amazon-cognito-identity-js")

    limit = gh = None
    try:
        if "start" in settings.groups:
            scenario_start(run)
        limit = start_limit(run)
        wants_limit = "limit" in settings.groups or "hello" in settings.groups
        # The limit is measured right before Gatehouse's GET /hello points, so that the ratios
        # between them compare minutes of the same machine state.
        limit_done = False

        def measure_limit():
            nonlocal limit_done
            if wants_limit and not limit_done:
                limit_done = True
                scenario_limit(run, limit)
        if "gatehouse" not in settings.targets or "hello" not in settings.groups:
            measure_limit()
        if "gatehouse" in settings.targets:
            try:
                gh = start_gatehouse(run)
            except procs.StartError as e:
                run.notes.append(f"Gatehouse did not start: {reason_of(e)}")
                log(run.notes[-1])
                measure_limit()
        if gh is not None:
            status, body = aws.http_get(gh.base + "/_gatehouse/health")
            run.versions["gatehouse"] = json.loads(body).get("version")
            stack = None
            if settings.groups & {"signin", "hello"}:
                stack = scenario_signin(run, "gatehouse", gh, gh.base, gh.port) if "signin" in settings.groups \
                    else quiet_stack(gh)
            if settings.groups & {"hello", "invoke"}:
                scenario_gatehouse_functions(run, gh, limit, stack, measure_limit)
            measure_limit()
            if "cold" in settings.groups:
                scenario_cold(run, gh)
            if "s3" in settings.groups:
                s3.scenario_s3(run, "gatehouse", "gatehouse", gh, f"/{s3.BUCKET}")
                s3.scenario_s3(run, "limit", "limit", limit, "/s3")
            run.gatehouse_after = {"rss_mib": procs.rss_mib(gh.pid), "cpu_s": procs.cpu_seconds(gh.pid)}
            gh.stop()
            gh = None
        if "moto" in settings.targets:
            scenario_cognito_peer(run, "moto", start_moto)
            if "s3" in settings.groups:
                moto = start_moto(run)
                try:
                    s3.scenario_s3(run, "moto", "moto", moto, f"/{s3.BUCKET}")
                finally:
                    moto.stop()
        if "cognito-local" in settings.targets:
            scenario_cognito_peer(run, "cognito-local", start_cognito_local)
        if "serverless-offline" in settings.targets:
            scenario_serverless_offline(run)
        for target, (key, reason) in report.CANNOT.items():
            group = "hello" if key.startswith("hello") else "signin"
            if target in settings.targets and group in settings.groups:
                run.points.append({"group": group, "key": key, "scenario": report.SCENARIOS[key], "target": target,
                                   "connections": 32 if group == "hello" else settings.cognito_connections,
                                   "status": "cannot", "reason": reason})
    except Exception:  # noqa: BLE001 - record what happened, stop everything, still write the report
        run.notes.append("The run stopped early: " + traceback.format_exc().strip().splitlines()[-1])
        log(traceback.format_exc())
    finally:
        procs.stop_all()

    doc = {
        "date": stamp, "quick": settings.quick, "seconds": round(time.monotonic() - began, 1),
        "settings": {"duration_s": settings.duration, "reps": settings.reps, "warmup_s": settings.warmup,
                     "warmup_max_s": settings.warmup_max,
                     "wrk_threads": settings.threads, "users": settings.users,
                     "cognito_connections": settings.cognito_connections, "starts": settings.starts,
                     "cold_starts": settings.cold_starts, "groups": sorted(settings.groups),
                     "targets": sorted(settings.targets)},
        "machine": machine(), "versions": run.versions, "start": run.start, "points": run.points,
        "cold": run.cold, "notes": run.notes,
    }
    json_path = os.path.join(settings.out, name + ".json")
    with open(json_path, "w") as f:
        json.dump(doc, f, indent=1)
    md_path = os.path.join(settings.out, name + ".md")
    charts = [] if settings.no_charts else render_charts(json_path, settings.out, name)
    with open(md_path, "w") as f:
        f.write(report.markdown(doc, [os.path.basename(c) for c in charts]))
    log(f"wrote {os.path.relpath(json_path, ROOT)}, {os.path.relpath(md_path, ROOT)}"
        + (f" and {len(charts)} charts" if charts else "") + f" in {doc['seconds']:.0f} s")
    return 0


def quiet_stack(gh):
    try:
        pool, client, users = aws.create_pool(gh.base, 2)
        return pool, client, users, [aws.admin_sign_in(gh.base, pool, client, u) for u in users]
    except (aws.AwsError, OSError, KeyError):
        return None


def render_charts(json_path, out, name):
    dll = os.path.join(BENCH, "Charts", "bin", "Release", "net10.0", "Gatehouse.Bench.Charts.dll")
    proc = subprocess.run(["dotnet", dll, json_path, out, name], capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        log("charts failed: " + (proc.stderr or proc.stdout).strip()[-400:])
        return []
    return [line.strip() for line in proc.stdout.splitlines() if line.strip().endswith(".png")]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
