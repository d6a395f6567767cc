using Gatehouse.Core;

namespace Gatehouse.Gateway.Tests;

public sealed class GatewayEndpointsTests
{
    [Theory]
    [InlineData(null, 4566, "http://abc123defg.execute-api.localhost:4566")]
    [InlineData("http://127.0.0.1:8080", 4566, "http://abc123defg.execute-api.localhost:8080")]
    [InlineData("https://gatehouse.example.com", 4566, "https://abc123defg.execute-api.gatehouse.example.com")]
    [InlineData("http://gatehouse.internal:9000/", 4566, "http://abc123defg.execute-api.gatehouse.internal:9000")]
    public void ApiEndpoint_FromOptions_UsesLocalhostUnlessADnsNameIsPublic(string? publicUrl, int port, string expected)
    {
        var options = new GatehouseOptions { PublicUrl = publicUrl, Port = port };
        Assert.Equal(expected, GatewayEndpoints.ApiEndpoint(options, "abc123defg"));
    }

    [Theory]
    [InlineData("abc123defg.execute-api.localhost", "abc123defg")]
    [InlineData("ABC123DEFG.execute-api.us-east-1.amazonaws.com", "abc123defg")]
    [InlineData("localhost", null)]
    [InlineData(".execute-api.localhost", null)]
    [InlineData("a-b.execute-api.localhost", null)]
    public void TryGetApiIdFromHost_Hosts_FindTheApiId(string host, string? expected)
    {
        var found = GatewayEndpoints.TryGetApiIdFromHost(host, out var apiId);
        Assert.Equal(expected is not null, found);
        if (expected is not null)
            Assert.Equal(expected, apiId);
    }
}
