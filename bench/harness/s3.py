"""S3 PUT/GET scenario (issue #13): 1 KiB and 8 MiB objects at 1 and 16 connections, side by side
against Gatehouse, moto's S3 server (`python3 -m moto.server`) and the machine's limit.

The limit is bench/Limit's `PUT /s3/{key}` (the body kept in memory) and `GET /s3/{key}` (sent
back): the same payload written and read by a bare Kestrel endpoint. Run with `bench/run --only s3`.
Goals (issue #13): small-object PUT+GET >= 5x moto; large objects >= 50% of the limit's MB/s;
server memory flat while streaming (the run's peak RSS per point shows it).
"""
import http.client

import load

SIZES = {"1k": 1024, "8m": 8 * 1024 * 1024}
CONNECTIONS = (1, 16)
BUCKET = "bench-objects"
# Gatehouse's default mode and moto accept any well-formed SigV4 header; the payload is not hashed.
AUTH = {
    "Authorization": "AWS4-HMAC-SHA256 Credential=AKIABENCH/20260101/us-east-1/s3/aws4_request, "
                     "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" + "0" * 64,
    "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
    "x-amz-date": "20260101T000000Z",
}


def _request(port, method, path, body=b""):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=AUTH)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def prepare(port, size_key):
    """The bucket and one object of each size, so GET points read something that exists."""
    _request(port, "PUT", f"/{BUCKET}")
    status, _ = _request(port, "PUT", f"/{BUCKET}/seed-{size_key}", b"a" * SIZES[size_key])
    if status != 200:
        raise RuntimeError(f"seeding {size_key} answered {status}")


def requests_for(host, path_prefix, size_key, method):
    payload = b"a" * SIZES[size_key]
    if method == "PUT":
        return [load.raw_request("PUT", f"{path_prefix}/put-{size_key}-{i}", host, AUTH, payload) for i in range(4)]
    return [load.raw_request("GET", f"{path_prefix}/seed-{size_key}", host, AUTH)]


def scenario_s3(run, key, target, server, prefix):
    """Every S3 point against one server: Gatehouse or moto (path-style bucket), or the limit (/s3)."""
    host = f"127.0.0.1:{server.port}"
    for size_key in SIZES:
        if key == "limit":
            _request(server.port, "PUT", f"{prefix}/seed-{size_key}", b"a" * SIZES[size_key])
        else:
            prepare(server.port, size_key)
        for method in ("PUT", "GET"):
            requests = requests_for(host, prefix, size_key, method)
            for connections in CONNECTIONS:
                run.wrk_point("s3", f"s3-{method.lower()}-{size_key}", target, server, server.port, requests, connections)
