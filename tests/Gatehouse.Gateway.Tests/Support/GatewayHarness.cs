using System.Collections.Immutable;
using System.Net;
using System.Text;
using Gatehouse.Core;
using Gatehouse.Gateway.Model;
using Gatehouse.Gateway.Runtime;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Gateway.Tests.Support;

/// <summary>What a client received from the data plane.</summary>
internal sealed record GatewayReply(int Status, IHeaderDictionary Headers, string Body)
{
    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value.ToString() : "";
}

/// <summary>
/// The data plane alone, fed an API built in code, answering in-memory HTTP contexts. The function
/// runner and the local issuers are fakes; everything between them is the real pipeline.
/// </summary>
internal sealed class GatewayHarness : IDisposable
{
    public const string ApiId = "a1b2c3d4e5";
    public const string Account = "123456789012";
    public const string Region = "us-east-1";
    public const string FunctionArn = "arn:aws:lambda:us-east-1:123456789012:function:hello";

    public GatewayHarness(DateTimeOffset? now = null)
    {
        Time = new ManualTime(now ?? new DateTimeOffset(2024, 11, 26, 3, 23, 0, 123, TimeSpan.Zero));
        Keys = new SigningKeyResolver(Issuers, Time, NullLogger.Instance);
        DataPlane = new DataPlane(Functions, Time, NullLoggerFactory.Instance, new SnapshotCompiler(Keys, Time));
    }

    public ManualTime Time { get; }

    /// <summary>The Host requests carry; host-style addressing by default.</summary>
    public HostString Host { get; set; } = new($"{ApiId}.execute-api.localhost", 4566);
    public FakeFunctionInvoker Functions { get; } = new();
    public FakeIssuerDirectory Issuers { get; } = new();
    public SigningKeyResolver Keys { get; }
    public DataPlane DataPlane { get; }

    public List<Route> Routes { get; } = [];
    public List<Integration> Integrations { get; } = [];
    public List<Authorizer> Authorizers { get; } = [];
    public CorsConfiguration? Cors { get; set; }
    public Stage DefaultStage { get; set; } = new() { StageName = "$default", AutoDeploy = true };
    public List<Stage> NamedStages { get; } = [];

    public Integration Lambda(string id = "int0001", string payloadFormatVersion = "2.0", string uri = FunctionArn, int timeoutInMillis = 30000)
    {
        var integration = new Integration { IntegrationId = id, IntegrationType = "AWS_PROXY", IntegrationUri = uri, PayloadFormatVersion = payloadFormatVersion, TimeoutInMillis = timeoutInMillis };
        Integrations.Add(integration);
        return integration;
    }

    public Authorizer Jwt(string issuer, params string[] audience)
    {
        var authorizer = new Authorizer
        {
            AuthorizerId = "auth01",
            Name = "jwt",
            AuthorizerType = "JWT",
            IdentitySource = ["$request.header.Authorization"],
            JwtIssuer = issuer,
            JwtAudience = [.. audience],
        };
        Authorizers.Add(authorizer);
        return authorizer;
    }

    public Route Route(string routeKey, string? integrationId = "int0001", string authorization = "NONE", string? authorizerId = null, params string[] scopes)
    {
        var route = new Route
        {
            RouteId = "r" + Routes.Count.ToString("000000", System.Globalization.CultureInfo.InvariantCulture),
            RouteKey = routeKey,
            Target = integrationId is null ? null : "integrations/" + integrationId,
            AuthorizationType = authorization,
            AuthorizerId = authorizerId,
            AuthorizationScopes = [.. scopes],
        };
        Routes.Add(route);
        return route;
    }

    /// <summary>Deploys the API as configured so far (each stage gets the current configuration).</summary>
    public void Deploy() => DataPlane.Load([BuildState()]);

    public ApiState BuildState()
    {
        var deployment = new Deployment
        {
            DeploymentId = "dep001",
            Configuration = new DeployedConfiguration { Routes = [.. Routes], Integrations = [.. Integrations], Authorizers = [.. Authorizers] },
        };
        var stages = new[] { DefaultStage }.Concat(NamedStages).Select(s => s with { DeploymentId = "dep001" });
        return new ApiState
        {
            Api = new Api { ApiId = ApiId, Account = Account, Region = Region, Name = "test", CorsConfiguration = Cors },
            Deployments = ImmutableSortedDictionary<string, Deployment>.Empty.Add(deployment.DeploymentId, deployment),
            Stages = stages.ToImmutableSortedDictionary(s => s.StageName, s => s, StringComparer.Ordinal),
        };
    }

    public async Task<GatewayReply> SendAsync(string method, string target, string? body = null, string? contentType = null, params (string Name, string Value)[] headers)
    {
        var http = new DefaultHttpContext();
        var queryIndex = target.IndexOf('?', StringComparison.Ordinal);
        http.Request.Method = method;
        http.Request.Scheme = "http";
        http.Request.Protocol = "HTTP/1.1";
        http.Request.Host = Host;
        http.Request.Path = PathString.FromUriComponent(queryIndex < 0 ? target : target[..queryIndex]);
        http.Request.QueryString = queryIndex < 0 ? QueryString.Empty : new QueryString(target[queryIndex..]);
        http.Features.Get<IHttpRequestFeature>()!.RawTarget = target;
        http.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7");
        http.Connection.LocalPort = 4566;
        foreach (var (name, value) in headers)
            http.Request.Headers.Append(name, value);
        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            http.Request.Body = new MemoryStream(bytes);
            http.Request.ContentLength = bytes.Length;
            if (contentType is not null)
                http.Request.ContentType = contentType;
        }
        var responseBody = new MemoryStream();
        http.Response.Body = responseBody;
        await DataPlane.InvokeAsync(http, _ => throw new InvalidOperationException("The request left the gateway.")).ConfigureAwait(false);
        return new GatewayReply(http.Response.StatusCode, http.Response.Headers, Encoding.UTF8.GetString(responseBody.ToArray()));
    }

    public Task<GatewayReply> GetAsync(string target, params (string Name, string Value)[] headers) => SendAsync("GET", target, null, null, headers);

    public void Dispose()
    {
        DataPlane.Dispose();
        Keys.Dispose();
    }
}
