using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gatehouse.Testing;

/// <summary>The outcome of a client process: exit code and what it printed.</summary>
public sealed record CliResult(int ExitCode, string StandardOutput, string StandardError)
{
    public JsonNode Json => JsonNode.Parse(StandardOutput) ?? throw new InvalidOperationException("No JSON output.");

    public CliResult EnsureSuccess()
    {
        if (ExitCode != 0)
            throw new InvalidOperationException($"Exit code {ExitCode}.\nstdout: {StandardOutput}\nstderr: {StandardError}");
        return this;
    }
}

/// <summary>
/// Runs the real AWS CLI v2 (<c>/usr/bin/aws</c>, Debian's <c>awscli</c>) with throwaway credentials,
/// exactly as a user would with <c>--endpoint-url</c>.
/// </summary>
public static class AwsCli
{
    public const string Path = "/usr/bin/aws";

    public static Task<CliResult> RunAsync(Uri endpoint, params string[] arguments) =>
        RunAsAsync(endpoint, "AKIAGATEHOUSETEST", "gatehouse-test-secret", arguments);

    /// <summary>Runs the CLI signing with the given access key (for servers that check signatures).</summary>
    public static async Task<CliResult> RunAsAsync(Uri endpoint, string accessKeyId, string secretAccessKey, params string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(arguments);
        var info = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--endpoint-url");
        info.ArgumentList.Add(endpoint.ToString().TrimEnd('/'));
        info.ArgumentList.Add("--output");
        info.ArgumentList.Add("json");
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        SetEnvironment(info, accessKeyId, secretAccessKey);
        return await ProcessRunner.RunAsync(info, TimeSpan.FromSeconds(120)).ConfigureAwait(false);
    }

    /// <summary>
    /// The environment of an AWS client process (the CLI, boto3, ...): these credentials and us-east-1,
    /// no pager, no retries, and never the machine's own config or credentials files.
    /// </summary>
    public static void SetEnvironment(ProcessStartInfo info, string accessKeyId = "AKIAGATEHOUSETEST", string secretAccessKey = "gatehouse-test-secret")
    {
        ArgumentNullException.ThrowIfNull(info);
        info.Environment["AWS_ACCESS_KEY_ID"] = accessKeyId;
        info.Environment["AWS_SECRET_ACCESS_KEY"] = secretAccessKey;
        info.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        info.Environment["AWS_REGION"] = "us-east-1";
        info.Environment["AWS_PAGER"] = "";
        info.Environment["AWS_CONFIG_FILE"] = "/nonexistent/gatehouse-config";
        info.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/gatehouse-credentials";
        info.Environment["AWS_MAX_ATTEMPTS"] = "1";
    }
}

/// <summary>Runs a process to completion with a time limit.</summary>
public static class ProcessRunner
{
    public static async Task<CliResult> RunAsync(ProcessStartInfo info, TimeSpan timeout, string? standardInput = null)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = standardInput is not null;
        info.UseShellExecute = false;
        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start " + info.FileName);
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput).ConfigureAwait(false);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{info.FileName} {string.Join(' ', info.ArgumentList)} did not finish within {timeout}.");
        }
        return new CliResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>Runs a node script from tests/clients (where npm installed the real JS clients).</summary>
    public static Task<CliResult> NodeAsync(string script, IDictionary<string, string>? environment = null, params string[] arguments)
    {
        var info = new ProcessStartInfo("node") { WorkingDirectory = Repository.NodeClients };
        info.ArgumentList.Add(script);
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
                info.Environment[key] = value;
        }
        return RunAsync(info, TimeSpan.FromSeconds(120));
    }
}

public static class JsonExtensions
{
    public static string Str(this JsonNode node, string path)
    {
        JsonNode? current = node;
        foreach (var part in path.Split('.'))
            current = current?[part];
        return current?.GetValue<string>() ?? throw new KeyNotFoundException(path + " in " + node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
