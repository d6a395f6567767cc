using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Numerics;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gatehouse.Identity.Auth;

// Sign-in and refresh throughput of the user pools service, over HTTP, with the production password
// hash (PBKDF2-SHA256, 600,000 iterations). Usage:
//   dotnet run -c Release --project bench/IdentityLoad -- [--endpoint URL] [--seconds 10] [--concurrency 8] [--users 20] [--fresh 16]
// Without --endpoint it starts src/Gatehouse/bin/Release/net10.0/gatehouse.dll --in-memory on a free port.
// Scenarios: repeat sign-ins (a working set signing in again and again), first-time sign-ins (each
// user once: the full hash every time), USER_SRP_AUTH (both round trips, client math included), and
// REFRESH_TOKEN_AUTH.

var options = Options.Parse(args);
Process? server = null;
var endpoint = options.Endpoint;
if (endpoint is null)
{
    (server, endpoint) = await StartServerAsync();
}

try
{
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency * 2 })
    {
        BaseAddress = new Uri(endpoint),
        Timeout = TimeSpan.FromSeconds(120),
    };
    var api = new Api(http);
    Console.WriteLine($"Gatehouse at {endpoint}; {Environment.ProcessorCount} cores; concurrency {options.Concurrency}; {options.Seconds} s per timed scenario.");

    var pool = (await api.CallAsync("CreateUserPool", new JsonObject { ["PoolName"] = "bench" }))["UserPool"]!["Id"]!.GetValue<string>();
    var client = (await api.CallAsync("CreateUserPoolClient", new JsonObject
    {
        ["UserPoolId"] = pool,
        ["ClientName"] = "bench",
        ["ExplicitAuthFlows"] = new JsonArray("ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"),
    }))["UserPoolClient"]!["ClientId"]!.GetValue<string>();
    const string password = "Bench-Passw0rd!";

    var setup = Stopwatch.StartNew();
    var working = Enumerable.Range(0, options.Users).Select(i => $"user{i:D4}").ToList();
    var fresh = Enumerable.Range(0, options.Fresh).Select(i => $"fresh{i:D4}").ToList();
    await Parallel.ForEachAsync(working.Concat(fresh), new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (name, _) =>
    {
        await api.CallAsync("AdminCreateUser", new JsonObject { ["UserPoolId"] = pool, ["Username"] = name, ["MessageAction"] = "SUPPRESS" });
        await api.CallAsync("AdminSetUserPassword", new JsonObject { ["UserPoolId"] = pool, ["Username"] = name, ["Password"] = password, ["Permanent"] = true });
    });
    Console.WriteLine($"Set-up: {working.Count + fresh.Count} users in {setup.Elapsed.TotalSeconds:0.0} s (two password hashes each).");

    JsonObject SignIn(string name) => new()
    {
        ["UserPoolId"] = pool,
        ["ClientId"] = client,
        ["AuthFlow"] = "ADMIN_USER_PASSWORD_AUTH",
        ["AuthParameters"] = new JsonObject { ["USERNAME"] = name, ["PASSWORD"] = password },
    };

    // First-time sign-ins: every request pays the full 600k-iteration hash.
    var firstTime = await Measure.CountedAsync("AdminInitiateAuth, first-time (full hash)", fresh.Count, 2,
        i => api.CallAsync("AdminInitiateAuth", SignIn(fresh[i])));

    // Warm the working set once, keeping a refresh token per user.
    var refreshTokens = new List<string>();
    foreach (var name in working)
        refreshTokens.Add((await api.CallAsync("AdminInitiateAuth", SignIn(name)))["AuthenticationResult"]!["RefreshToken"]!.GetValue<string>());

    var repeat = await Measure.TimedAsync("AdminInitiateAuth, repeat (working set)", options.Seconds, options.Concurrency,
        i => api.CallAsync("AdminInitiateAuth", SignIn(working[i % working.Count])));

    var refresh = await Measure.TimedAsync("InitiateAuth REFRESH_TOKEN_AUTH", options.Seconds, options.Concurrency,
        i => api.CallAsync("InitiateAuth", new JsonObject
        {
            ["ClientId"] = client,
            ["AuthFlow"] = "REFRESH_TOKEN_AUTH",
            ["AuthParameters"] = new JsonObject { ["REFRESH_TOKEN"] = refreshTokens[i % refreshTokens.Count] },
        }));

    var poolName = pool[(pool.IndexOf('_', StringComparison.Ordinal) + 1)..];
    var srp = await Measure.TimedAsync("USER_SRP_AUTH (2 round trips + client math)", options.Seconds, options.Concurrency,
        i => SrpSignInAsync(api, client, poolName, working[i % working.Count], password));

    Console.WriteLine();
    Console.WriteLine("| scenario | requests | per second | p50 ms | p95 ms | p99 ms |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|");
    foreach (var result in new[] { firstTime, repeat, srp, refresh })
        Console.WriteLine(result.Row());
}
finally
{
    if (server is not null)
    {
        server.Kill(entireProcessTree: true);
        await server.WaitForExitAsync();
    }
}

