using System.Collections.Frozen;
using Gatehouse.Core;
using Gatehouse.Gateway.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Gateway.Runtime;

/// <summary>
/// The HTTP API data plane, in order: address (host or path-style) → API → stage → CORS preflight →
/// route → throttle → authorizer → integration → response, with an <c>apigw-requestid</c> on every
/// response and an access log line when the stage asks for one. The steps with most to them have
/// their own files: <see cref="JwtAuthorization"/>, <see cref="LambdaAuthorizer"/>,
/// <see cref="LambdaIntegration"/> and <see cref="HttpProxy"/>. It reads only the current
/// <see cref="GatewaySnapshot"/>, which the control plane replaces after each write.
/// </summary>
internal sealed partial class DataPlane : IDisposable
{
    private readonly IFunctionInvoker? _invoker;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ILogger _accessLog;
    private readonly HttpProxy _proxy;
    private readonly LambdaIntegration _lambda;
    private GatewaySnapshot _snapshot = GatewaySnapshot.Empty;

    /// <param name="invoker">The functions service; null when the server runs without it (Lambda integrations and authorizers then answer 500).</param>
    public DataPlane(IFunctionInvoker? invoker, TimeProvider time, ILoggerFactory loggers, SnapshotCompiler compiler, HttpProxy? proxy = null)
    {
        _invoker = invoker;
        _time = time;
        _lambda = new LambdaIntegration(invoker, time);
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
        if (!TryAddress(http, out var apiId, out var path, out var rawQuery, out var domainName))
            return next(http);
        return HandleAsync(http, apiId, path, rawQuery, domainName);
    }

    /// <summary>
    /// Finds the API a request is for: Host <c>{apiId}.execute-api.*</c>, or the path-style prefix
    /// <c>/_aws/execute-api/{apiId}/…</c>. <paramref name="path"/> is what the API sees and
    /// <paramref name="rawQuery"/> the query string after <c>?</c>, both as sent (percent-encoded).
    /// </summary>
    internal static bool TryAddress(HttpContext http, out string apiId, out string path, out string rawQuery, out string domainName)
    {
        var raw = RawTarget(http);
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        var rawPath = query < 0 ? raw : raw[..query];
        rawQuery = query < 0 ? "" : raw[(query + 1)..];
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
        apiId = path = rawQuery = domainName = "";
        return false;
    }

    /// <summary>The request target as sent (percent-encoding intact); rebuilt when a host does not provide it.</summary>
    private static string RawTarget(HttpContext http)
    {
        var raw = http.Features.Get<IHttpRequestFeature>()?.RawTarget;
        return string.IsNullOrEmpty(raw) ? (http.Request.PathBase + http.Request.Path).ToUriComponent() + http.Request.QueryString : raw;
    }

    internal async Task HandleAsync(HttpContext http, string apiId, string path, string rawQuery, string domainName)
    {
        var requestId = GatewayResponses.NewRequestId();
        http.Response.Headers["apigw-requestid"] = requestId;
        if (!Snapshot.Apis.TryGetValue(apiId, out var api))
        {
            await GatewayResponses.WriteAsync(http, GatewayResponse.NotFound).ConfigureAwait(false);
            return;
        }
        var request = new GatewayRequest
        {
            Http = http,
            RequestId = requestId,
            Time = _time.GetUtcNow(),
            Api = api,
            DomainName = domainName,
            RawPath = path,
            RawQueryString = rawQuery,
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
                if (await JwtAuthorization.AuthorizeAsync(request, route).ConfigureAwait(false) is { } refusal)
                    return refusal;
                break;
            case AuthorizationKind.Lambda:
                var outcome = await LambdaAuthorizer.AuthorizeAsync(request, route.LambdaAuthorizer!, _invoker, _time, http.RequestAborted).ConfigureAwait(false);
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
                return await _lambda.InvokeAsync(request, lambda).ConfigureAwait(false);
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

    public void Dispose() => _proxy.Dispose();

    [LoggerMessage(EventId = 4001, Level = LogLevel.Error, Message = "Unexpected failure serving API {ApiId} (request {RequestId})")]
    private static partial void LogUnexpected(ILogger logger, string apiId, string requestId, Exception exception);

    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "{AccessLogLine}")]
    private static partial void LogAccess(ILogger logger, string accessLogLine);
}
