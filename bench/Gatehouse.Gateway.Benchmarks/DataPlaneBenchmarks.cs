using System.Buffers.Text;
using System.Collections.Immutable;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using Gatehouse.Core;
using Gatehouse.Gateway.Model;
using Gatehouse.Gateway.Runtime;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Gateway.Benchmarks;

/// <summary>
/// The gateway's per-request work for an authenticated <c>GET /hello</c>: route match, JWT
/// validation (first-seen token: RSA-2048 verification; seen token: the cache), the payload 2.0
/// event, and mapping the function's answer — with a function that answers at once, so only the
/// gateway is measured.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RuntimeMoniker.Net10_0, launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class DataPlaneBenchmarks
{
    private const string ApiId = "a1b2c3d4e5";
    private const string Issuer = "http://127.0.0.1:4566/us-east-1_AbCdEf123";
    private const string ClientId = "57cbishk4j24pabc1234567890";

    private DataPlane _plane = null!;
    private RouteTable _routes = null!;
    private JwtValidator _validator = null!;
    private string _token = null!;
    private string _authorization = null!;
    private RSA _key = null!;

    [GlobalSetup]
    public void Setup()
    {
        _key = RSA.Create(2048);
        var time = TimeProvider.System;
        var keys = new SigningKeyResolver(new Issuers(_key), time, NullLogger.Instance);
        _plane = new DataPlane(new Invoker(), time, NullLoggerFactory.Instance, new SnapshotCompiler(keys, time));

        Route Route(string key, string auth = "NONE") => new() { RouteId = "r" + key.GetHashCode().ToString("x8", System.Globalization.CultureInfo.InvariantCulture), RouteKey = key, Target = "integrations/int0001", AuthorizationType = auth, AuthorizerId = auth == "JWT" ? "auth01" : null };
        var configuration = new DeployedConfiguration
        {
            Routes = [Route("GET /hello", "JWT"), Route("GET /pets/{id}"), Route("POST /pets"), Route("ANY /{proxy+}"), Route("GET /pets/{id}/toys/{toy}"), Route("$default")],
            Integrations = [new Integration { IntegrationId = "int0001", IntegrationType = "AWS_PROXY", IntegrationUri = "arn:aws:lambda:us-east-1:123456789012:function:hello", PayloadFormatVersion = "2.0" }],
            Authorizers = [new Authorizer { AuthorizerId = "auth01", Name = "jwt", AuthorizerType = "JWT", IdentitySource = ["$request.header.Authorization"], JwtIssuer = Issuer, JwtAudience = [ClientId] }],
        };
        var state = new ApiState
        {
            Api = new Api { ApiId = ApiId, Account = "123456789012", Region = "us-east-1", Name = "bench" },
            Deployments = ImmutableSortedDictionary<string, Deployment>.Empty.Add("dep001", new Deployment { DeploymentId = "dep001", Configuration = configuration }),
            Stages = ImmutableSortedDictionary<string, Stage>.Empty.Add("$default", new Stage { StageName = "$default", DeploymentId = "dep001" }),
        };
        _plane.Load([state]);
        _routes = _plane.Snapshot.Apis[ApiId].DefaultStage!.Routes;
        _validator = _routes.Routes.First(r => r.Jwt is not null).Jwt!.Validator;

        var now = DateTimeOffset.UtcNow;
        var claims = new JsonObject
        {
            ["sub"] = "0a1b2c3d-1111-2222-3333-444455556666", ["iss"] = Issuer, ["client_id"] = ClientId, ["token_use"] = "access",
            ["scope"] = "aws.cognito.signin.user.admin", ["auth_time"] = now.ToUnixTimeSeconds(), ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
            ["iat"] = now.ToUnixTimeSeconds(), ["jti"] = Guid.NewGuid().ToString(), ["username"] = "janedoe",
            ["origin_jti"] = Guid.NewGuid().ToString(), ["event_id"] = Guid.NewGuid().ToString(),
        };
        var head = Base64Url.EncodeToString("""{"kid":"key-1","alg":"RS256"}"""u8);
        var body = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = _key.SignData(Encoding.ASCII.GetBytes(head + "." + body), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        _token = head + "." + body + "." + Base64Url.EncodeToString(signature);
        _authorization = "Bearer " + _token;
        _publicKey = RSA.Create();
        _publicKey.ImportParameters(_key.ExportParameters(false));
        _signedPart = Encoding.ASCII.GetBytes(head + "." + body);
        _signature = signature;
        if (Request().GetAwaiter().GetResult() != 200)
            throw new InvalidOperationException("The benchmark request does not succeed.");
    }

    /// <summary>What the benchmark itself costs per request (an in-memory HttpContext; Kestrel pools its own): subtract it.</summary>
    [Benchmark(Baseline = true)]
    public int HttpContextOnly() => NewContext().Request.Headers.Count;

    [Benchmark]
    public int RouteMatch() => _routes.Match("GET", "/pets/7/toys/ball")?.PathParameters.Length ?? -1;

    /// <summary>The whole pipeline with a token seen before (the verified-token cache answers).</summary>
    [Benchmark]
    public Task<int> Request_CachedToken() => Request();

    /// <summary>The whole pipeline with a token never seen (RSA-2048 signature check, claims, rendering).</summary>
    [Benchmark]
    public Task<int> Request_FirstSeenToken()
    {
        _validator.Forget(_token);
        return Request();
    }

    /// <summary>The goal measure: route match + JWT validation (cached token) + payload 2.0 event.</summary>
    [Benchmark]
    public ValueTask<int> Goal_CachedToken() => Goal(forget: false);

    /// <summary>The goal measure with a token never seen: route match + RS256 verification and claims + event.</summary>
    [Benchmark]
    public ValueTask<int> Goal_FirstSeenToken() => Goal(forget: true);

    private readonly PooledBufferWriter _eventBuffer = new(8192);

    private async ValueTask<int> Goal(bool forget)
    {
        var http = _goalContext ??= NewContext();
        var api = _plane.Snapshot.Apis[ApiId];
        var match = api.DefaultStage!.Routes.Match("GET", "/hello");
        var route = match!.Value.Route;
        if (forget)
            _validator.Forget(_token);
        var token = _authorization.AsMemory(7);
        var result = route.Jwt!.Validator.TryGetVerified(token, out var cached)
            ? cached
            : await route.Jwt.Validator.ValidateFirstSeenAsync(_token, CancellationToken.None).ConfigureAwait(false);
        var request = new GatewayRequest
        {
            Http = http, RequestId = GatewayResponses.NewRequestId(), Time = DateTimeOffset.UtcNow, Api = api,
            DomainName = ApiId + ".execute-api.localhost", RawPath = "/hello", RawQueryString = "",
            Stage = api.DefaultStage, Match = match, Jwt = result.Principal,
        };
        _eventBuffer.Reset();
        EventBuilder.WriteV2(request, _eventBuffer);
        return _eventBuffer.WrittenMemory.Length;
    }

    // One request context reused, as Kestrel reuses its own; the goal measure is the gateway's work.
    private DefaultHttpContext? _goalContext;

    /// <summary>RSA-2048 PKCS#1 SHA-256 verification alone: the floor under any first-seen token.</summary>
    [Benchmark]
    public bool RsaVerifyOnly() => _publicKey.VerifyData(_signedPart, _signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    private RSA _publicKey = null!;
    private byte[] _signedPart = null!;
    private byte[] _signature = null!;

    // Pieces of the request, for the CPU-time breakdown.
    internal async Task<int> FirstSeenValidation()
    {
        _validator.Forget(_token);
        return (await _validator.ValidateAsync(_token, CancellationToken.None).ConfigureAwait(false)).Succeeded ? 1 : 0;
    }

    internal int CachedLookup() => _validator.TryGetVerified(_token.AsMemory(), out var result) && result.Succeeded ? 1 : 0;

    internal int MapResponse() => LambdaResponseMapper.Map("""{"statusCode":200,"body":"\"Hello from Lambda!\""}"""u8.ToArray(), true)!.StatusCode;

    internal int BuildEvent()
    {
        var http = NewContext();
        var api = _plane.Snapshot.Apis[ApiId];
        var request = new GatewayRequest
        {
            Http = http, RequestId = "Mc7UVioPPHcEKPA=", Time = DateTimeOffset.UtcNow, Api = api,
            DomainName = ApiId + ".execute-api.localhost", RawPath = "/hello", RawQueryString = "",
            Stage = api.DefaultStage, Match = _routes.Match("GET", "/hello"),
        };
        _validator.TryGetVerified(_token.AsMemory(), out var jwt);
        request.Jwt = jwt.Principal;
        using var buffer = new PooledBufferWriter(4096);
        EventBuilder.WriteV2(request, buffer);
        return buffer.WrittenMemory.Length;
    }

    private async Task<int> Request()
    {
        var http = NewContext();
        await _plane.InvokeAsync(http, static _ => Task.CompletedTask).ConfigureAwait(false);
        return http.Response.StatusCode;
    }

    private DefaultHttpContext NewContext()
    {
        var http = new DefaultHttpContext();
        http.Request.Method = "GET";
        http.Request.Scheme = "http";
        http.Request.Protocol = "HTTP/1.1";
        http.Request.Host = new HostString(ApiId + ".execute-api.localhost", 4566);
        http.Request.Path = "/hello";
        http.Features.Get<IHttpRequestFeature>()!.RawTarget = "/hello";
        http.Request.Headers.Authorization = _authorization;
        http.Request.Headers.UserAgent = "curl/8.5.0";
        http.Request.Headers.Accept = "*/*";
        http.Connection.RemoteIpAddress = IPAddress.Loopback;
        http.Response.Body = Stream.Null;
        return http;
    }

    private sealed class Invoker : IFunctionInvoker
    {
        private static readonly byte[] Answer = """{"statusCode":200,"body":"\"Hello from Lambda!\""}"""u8.ToArray();

        public ValueTask<FunctionInvocationResult> InvokeAsync(FunctionInvocation invocation, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new FunctionInvocationResult(FunctionInvocationStatus.Success, Answer));
    }

    private sealed class Issuers(RSA key) : ILocalIssuerDirectory
    {
        private readonly RSA _public = Public(key);

        private static RSA Public(RSA key)
        {
            var rsa = RSA.Create();
            rsa.ImportParameters(key.ExportParameters(false));
            return rsa;
        }

        public bool TryGetSigningKey(string issuer, string keyId, out RSA? found, out bool isLocal)
        {
            isLocal = issuer == Issuer;
            found = isLocal && keyId == "key-1" ? _public : null;
            return found is not null;
        }
    }
}
