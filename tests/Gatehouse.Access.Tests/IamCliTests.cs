using System.Text.Json.Nodes;

namespace Gatehouse.Access.Tests;

/// <summary>IAM driven by the AWS CLI v2: roles, their policies, and the errors as the CLI shows them.</summary>
public sealed class IamCliTests : IClassFixture<AccountServer>
{
    private const string Trust = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";
    private const string Policy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}]}""";
    private readonly AccountServer _server;

    public IamCliTests(AccountServer server) => _server = server;

    [Fact]
    public async Task RoleLifecycle_CreateReadPoliciesDelete_AsAwsAnswers()
    {
        var created = (await _server.AwsAsync("iam", "create-role", "--role-name", "cli-app", "--path", "/service/",
            "--assume-role-policy-document", Trust, "--description", "the app", "--tags", "Key=team,Value=core")).EnsureSuccess().Json["Role"]!;
        Assert.Equal("arn:aws:iam::123456789012:role/service/cli-app", created.Str("Arn"));
        Assert.StartsWith("AROA", created.Str("RoleId"), StringComparison.Ordinal);
        Assert.Equal(21, created.Str("RoleId").Length);

        var role = (await _server.AwsAsync("iam", "get-role", "--role-name", "cli-app")).EnsureSuccess().Json["Role"]!;
        // The CLI URL-decodes and parses the document IAM answers URL-encoded.
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Trust), role["AssumeRolePolicyDocument"]));
        Assert.Equal("the app", role.Str("Description"));
        Assert.Equal("core", role["Tags"]![0]!.Str("Value"));
        Assert.Equal(3600, role["MaxSessionDuration"]!.GetValue<int>());
        Assert.True(DateTimeOffset.TryParse(role.Str("CreateDate"), out _));

        (await _server.AwsAsync("iam", "put-role-policy", "--role-name", "cli-app", "--policy-name", "read", "--policy-document", Policy)).EnsureSuccess();
        var inline = (await _server.AwsAsync("iam", "get-role-policy", "--role-name", "cli-app", "--policy-name", "read")).EnsureSuccess().Json;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Policy), inline["PolicyDocument"]));
        Assert.Equal("read", (await _server.AwsAsync("iam", "list-role-policies", "--role-name", "cli-app")).EnsureSuccess().Json["PolicyNames"]![0]!.GetValue<string>());

        const string basic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
        (await _server.AwsAsync("iam", "attach-role-policy", "--role-name", "cli-app", "--policy-arn", basic)).EnsureSuccess();
        var attached = (await _server.AwsAsync("iam", "list-attached-role-policies", "--role-name", "cli-app")).EnsureSuccess().Json["AttachedPolicies"]!.AsArray();
        Assert.Equal("AWSLambdaBasicExecutionRole", Assert.Single(attached)!.Str("PolicyName"));
        Assert.Equal(basic, attached[0]!.Str("PolicyArn"));

        var conflict = await _server.AwsAsync("iam", "delete-role", "--role-name", "cli-app");
        Assert.NotEqual(0, conflict.ExitCode);
        // The CLI v2 adds "(reached max retries: 0)" after the operation when retries are off.
        Assert.Contains("An error occurred (DeleteConflict) when calling the DeleteRole operation", conflict.StandardError, StringComparison.Ordinal);
        Assert.Contains(": Cannot delete entity, must detach all policies first.", conflict.StandardError, StringComparison.Ordinal);

        (await _server.AwsAsync("iam", "detach-role-policy", "--role-name", "cli-app", "--policy-arn", basic)).EnsureSuccess();
        (await _server.AwsAsync("iam", "delete-role-policy", "--role-name", "cli-app", "--policy-name", "read")).EnsureSuccess();
        (await _server.AwsAsync("iam", "delete-role", "--role-name", "cli-app")).EnsureSuccess();

        var gone = await _server.AwsAsync("iam", "get-role", "--role-name", "cli-app");
        Assert.NotEqual(0, gone.ExitCode);
        Assert.Contains("An error occurred (NoSuchEntity) when calling the GetRole operation", gone.StandardError, StringComparison.Ordinal);
        Assert.Contains(": The role with name cli-app cannot be found.", gone.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateRole_Twice_EntityAlreadyExists()
    {
        (await _server.AwsAsync("iam", "create-role", "--role-name", "twice", "--assume-role-policy-document", Trust)).EnsureSuccess();
        var again = await _server.AwsAsync("iam", "create-role", "--role-name", "twice", "--assume-role-policy-document", Trust);

        Assert.Contains("(EntityAlreadyExists)", again.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateRole_NotJson_MalformedPolicyDocument()
    {
        var result = await _server.AwsAsync("iam", "create-role", "--role-name", "bad-doc", "--assume-role-policy-document", "not json");

        Assert.Contains("(MalformedPolicyDocument)", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManagedPolicy_VersionsAndAwsCatalog()
    {
        var policy = (await _server.AwsAsync("iam", "create-policy", "--policy-name", "cli-managed", "--policy-document", Policy)).EnsureSuccess().Json["Policy"]!;
        var arn = policy.Str("Arn");
        Assert.Equal("arn:aws:iam::123456789012:policy/cli-managed", arn);
        Assert.Equal("v1", policy.Str("DefaultVersionId"));

        (await _server.AwsAsync("iam", "create-policy-version", "--policy-arn", arn, "--policy-document", Policy.Replace("GetObject", "PutObject", StringComparison.Ordinal), "--set-as-default")).EnsureSuccess();
        var version = (await _server.AwsAsync("iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v2")).EnsureSuccess().Json["PolicyVersion"]!;
        Assert.True(version["IsDefaultVersion"]!.GetValue<bool>());
        Assert.Equal("s3:PutObject", version["Document"]!["Statement"]![0]!.Str("Action"));
        var versions = (await _server.AwsAsync("iam", "list-policy-versions", "--policy-arn", arn)).EnsureSuccess().Json["Versions"]!.AsArray();
        Assert.Equal(["v2", "v1"], versions.Select(v => v!.Str("VersionId")));

        var refused = await _server.AwsAsync("iam", "delete-policy", "--policy-arn", arn);
        Assert.Contains("(DeleteConflict)", refused.StandardError, StringComparison.Ordinal);
        (await _server.AwsAsync("iam", "delete-policy-version", "--policy-arn", arn, "--version-id", "v1")).EnsureSuccess();
        (await _server.AwsAsync("iam", "delete-policy", "--policy-arn", arn)).EnsureSuccess();

        var aws = (await _server.AwsAsync("iam", "get-policy", "--policy-arn", "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess")).EnsureSuccess().Json["Policy"]!;
        Assert.Equal("AWSXRayDaemonWriteAccess", aws.Str("PolicyName"));
        var missing = await _server.AwsAsync("iam", "get-policy", "--policy-arn", "arn:aws:iam::aws:policy/NoSuchPolicy");
        Assert.Contains("(NoSuchEntity)", missing.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InstanceProfile_HoldsOneRole()
    {
        (await _server.AwsAsync("iam", "create-role", "--role-name", "ec2-role", "--assume-role-policy-document", Trust)).EnsureSuccess();
        (await _server.AwsAsync("iam", "create-instance-profile", "--instance-profile-name", "ec2-profile")).EnsureSuccess();
        (await _server.AwsAsync("iam", "add-role-to-instance-profile", "--instance-profile-name", "ec2-profile", "--role-name", "ec2-role")).EnsureSuccess();

        var profile = (await _server.AwsAsync("iam", "get-instance-profile", "--instance-profile-name", "ec2-profile")).EnsureSuccess().Json["InstanceProfile"]!;
        Assert.Equal("ec2-role", profile["Roles"]![0]!.Str("RoleName"));
        var forRole = (await _server.AwsAsync("iam", "list-instance-profiles-for-role", "--role-name", "ec2-role")).EnsureSuccess().Json["InstanceProfiles"]!.AsArray();
        Assert.Equal("ec2-profile", Assert.Single(forRole)!.Str("InstanceProfileName"));
        var conflict = await _server.AwsAsync("iam", "delete-role", "--role-name", "ec2-role");
        Assert.Contains("(DeleteConflict)", conflict.StandardError, StringComparison.Ordinal);

        (await _server.AwsAsync("iam", "remove-role-from-instance-profile", "--instance-profile-name", "ec2-profile", "--role-name", "ec2-role")).EnsureSuccess();
        (await _server.AwsAsync("iam", "delete-instance-profile", "--instance-profile-name", "ec2-profile")).EnsureSuccess();
        (await _server.AwsAsync("iam", "delete-role", "--role-name", "ec2-role")).EnsureSuccess();
    }

    [Fact]
    public async Task GetCallerIdentity_AnyKey_RootOfTheAccount()
    {
        var identity = (await _server.AwsAsync("sts", "get-caller-identity")).EnsureSuccess().Json;

        Assert.Equal("123456789012", identity.Str("Account"));
        Assert.Equal("arn:aws:iam::123456789012:root", identity.Str("Arn"));
    }
}
