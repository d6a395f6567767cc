"""Gatehouse's Python runtime: loads the handler and serves the Lambda Runtime API loop.

Speaks HTTP/1.1 over ONE raw keep-alive socket and pipelines: the result of an invocation and the
request for the next event leave in one write, and Gatehouse answers both in one write when an
event is waiting. A warm invoke costs one send and usually one receive, several times cheaper than
http.client. The Runtime API at AWS_LAMBDA_RUNTIME_API is Gatehouse's own, which always answers
with Content-Length.
"""

import importlib
import json
import logging
import os
import socket
import sys
import time
import traceback

API_PREFIX = b"/2018-06-01/runtime/"


class RuntimeConnection:
    """One persistent HTTP/1.1 connection to the Runtime API."""

    def __init__(self, address):
        # host:port, then Gatehouse's per-environment secret as a path prefix ("127.0.0.1:9001/SECRET").
        host_port, slash, secret = address.partition("/")
        host, _, port = host_port.rpartition(":")
        self._address = (host or "127.0.0.1", int(port))
        self._host = host_port.encode()
        self._prefix = (slash + secret).rstrip("/").encode()
        self._sock = None
        self._buffer = bytearray()
        self._next_request = self._encode(b"GET", b"invocation/next")
        # Connected at the first request, not before the handler is imported: a connection that says
        # nothing for long is closed by the Runtime API, and could lose its place to other connections.

    def _connect(self):
        self._sock = socket.create_connection(self._address)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buffer = bytearray()

    def _encode(self, method, path, body=b"", headers=None, then=b""):
        head = [method, b" ", self._prefix, API_PREFIX, path, b" HTTP/1.1\r\nHost: ", self._host, b"\r\n"]
        if headers:
            for name, value in headers.items():
                head += [name.encode(), b": ", value.encode("utf-8", "replace"), b"\r\n"]
        if method == b"POST":
            head += [b"Content-Type: application/json\r\nContent-Length: ", str(len(body)).encode(), b"\r\n"]
        head.append(b"\r\n")
        if body:
            head.append(body if isinstance(body, bytes) else bytes(body))
        head.append(then)
        return b"".join(head)

    def request(self, method, path, body=b"", headers=None):
        if self._sock is None:
            self._connect()
        self._sock.sendall(self._encode(method, path, body, headers))
        return self._read_response()

    def post_then_next(self, path, body, headers=None):
        """Posts a result and asks for the next event in the same write (HTTP/1.1 pipelining):
        one send instead of two, and the server can answer both in one write as well."""
        self._sock.sendall(self._encode(b"POST", path, body, headers, then=self._next_request))
        self._read_response()
        return self._read_response()

    def _fill(self):
        chunk = self._sock.recv(65536)
        if not chunk:
            # The server went away (Gatehouse stopped): nothing left to serve.
            os._exit(0)
        self._buffer += chunk

    def _read_response(self):
        while True:
            end = self._buffer.find(b"\r\n\r\n")
            if end >= 0:
                break
            self._fill()
        head = bytes(self._buffer[:end]).decode("latin-1").split("\r\n")
        del self._buffer[: end + 4]
        status = int(head[0].split(" ", 2)[1])
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(self._buffer) < length:
            self._fill()
        body = bytes(self._buffer[:length])
        del self._buffer[:length]
        return status, headers, body


class LambdaContext:
    # The same for every invocation of this environment: read once.
    function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
    function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
    memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
    log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
    log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")

    def __init__(self, request_id, deadline_ms, invoked_arn, client_context, identity):
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_arn
        self.client_context = client_context
        self.identity = identity
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))

    def __repr__(self):
        return "LambdaContext([aws_request_id=%s,function_name=%s,function_version=%s,invoked_function_arn=%s])" % (
            self.aws_request_id, self.function_name, self.function_version, self.invoked_function_arn)


class _Object:
    def __init__(self, values):
        for key, value in (values or {}).items():
            setattr(self, key, value)


class LambdaLogHandler(logging.Handler):
    """The logging format of Lambda's Python runtime: [LEVEL]\\ttime\\trequest id\\tmessage."""

    request_id = ""

    def emit(self, record):
        try:
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + ".%03dZ" % record.msecs
            message = self.format(record).replace("\n", "\r")
            sys.stdout.write("[%s]\t%s\t%s\t%s\n" % (record.levelname, stamp, LambdaLogHandler.request_id, message))
        except Exception:  # noqa: BLE001 - logging must never break the handler
            pass


def error_body(error_type, message, stack=None, request_id=""):
    return {"errorMessage": message, "errorType": error_type, "requestId": request_id, "stackTrace": stack or []}


