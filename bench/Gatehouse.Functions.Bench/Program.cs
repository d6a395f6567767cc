using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

// Functions benchmark: cold starts and warm invoke throughput/latency through the Invoke API of a
// real started Gatehouse (Release build). Usage:
//   dotnet build -c Release src/Gatehouse && dotnet run -c Release --project bench/Gatehouse.Functions.Bench [seconds-per-run]
// The load generator runs on the same machine as the server and the runtimes, so it competes for
// the same cores: figures are a lower bound of what the server itself can do.

var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 5;
var root = FindRoot();
var config = args.Length > 1 ? args[1] : "Release";
var dll = Path.Combine(root, "src", "Gatehouse", "bin", config, "net10.0", "gatehouse.dll");
if (!File.Exists(dll))
{
    Console.Error.WriteLine($"Build the server first: dotnet build -c {config} src/Gatehouse ({dll} is missing)");
    return 2;
}

var server = StartServer(dll, out var endpoint);
try
{
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { BaseAddress = endpoint, Timeout = TimeSpan.FromSeconds(60) };
Console.WriteLine($"Gatehouse {endpoint} ({config}); {Environment.ProcessorCount} cores; {seconds:0.#} s per warm run");
Console.WriteLine();

const string PythonHello = "import json\ndef lambda_handler(event, context):\n    return {'statusCode': 200, 'body': json.dumps('Hello from Lambda!')}\n";
const string NodeHello = "exports.handler = async () => ({ statusCode: 200, body: JSON.stringify('Hello from Lambda!') });\n";

// ---- cold starts ---------------------------------------------------------------------------
foreach (var (runtime, handler, file, code) in new[]
{
    ("python3.13", "lambda_function.lambda_handler", "lambda_function.py", PythonHello),
    ("nodejs20.x", "index.handler", "index.js", NodeHello),
})
{
    var createToFirst = new List<double>();
    var initDurations = new List<double>();
    var afterReap = new List<double>();
    for (var i = 0; i < 5; i++)
    {
        var name = $"cold-{runtime.Replace('.', '-')}-{i}";
        var started = Stopwatch.GetTimestamp();
        await CreateAsync(http, name, runtime, handler, file, code);
        var response = await InvokeAsync(http, name, "{}", tail: true);
        createToFirst.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        var log = Encoding.UTF8.GetString(Convert.FromBase64String(response.Headers.GetValues("X-Amz-Log-Result").Single()));
        if (Regex.Match(log, @"Init Duration: ([0-9.]+) ms") is { Success: true } m)
            initDurations.Add(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        // The server runs with a 1 s idle timeout: wait for the reaper, then time the next (cold) invoke.
        await Task.Delay(1800);
        started = Stopwatch.GetTimestamp();
        await InvokeAsync(http, name, "{}");
        afterReap.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }
    Console.WriteLine($"cold start {runtime,-11} create→first response p50 {Median(createToFirst),7:0.0} ms   first invoke after reaping p50 {Median(afterReap),7:0.0} ms   Init Duration p50 {Median(initDurations),6:0.0} ms   (n=5 each; min/max after reaping {afterReap.Min():0.0}/{afterReap.Max():0.0})");
}
Console.WriteLine();

// ---- warm invokes ----------------------------------------------------------------------------
await CreateAsync(http, "warm-python", "python3.13", "lambda_function.lambda_handler", "lambda_function.py", PythonHello);
await CreateAsync(http, "warm-node", "nodejs20.x", "index.handler", "index.js", NodeHello);
foreach (var function in new[] { "warm-python", "warm-node" })
{
    foreach (var clients in new[] { 1, 2, 4, 8 })
    {
        // Warm up as many environments as there will be clients.
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => InvokeAsync(http, function, "{}")));
        var (count, latencies, errors) = await LoadAsync(http, function, clients, TimeSpan.FromSeconds(seconds));
        latencies.Sort();
        Console.WriteLine($"warm {function,-12} {clients} client(s): {count / seconds,8:0} invokes/s   p50 {Percentile(latencies, 0.50),6:0.000} ms   p99 {Percentile(latencies, 0.99),6:0.000} ms   errors {errors}");
    }
}
}
finally
{
    server.Kill(entireProcessTree: true);
    server.Dispose();
}
Console.WriteLine();
await InvokerBench.RunAsync(seconds);
return 0;

