namespace Gatehouse.Access.Tests;

/// <summary>A server on the embedded store, restarted: roles, policies, keys and sessions are all still there.</summary>
public sealed class PersistenceTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "gatehouse-access-" + Guid.NewGuid().ToString("N"));

    private sealed class FileBackedServer(string data) : GatehouseProcess("--data", data, "--account", AccountServer.Account);

    [Fact]
    public async Task Restart_AfterWrites_ReadsTheSameIam()
    {
        using var server = new FileBackedServer(_data);
        var role = (await server.AwsAsync("iam", "create-role", "--role-name", "kept", "--assume-role-policy-document",
            """{"Version":"2012-10-17","Statement":[]}""")).EnsureSuccess().Json["Role"]!;
        (await server.AwsAsync("iam", "put-role-policy", "--role-name", "kept", "--policy-name", "inline", "--policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}""")).EnsureSuccess();
        (await server.AwsAsync("iam", "attach-role-policy", "--role-name", "kept", "--policy-arn", "arn:aws:iam::aws:policy/AdministratorAccess")).EnsureSuccess();
        var policyArn = (await server.AwsAsync("iam", "create-policy", "--policy-name", "kept-policy", "--policy-document",
            """{"Version":"2012-10-17","Statement":[]}""")).EnsureSuccess().Json["Policy"]!.Str("Arn");
        var credentials = (await server.AwsAsync("sts", "assume-role", "--role-arn", role.Str("Arn"), "--role-session-name", "kept")).EnsureSuccess().Json["Credentials"]!;
        Assert.Equal(0, server.Terminate(TimeSpan.FromSeconds(20)));

        server.Start();
        var again = (await server.AwsAsync("iam", "get-role", "--role-name", "kept")).EnsureSuccess().Json["Role"]!;
        Assert.Equal(role.Str("RoleId"), again.Str("RoleId"));
        Assert.Equal(role.Str("CreateDate"), again.Str("CreateDate"));
        Assert.Equal("inline", (await server.AwsAsync("iam", "list-role-policies", "--role-name", "kept")).EnsureSuccess().Json["PolicyNames"]![0]!.GetValue<string>());
        Assert.Equal("AdministratorAccess", (await server.AwsAsync("iam", "list-attached-role-policies", "--role-name", "kept")).EnsureSuccess().Json["AttachedPolicies"]![0]!.Str("PolicyName"));
        Assert.Equal("kept-policy", (await server.AwsAsync("iam", "get-policy", "--policy-arn", policyArn)).EnsureSuccess().Json["Policy"]!.Str("PolicyName"));
        var session = (credentials.Str("AccessKeyId"), credentials.Str("SecretAccessKey"), (string?)credentials.Str("SessionToken"));
        Assert.Equal("arn:aws:sts::123456789012:assumed-role/kept/kept",
            (await Clients.AwsAsync(server.Endpoint, session, "sts", "get-caller-identity")).EnsureSuccess().Json.Str("Arn"));
    }

    public void Dispose()
    {
        if (Directory.Exists(_data))
            Directory.Delete(_data, recursive: true);
    }
}
