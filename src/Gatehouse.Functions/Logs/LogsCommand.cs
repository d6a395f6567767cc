using System.Globalization;
using System.Text.Json.Nodes;
using Gatehouse.Core;

namespace Gatehouse.Functions.Logs;

/// <summary>
/// <c>gatehouse logs NAME [--follow] [--since 10m] [--endpoint-url URL | --port N]</c>: prints a
/// function's log from a running server, like <c>aws logs tail /aws/lambda/NAME</c>, through the
/// same FilterLogEvents API.
/// </summary>
public static class LogsCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string? name = null;
        var follow = false;
        var since = TimeSpan.FromMinutes(10);
        string? endpoint = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--follow" or "-f":
                    follow = true;
                    break;
                case "--since" when i + 1 < args.Length && TryParseSpan(args[i + 1], out var span):
                    since = span;
                    i++;
                    break;
                case "--endpoint-url" when i + 1 < args.Length:
                    endpoint = args[++i];
                    break;
                case "--port" when i + 1 < args.Length:
                    endpoint = "http://127.0.0.1:" + args[++i];
                    break;
                default:
                    if (args[i].StartsWith('-') || name is not null)
                    {
                        error.WriteLine($"gatehouse logs: unexpected argument '{args[i]}'. Usage: gatehouse logs NAME [--follow] [--since 10m] [--endpoint-url URL | --port N]");
                        return 2;
                    }
                    name = args[i];
                    break;
            }
        }
        if (name is null)
        {
            error.WriteLine("gatehouse logs: name a function. Usage: gatehouse logs NAME [--follow] [--since 10m] [--endpoint-url URL | --port N]");
            return 2;
        }
        endpoint ??= Environment.GetEnvironmentVariable("GATEHOUSE_PUBLIC_URL")
            ?? "http://127.0.0.1:" + (Environment.GetEnvironmentVariable("GATEHOUSE_PORT") ?? "4566");
        var group = name.StartsWith('/') ? name : "/aws/lambda/" + name;

        // Signed as the AWS CLI would; the server accepts any key unless started with --auth sigv4,
        // for which the key comes from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, as the CLI's does.
        var region = Environment.GetEnvironmentVariable("GATEHOUSE_REGION") ?? "us-east-1";
        var keyId = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID");
        var secret = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY");
        if (string.IsNullOrEmpty(keyId) || string.IsNullOrEmpty(secret))
            (keyId, secret) = ("gatehouse-logs", "gatehouse-logs");
        using var client = new LocalAwsClient(new Uri(endpoint.TrimEnd('/') + "/"), region, keyId, secret, TimeSpan.FromSeconds(30));
        var start = DateTimeOffset.UtcNow.Add(-since).ToUnixTimeMilliseconds();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            while (true)
            {
                string? token = null;
                do
                {
                    var request = new JsonObject { ["logGroupName"] = group, ["startTime"] = start };
                    if (token is not null)
                        request["nextToken"] = token;
                    var page = await CallAsync(client, request, cancellationToken).ConfigureAwait(false);
                    if (page is null)
                    {
                        if (!follow)
                        {
                            error.WriteLine($"gatehouse logs: no log group {group} on {endpoint} (has the function run yet?)");
                            return 1;
                        }
                        break;
                    }
                    foreach (var item in page["events"]?.AsArray() ?? [])
                    {
                        var id = (string?)item?["eventId"] ?? "";
                        if (!seen.Add(id))
                            continue;
                        var timestamp = (long)item!["timestamp"]!;
                        start = Math.Max(start, timestamp);
                        output.WriteLine($"{DateTimeOffset.FromUnixTimeMilliseconds(timestamp):yyyy-MM-dd'T'HH:mm:ss.fff'Z'} {(string?)item["logStreamName"]} {(string?)item["message"]}");
                    }
                    token = (string?)page["nextToken"];
                }
                while (token is not null);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (!follow)
                    return 0;
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            return 0;
        }
        catch (HttpRequestException e)
        {
            error.WriteLine($"gatehouse logs: cannot reach Gatehouse at {endpoint}: {e.Message}");
            return 1;
        }
    }

    /// <summary>FilterLogEvents; null when the group does not exist (yet).</summary>
    private static async Task<JsonNode?> CallAsync(LocalAwsClient client, JsonObject request, CancellationToken cancellationToken)
    {
        try
        {
            return await client.JsonAsync("Logs_20140328", "logs", "FilterLogEvents", request, cancellationToken).ConfigureAwait(false);
        }
        catch (LocalAwsException e) when (e.Body.Contains("ResourceNotFoundException", StringComparison.Ordinal))
        {
            return null;
        }
        catch (LocalAwsException e)
        {
            throw new HttpRequestException($"{e.Status} {e.Body}", e);
        }
    }

    private static bool TryParseSpan(string text, out TimeSpan span)
    {
        span = default;
        if (text.Length < 2 || !double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            return false;
        span = char.ToLowerInvariant(text[^1]) switch
        {
            's' => TimeSpan.FromSeconds(value),
            'm' => TimeSpan.FromMinutes(value),
            'h' => TimeSpan.FromHours(value),
            'd' => TimeSpan.FromDays(value),
            _ => TimeSpan.MinValue,
        };
        return span != TimeSpan.MinValue;
    }
}
