using System.Diagnostics;

namespace Gatehouse.Access.Tests;

/// <summary>Servers for these tests: in memory for account 123456789012, and strict SigV4 on a file store.</summary>
public sealed class AccountServer : GatehouseProcess
{
    public const string Account = "123456789012";

    public AccountServer() : base("--in-memory", "--account", Account)
    {
    }
}

public sealed class StrictServer : GatehouseProcess
{
    public StrictServer() : base("--data", Directory.CreateTempSubdirectory("gatehouse-access-strict-").FullName, "--auth", "sigv4", "--account", AccountServer.Account)
    {
    }

    /// <summary>The root key the server generated in its credentials file.</summary>
    public (string Id, string Secret) Key
    {
        get
        {
            var lines = File.ReadAllLines(Path.Combine(Arguments[1], "credentials"));
            string Value(string name) => lines.Single(l => l.StartsWith(name, StringComparison.Ordinal)).Split('=', 2)[1].Trim();
            return (Value("aws_access_key_id"), Value("aws_secret_access_key"));
        }
    }
}

/// <summary>The real clients with the credentials a test chooses (a session token too), nothing from the machine.</summary>
internal static class Clients
{
    public static Task<CliResult> AwsAsync(Uri endpoint, (string Id, string Secret, string? Token) key, params string[] arguments)
    {
        var info = new ProcessStartInfo(AwsCli.Path);
        foreach (var argument in new[] { "--endpoint-url", endpoint.ToString().TrimEnd('/'), "--output", "json" }.Concat(arguments))
            info.ArgumentList.Add(argument);
        Environment(info, key);
        return ProcessRunner.RunAsync(info, TimeSpan.FromSeconds(120));
    }

    /// <summary>Runs Python with boto3 imported and <c>endpoint</c> bound to the server's URL.</summary>
    public static Task<CliResult> PythonAsync(Uri endpoint, (string Id, string Secret, string? Token) key, string script)
    {
        var info = new ProcessStartInfo("python3");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"import boto3, botocore, json\nendpoint = '{endpoint.ToString().TrimEnd('/')}'\n{script}");
        Environment(info, key);
        return ProcessRunner.RunAsync(info, TimeSpan.FromSeconds(120));
    }

    public static readonly (string, string, string?) AnyKey = ("AKIAGATEHOUSETEST", "gatehouse-test-secret", null);

    private static void Environment(ProcessStartInfo info, (string Id, string Secret, string? Token) key)
    {
        info.Environment["AWS_ACCESS_KEY_ID"] = key.Id;
        info.Environment["AWS_SECRET_ACCESS_KEY"] = key.Secret;
        if (key.Token is not null)
            info.Environment["AWS_SESSION_TOKEN"] = key.Token;
        else
            info.Environment.Remove("AWS_SESSION_TOKEN");
        info.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        info.Environment["AWS_REGION"] = "us-east-1";
        info.Environment["AWS_PAGER"] = "";
        info.Environment["AWS_CONFIG_FILE"] = "/nonexistent/gatehouse-config";
        info.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/gatehouse-credentials";
        info.Environment["AWS_MAX_ATTEMPTS"] = "1";
    }
}
