using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Stacks.Resources;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Stacks.Tests.Resources;

/// <summary>AWS::IAM::Role and ::Policy made through their providers, read back with the AWS CLI.</summary>
public sealed class IamProviderTests : IClassFixture<InProcessServer>
{
    private const string Trust = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";
    private readonly InProcessServer _server;

    public IamProviderTests(InProcessServer server) => _server = server;

    private IResourceProvider Provider(string type) => _server.Services.GetServices<IResourceProvider>().Single(p => p.Type == type);

    private ResourceRequest Request(string logicalId, JsonObject properties) =>
        new(logicalId, properties, new StackScope("iamstack", "arn:aws:cloudformation:us-east-1:000000000000:stack/iamstack/1", _server.Context()));

    [Fact]
    public async Task Role_CreateUpdateDelete_SeenByTheCli()
    {
        var provider = Provider("AWS::IAM::Role");
        var properties = new JsonObject
        {
            ["AssumeRolePolicyDocument"] = JsonNode.Parse(Trust),
            ["Policies"] = new JsonArray(new JsonObject { ["PolicyName"] = "inline", ["PolicyDocument"] = JsonNode.Parse("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"}]}""") }),
        };

        var created = await provider.CreateAsync(Request("FnRole", properties), CancellationToken.None);

        Assert.StartsWith("iamstack-FnRole-", created.PhysicalId, StringComparison.Ordinal);
        var role = (await _server.AwsAsync("iam", "get-role", "--role-name", created.PhysicalId)).EnsureSuccess();
        Assert.Equal(created.Attributes["Arn"]!.GetValue<string>(), role.Json.Str("Role.Arn"));
        var inline = (await _server.AwsAsync("iam", "list-role-policies", "--role-name", created.PhysicalId)).EnsureSuccess();
        Assert.Contains("inline", inline.StandardOutput, StringComparison.Ordinal);

        var updated = (JsonObject)properties.DeepClone();
        updated.Remove("Policies");
        updated["Description"] = "now described";
        await provider.UpdateAsync(Request("FnRole", updated) with { PhysicalId = created.PhysicalId, PreviousProperties = properties }, CancellationToken.None);
        role = (await _server.AwsAsync("iam", "get-role", "--role-name", created.PhysicalId)).EnsureSuccess();
        Assert.Equal("now described", role.Json.Str("Role.Description"));
        inline = (await _server.AwsAsync("iam", "list-role-policies", "--role-name", created.PhysicalId)).EnsureSuccess();
        Assert.DoesNotContain("inline", inline.StandardOutput, StringComparison.Ordinal);

        await provider.DeleteAsync(Request("FnRole", updated) with { PhysicalId = created.PhysicalId }, CancellationToken.None);
        Assert.NotEqual(0, (await _server.AwsAsync("iam", "get-role", "--role-name", created.PhysicalId)).ExitCode);
        await provider.DeleteAsync(Request("FnRole", updated) with { PhysicalId = created.PhysicalId }, CancellationToken.None);
    }

    [Fact]
    public async Task Role_BadTrustPolicy_IamError()
    {
        var error = await Assert.ThrowsAsync<AwsException>(async () =>
            await Provider("AWS::IAM::Role").CreateAsync(Request("Bad", new JsonObject { ["AssumeRolePolicyDocument"] = "not json" }), CancellationToken.None));

        Assert.Equal("MalformedPolicyDocumentException", error.Code);
    }

    [Fact]
    public async Task Policy_OnARole_PutThenRemoved()
    {
        (await _server.AwsAsync("iam", "create-role", "--role-name", "policy-target", "--assume-role-policy-document", Trust)).EnsureSuccess();
        var provider = Provider("AWS::IAM::Policy");
        var properties = new JsonObject
        {
            ["PolicyName"] = "from-stack",
            ["PolicyDocument"] = JsonNode.Parse("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"""),
            ["Roles"] = new JsonArray("policy-target"),
        };

        var created = await provider.CreateAsync(Request("ReadObjects", properties), CancellationToken.None);

        var policy = (await _server.AwsAsync("iam", "get-role-policy", "--role-name", "policy-target", "--policy-name", "from-stack")).EnsureSuccess();
        Assert.Equal("s3:GetObject", policy.Json["PolicyDocument"]!["Statement"]![0]!["Action"]!.GetValue<string>());
        await provider.DeleteAsync(Request("ReadObjects", properties) with { PhysicalId = created.PhysicalId }, CancellationToken.None);
        var left = (await _server.AwsAsync("iam", "list-role-policies", "--role-name", "policy-target")).EnsureSuccess();
        Assert.Empty(left.Json["PolicyNames"]!.AsArray());
    }
}
