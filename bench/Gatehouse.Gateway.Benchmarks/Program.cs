using System.Diagnostics;
using BenchmarkDotNet.Running;
using Gatehouse.Gateway.Benchmarks;

// dotnet run -c Release --project bench/Gatehouse.Gateway.Benchmarks -- --filter '*'
// dotnet run -c Release --project bench/Gatehouse.Gateway.Benchmarks -- --cpu-time
//   (CPU time per request, for a machine too busy for wall-clock figures to mean much)
if (args.Contains("--cpu-time"))
{
    var benchmarks = new DataPlaneBenchmarks();
    benchmarks.Setup();
    Measure("HttpContextOnly", 200_000, () => Task.FromResult(benchmarks.HttpContextOnly()));
    Measure("RouteMatch", 2_000_000, () => Task.FromResult(benchmarks.RouteMatch()));
    Measure("  JWT cache lookup", 200_000, () => Task.FromResult(benchmarks.CachedLookup()));
    Measure("  event build (+context)", 200_000, () => Task.FromResult(benchmarks.BuildEvent()));
    Measure("  response mapping", 200_000, () => Task.FromResult(benchmarks.MapResponse()));
    Measure("Goal_CachedToken", 200_000, () => benchmarks.Goal_CachedToken().AsTask());
    Measure("  first-seen validation", 20_000, benchmarks.FirstSeenValidation);
    Measure("RsaVerifyOnly", 20_000, () => Task.FromResult(benchmarks.RsaVerifyOnly() ? 1 : 0));
    Measure("Goal_FirstSeenToken", 20_000, () => benchmarks.Goal_FirstSeenToken().AsTask());
    Measure("Request_CachedToken", 200_000, benchmarks.Request_CachedToken);
    Measure("Request_FirstSeenToken", 20_000, benchmarks.Request_FirstSeenToken);
    var sigv4 = new SigV4Benchmarks();
    sigv4.Setup();
    Measure("SigV4 VerifyAsync", 200_000, async () => { await sigv4.VerifyAsync(); return 0; });
    sigv4.Dispose();
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(DataPlaneBenchmarks).Assembly).Run(args);

static void Measure(string name, int count, Func<Task<int>> operation)
{
    for (var i = 0; i < count / 10; i++)
        operation().GetAwaiter().GetResult();
    var process = Process.GetCurrentProcess();
    process.Refresh();
    var cpuBefore = process.TotalProcessorTime;
    var wall = Stopwatch.StartNew();
    for (var i = 0; i < count; i++)
        operation().GetAwaiter().GetResult();
    wall.Stop();
    process.Refresh();
    var cpu = process.TotalProcessorTime - cpuBefore;
    Console.WriteLine($"{name,-24} {cpu.TotalMicroseconds / count,10:F2} µs CPU/op {wall.Elapsed.TotalMicroseconds / count,10:F2} µs wall/op  ({count:N0} ops)");
}
