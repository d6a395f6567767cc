using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Stacks.Resources;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Stacks.Tests.Resources;

/// <summary>AWS::SSM::Parameter made through its provider, read back with the AWS CLI.</summary>
public sealed class SsmProviderTests : IClassFixture<InProcessServer>
{
    private readonly InProcessServer _server;

    public SsmProviderTests(InProcessServer server) => _server = server;

    private IResourceProvider Provider(string type) => _server.Services.GetServices<IResourceProvider>().Single(p => p.Type == type);

    private ResourceRequest Request(string logicalId, JsonObject properties) =>
        new(logicalId, properties, new StackScope("ssmstack", "arn:aws:cloudformation:us-east-1:000000000000:stack/ssmstack/1", _server.Context()));

    [Fact]
    public async Task Parameter_CreateUpdateDelete_SeenByTheCli()
    {
        var provider = Provider("AWS::SSM::Parameter");
        var created = await provider.CreateAsync(Request("Setting", new JsonObject { ["Type"] = "String", ["Value"] = "one" }), CancellationToken.None);

        Assert.StartsWith("CFN-ssmstack-Setting-", created.PhysicalId, StringComparison.Ordinal);
        Assert.Equal("one", created.Attributes["Value"]!.GetValue<string>());
        var got = (await _server.AwsAsync("ssm", "get-parameter", "--name", created.PhysicalId)).EnsureSuccess();
        Assert.Equal("one", got.Json.Str("Parameter.Value"));

        var updated = await provider.UpdateAsync(Request("Setting", new JsonObject { ["Type"] = "String", ["Value"] = "two" }) with { PhysicalId = created.PhysicalId }, CancellationToken.None);
        Assert.Equal(created.PhysicalId, updated.PhysicalId);
        got = (await _server.AwsAsync("ssm", "get-parameter", "--name", created.PhysicalId)).EnsureSuccess();
        Assert.Equal("two", got.Json.Str("Parameter.Value"));

        var request = Request("Setting", new JsonObject()) with { PhysicalId = created.PhysicalId };
        await provider.DeleteAsync(request, CancellationToken.None);
        await provider.DeleteAsync(request, CancellationToken.None);
        Assert.NotEqual(0, (await _server.AwsAsync("ssm", "get-parameter", "--name", created.PhysicalId)).ExitCode);
    }

    [Fact]
    public async Task Parameter_BadType_GivesSsmError()
    {
        var e = await Assert.ThrowsAsync<AwsException>(async () =>
            await Provider("AWS::SSM::Parameter").CreateAsync(Request("Bad", new JsonObject { ["Type"] = "Nonsense", ["Value"] = "x" }), CancellationToken.None));
        Assert.Equal(400, e.StatusCode);
    }
}
