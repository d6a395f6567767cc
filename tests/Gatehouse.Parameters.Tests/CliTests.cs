using System.Text.Json.Nodes;

namespace Gatehouse.Parameters.Tests;

/// <summary>The AWS CLI v2 against a started server: Parameter Store as a user drives it, errors as the CLI prints them.</summary>
public sealed class CliTests : IClassFixture<GatehouseProcess>
{
    private readonly GatehouseProcess _server;

    public CliTests(GatehouseProcess server) => _server = server;

    private Task<CliResult> Ssm(params string[] arguments) => _server.AwsAsync(["ssm", .. arguments]);

    [Fact]
    public async Task CdkBootstrapVersion_PutThenGet_ReturnsTheVersion()
    {
        // What `cdk bootstrap` leaves and every `cdk deploy` reads back.
        var put = (await Ssm("put-parameter", "--name", "/cdk-bootstrap/hnb659fds/version", "--value", "21", "--type", "String")).EnsureSuccess().Json;
        Assert.Equal(1, put["Version"]!.GetValue<int>());
        Assert.Equal("Standard", put.Str("Tier"));

        var got = (await Ssm("get-parameter", "--name", "/cdk-bootstrap/hnb659fds/version")).EnsureSuccess().Json["Parameter"]!;
        Assert.Equal("21", got.Str("Value"));
        Assert.Equal("String", got.Str("Type"));
        Assert.Equal("arn:aws:ssm:us-east-1:000000000000:parameter/cdk-bootstrap/hnb659fds/version", got.Str("ARN"));
        Assert.Equal("text", got.Str("DataType"));
    }

