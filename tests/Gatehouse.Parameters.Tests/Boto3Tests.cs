using System.Diagnostics;

namespace Gatehouse.Parameters.Tests;

/// <summary>boto3 against a started server: paginators, SecureString, labels and modeled exceptions as botocore parses them.</summary>
public sealed class Boto3Tests : IClassFixture<GatehouseProcess>
{
    private readonly GatehouseProcess _server;

    public Boto3Tests(GatehouseProcess server) => _server = server;

    [Fact]
    public async Task Boto3_ParameterStoreFlow_AsAws()
    {
        var info = new ProcessStartInfo("python3") { WorkingDirectory = Repository.NodeClients };
        foreach (var argument in new[] { "parameters/boto3_parameters.py", _server.Endpoint.ToString().TrimEnd('/'), "/boto" })
            info.ArgumentList.Add(argument);
        info.Environment["AWS_CONFIG_FILE"] = "/nonexistent/gatehouse-config";
        info.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/gatehouse-credentials";
        var seen = (await ProcessRunner.RunAsync(info, TimeSpan.FromSeconds(120))).EnsureSuccess().Json;

        Assert.Equal(23, seen["oneLevel"]!.GetValue<int>());
        Assert.True(seen["oneLevelSorted"]!.GetValue<bool>());
        Assert.Equal(24, seen["recursive"]!.GetValue<int>());
        Assert.Equal(3, seen["pages"]!.GetValue<int>());
        Assert.True(seen["cipherDiffers"]!.GetValue<bool>());
        Assert.Equal("hunter2", seen.Str("decrypted"));
        Assert.Equal("alias/custom", seen.Str("describedKeyId"));
        Assert.Equal("pw", seen.Str("describedDescription"));
        Assert.Equal(1, seen["byType"]!.GetValue<int>());
        Assert.Equal("hunter2", seen.Str("byLabel"));
        Assert.Equal("hunter3", seen.Str("byVersion"));
        Assert.Equal(["hunter3"], seen["getParameters"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(["/boto/missing"], seen["invalid"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal("ParameterNotFound", seen.Str("notFound"));
        Assert.Equal("ParameterAlreadyExists", seen.Str("exists"));
        Assert.Equal("ParameterVersionNotFound", seen.Str("versionNotFound"));
        Assert.Equal("HierarchyLevelLimitExceededException", seen.Str("tooDeep"));
        Assert.Equal(["/boto/secret"], seen["deleted"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(["/boto/missing"], seen["notDeleted"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(100, seen["historyCount"]!.GetValue<int>());
        Assert.Equal(2, seen["historyFirst"]!.GetValue<int>());
        Assert.Equal(101, seen["historyLast"]!.GetValue<int>());
        Assert.Equal("ParameterMaxVersionLimitExceeded", seen.Str("maxVersions"));
    }
}
