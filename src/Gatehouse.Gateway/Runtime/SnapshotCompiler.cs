using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Text.RegularExpressions;
using Gatehouse.Gateway.Model;

namespace Gatehouse.Gateway.Runtime;

/// <summary>
/// Compiles an API's state into its runtime form: for each stage with a deployment, the route
/// table of that deployment with authorizers, integrations (stage variables substituted) and
/// throttles resolved. JWT validators and Lambda authorizer caches outlive snapshots, so a
/// redeployment does not forget verified tokens.
/// </summary>
internal sealed partial class SnapshotCompiler
{
    private readonly SigningKeyResolver _keys;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, JwtValidator> _validators = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LambdaAuthorizerCache> _authorizerCaches = new(StringComparer.Ordinal);

    public SnapshotCompiler(SigningKeyResolver keys, TimeProvider time)
    {
        _keys = keys;
        _time = time;
    }

    public void ResetAuthorizerCaches(string apiId, string stageName)
    {
        var prefix = apiId + "/" + stageName + "/";
        foreach (var (key, cache) in _authorizerCaches)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
                cache.Clear();
        }
    }

    public ApiRuntime Compile(ApiState state)
    {
        var api = state.Api;
        StageRuntime? defaultStage = null;
        var stages = new Dictionary<string, StageRuntime>(StringComparer.Ordinal);
        var runtime = new ApiRuntime
        {
            ApiId = api.ApiId,
            Account = api.Account,
            Region = api.Region,
            Cors = api.CorsConfiguration is { } cors ? new CorsPolicy(cors) : null,
            Disabled = api.DisableExecuteApiEndpoint,
        };
        foreach (var stage in state.Stages.Values)
        {
            // A stage serves its deployment; a stage never deployed answers nothing.
            if (stage.DeploymentId is null || !state.Deployments.TryGetValue(stage.DeploymentId, out var deployment))
                continue;
            var compiled = CompileStage(runtime, stage, deployment.Configuration);
            if (stage.StageName == RouteKey.Default)
                defaultStage = compiled;
            else
                stages[stage.StageName] = compiled;
        }
        // Set once here, before the snapshot that holds this API is published.
        runtime.Stages = stages.ToFrozenDictionary(StringComparer.Ordinal);
        runtime.DefaultStage = defaultStage;
        return runtime;
    }

    private StageRuntime CompileStage(ApiRuntime api, Stage stage, DeployedConfiguration configuration)
    {
        var integrations = configuration.Integrations.ToDictionary(i => i.IntegrationId, i => CompileIntegration(i, stage), StringComparer.Ordinal);
        var authorizers = configuration.Authorizers.ToDictionary(a => a.AuthorizerId, StringComparer.Ordinal);
        var routes = new List<RouteRuntime>();
        foreach (var route in configuration.Routes)
        {
            var key = RouteKey.TryParse(route.RouteKey);
            if (key is null)
                continue;
            var runtime = new RouteRuntime
            {
                Key = key,
                VariableCount = key.Segments.Count(s => s.IsVariable),
                Scopes = [.. route.AuthorizationScopes],
                Integration = route.Target is { } target && target.StartsWith("integrations/", StringComparison.Ordinal)
                    ? integrations.GetValueOrDefault(target["integrations/".Length..])
                    : null,
                Throttle = TokenBucket.From(stage.RouteSettings.GetValueOrDefault(route.RouteKey), _time),
                Authorization = AuthorizationKind.None,
            };
            var authorizer = route.AuthorizerId is { } id ? authorizers.GetValueOrDefault(id) : null;
            runtime = route.AuthorizationType switch
            {
                "JWT" when authorizer is { AuthorizerType: "JWT", JwtIssuer: { } issuer } && IdentitySource.TryParse(authorizer.IdentitySource.FirstOrDefault() ?? "") is { } source =>
                    With(runtime, AuthorizationKind.Jwt, jwt: new JwtAuthorizerRuntime
                    {
                        AuthorizerId = authorizer.AuthorizerId,
                        Source = source,
                        Validator = _validators.GetOrAdd(issuer + "\n" + string.Join('\n', authorizer.JwtAudience),
                            _ => new JwtValidator(issuer, authorizer.JwtAudience, _keys, _time)),
                    }),
                "CUSTOM" when authorizer is { AuthorizerType: "REQUEST", AuthorizerUri: { } uri } && LambdaTarget.TryParse(Substitute(uri, stage)) is { } function =>
                    With(runtime, AuthorizationKind.Lambda, lambda: new LambdaAuthorizerRuntime
                    {
                        AuthorizerId = authorizer.AuthorizerId,
                        Function = function,
                        Sources = [.. authorizer.IdentitySource.Select(IdentitySource.TryParse).OfType<IdentitySource>()],
                        PayloadFormatVersion = authorizer.AuthorizerPayloadFormatVersion ?? "2.0",
                        SimpleResponses = authorizer.EnableSimpleResponses == true,
                        TtlSeconds = authorizer.AuthorizerResultTtlInSeconds ?? 0,
                        Cache = _authorizerCaches.GetOrAdd($"{api.ApiId}/{stage.StageName}/{authorizer.AuthorizerId}", _ => new LambdaAuthorizerCache()),
                    }),
                "NONE" => runtime,
                // IAM authorization, or an authorizer that no longer fits: refuse rather than let requests through.
                _ => With(runtime, AuthorizationKind.Unsupported),
            };
            routes.Add(runtime);
        }
        return new StageRuntime
        {
            Name = stage.StageName,
            Api = api,
            Routes = new RouteTable(routes),
            Variables = stage.StageVariables.ToFrozenDictionary(StringComparer.Ordinal),
            Throttle = TokenBucket.From(stage.DefaultRouteSettings, _time),
            AccessLog = stage.AccessLogSettings is { Format: { Length: > 0 } format } log ? new AccessLogFormat(format, log.DestinationArn) : null,
        };
    }

    private static RouteRuntime With(RouteRuntime route, AuthorizationKind kind, JwtAuthorizerRuntime? jwt = null, LambdaAuthorizerRuntime? lambda = null) => new()
    {
        Key = route.Key,
        VariableCount = route.VariableCount,
        Scopes = route.Scopes,
        Integration = route.Integration,
        Throttle = route.Throttle,
        Authorization = kind,
        Jwt = jwt,
        LambdaAuthorizer = lambda,
    };

    private static IntegrationRuntime CompileIntegration(Integration integration, Stage stage)
    {
        var rules = integration.RequestParameters
            .Select(p => RequestParameterMapping.TryParseTarget(p.Key) is { } target ? new RequestParameterRule(target, p.Value) : null)
            .OfType<RequestParameterRule>().ToArray();
        var timeout = TimeSpan.FromMilliseconds(integration.TimeoutInMillis);
        var uri = Substitute(integration.IntegrationUri ?? "", stage);
        if (integration.IntegrationType == "HTTP_PROXY")
        {
            return new HttpIntegrationRuntime
            {
                IntegrationId = integration.IntegrationId,
                Timeout = timeout,
                RequestParameters = rules,
                Uri = uri,
                Method = integration.IntegrationMethod is null or "ANY" ? null : integration.IntegrationMethod,
            };
        }
        return new LambdaIntegrationRuntime
        {
            IntegrationId = integration.IntegrationId,
            Timeout = timeout,
            RequestParameters = rules,
            Function = LambdaTarget.TryParse(uri),
            PayloadV2 = integration.PayloadFormatVersion == "2.0",
        };
    }

    /// <summary>Replaces <c>${stageVariables.name}</c> with the stage's values (unknown names become empty).</summary>
    internal static string Substitute(string text, Stage stage) =>
        text.Contains("${stageVariables.", StringComparison.Ordinal)
            ? StageVariable().Replace(text, m => stage.StageVariables.GetValueOrDefault(m.Groups[1].Value) ?? "")
            : text;

    [GeneratedRegex(@"\$\{stageVariables\.([A-Za-z0-9_]+)\}")]
    private static partial Regex StageVariable();
}
