using Gatehouse.Testing;

namespace Gatehouse.Stacks.Tests;

/// <summary><c>aws cloudformation deploy</c> with the real CLI against a started server.</summary>
public sealed class DeployCliTests : IClassFixture<InProcessServer>
{
    private const string Template = """
        Parameters:
          Desc: {Type: String, Default: first}
        Resources:
          Role:
            Type: AWS::IAM::Role
            Properties:
              Description: !Ref Desc
              AssumeRolePolicyDocument:
                Version: '2012-10-17'
                Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: 'sts:AssumeRole'}]
        Outputs:
          RoleName: {Value: !Ref Role}
          RoleArn: {Value: !GetAtt Role.Arn}
        """;

    private readonly InProcessServer _server;

    public DeployCliTests(InProcessServer server) => _server = server;

    private async Task<CliResult> DeployAsync(string stack, string body, params string[] extra)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("cfn-").FullName, "t.yaml");
        await File.WriteAllTextAsync(file, body);
        return await _server.AwsAsync(["cloudformation", "deploy", "--template-file", file, "--stack-name", stack, "--capabilities", "CAPABILITY_IAM", .. extra]);
    }

    [Fact]
    public async Task Deploy_Role_OutputsRedeployUpdateDelete()
    {
        (await DeployAsync("s1", Template)).EnsureSuccess();
        var stack = (await _server.AwsAsync("cloudformation", "describe-stacks", "--stack-name", "s1")).EnsureSuccess().Json["Stacks"]![0]!;
        Assert.Equal("CREATE_COMPLETE", stack["StackStatus"]!.GetValue<string>());
        var roleName = stack["Outputs"]!.AsArray().Single(o => o!["OutputKey"]!.GetValue<string>() == "RoleName")!["OutputValue"]!.GetValue<string>();
        var role = (await _server.AwsAsync("iam", "get-role", "--role-name", roleName)).EnsureSuccess().Json["Role"]!;
        Assert.Equal("first", role["Description"]!.GetValue<string>());

        var again = await DeployAsync("s1", Template);
        Assert.True(again.ExitCode == 0, again.StandardOutput + again.StandardError);
        Assert.Contains("No changes to deploy", again.StandardOutput + again.StandardError, StringComparison.Ordinal);

        (await DeployAsync("s1", Template, "--parameter-overrides", "Desc=second")).EnsureSuccess();
        stack = (await _server.AwsAsync("cloudformation", "describe-stacks", "--stack-name", "s1")).EnsureSuccess().Json["Stacks"]![0]!;
        Assert.Equal("UPDATE_COMPLETE", stack["StackStatus"]!.GetValue<string>());
        role = (await _server.AwsAsync("iam", "get-role", "--role-name", roleName)).EnsureSuccess().Json["Role"]!;
        Assert.Equal("second", role["Description"]!.GetValue<string>());

        (await _server.AwsAsync("cloudformation", "delete-stack", "--stack-name", "s1")).EnsureSuccess();
        (await _server.AwsAsync("cloudformation", "wait", "stack-delete-complete", "--stack-name", "s1")).EnsureSuccess();
        Assert.NotEqual(0, (await _server.AwsAsync("iam", "get-role", "--role-name", roleName)).ExitCode);
    }

    [Fact]
    public async Task Deploy_UnknownType_RollsBack()
    {
        var result = await DeployAsync("s2", "Resources:\n  X: {Type: 'AWS::Nope::Thing'}\n");
        Assert.NotEqual(0, result.ExitCode);
        var stack = (await _server.AwsAsync("cloudformation", "describe-stacks", "--stack-name", "s2")).EnsureSuccess().Json["Stacks"]![0]!;
        Assert.Equal("ROLLBACK_COMPLETE", stack["StackStatus"]!.GetValue<string>());
    }

    [Fact]
    public async Task DescribeStacks_Unknown_ValidationError()
    {
        var result = await _server.AwsAsync("cloudformation", "describe-stacks", "--stack-name", "nope");
        Assert.Contains("Stack with id nope does not exist", result.StandardError, StringComparison.Ordinal);
    }
}
