using System.Buffers;
using System.Collections.Frozen;
using System.Collections.Immutable;
using Gatehouse.Core;
using Gatehouse.Gateway.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Gateway.Runtime;

/// <summary>
/// The HTTP API data plane, in order: address (host or path-style) → API → stage → CORS preflight →
/// route → throttle → authorizer → integration → response, with an <c>apigw-requestid</c> on every
/// response and an access log line when the stage asks for one. It reads only the current
/// <see cref="GatewaySnapshot"/>, which the control plane replaces after each write.
/// </summary>
internal sealed partial class DataPlane : IDisposable
{
    /// <summary>API Gateway's payload limit.</summary>
    public const int MaxBodyBytes = 10 * 1024 * 1024;

    /// <summary>
    /// Lambda's quota for a synchronous invocation payload, 6 MB (6,291,456 bytes; "Invocation
    /// payload (request and response)", https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
    /// A body under the gateway's limit can still make a larger event (base64, headers, escapes).
    /// </summary>
    public const int MaxEventBytes = 6 * 1024 * 1024;

    private readonly IServiceProvider _services;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ILogger _accessLog;
    private readonly HttpProxy _proxy;
    private GatewaySnapshot _snapshot = GatewaySnapshot.Empty;
    private IFunctionInvoker? _invoker;

    public DataPlane(IServiceProvider services, TimeProvider time, ILoggerFactory loggers, SnapshotCompiler compiler, HttpProxy? proxy = null)
    {
        _services = services;
        _time = time;
        _logger = loggers.CreateLogger("Gatehouse.Gateway");
        _accessLog = loggers.CreateLogger("Gatehouse.Gateway.AccessLog");
        _proxy = proxy ?? new HttpProxy();
        Compiler = compiler;
    }

    public SnapshotCompiler Compiler { get; }

    public GatewaySnapshot Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>Follows the control plane: every published change recompiles that API and swaps the snapshot.</summary>
    public void Attach(GatewayState state)
    {
        state.Replaced += apis => Volatile.Write(ref _snapshot,
            new GatewaySnapshot(apis.ToFrozenDictionary(p => p.Key, p => Compiler.Compile(p.Value), StringComparer.Ordinal)));
        state.Published += (apiId, api) =>
        {
            // Publications are serialised by the state's write lock, so read-modify-write is safe here.
            var apis = Snapshot.Apis.ToDictionary(StringComparer.Ordinal);
            if (api is null)
                apis.Remove(apiId);
            else
                apis[apiId] = Compiler.Compile(api);
            Volatile.Write(ref _snapshot, new GatewaySnapshot(apis.ToFrozenDictionary(StringComparer.Ordinal)));
        };
        Volatile.Write(ref _snapshot, new GatewaySnapshot(state.Apis.ToFrozenDictionary(p => p.Key, p => Compiler.Compile(p.Value), StringComparer.Ordinal)));
    }

    /// <summary>For tests and benchmarks: serve exactly these APIs.</summary>
    internal void Load(IEnumerable<ApiState> apis) =>
        Volatile.Write(ref _snapshot, new GatewaySnapshot(apis.ToFrozenDictionary(a => a.Api.ApiId, Compiler.Compile, StringComparer.Ordinal)));

