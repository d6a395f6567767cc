using System.Net;
using Gatehouse.Gateway.Tests.Support;
using Gatehouse.Testing;

namespace Gatehouse.Gateway.Tests;

/// <summary>A server on the embedded store, restarted: every acknowledged write is still there and served.</summary>
public sealed class PersistenceTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "gatehouse-gateway-" + Guid.NewGuid().ToString("N"));
    private TestWebServer _backend = null!;

    public async Task InitializeAsync() => _backend = await TestWebServer.StartAsync();

    private sealed class FileBackedServer(string data) : GatehouseProcess("--data", data);

    [Fact]
    public async Task Restart_AfterWrites_ServesTheSameApi()
    {
        string apiId;
        var server = new FileBackedServer(_data);
        try
        {
            var api = (await server.AwsAsync("apigatewayv2", "create-api", "--name", "kept", "--protocol-type", "HTTP",
                "--target", _backend.Issuer + "/backend", "--route-key", "GET /kept")).EnsureSuccess().Json;
            apiId = api.Str("ApiId");
            (await server.AwsAsync("apigatewayv2", "update-stage", "--api-id", apiId, "--stage-name", "$default",
                "--stage-variables", "color=blue", "--access-log-settings",
                "DestinationArn=arn:aws:logs:us-east-1:000000000000:log-group:access,Format=ACCESS $context.requestId $context.routeKey $context.status")).EnsureSuccess();
            Assert.Equal(0, server.Terminate(TimeSpan.FromSeconds(20)));

            server.Start();
            var stage = (await server.AwsAsync("apigatewayv2", "get-stage", "--api-id", apiId, "--stage-name", "$default")).EnsureSuccess().Json;
            Assert.Equal("blue", stage["StageVariables"]!.Str("color"));

            using var http = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.Endpoint, "/kept"));
            request.Headers.Host = $"{apiId}.execute-api.localhost:{server.Port}";
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var requestId = response.Headers.GetValues("apigw-requestid").Single();

            // The stage's access log format, one line per request.
            var expected = $"ACCESS {requestId} GET /kept 200";
            for (var i = 0; i < 50 && !server.Output.Contains(expected, StringComparison.Ordinal); i++)
                await Task.Delay(100);
            Assert.Contains(expected, server.Output, StringComparison.Ordinal);
        }
        finally
        {
            server.Dispose();
        }
    }

    public async Task DisposeAsync()
    {
        await _backend.DisposeAsync();
        if (Directory.Exists(_data))
            Directory.Delete(_data, recursive: true);
    }
}
