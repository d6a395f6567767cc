using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Gateway.Tests.Support;

/// <summary>
/// A tiny Kestrel server on 127.0.0.1 (port 0) standing in for the far ends of the gateway: an
/// OpenID Connect issuer (discovery document and JWKS) and an HTTP backend for HTTP_PROXY.
/// </summary>
internal sealed class TestWebServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _discoveryFetches;
    private int _jwksFetches;

    private TestWebServer(WebApplication app) => _app = app;

    public Uri Address { get; private set; } = null!;

    /// <summary>The issuer URL (this server's root, without a trailing slash).</summary>
    public string Issuer => Address.ToString().TrimEnd('/');

    public List<TestIssuer> Keys { get; } = [];

    public int DiscoveryFetches => _discoveryFetches;

    public int JwksFetches => _jwksFetches;

    public static async Task<TestWebServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new TestWebServer(app);
        server.Map(app);
        await app.StartAsync();
        server.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return server;
    }

    private void Map(WebApplication app)
    {
        app.MapGet("/.well-known/openid-configuration", () =>
        {
            Interlocked.Increment(ref _discoveryFetches);
            return Results.Json(new { issuer = Issuer, jwks_uri = Issuer + "/keys/jwks.json" });
        });
        app.MapGet("/keys/jwks.json", () =>
        {
            Interlocked.Increment(ref _jwksFetches);
            List<TestIssuer> keys;
            lock (Keys)
                keys = [.. Keys];
            return Results.Text(new JsonObject { ["keys"] = new JsonArray([.. keys.Select(k => (JsonNode)k.Jwk())]) }.ToJsonString(), "application/json");
        });
        // The HTTP backend: echoes what arrived, so tests can see what the gateway forwarded.
        app.Map("/backend/{**rest}", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync();
            http.Response.Headers["X-Backend"] = "yes";
            http.Response.Headers["Access-Control-Allow-Origin"] = "https://not-from-the-backend.example";
            return Results.Json(new
            {
                method = http.Request.Method,
                path = http.Request.Path.Value,
                query = http.Request.QueryString.Value,
                test = http.Request.Headers["X-Test"].ToString(),
                mapped = http.Request.Headers["X-Mapped"].ToString(),
                authorization = http.Request.Headers.Authorization.ToString(),
                body,
            });
        });
        // A backend whose response headers HttpClient would parse and re-render differently.
        app.MapGet("/headers", (HttpContext http) =>
        {
            http.Response.Headers["Server"] = "nginx/1.2 (Ubuntu)";
            http.Response.Headers["Via"] = "1.1 proxy1, 1.1 proxy2";
            http.Response.Headers["Cache-Control"] = "no-cache, no-store";
            http.Response.Headers["Date"] = "Tue, 01 Jan 2030 00:00:00 GMT";
            http.Response.Headers.Append("X-Twice", "one");
            http.Response.Headers.Append("X-Twice", "two");
            return Results.Json(new { traceparent = http.Request.Headers["traceparent"].ToString() });
        });
        app.MapGet("/slow", async (HttpContext http) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), http.RequestAborted);
            return "late";
        });
        app.MapGet("/stream", async (HttpContext http) =>
        {
            http.Response.ContentType = "text/plain";
            for (var i = 0; i < 50; i++)
            {
                await http.Response.WriteAsync(new string((char)('a' + i % 26), 1000), http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