def load_handler(handler_name, connection):
    try:
        module_path, function_name = handler_name.rsplit(".", 1)
    except ValueError as error:
        fail_init(connection, "Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler_name, error))
    module_name = module_path.replace("/", ".")
    if module_name in sys.builtin_module_names:
        fail_init(connection, "Runtime.BuiltInModuleConflict", "Cannot use built-in module %s as a handler module" % module_name)
    try:
        module = importlib.import_module(module_name)
    except SyntaxError as error:
        stack = ['  File "%s" Line %s\n    %s\n' % (error.filename, error.lineno, (error.text or "").strip())]
        fail_init(connection, "Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (module_name, error), stack)
    except ImportError as error:
        fail_init(connection, "Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_name, error))
    except Exception as error:  # noqa: BLE001 - any failure at import time is an init error
        stack = traceback.format_list(traceback.extract_tb(error.__traceback__))
        fail_init(connection, type(error).__name__, str(error), stack)
    handler = getattr(module, function_name, None)
    if handler is None:
        fail_init(connection, "Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (function_name, module_name))
    return handler


def fail_init(connection, error_type, message, stack=None):
    body = error_body(error_type, message, stack)
    sys.stdout.write("[ERROR] %s: %s\n" % (error_type, message))
    if stack:
        sys.stdout.write("Traceback (most recent call last):\n" + "".join(stack))
    sys.stdout.flush()
    connection.request(b"POST", b"init/error", json.dumps(body).encode(), {"Lambda-Runtime-Function-Error-Type": error_type})
    sys.exit(1)


def limit_memory():
    """MemorySize as a limit on the heap (RLIMIT_DATA): allocations beyond it raise MemoryError."""
    try:
        import resource
        limit = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "0")) * 1024 * 1024
        if limit > 0:
            resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass


def main():
    limit_memory()
    connection = RuntimeConnection(os.environ["AWS_LAMBDA_RUNTIME_API"])
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    sys.path.insert(0, task_root)

    log_handler = LambdaLogHandler()
    root_logger = logging.getLogger()
    root_logger.handlers = [log_handler]
    root_logger.setLevel(logging.WARNING)

    handler = load_handler(os.environ["_HANDLER"], connection)
    dumps = json.dumps
    loads = json.loads
    stdout = sys.stdout
    stderr = sys.stderr

    status, headers, event_bytes = connection.request(b"GET", b"invocation/next")
    while True:
        if status != 200:
            sys.exit(1)
        request_id = headers.get("lambda-runtime-aws-request-id", "")
        LambdaLogHandler.request_id = request_id
        trace_id = headers.get("lambda-runtime-trace-id")
        if trace_id:
            os.environ["_X_AMZN_TRACE_ID"] = trace_id
        client_context = headers.get("lambda-runtime-client-context")
        identity = headers.get("lambda-runtime-cognito-identity")
        context = LambdaContext(
            request_id,
            int(headers.get("lambda-runtime-deadline-ms", "0")),
            headers.get("lambda-runtime-invoked-function-arn"),
            _Object(loads(client_context)) if client_context else None,
            _Object(loads(identity)) if identity else None,
        )
        path_prefix = b"invocation/" + request_id.encode()
        # Each invocation ends with one write: its result (or error) and the request for the next event.
        try:
            event = loads(event_bytes) if event_bytes else {}
        except ValueError as error:
            body = error_body("Runtime.UnmarshalError", "Unable to unmarshal input: %s" % error, request_id=request_id)
            status, headers, event_bytes = connection.post_then_next(
                path_prefix + b"/error", dumps(body).encode(), {"Lambda-Runtime-Function-Error-Type": "Runtime.UnmarshalError"})
            continue
        try:
            result = handler(event, context)
        except Exception as error:  # noqa: BLE001 - the handler's failure is reported, not raised
            frames = traceback.extract_tb(error.__traceback__)[1:]
            stack = traceback.format_list(frames)
            error_type = type(error).__name__
            body = error_body(error_type, str(error), stack, request_id)
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + "Z"
            stdout.write("[ERROR]\t%s\t%s\t%s: %s\nTraceback (most recent call last):\n%s" % (stamp, request_id, error_type, error, "".join(stack)))
            stdout.flush()
            stderr.flush()
            status, headers, event_bytes = connection.post_then_next(path_prefix + b"/error", dumps(body).encode())
            continue
        try:
            payload = result if isinstance(result, (bytes, bytearray)) else dumps(result).encode()
        except (TypeError, ValueError) as error:
            body = error_body("Runtime.MarshalError", "Unable to marshal response: %s" % error, request_id=request_id)
            stdout.flush()
            status, headers, event_bytes = connection.post_then_next(
                path_prefix + b"/error", dumps(body).encode(), {"Lambda-Runtime-Function-Error-Type": "Runtime.MarshalError"})
            continue
        # Output first, then the response: Gatehouse logs END only after what was written before it.
        stdout.flush()
        stderr.flush()
        status, headers, event_bytes = connection.post_then_next(path_prefix + b"/response", payload)

if __name__ == "__main__":
    main()
