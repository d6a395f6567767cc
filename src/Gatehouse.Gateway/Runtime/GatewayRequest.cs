using Microsoft.AspNetCore.Http;

namespace Gatehouse.Gateway.Runtime;

/// <summary>One request on its way through the data plane: what was resolved so far and what happened.</summary>
internal sealed class GatewayRequest
{
    public required HttpContext Http { get; init; }
    public required string RequestId { get; init; }
    public required DateTimeOffset Time { get; init; }

    /// <summary>When handling began (<see cref="System.Diagnostics.Stopwatch"/> ticks), for latency figures.</summary>
    public long StartTimestamp { get; init; } = System.Diagnostics.Stopwatch.GetTimestamp();
    public required ApiRuntime Api { get; init; }
    public required string DomainName { get; init; }

    /// <summary>The path as the client addressed the API (with a named stage's prefix), percent-encoded.</summary>
    public required string RawPath { get; init; }

    /// <summary>The query string without <c>?</c> ("" when none).</summary>
    public required string RawQueryString { get; init; }

    public StageRuntime? Stage { get; set; }
    public RouteMatch? Match { get; set; }
    public JwtPrincipal? Jwt { get; set; }

    /// <summary>A Lambda authorizer's <c>context</c> object (JSON), when one allowed the request.</summary>
    public byte[]? LambdaContext { get; set; }

    /// <summary>The request body, read whole for Lambda integrations.</summary>
    public ReadOnlyMemory<byte> Body { get; set; }

    // For the access log.
    public string? AuthorizerError { get; set; }
    public string? IntegrationError { get; set; }
    public int? IntegrationStatus { get; set; }
    public long? IntegrationLatencyMs { get; set; }
    public long ResponseLength { get; set; }

    public string SourceIp => Http.Connection.RemoteIpAddress?.ToString() ?? "127.0.0.1";

    public string Protocol => Http.Request.Protocol;

    public string RouteKey => Match?.Route.Key.Text ?? "-";
}
