namespace Gatehouse.Access.Tests;

/// <summary>
/// The keys IAM and STS hand out, used against a strict SigV4 server (<c>--auth sigv4</c>) by the
/// AWS CLI and boto3: temporary credentials with their session token, IAM users' access keys; a
/// wrong or missing token refused as AWS refuses it.
/// </summary>
public sealed class StrictModeTests : IClassFixture<StrictServer>
{
    private const string Trust = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}""";
    private readonly StrictServer _server;

    public StrictModeTests(StrictServer server) => _server = server;

    private (string, string, string?) Root => (_server.Key.Id, _server.Key.Secret, null);

    private Task<CliResult> Aws((string, string, string?) key, params string[] arguments) => Clients.AwsAsync(_server.Endpoint, key, arguments);

    [Fact]
    public async Task AssumeRole_TemporaryCredentials_AcceptedWithTheirToken()
    {
        (await Aws(Root, "iam", "create-role", "--role-name", "deployer", "--assume-role-policy-document", Trust)).EnsureSuccess();
        var assumed = (await Aws(Root, "sts", "assume-role", "--role-arn", "arn:aws:iam::123456789012:role/deployer",
            "--role-session-name", "ci", "--duration-seconds", "900")).EnsureSuccess().Json;
        var credentials = assumed["Credentials"]!;
        var id = credentials.Str("AccessKeyId");
        Assert.StartsWith("ASIA", id, StringComparison.Ordinal);
        Assert.Equal("arn:aws:sts::123456789012:assumed-role/deployer/ci", assumed["AssumedRoleUser"]!.Str("Arn"));
        var expiration = DateTimeOffset.Parse(credentials.Str("Expiration"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiration - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(13), TimeSpan.FromMinutes(16));
        var session = (id, credentials.Str("SecretAccessKey"), (string?)credentials.Str("SessionToken"));

        var identity = (await Aws(session, "sts", "get-caller-identity")).EnsureSuccess().Json;
        Assert.Equal("arn:aws:sts::123456789012:assumed-role/deployer/ci", identity.Str("Arn"));
        Assert.EndsWith(":ci", identity.Str("UserId"), StringComparison.Ordinal);
        // Another service, signed with the same session.
        (await Aws(session, "lambda", "list-functions")).EnsureSuccess();

        var garbage = await Aws((session.Item1, session.Item2, "not-the-token"), "sts", "get-caller-identity");
        var none = await Aws((session.Item1, session.Item2, null), "lambda", "list-functions");
        Assert.Contains("An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation", garbage.StandardError, StringComparison.Ordinal);
        Assert.Contains(": The security token included in the request is invalid.", garbage.StandardError, StringComparison.Ordinal);
        Assert.Contains("(UnrecognizedClientException)", none.StandardError, StringComparison.Ordinal);

        var boto = await Clients.PythonAsync(_server.Endpoint, session,
            "print(boto3.client('sts', endpoint_url=endpoint).get_caller_identity()['Arn'])");
        Assert.Equal("arn:aws:sts::123456789012:assumed-role/deployer/ci", boto.EnsureSuccess().StandardOutput.Trim());
    }

    [Fact]
    public async Task AssumeRole_UnknownRole_AccessDeniedAsAwsAnswers()
    {
        var unknown = await Aws(Root, "sts", "assume-role", "--role-arn", "arn:aws:iam::123456789012:role/nobody", "--role-session-name", "xx");
        Assert.Contains("(AccessDenied)", unknown.StandardError, StringComparison.Ordinal);
        Assert.Contains("is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/nobody", unknown.StandardError, StringComparison.Ordinal);

    }

    [Fact]
    public async Task IamUserKey_AcceptedUntilDeleted_GetUserAnswersTheCaller()
    {
        (await Aws(Root, "iam", "create-user", "--user-name", "terraform")).EnsureSuccess();
        var key = (await Aws(Root, "iam", "create-access-key", "--user-name", "terraform")).EnsureSuccess().Json["AccessKey"]!;
        var user = (key.Str("AccessKeyId"), key.Str("SecretAccessKey"), (string?)null);
        Assert.StartsWith("AKIA", user.Item1, StringComparison.Ordinal);

        Assert.Equal("arn:aws:iam::123456789012:user/terraform", (await Aws(user, "sts", "get-caller-identity")).EnsureSuccess().Json.Str("Arn"));
        Assert.Equal("terraform", (await Aws(user, "iam", "get-user")).EnsureSuccess().Json["User"]!.Str("UserName"));
        var listed = (await Aws(user, "iam", "list-access-keys")).EnsureSuccess().Json["AccessKeyMetadata"]!.AsArray();
        Assert.Equal(user.Item1, Assert.Single(listed)!.Str("AccessKeyId"));

        var sessionCredentials = (await Aws(user, "sts", "get-session-token", "--duration-seconds", "900")).EnsureSuccess().Json["Credentials"]!;
        var session = (sessionCredentials.Str("AccessKeyId"), sessionCredentials.Str("SecretAccessKey"), (string?)sessionCredentials.Str("SessionToken"));
        Assert.Equal("arn:aws:iam::123456789012:user/terraform", (await Aws(session, "sts", "get-caller-identity")).EnsureSuccess().Json.Str("Arn"));

        (await Aws(Root, "iam", "delete-access-key", "--user-name", "terraform", "--access-key-id", user.Item1)).EnsureSuccess();
        var refused = await Aws(user, "sts", "get-caller-identity");
        Assert.Contains("(InvalidClientTokenId)", refused.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RootKey_GetCallerIdentity_Root()
    {
        var identity = (await Aws(Root, "sts", "get-caller-identity")).EnsureSuccess().Json;

        Assert.Equal("arn:aws:iam::123456789012:root", identity.Str("Arn"));
    }
}