static async Task<(int Count, List<double> Latencies, int Errors)> LoadAsync(HttpClient http, string name, int clients, TimeSpan duration)
{
    var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
    var body = Encoding.UTF8.GetBytes("{}");
    var uri = new Uri($"/2015-03-31/functions/{name}/invocations", UriKind.Relative);
    var tasks = Enumerable.Range(0, clients).Select(async _ =>
    {
        var latencies = new List<double>(100_000);
        var errors = 0;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await http.PostAsync(uri, new ByteArrayContent(body));
            await response.Content.ReadAsByteArrayAsync();
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (response.StatusCode != HttpStatusCode.OK || response.Headers.Contains("X-Amz-Function-Error"))
                errors++;
        }
        return (latencies, errors);
    }).ToList();
    var results = await Task.WhenAll(tasks);
    var all = results.SelectMany(r => r.latencies).ToList();
    return (all.Count, all, results.Sum(r => r.errors));
}

static async Task CreateAsync(HttpClient http, string name, string runtime, string handler, string file, string code)
{
    using var zip = new MemoryStream();
    using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
    {
        using var stream = archive.CreateEntry(file).Open();
        stream.Write(Encoding.UTF8.GetBytes(code));
    }
    var request = new JsonObject
    {
        ["FunctionName"] = name,
        ["Runtime"] = runtime,
        ["Handler"] = handler,
        ["Role"] = "arn:aws:iam::000000000000:role/bench",
        ["Code"] = new JsonObject { ["ZipFile"] = Convert.ToBase64String(zip.ToArray()) },
        ["Timeout"] = 30,
    };
    using var response = await http.PostAsync("/2015-03-31/functions", new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"));
    if (response.StatusCode != HttpStatusCode.Created)
        throw new InvalidOperationException($"CreateFunction {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
}

static async Task<HttpResponseMessage> InvokeAsync(HttpClient http, string name, string payload, bool tail = false)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, $"/2015-03-31/functions/{name}/invocations") { Content = new StringContent(payload) };
    if (tail)
        request.Headers.Add("X-Amz-Log-Type", "Tail");
    var response = await http.SendAsync(request);
    await response.Content.LoadIntoBufferAsync();
    if (response.StatusCode != HttpStatusCode.OK || response.Headers.Contains("X-Amz-Function-Error"))
        throw new InvalidOperationException($"Invoke {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    return response;
}

static double Median(List<double> values) => values.Count == 0 ? double.NaN : Percentile([.. values.Order()], 0.5);

static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

static Process StartServer(string dll, out Uri endpoint)
{
    var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    foreach (var a in new[] { dll, "serve", "--port", "0", "--in-memory" })
        info.ArgumentList.Add(a);
    info.Environment["GATEHOUSE_FUNCTIONS_IDLE_SECONDS"] = "1";
    var process = Process.Start(info)!;
    process.ErrorDataReceived += (_, _) => { };
    process.BeginErrorReadLine();
    while (process.StandardOutput.ReadLine() is { } line)
    {
        var match = Regex.Match(line, @"ready on (http://\S+)");
        if (match.Success)
        {
            endpoint = new Uri(match.Groups[1].Value);
            // Keep draining stdout so the server never blocks on a full pipe.
            _ = Task.Run(() => process.StandardOutput.ReadToEnd());
            return process;
        }
    }
    throw new InvalidOperationException("Gatehouse did not start");
}

static string FindRoot()
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "Gatehouse.slnx")))
            return d.FullName;
    throw new InvalidOperationException("Run from inside the repository.");
}