    [Fact]
    public async Task PutGetByPathDelete_Hierarchy_AsAws()
    {
        (await Ssm("put-parameter", "--name", "/cli/app/db/url", "--value", "postgres://db", "--type", "String")).EnsureSuccess();
        (await Ssm("put-parameter", "--name", "/cli/app/db/hosts", "--value", "a,b,c", "--type", "StringList")).EnsureSuccess();
        (await Ssm("put-parameter", "--name", "/cli/app/name", "--value", "demo", "--type", "String", "--description", "the name")).EnsureSuccess();

        var oneLevel = (await Ssm("get-parameters-by-path", "--path", "/cli/app")).EnsureSuccess().Json["Parameters"]!.AsArray();
        Assert.Equal(["/cli/app/name"], oneLevel.Select(p => p!.Str("Name")));
        var recursive = (await Ssm("get-parameters-by-path", "--path", "/cli/app", "--recursive")).EnsureSuccess().Json["Parameters"]!.AsArray();
        Assert.Equal(["/cli/app/db/hosts", "/cli/app/db/url", "/cli/app/name"], recursive.Select(p => p!.Str("Name")));
        Assert.Equal("a,b,c", recursive[0]!.Str("Value"));
        Assert.Equal("StringList", recursive[0]!.Str("Type"));

        (await Ssm("delete-parameter", "--name", "/cli/app/name")).EnsureSuccess();
        var gone = await Ssm("get-parameter", "--name", "/cli/app/name");
        Assert.NotEqual(0, gone.ExitCode);
        Assert.Contains("An error occurred (ParameterNotFound) when calling the GetParameter operation", gone.StandardError, StringComparison.Ordinal);
        var again = await Ssm("delete-parameter", "--name", "/cli/app/name");
        Assert.Contains("(ParameterNotFound) when calling the DeleteParameter operation", again.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecureString_WithAndWithoutDecryption_OpaqueUnlessDecrypted()
    {
        (await Ssm("put-parameter", "--name", "/cli/secure/pw", "--value", "correct horse", "--type", "SecureString")).EnsureSuccess();

        var sealedValue = (await Ssm("get-parameter", "--name", "/cli/secure/pw")).EnsureSuccess().Json["Parameter"]!.Str("Value");
        Assert.NotEqual("correct horse", sealedValue);
        Assert.DoesNotContain("horse", sealedValue, StringComparison.Ordinal);
        var opened = (await Ssm("get-parameter", "--name", "/cli/secure/pw", "--with-decryption")).EnsureSuccess().Json["Parameter"]!;
        Assert.Equal("correct horse", opened.Str("Value"));

        var described = (await Ssm("describe-parameters", "--parameter-filters", "Key=Name,Values=/cli/secure/pw")).EnsureSuccess().Json["Parameters"]!.AsArray();
        Assert.Equal("alias/aws/ssm", Assert.Single(described)!.Str("KeyId"));
    }

    [Fact]
    public async Task Overwrite_LabelsAndHistory_VersionsAsAws()
    {
        (await Ssm("put-parameter", "--name", "/cli/ver/p", "--value", "one", "--type", "String")).EnsureSuccess();
        var exists = await Ssm("put-parameter", "--name", "/cli/ver/p", "--value", "two", "--type", "String");
        Assert.Contains("An error occurred (ParameterAlreadyExists) when calling the PutParameter operation", exists.StandardError, StringComparison.Ordinal);
        var second = (await Ssm("put-parameter", "--name", "/cli/ver/p", "--value", "two", "--overwrite")).EnsureSuccess().Json;
        Assert.Equal(2, second["Version"]!.GetValue<int>());

        var labeled = (await Ssm("label-parameter-version", "--name", "/cli/ver/p", "--parameter-version", "1", "--labels", "stable", "9lives")).EnsureSuccess().Json;
        Assert.Equal(1, labeled["ParameterVersion"]!.GetValue<int>());
        Assert.Equal(["9lives"], labeled["InvalidLabels"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.Equal("one", (await Ssm("get-parameter", "--name", "/cli/ver/p:stable")).EnsureSuccess().Json["Parameter"]!.Str("Value"));
        var byVersion = (await Ssm("get-parameter", "--name", "/cli/ver/p:2")).EnsureSuccess().Json["Parameter"]!;
        Assert.Equal("two", byVersion.Str("Value"));
        Assert.Equal(":2", byVersion.Str("Selector"));

        // Moving the label to version 2 takes it off version 1.
        (await Ssm("label-parameter-version", "--name", "/cli/ver/p", "--labels", "stable")).EnsureSuccess();
        var history = (await Ssm("get-parameter-history", "--name", "/cli/ver/p")).EnsureSuccess().Json["Parameters"]!.AsArray();
        Assert.Equal([1, 2], history.Select(h => h!["Version"]!.GetValue<int>()));
        Assert.Empty(history[0]!["Labels"]!.AsArray());
        Assert.Equal(["stable"], history[1]!["Labels"]!.AsArray().Select(l => l!.GetValue<string>()));

        var unlabeled = (await Ssm("unlabel-parameter-version", "--name", "/cli/ver/p", "--parameter-version", "2", "--labels", "stable", "other")).EnsureSuccess().Json;
        Assert.Equal(["stable"], unlabeled["RemovedLabels"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.Equal(["other"], unlabeled["InvalidLabels"]!.AsArray().Select(l => l!.GetValue<string>()));
        var missing = await Ssm("get-parameter", "--name", "/cli/ver/p:7");
        Assert.Contains("(ParameterVersionNotFound)", missing.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("awsthing", "ValidationException")]
    [InlineData("/ssm/thing", "ValidationException")]
    [InlineData("/aws/reserved/thing", "AccessDeniedException")]
    [InlineData("/bad name/x", "ValidationException")]
    [InlineData("relative/path", "ValidationException")]
    [InlineData("/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16", "HierarchyLevelLimitExceededException")]
    public async Task PutParameter_NameAwsRefuses_Error(string name, string code)
    {
        var result = await Ssm("put-parameter", "--name", name, "--value", "x", "--type", "String");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"An error occurred ({code}) when calling the PutParameter operation", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutParameter_FifteenLevels_Accepted()
    {
        (await Ssm("put-parameter", "--name", "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15", "--value", "x", "--type", "String")).EnsureSuccess();
    }

    [Fact]
    public async Task PutParameter_ValueLimits_StandardFourKbAdvancedEightKb()
    {
        var large = new string('x', 5000);
        var standard = await Ssm("put-parameter", "--name", "/cli/size/big", "--value", large, "--type", "String");
        Assert.Contains("(ValidationException)", standard.StandardError, StringComparison.Ordinal);
        Assert.Contains("4096", standard.StandardError, StringComparison.Ordinal);

        var advanced = (await Ssm("put-parameter", "--name", "/cli/size/big", "--value", large, "--type", "String", "--tier", "Advanced")).EnsureSuccess().Json;
        Assert.Equal("Advanced", advanced.Str("Tier"));
        var tooLarge = await Ssm("put-parameter", "--name", "/cli/size/huge", "--value", new string('x', 9000), "--type", "String", "--tier", "Advanced");
        Assert.Contains("(ValidationException)", tooLarge.StandardError, StringComparison.Ordinal);

        var intelligent = (await Ssm("put-parameter", "--name", "/cli/size/auto", "--value", large, "--type", "String", "--tier", "Intelligent-Tiering")).EnsureSuccess().Json;
        Assert.Equal("Advanced", intelligent.Str("Tier"));
    }

    [Fact]
    public async Task PutParameter_AllowedPattern_Enforced()
    {
        var mismatch = await Ssm("put-parameter", "--name", "/cli/pattern/port", "--value", "http", "--type", "String", "--allowed-pattern", "^\\d+$");
        Assert.Contains("(ParameterPatternMismatchException)", mismatch.StandardError, StringComparison.Ordinal);
        (await Ssm("put-parameter", "--name", "/cli/pattern/port", "--value", "8080", "--type", "String", "--allowed-pattern", "^\\d+$")).EnsureSuccess();
        // The pattern stays with the parameter for later versions.
        var later = await Ssm("put-parameter", "--name", "/cli/pattern/port", "--value", "eighty", "--overwrite");
        Assert.Contains("(ParameterPatternMismatchException)", later.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tags_OnCreateAndAfter_Listed()
    {
        (await Ssm("put-parameter", "--name", "/cli/tags/p", "--value", "v", "--type", "String", "--tags", "Key=team,Value=core")).EnsureSuccess();
        (await Ssm("add-tags-to-resource", "--resource-type", "Parameter", "--resource-id", "/cli/tags/p", "--tags", "Key=env,Value=dev")).EnsureSuccess();
        (await Ssm("remove-tags-from-resource", "--resource-type", "Parameter", "--resource-id", "/cli/tags/p", "--tag-keys", "team")).EnsureSuccess();
        var tags = (await Ssm("list-tags-for-resource", "--resource-type", "Parameter", "--resource-id", "/cli/tags/p")).EnsureSuccess().Json["TagList"]!.AsArray();
        var tag = Assert.Single(tags)!;
        Assert.Equal("env", tag.Str("Key"));
        Assert.Equal("dev", tag.Str("Value"));

        var byTag = (await Ssm("describe-parameters", "--parameter-filters", "Key=tag:env,Values=dev")).EnsureSuccess().Json["Parameters"]!.AsArray();
        Assert.Contains(byTag, p => p!.Str("Name") == "/cli/tags/p");
        var missing = await Ssm("list-tags-for-resource", "--resource-type", "Parameter", "--resource-id", "/cli/tags/none");
        Assert.Contains("(InvalidResourceId)", missing.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetParametersByPath_ThroughTheClientsPaging_AllPages()
    {
        for (var i = 0; i < 13; i++)
            (await Ssm("put-parameter", "--name", $"/cli/paged/p{i:00}", "--value", "v", "--type", "String")).EnsureSuccess();
        // The CLI follows NextToken itself, ten at most per call (the model's MaxResults bound).
        var all = (await Ssm("get-parameters-by-path", "--path", "/cli/paged", "--page-size", "4")).EnsureSuccess().Json["Parameters"]!.AsArray();
        Assert.Equal(13, all.Count);
        var first = (await Ssm("get-parameters-by-path", "--path", "/cli/paged", "--max-items", "5")).EnsureSuccess().Json;
        Assert.Equal(5, first["Parameters"]!.AsArray().Count);
        Assert.NotNull(first["NextToken"]);
        var tooMany = await Ssm("get-parameters-by-path", "--path", "/cli/paged", "--no-paginate", "--max-results", "11");
        Assert.Contains("(ValidationException)", tooMany.StandardError, StringComparison.Ordinal);
    }
}