    /// <summary>The middleware: handles requests addressed to an API, passes everything else on.</summary>
    public Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        if (!TryAddress(http, out var apiId, out var path, out var domainName))
            return next(http);
        return HandleAsync(http, apiId, path, domainName);
    }

    /// <summary>
    /// Finds the API a request is for: Host <c>{apiId}.execute-api.*</c>, or the path-style prefix
    /// <c>/_aws/execute-api/{apiId}/…</c>. <paramref name="path"/> is what the API sees (percent-encoded).
    /// </summary>
    internal static bool TryAddress(HttpContext http, out string apiId, out string path, out string domainName)
    {
        var raw = RawTarget(http);
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        var rawPath = query < 0 ? raw : raw[..query];
        var host = http.Request.Host.Host;
        if (GatewayEndpoints.TryGetApiIdFromHost(host, out apiId))
        {
            path = rawPath.Length == 0 ? "/" : rawPath;
            domainName = host;
            return true;
        }
        if (rawPath.StartsWith(GatewayEndpoints.PathPrefix, StringComparison.Ordinal))
        {
            var rest = rawPath.AsSpan(GatewayEndpoints.PathPrefix.Length);
            var slash = rest.IndexOf('/');
            var id = slash < 0 ? rest : rest[..slash];
            if (id.Length > 0)
            {
                apiId = id.ToString().ToLowerInvariant();
                path = slash < 0 ? "/" : rest[slash..].ToString();
                domainName = apiId + GatewayEndpoints.HostLabel + "localhost";
                return true;
            }
        }
        apiId = path = domainName = "";
        return false;
    }

    /// <summary>The request target as sent (percent-encoding intact); rebuilt when a host does not provide it.</summary>
    private static string RawTarget(HttpContext http)
    {
        var raw = http.Features.Get<IHttpRequestFeature>()?.RawTarget;
        return string.IsNullOrEmpty(raw) ? (http.Request.PathBase + http.Request.Path).ToUriComponent() + http.Request.QueryString : raw;
    }

    internal async Task HandleAsync(HttpContext http, string apiId, string path, string domainName)
    {
        var requestId = GatewayResponses.NewRequestId();
        http.Response.Headers["apigw-requestid"] = requestId;
        if (!Snapshot.Apis.TryGetValue(apiId, out var api))
        {
            await GatewayResponses.WriteAsync(http, GatewayResponse.NotFound).ConfigureAwait(false);
            return;
        }
        var rawTarget = RawTarget(http);
        var queryIndex = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var request = new GatewayRequest
        {
            Http = http,
            RequestId = requestId,
            Time = _time.GetUtcNow(),
            Api = api,
            DomainName = domainName,
            RawPath = path,
            RawQueryString = queryIndex < 0 ? "" : rawTarget[(queryIndex + 1)..],
        };
        try
        {
            var outcome = await RunAsync(request).ConfigureAwait(false);
            if (outcome is { } response)
                await GatewayResponses.WriteAsync(http, response.Response, response.Challenge).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (BadHttpRequestException error)
        {
            // A client error wherever the body was read: its status, never a logged fault.
            await GatewayResponses.WriteAsync(http, GatewayResponses.UnreadableBody(http, error)).ConfigureAwait(false);
        }
        catch (Exception error)
        {
            LogUnexpected(_logger, apiId, requestId, error);
            request.IntegrationError ??= "Internal failure";
            await GatewayResponses.WriteAsync(http, GatewayResponse.InternalServerError).ConfigureAwait(false);
        }
        finally
        {
            if (request.Stage?.AccessLog is { } format)
                LogAccess(_accessLog, format.Render(name => ContextVariables.Get(request, name)));
        }
    }

    internal readonly record struct Refusal(GatewayResponse Response, string? Challenge = null);

    /// <summary>Runs the pipeline; returns the gateway's own answer, or null when a response was written.</summary>
    private async Task<Refusal?> RunAsync(GatewayRequest request)
    {
        var http = request.Http;
        var api = request.Api;
        if (api.Disabled)
            return new(GatewayResponse.Forbidden);

        // Stage: a named stage is the first path segment; otherwise $default gets the whole path.
        var routePath = request.RawPath;
        var firstEnd = routePath.IndexOf('/', 1);
        var first = firstEnd < 0 ? routePath[1..] : routePath[1..firstEnd];
        if (first.Length > 0 && api.Stages.TryGetValue(first, out var named))
        {
            request.Stage = named;
            routePath = firstEnd < 0 ? "/" : routePath[firstEnd..];
        }
        else if (api.DefaultStage is { } defaultStage)
        {
            request.Stage = defaultStage;
        }
        else
        {
            return new(GatewayResponse.NotFound);
        }
        var stage = request.Stage;

        if (api.Cors is { } cors)
        {
            if (CorsPolicy.IsPreflight(http.Request))
            {
                cors.WritePreflight(http);
                return null;
            }
            http.Response.OnStarting(static state =>
            {
                var (policy, context) = ((CorsPolicy, HttpContext))state;
                policy.ApplyTo(context);
                return Task.CompletedTask;
            }, (cors, http));
        }

        if (stage.Routes.Match(http.Request.Method, routePath) is not { } match)
            return new(GatewayResponse.NotFound);
        request.Match = match;
        var route = match.Route;

        if (!(route.Throttle ?? stage.Throttle)?.TryTake() ?? false)
            return new(GatewayResponse.TooManyRequests);

        switch (route.Authorization)
        {
            case AuthorizationKind.Jwt:
                if (await AuthorizeJwtAsync(request, route).ConfigureAwait(false) is { } refusal)
                    return refusal;
                break;
            case AuthorizationKind.Lambda:
                var outcome = await LambdaAuthorizer.AuthorizeAsync(request, route.LambdaAuthorizer!, Invoker, _time, http.RequestAborted).ConfigureAwait(false);
                if (outcome != LambdaAuthorizerOutcome.Allowed)
                {
                    return new(outcome switch
                    {
                        LambdaAuthorizerOutcome.Unauthorized => GatewayResponse.Unauthorized,
                        LambdaAuthorizerOutcome.Forbidden => GatewayResponse.Forbidden,
                        _ => GatewayResponse.InternalServerError,
                    });
                }
                break;
            case AuthorizationKind.Unsupported:
                return new(GatewayResponse.Forbidden);
        }

        switch (route.Integration)
        {
            case LambdaIntegrationRuntime lambda:
                return await InvokeLambdaAsync(request, lambda).ConfigureAwait(false);
            case HttpIntegrationRuntime httpIntegration:
                var applied = RequestParameterRules.Apply(request, httpIntegration);
                var target = RequestParameterRules.BuildTarget(request, httpIntegration, applied);
                if (target is null)
                {
                    request.IntegrationError = "The integration URI is not a valid URL.";
                    return new(GatewayResponse.InternalServerError);
                }
                return await _proxy.ForwardAsync(request, httpIntegration, target, applied, http.RequestAborted).ConfigureAwait(false) is { } failure
                    ? new(failure)
                    : null;
            default:
                request.IntegrationError = "The route has no integration.";
                return new(GatewayResponse.InternalServerError);
        }
    }

    internal async ValueTask<Refusal?> AuthorizeJwtAsync(GatewayRequest request, RouteRuntime route)
    {
        var jwt = route.Jwt!;
        var token = TokenText(LambdaAuthorizer.ReadIdentity(request, jwt.Source));
        if (token.IsEmpty)
        {
            request.AuthorizerError = "Unauthorized";
            return new(GatewayResponse.Unauthorized, GatewayResponses.Challenge(JwtFailure.Missing, null));
        }
        // A token seen before is answered from the cache without copying it out of the header.
        var result = jwt.Validator.TryGetVerified(token, out var cached)
            ? cached
            : await jwt.Validator.ValidateAsync(token.ToString(), request.Http.RequestAborted).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            request.AuthorizerError = result.Failure.ToString();
            return new(GatewayResponse.Unauthorized, GatewayResponses.Challenge(result.Failure, result.Algorithm));
        }
        var principal = result.Principal!;
        if (route.Scopes.Length > 0 && !route.Scopes.Any(s => principal.Scopes.Contains(s, StringComparer.Ordinal)))
        {
            request.AuthorizerError = "Forbidden";
            return new(GatewayResponse.Forbidden);
        }
        request.Jwt = principal;
        return null;
    }

    /// <summary>The token in an identity-source value: with or without "Bearer ", surrounding spaces ignored.</summary>
    private static ReadOnlyMemory<char> TokenText(string? value)
    {
        if (value is null)
            return ReadOnlyMemory<char>.Empty;
        var token = value.AsMemory().Trim();
        if (token.Span.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            token = token[7..].Trim();
        return token;
    }

    private IFunctionInvoker? Invoker => _invoker ??= _services.GetService(typeof(IFunctionInvoker)) as IFunctionInvoker;

    private async Task<Refusal?> InvokeLambdaAsync(GatewayRequest request, LambdaIntegrationRuntime integration)
    {
        var http = request.Http;
        if (Invoker is not { } invoker || integration.Function is not { } function)
        {
            request.IntegrationError = Invoker is null ? "The functions service is not available." : "The integration URI does not name a function.";
            return new(GatewayResponse.InternalServerError);
        }
        var (body, unreadable) = await ReadBodyAsync(http).ConfigureAwait(false);
        if (unreadable is { } refusal)
            return new(refusal);
        request.Body = body;

        // The event lives in a pooled buffer until the function has answered.
        using var buffer = new PooledBufferWriter(4096 + body.Length * 4 / 3);
        if (integration.PayloadV2)
            EventBuilder.WriteV2(request, buffer);
        else
            EventBuilder.WriteV1(request, buffer);
        if (buffer.WrittenMemory.Length > MaxEventBytes)
        {
            request.IntegrationError = "The Lambda event is over the 6 MB invocation payload quota.";
            return new(GatewayResponse.RequestTooLarge);
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        FunctionInvocationResult result;
        // As on AWS, the gateway stops waiting at the integration timeout but the invocation runs on;
        // it is only cancelled when the client goes away.
        var invocation = invoker.InvokeAsync(new FunctionInvocation(request.Api.Account, function.Region, function.FunctionArn, null, buffer.WrittenMemory), http.RequestAborted);
        if (invocation.IsCompletedSuccessfully)
        {
            result = invocation.Result;
        }
        else
        {
            try
            {
                result = await invocation.AsTask().WaitAsync(integration.Timeout, _time, http.RequestAborted).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The invocation still holds the event: it must not go back to the pool.
                buffer.Abandon();
                request.IntegrationError = "The Lambda function did not answer within the integration timeout.";
                return new(GatewayResponse.ServiceUnavailable);
            }
        }
        request.IntegrationLatencyMs = (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (result.Status != FunctionInvocationStatus.Success)
        {
            request.IntegrationStatus = result.Status == FunctionInvocationStatus.FunctionError ? 200 : 500;
            request.IntegrationError = "The Lambda function returned an error: " + (result.FunctionError ?? result.Status.ToString());
            return new(GatewayResponse.InternalServerError);
        }
        request.IntegrationStatus = 200;
        var mapped = LambdaResponseMapper.Map(result.Payload, integration.PayloadV2);
        if (mapped is null)
        {
            request.IntegrationError = "The Lambda function returned a response API Gateway cannot map.";
            return new(GatewayResponse.InternalServerError);
        }
        await WriteMappedAsync(http, mapped).ConfigureAwait(false);
        request.ResponseLength = mapped.Body.Length;
        return null;
    }

    private static readonly FrozenSet<string> SkippedResponseHeaders = new[]
    {
        "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "apigw-requestid",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static Task WriteMappedAsync(HttpContext http, MappedResponse mapped)
    {
        var response = http.Response;
        response.StatusCode = mapped.StatusCode;
        foreach (var (name, value) in mapped.Headers)
        {
            if (SkippedResponseHeaders.Contains(name))
                continue;
            response.Headers.Append(name, value);
        }
        response.ContentLength = mapped.Body.Length;
        return mapped.Body.IsEmpty ? Task.CompletedTask : response.Body.WriteAsync(mapped.Body).AsTask();
    }

    /// <summary>The whole request body; or the refusal when it is over API Gateway's 10 MB limit or cannot be read.</summary>
    private static async Task<(ReadOnlyMemory<byte> Body, GatewayResponse? Refusal)> ReadBodyAsync(HttpContext http)
    {
        try
        {
            return await ReadWholeBodyAsync(http).ConfigureAwait(false) is { } body ? (body, null) : (default, GatewayResponse.RequestTooLarge);
        }
        catch (BadHttpRequestException e)
        {
            return (default, GatewayResponses.UnreadableBody(http, e));
        }
    }

    private static async Task<ReadOnlyMemory<byte>?> ReadWholeBodyAsync(HttpContext http)
    {
        var declared = http.Request.ContentLength;
        if (declared is 0)
            return ReadOnlyMemory<byte>.Empty;
        if (declared > MaxBodyBytes)
            return null;
        // Most requests to an API (GET) have no body at all: Kestrel says so without a read.
        if (declared is null)
        {
            var detection = http.Features.Get<IHttpRequestBodyDetectionFeature>();
            if (detection is { CanHaveBody: false })
                return ReadOnlyMemory<byte>.Empty;
            // Without the feature: HTTP/1.x has a body only with Content-Length or Transfer-Encoding.
            if (detection is null && (HttpProtocol.IsHttp11(http.Request.Protocol) || HttpProtocol.IsHttp10(http.Request.Protocol))
                && !http.Request.Headers.ContainsKey("Transfer-Encoding"))
                return ReadOnlyMemory<byte>.Empty;
        }
        var buffer = new ArrayBufferWriter<byte>((int)(declared ?? 256));
        while (true)
        {
            var memory = buffer.GetMemory(declared is null ? 4096 : 1);
            var read = await http.Request.Body.ReadAsync(memory, http.RequestAborted).ConfigureAwait(false);
            if (read == 0)
                break;
            buffer.Advance(read);
            if (buffer.WrittenCount > MaxBodyBytes)
                return null;
            // Kestrel enforces the declared length, so reaching it is the end.
            if (buffer.WrittenCount == declared)
                break;
        }
        return buffer.WrittenMemory;
    }

    public void Dispose() => _proxy.Dispose();

    [LoggerMessage(EventId = 4001, Level = LogLevel.Error, Message = "Unexpected failure serving API {ApiId} (request {RequestId})")]
    private static partial void LogUnexpected(ILogger logger, string apiId, string requestId, Exception exception);

    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "{AccessLogLine}")]
    private static partial void LogAccess(ILogger logger, string accessLogLine);
}