static async Task<JsonNode> SrpSignInAsync(Api api, string client, string poolName, string username, string password)
{
    // The client's half, as amazon-cognito-identity-js computes it (a 256-bit a keeps the client cheap).
    var a = Srp.NewPrivateEphemeral();
    var clientA = Srp.PowG(a);
    var challenge = await api.CallAsync("InitiateAuth", new JsonObject
    {
        ["ClientId"] = client,
        ["AuthFlow"] = "USER_SRP_AUTH",
        ["AuthParameters"] = new JsonObject { ["USERNAME"] = username, ["SRP_A"] = Srp.ToHex(clientA) },
    });
    var parameters = challenge["ChallengeParameters"]!;
    var userId = parameters["USER_ID_FOR_SRP"]!.GetValue<string>();
    var salt = Srp.FromHex(parameters["SALT"]!.GetValue<string>());
    var serverB = Srp.FromHex(parameters["SRP_B"]!.GetValue<string>());
    var block = parameters["SECRET_BLOCK"]!.GetValue<string>();
    var x = Srp.PrivateKey(poolName, userId, password, salt);
    var u = Srp.Scrambler(clientA, serverB);
    var baseValue = ((serverB - Srp.K * Srp.PowG(x)) % Srp.N + Srp.N) % Srp.N;
    var secret = BigInteger.ModPow(baseValue, a + u * x, Srp.N);
    var key = Srp.SessionKey(secret, u);
    var now = DateTime.UtcNow;
    var timestamp = now.ToString("ddd MMM ", CultureInfo.InvariantCulture) + now.Day.ToString(CultureInfo.InvariantCulture) + now.ToString(" HH:mm:ss 'UTC' yyyy", CultureInfo.InvariantCulture);
    var signature = Srp.ClaimSignature(key, poolName, userId, Convert.FromBase64String(block), timestamp);
    return await api.CallAsync("RespondToAuthChallenge", new JsonObject
    {
        ["ClientId"] = client,
        ["ChallengeName"] = "PASSWORD_VERIFIER",
        ["ChallengeResponses"] = new JsonObject
        {
            ["USERNAME"] = userId,
            ["PASSWORD_CLAIM_SECRET_BLOCK"] = block,
            ["PASSWORD_CLAIM_SIGNATURE"] = Convert.ToBase64String(signature),
            ["TIMESTAMP"] = timestamp,
        },
    });
}

static async Task<(Process, string)> StartServerAsync()
{
    var directory = new DirectoryInfo(AppContext.BaseDirectory);
    while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Gatehouse.slnx")))
        directory = directory.Parent;
    var dll = Path.Combine(directory!.FullName, "src", "Gatehouse", "bin", "Release", "net10.0", "gatehouse.dll");
    if (!File.Exists(dll))
        throw new InvalidOperationException($"Build the server first: dotnet build -c Release src/Gatehouse ({dll} is missing).");
    var info = new ProcessStartInfo("dotnet", [dll, "serve", "--port", "0", "--in-memory"]) { RedirectStandardOutput = true, UseShellExecute = false };
    var process = Process.Start(info)!;
    while (await process.StandardOutput.ReadLineAsync() is { } line)
    {
        var match = Regex.Match(line, @"Gatehouse ready on (http://\S+)");
        if (match.Success)
        {
            _ = process.StandardOutput.ReadToEndAsync();
            return (process, match.Groups[1].Value);
        }
    }
    throw new InvalidOperationException("The server exited before it was ready.");
}

internal sealed record Options(string? Endpoint, int Seconds, int Concurrency, int Users, int Fresh)
{
    public static Options Parse(string[] args)
    {
        string? Value(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        int Number(string name, int fallback) => Value(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
        return new Options(Value("--endpoint"), Number("--seconds", 10), Number("--concurrency", 8), Number("--users", 20), Number("--fresh", 16));
    }
}

internal sealed class Api(HttpClient http)
{
    public async Task<JsonNode> CallAsync(string operation, JsonObject body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "AWSCognitoIdentityProviderService." + operation);
        request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{operation}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }
}

internal sealed record Result(string Name, int Requests, double Seconds, double[] LatenciesMs)
{
    public string Row()
    {
        var sorted = LatenciesMs.Order().ToArray();
        double Percentile(double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
        return string.Create(CultureInfo.InvariantCulture,
            $"| {Name} | {Requests} | {Requests / Seconds:0.0} | {Percentile(0.50):0.0} | {Percentile(0.95):0.0} | {Percentile(0.99):0.0} |");
    }
}

internal static class Measure
{
    /// <summary>Runs <paramref name="operation"/> from <paramref name="concurrency"/> workers for a fixed time.</summary>
    public static async Task<Result> TimedAsync(string name, int seconds, int concurrency, Func<int, Task<JsonNode>> operation)
    {
        var latencies = new List<double>[concurrency];
        var counter = -1;
        var clock = Stopwatch.StartNew();
        var end = TimeSpan.FromSeconds(seconds);
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var mine = latencies[worker] = [];
            while (clock.Elapsed < end)
            {
                var started = Stopwatch.GetTimestamp();
                await operation(Interlocked.Increment(ref counter));
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }));
        var all = latencies.SelectMany(l => l).ToArray();
        var result = new Result(name, all.Length, clock.Elapsed.TotalSeconds, all);
        Console.WriteLine(result.Row());
        return result;
    }

    /// <summary>Runs <paramref name="operation"/> exactly <paramref name="count"/> times.</summary>
    public static async Task<Result> CountedAsync(string name, int count, int concurrency, Func<int, Task<JsonNode>> operation)
    {
        var latencies = new double[count];
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
        {
            var started = Stopwatch.GetTimestamp();
            await operation(i);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        });
        var result = new Result(name, count, clock.Elapsed.TotalSeconds, latencies);
        Console.WriteLine(result.Row());
        return result;
    }
}
