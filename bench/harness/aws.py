"""Just enough of the AWS wire protocols to set up a stack (urllib; loopback only)."""
import base64
import io
import json
import time
import urllib.error
import urllib.request
import zipfile

REGION = "us-east-1"
COGNITO = "AWSCognitoIdentityProviderService"


class AwsError(Exception):
    def __init__(self, operation, status, code, message):
        super().__init__(f"{operation}: {status} {code}: {message}")
        self.status, self.code, self.message = status, code, message

    @property
    def not_implemented(self):
        return self.status == 501 or self.code == "NotImplementedException"


def auth_header(service):
    """SigV4-shaped: every server here accepts any credentials; the scope names region and service."""
    day = time.strftime("%Y%m%d", time.gmtime())
    return (f"AWS4-HMAC-SHA256 Credential=bench/{day}/{REGION}/{service}/aws4_request, "
            f"SignedHeaders=host;x-amz-date, Signature={'0' * 64}")


def amz_date():
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())


def json_headers(operation, service="cognito-idp", target=COGNITO):
    return {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": f"{target}.{operation}",
        "X-Amz-Date": amz_date(),
        "Authorization": auth_header(service),
    }


def _send(request, operation, timeout):
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read()
            return response.status, dict(response.headers), text
    except urllib.error.HTTPError as e:
        text = e.read()
        code = (e.headers.get("x-amzn-ErrorType") or "").split(":")[0]
        message = text.decode("utf-8", "replace")
        try:
            doc = json.loads(text)
            code = code or (doc.get("__type") or doc.get("Type") or "").split("#")[-1]
            message = doc.get("message") or doc.get("Message") or message
        except (ValueError, AttributeError):
            pass
        raise AwsError(operation, e.code, code or str(e.code), message[:300]) from None


def call_json(base, operation, body, timeout=60):
    data = json.dumps(body).encode()
    request = urllib.request.Request(base + "/", data=data, method="POST", headers=json_headers(operation))
    _, _, text = _send(request, operation, timeout)
    return json.loads(text) if text else {}


def call_rest(base, method, path, service, operation, body=None, timeout=120, raw=False):
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": auth_header(service), "X-Amz-Date": amz_date()}
    if data is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    status, headers, text = _send(request, operation, timeout)
    if raw:
        return status, headers, text
    return json.loads(text) if text else {}


def http_get(url, headers=None, timeout=30):
    """(status, body) of a plain GET, whatever the status."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def zip_bytes(name, text):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, text)
    return buffer.getvalue()


def zip_b64(name, text):
    return base64.b64encode(zip_bytes(name, text)).decode()


# --- the user-pool set-up every Cognito implementation gets -----------------------------------

PASSWORD = "Bench-Passw0rd!"


def create_pool(base, users):
    """A pool, a public client allowing the three flows, and `users` confirmed users."""
    pool = call_json(base, "CreateUserPool", {"PoolName": "bench"})["UserPool"]["Id"]
    client = call_json(base, "CreateUserPoolClient", {
        "UserPoolId": pool, "ClientName": "bench", "GenerateSecret": False,
        "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
                              "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    })["UserPoolClient"]["ClientId"]
    names = []
    for i in range(users):
        name = f"user{i:03d}"
        call_json(base, "AdminCreateUser", {
            "UserPoolId": pool, "Username": name, "MessageAction": "SUPPRESS",
            "TemporaryPassword": "Tmp-" + PASSWORD,
            "UserAttributes": [{"Name": "email", "Value": f"{name}@example.com"},
                               {"Name": "email_verified", "Value": "true"}],
        })
        call_json(base, "AdminSetUserPassword", {
            "UserPoolId": pool, "Username": name, "Password": PASSWORD, "Permanent": True})
        names.append(name)
    return pool, client, names


def admin_sign_in(base, pool, client, user):
    return call_json(base, "AdminInitiateAuth", {
        "UserPoolId": pool, "ClientId": client, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": user, "PASSWORD": PASSWORD}})["AuthenticationResult"]


def refresh(base, client, token):
    return call_json(base, "InitiateAuth", {
        "ClientId": client, "AuthFlow": "REFRESH_TOKEN_AUTH",
        "AuthParameters": {"REFRESH_TOKEN": token}})["AuthenticationResult"]
