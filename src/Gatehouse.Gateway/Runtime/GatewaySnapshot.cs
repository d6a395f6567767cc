using System.Collections.Frozen;
using Gatehouse.Gateway.Model;

namespace Gatehouse.Gateway.Runtime;

/// <summary>
/// Everything the data plane needs, compiled from the control plane's state and replaced whole
/// (one reference swap) after every control-plane write: requests never read the store and never
/// see half a change.
/// </summary>
internal sealed class GatewaySnapshot
{
    public static readonly GatewaySnapshot Empty = new(FrozenDictionary<string, ApiRuntime>.Empty);

    public GatewaySnapshot(FrozenDictionary<string, ApiRuntime> apis) => Apis = apis;

    public FrozenDictionary<string, ApiRuntime> Apis { get; }
}

internal sealed class ApiRuntime
{
    public required string ApiId { get; init; }
    public required string Account { get; init; }
    public required string Region { get; init; }
    public CorsPolicy? Cors { get; init; }
    public bool Disabled { get; init; }

    /// <summary>Named stages, addressed by the first path segment.</summary>
    public FrozenDictionary<string, StageRuntime> Stages { get; set; } = FrozenDictionary<string, StageRuntime>.Empty;

    public StageRuntime? DefaultStage { get; set; }
}

internal sealed class StageRuntime
{
    public required string Name { get; init; }
    public required ApiRuntime Api { get; init; }
    public required RouteTable Routes { get; init; }
    public required IReadOnlyDictionary<string, string> Variables { get; init; }
    public TokenBucket? Throttle { get; init; }
    public AccessLogFormat? AccessLog { get; init; }

    /// <summary>The prefix named stages carry in the path (<c>/dev</c>); empty for <c>$default</c>.</summary>
    public string PathPrefix => Name == RouteKey.Default ? "" : "/" + Name;
}

internal enum AuthorizationKind
{
    None,
    Jwt,
    Lambda,
    /// <summary>A route whose authorizer cannot work (e.g. IAM): every request is refused.</summary>
    Unsupported,
}

internal sealed class RouteRuntime
{
    public required RouteKey Key { get; init; }
    public required int VariableCount { get; init; }
    public AuthorizationKind Authorization { get; init; }
    public JwtAuthorizerRuntime? Jwt { get; init; }
    public LambdaAuthorizerRuntime? LambdaAuthorizer { get; init; }
    public string[] Scopes { get; init; } = [];
    public IntegrationRuntime? Integration { get; init; }
    public TokenBucket? Throttle { get; init; }
}

internal sealed class JwtAuthorizerRuntime
{
    public required string AuthorizerId { get; init; }
    public required IdentitySource Source { get; init; }
    public required JwtValidator Validator { get; init; }
}

internal sealed class LambdaAuthorizerRuntime
{
    public required string AuthorizerId { get; init; }
    public required LambdaTarget Function { get; init; }
    public required IdentitySource[] Sources { get; init; }
    public required string PayloadFormatVersion { get; init; }
    public required bool SimpleResponses { get; init; }
    public required int TtlSeconds { get; init; }
    public required LambdaAuthorizerCache Cache { get; init; }
}

internal abstract class IntegrationRuntime
{
    public required string IntegrationId { get; init; }
    public required TimeSpan Timeout { get; init; }
    public required RequestParameterRule[] RequestParameters { get; init; }
}

internal sealed class LambdaIntegrationRuntime : IntegrationRuntime
{
    /// <summary>Null when the URI's stage variables did not resolve to a function ARN.</summary>
    public required LambdaTarget? Function { get; init; }
    public required bool PayloadV2 { get; init; }
}

internal sealed class HttpIntegrationRuntime : IntegrationRuntime
{
    /// <summary>The URL with stage variables already substituted; <c>{name}</c> path variables remain.</summary>
    public required string Uri { get; init; }

    /// <summary>The method to send, or null to pass the request's own (<c>ANY</c>).</summary>
    public string? Method { get; init; }
}

/// <summary>One integration request parameter mapping: where, how, and the value expression.</summary>
internal sealed record RequestParameterRule(RequestParameterMapping Target, string ValueExpression);
