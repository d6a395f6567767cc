using System.Collections.Immutable;

namespace Gatehouse.Gateway.Model;

// The HTTP API resources as the control plane keeps them: immutable values, replaced whole on
// every write so readers (and the data plane snapshot) never see a half-applied change.

internal sealed record Api
{
    public required string ApiId { get; init; }
    public required string Account { get; init; }
    public required string Region { get; init; }
    public required string Name { get; init; }
    public string ProtocolType { get; init; } = "HTTP";
    public string? Description { get; init; }
    public string? Version { get; init; }
    public string RouteSelectionExpression { get; init; } = "$request.method $request.path";
    public string ApiKeySelectionExpression { get; init; } = "$request.header.x-api-key";
    public CorsConfiguration? CorsConfiguration { get; init; }
    public bool DisableExecuteApiEndpoint { get; init; }
    public bool DisableSchemaValidation { get; init; }
    public string? IpAddressType { get; init; }
    public DateTimeOffset CreatedDate { get; init; }
    public ImmutableSortedDictionary<string, string> Tags { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
}

internal sealed record CorsConfiguration
{
    public ImmutableArray<string> AllowOrigins { get; init; } = [];
    public ImmutableArray<string> AllowMethods { get; init; } = [];
    public ImmutableArray<string> AllowHeaders { get; init; } = [];
    public ImmutableArray<string> ExposeHeaders { get; init; } = [];
    public int? MaxAge { get; init; }
    public bool? AllowCredentials { get; init; }
}

internal sealed record Route
{
    public required string RouteId { get; init; }
    public required string RouteKey { get; init; }
    public string? Target { get; init; }
    public string AuthorizationType { get; init; } = "NONE";
    public string? AuthorizerId { get; init; }
    public ImmutableArray<string> AuthorizationScopes { get; init; } = [];
    public bool ApiKeyRequired { get; init; }
    public string? OperationName { get; init; }
    public bool ApiGatewayManaged { get; init; }
    public ImmutableSortedDictionary<string, bool> RequestParameters { get; init; } = ImmutableSortedDictionary<string, bool>.Empty;
}

internal sealed record Integration
{
    public required string IntegrationId { get; init; }
    public required string IntegrationType { get; init; }
    public string? IntegrationUri { get; init; }
    public string? IntegrationMethod { get; init; }
    public string PayloadFormatVersion { get; init; } = "1.0";
    public int TimeoutInMillis { get; init; } = 30000;
    public string ConnectionType { get; init; } = "INTERNET";
    public string? ConnectionId { get; init; }
    public string? CredentialsArn { get; init; }
    public string? Description { get; init; }
    public string? IntegrationSubtype { get; init; }
    public string? TlsServerNameToVerify { get; init; }
    public bool ApiGatewayManaged { get; init; }
    public ImmutableSortedDictionary<string, string> RequestParameters { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
    public ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, string>> ResponseParameters { get; init; } =
        ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, string>>.Empty;
}

internal sealed record Authorizer
{
    public required string AuthorizerId { get; init; }
    public required string Name { get; init; }
    public required string AuthorizerType { get; init; }
    public ImmutableArray<string> IdentitySource { get; init; } = [];
    public string? JwtIssuer { get; init; }
    public ImmutableArray<string> JwtAudience { get; init; } = [];
    public string? AuthorizerUri { get; init; }
    public string? AuthorizerPayloadFormatVersion { get; init; }
    public int? AuthorizerResultTtlInSeconds { get; init; }
    public bool? EnableSimpleResponses { get; init; }
    public string? AuthorizerCredentialsArn { get; init; }
    public string? IdentityValidationExpression { get; init; }
}

internal sealed record RouteSettings
{
    public bool? DataTraceEnabled { get; init; }
    public bool? DetailedMetricsEnabled { get; init; }
    public string? LoggingLevel { get; init; }
    public int? ThrottlingBurstLimit { get; init; }
    public double? ThrottlingRateLimit { get; init; }
}

internal sealed record AccessLogSettings
{
    public string? DestinationArn { get; init; }
    public string? Format { get; init; }
}

internal sealed record Stage
{
    public required string StageName { get; init; }
    public bool AutoDeploy { get; init; }
    public string? DeploymentId { get; init; }
    public string? Description { get; init; }
    public string? ClientCertificateId { get; init; }
    public bool ApiGatewayManaged { get; init; }
    public string? LastDeploymentStatusMessage { get; init; }
    public RouteSettings DefaultRouteSettings { get; init; } = new() { DetailedMetricsEnabled = false };
    public ImmutableSortedDictionary<string, RouteSettings> RouteSettings { get; init; } = ImmutableSortedDictionary<string, RouteSettings>.Empty;
    public ImmutableSortedDictionary<string, string> StageVariables { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
    public AccessLogSettings? AccessLogSettings { get; init; }
    public DateTimeOffset CreatedDate { get; init; }
    public DateTimeOffset LastUpdatedDate { get; init; }
    public ImmutableSortedDictionary<string, string> Tags { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
}

/// <summary>What a deployment froze: the routes, integrations and authorizers a stage serves.</summary>
internal sealed record DeployedConfiguration
{
    public ImmutableArray<Route> Routes { get; init; } = [];
    public ImmutableArray<Integration> Integrations { get; init; } = [];
    public ImmutableArray<Authorizer> Authorizers { get; init; } = [];
}

internal sealed record Deployment
{
    public required string DeploymentId { get; init; }
    public string? Description { get; init; }
    public bool AutoDeployed { get; init; }
    public string DeploymentStatus { get; init; } = "DEPLOYED";
    public DateTimeOffset CreatedDate { get; init; }
    public required DeployedConfiguration Configuration { get; init; }
}

/// <summary>One API with everything under it; the unit the control plane replaces on a write.</summary>
internal sealed record ApiState
{
    public required Api Api { get; init; }
    public ImmutableSortedDictionary<string, Route> Routes { get; init; } = ImmutableSortedDictionary<string, Route>.Empty;
    public ImmutableSortedDictionary<string, Integration> Integrations { get; init; } = ImmutableSortedDictionary<string, Integration>.Empty;
    public ImmutableSortedDictionary<string, Authorizer> Authorizers { get; init; } = ImmutableSortedDictionary<string, Authorizer>.Empty;
    public ImmutableSortedDictionary<string, Stage> Stages { get; init; } = ImmutableSortedDictionary<string, Stage>.Empty;
    public ImmutableSortedDictionary<string, Deployment> Deployments { get; init; } = ImmutableSortedDictionary<string, Deployment>.Empty;

    public DeployedConfiguration CurrentConfiguration() => new()
    {
        Routes = [.. Routes.Values],
        Integrations = [.. Integrations.Values],
        Authorizers = [.. Authorizers.Values],
    };
}
