using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Functions;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

/// <summary>
/// Warm invokes through <see cref="IFunctionInvoker"/> in-process: the path the HTTP API gateway
/// takes for a Lambda proxy integration, without the Invoke API's HTTP hop.
/// </summary>
internal static class InvokerBench
{
    public static async Task RunAsync(double seconds)
    {
        var database = await SqliteDatabase.OpenInMemoryAsync(CancellationToken.None);
        var blobs = BlobStore.CreateTemporary();
        await using var services = new ServiceCollection()
            .AddSingleton<IDatabase>(database)
            .AddSingleton(blobs)
            .AddSingleton(new GatehouseOptions { InMemory = true, Port = 1 })
            .AddSingleton(new FunctionsOptions())
            .AddSingleton(TimeProvider.System)
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddGatehouseFunctions()
            .BuildServiceProvider();
        var service = services.GetRequiredService<FunctionsService>();
        var lambda = services.GetServices<AwsServiceDefinition>().Single(d => d.ModelName == Lambda.ModelName);
        await service.StartAsync(CancellationToken.None);
        try
        {
            using var zip = new MemoryStream();
            using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
            {
                using var stream = archive.CreateEntry("lambda_function.py").Open();
                stream.Write("import json\ndef lambda_handler(event, context):\n    return {'statusCode': 200, 'body': json.dumps('Hello from Lambda!')}\n"u8);
            }
            var input = new JsonObject
            {
                ["FunctionName"] = "hello",
                ["Runtime"] = "python3.13",
                ["Handler"] = "lambda_function.lambda_handler",
                ["Role"] = "arn:aws:iam::000000000000:role/bench",
                ["Code"] = new JsonObject { ["ZipFile"] = Convert.ToBase64String(zip.ToArray()) },
            };
            var context = new AwsRequestContext("000000000000", "us-east-1", AwsIds.NewRequestId());
            await lambda.Handlers[Lambda.Operations.CreateFunction](
                new AwsRequest(context, Lambda.Operations.CreateFunction, input, ReadOnlyMemory<byte>.Empty, new DefaultHttpContext()), CancellationToken.None);

            var invoker = services.GetRequiredService<IFunctionInvoker>();
            var arn = "arn:aws:lambda:us-east-1:000000000000:function:hello";
            var payload = Encoding.UTF8.GetBytes("""{"version":"2.0","routeKey":"GET /hello","rawPath":"/hello","headers":{}}""");
            foreach (var clients in new[] { 1, 2, 4, 8 })
            {
                await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => invoker.InvokeAsync(new FunctionInvocation("000000000000", "us-east-1", arn, null, payload), CancellationToken.None).AsTask()));
                var deadline = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
                var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                var results = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
                {
                    var latencies = new List<double>(200_000);
                    var invocation = new FunctionInvocation("000000000000", "us-east-1", arn, null, payload);
                    while (Stopwatch.GetTimestamp() < deadline)
                    {
                        var started = Stopwatch.GetTimestamp();
                        var result = await invoker.InvokeAsync(invocation, CancellationToken.None);
                        latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                        if (result.Status != FunctionInvocationStatus.Success)
                            throw new InvalidOperationException("Invoke failed: " + result.Status);
                    }
                    return latencies;
                })));
                var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
                var all = results.SelectMany(r => r).Order().ToList();
                Console.WriteLine($"IFunctionInvoker python hello {clients} client(s): {all.Count / seconds,8:0} invokes/s   p50 {all[all.Count / 2],6:0.000} ms   p99 {all[Math.Min(all.Count - 1, (int)(all.Count * 0.99))],6:0.000} ms   {allocated / Math.Max(1, all.Count),6} B allocated/invoke (whole process, incl. log lines)");
            }
        }
        finally
        {
            await service.DisposeAsync();
            await database.DisposeAsync();
            blobs.Dispose();
        }
    }
}
