using System.Collections.Immutable;
using Gatehouse.Gateway.Model;
using Gatehouse.Gateway.Tests.Support;

namespace Gatehouse.Gateway.Tests;

/// <summary>HTTP_PROXY target URLs and request parameter mappings, against a real backend.</summary>
public sealed class HttpProxyTests : IAsyncLifetime
{
    private readonly GatewayHarness _gateway = new();
    private TestWebServer _backend = null!;

    public async Task InitializeAsync() => _backend = await TestWebServer.StartAsync();

    private void Proxy(string uri, string routeKey, ImmutableSortedDictionary<string, string>? parameters = null)
    {
        _gateway.Integrations.Add(new Integration
        {
            IntegrationId = "http001",
            IntegrationType = "HTTP_PROXY",
            IntegrationUri = uri,
            IntegrationMethod = "ANY",
            RequestParameters = parameters ?? ImmutableSortedDictionary<string, string>.Empty,
        });
        _gateway.Route(routeKey, "http001");
        _gateway.Deploy();
    }

    [Fact]
    public async Task Proxy_DefaultRoute_AppendsTheRequestPath()
    {
        Proxy(_backend.Issuer + "/backend", "$default");
        var reply = await _gateway.SendAsync("PUT", "/a/b?q=1", "data", "text/plain");
        Assert.Equal(200, reply.Status);
        var echo = JsonText.Parse(reply.Body);
        Assert.Equal("PUT", echo["method"]!.GetValue<string>());
        Assert.Equal("/backend/a/b", echo["path"]!.GetValue<string>());
        Assert.Equal("?q=1", echo["query"]!.GetValue<string>());
        Assert.Equal("data", echo["body"]!.GetValue<string>());
    }

    [Fact]
    public async Task Proxy_BackendHeaders_ComeBackAsSentAndNoTraceHeaderIsAdded()
    {
        Proxy(_backend.Issuer + "/headers", "GET /h");
        // An ambient trace, as the server has while handling a request: it must not leak to the backend.
        using var activity = new System.Diagnostics.Activity("test").Start();

        var reply = await _gateway.GetAsync("/h");

        Assert.Equal(200, reply.Status);
        Assert.Equal("nginx/1.2 (Ubuntu)", reply.Header("Server"));
        Assert.Equal("1.1 proxy1, 1.1 proxy2", reply.Header("Via"));
        Assert.Equal("no-cache, no-store", reply.Header("Cache-Control"));
        Assert.Equal(new[] { "one", "two" }, reply.Headers["X-Twice"].Select(v => v ?? ""));
        Assert.False(reply.Headers.ContainsKey("Date"));
        Assert.Equal("", JsonText.Parse(reply.Body)["traceparent"]!.GetValue<string>());
    }

    [Fact]
    public async Task Proxy_RequestParameters_OverwriteRemoveAndAppend()
    {
        Proxy(_backend.Issuer + "/backend/{id}", "GET /items/{id}", ImmutableSortedDictionary<string, string>.Empty
            .Add("overwrite:header.X-Mapped", "$request.path.id")
            .Add("remove:header.Authorization", "''")
            .Add("append:querystring.source", "gateway"));
        var reply = await _gateway.GetAsync("/items/42?x=1", ("Authorization", "Bearer secret"), ("X-Test", "kept"));
        Assert.Equal(200, reply.Status);
        var echo = JsonText.Parse(reply.Body);
        Assert.Equal("/backend/42", echo["path"]!.GetValue<string>());
        Assert.Equal("42", echo["mapped"]!.GetValue<string>());
        Assert.Equal("", echo["authorization"]!.GetValue<string>());
        Assert.Equal("kept", echo["test"]!.GetValue<string>());
        Assert.Equal("?x=1&source=gateway", echo["query"]!.GetValue<string>());
        Assert.Equal("yes", reply.Header("X-Backend"));
    }

    [Fact]
    public async Task Proxy_UnreachableBackend_Is500()
    {
        Proxy("http://127.0.0.1:1/nothing", "GET /down");
        var reply = await _gateway.GetAsync("/down");
        Assert.Equal(500, reply.Status);
        Assert.Equal("""{"message":"Internal Server Error"}""", reply.Body);
    }

    public async Task DisposeAsync()
    {
        _gateway.Dispose();
        await _backend.DisposeAsync();
    }
}
