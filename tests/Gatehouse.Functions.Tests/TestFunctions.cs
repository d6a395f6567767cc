using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Testing;

namespace Gatehouse.Functions.Tests;

/// <summary>Zips handlers and drives the real AWS CLI the way a user would.</summary>
internal static class TestFunctions
{
    public const string Role = "arn:aws:iam::000000000000:role/lambda-role";

    public const string SeedHandler = """
        import json
        def lambda_handler(event, context):
            return {'statusCode': 200, 'body': json.dumps('Hello from Lambda!')}
        """;

    /// <summary>Writes a zip of <paramref name="files"/> (name → content) to a temporary file; returns its path.</summary>
    public static string Zip(params (string Name, string Content)[] files) => Zip(files.Select(f => (f.Name, f.Content, false)).ToArray());

    public static string Zip(params (string Name, string Content, bool Executable)[] files)
    {
        var path = Path.Combine(Path.GetTempPath(), "gatehouse-test-" + Guid.NewGuid().ToString("N") + ".zip");
        using (var archive = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            foreach (var (name, content, executable) in files)
            {
                var entry = archive.CreateEntry(name);
                // Unix mode in the high bits of the external attributes, as zip tools write it.
                entry.ExternalAttributes = (executable ? 0b111_101_101 : 0b110_100_100) << 16;
                using var stream = entry.Open();
                stream.Write(Encoding.UTF8.GetBytes(content.Replace("\r\n", "\n", StringComparison.Ordinal)));
            }
        }
        return path;
    }

    public static string UniqueName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    public static async Task<JsonNode> CreateAsync(GatehouseProcess server, string name, string runtime, string handler, string zip, params string[] extra)
    {
        var arguments = new List<string>
        {
            "lambda", "create-function", "--function-name", name, "--runtime", runtime, "--handler", handler,
            "--role", Role, "--zip-file", "fileb://" + zip,
        };
        arguments.AddRange(extra);
        var created = (await server.AwsAsync([.. arguments])).EnsureSuccess().Json;
        (await server.AwsAsync("lambda", "wait", "function-active-v2", "--function-name", name)).EnsureSuccess();
        return created;
    }

    /// <summary>Runs <c>aws lambda invoke</c>; returns the CLI's JSON output and the payload it wrote to the outfile.</summary>
    public static async Task<(CliResult Result, string Payload)> InvokeAsync(GatehouseProcess server, string name, string? payload = null, params string[] extra)
    {
        var outfile = Path.Combine(Path.GetTempPath(), "gatehouse-out-" + Guid.NewGuid().ToString("N") + ".json");
        var arguments = new List<string> { "lambda", "invoke", "--function-name", name };
        if (payload is not null)
        {
            arguments.Add("--cli-binary-format");
            arguments.Add("raw-in-base64-out");
            arguments.Add("--payload");
            arguments.Add(payload);
        }
        arguments.AddRange(extra);
        arguments.Add(outfile);
        var result = await server.AwsAsync([.. arguments]);
        var written = File.Exists(outfile) ? await File.ReadAllTextAsync(outfile) : "";
        File.Delete(outfile);
        return (result, written);
    }
}
