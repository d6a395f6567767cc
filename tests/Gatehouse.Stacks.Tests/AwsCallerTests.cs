using System.Text.Json.Nodes;
using Gatehouse.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Stacks.Tests;

/// <summary>The in-process caller the resource providers use: same handlers, same validation as the wire.</summary>
public sealed class AwsCallerTests : IClassFixture<InProcessServer>
{
    private readonly InProcessServer _server;

    public AwsCallerTests(InProcessServer server) => _server = server;

    [Fact]
    public async Task Call_PutParameter_VisibleToTheCli()
    {
        var caller = _server.Services.GetRequiredService<IAwsCaller>();

        var output = await caller.CallAsync("ssm", "PutParameter", new JsonObject { ["Name"] = "/caller/one", ["Value"] = "v1", ["Type"] = "String" }, _server.Context(), CancellationToken.None);

        Assert.Equal(1, output["Version"]!.GetValue<long>());
        var read = (await _server.AwsAsync("ssm", "get-parameter", "--name", "/caller/one")).EnsureSuccess();
        Assert.Equal("v1", read.Json.Str("Parameter.Value"));
    }

    [Fact]
    public async Task Call_InputBreaksTheModel_ServiceValidationError()
    {
        var caller = _server.Services.GetRequiredService<IAwsCaller>();

        var error = await Assert.ThrowsAsync<AwsException>(async () =>
            await caller.CallAsync("lambda", "CreateFunction", new JsonObject { ["FunctionName"] = "f", ["Role"] = "r", ["Code"] = new JsonObject(), ["MemorySize"] = 1 }, _server.Context(), CancellationToken.None));

        Assert.Equal("ValidationException", error.Code);
        Assert.Contains("memorySize", error.Message, StringComparison.Ordinal);
    }
}
