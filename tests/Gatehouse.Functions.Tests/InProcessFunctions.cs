using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Functions.Tests;

/// <summary>
/// The functions service hosted in the test process (with real runtime processes), for what the
/// AWS CLI cannot reach: <see cref="IFunctionInvoker"/> as the gateway calls it, idle reaping
/// with a short timeout, reset and shutdown.
/// </summary>
internal sealed class InProcessFunctions : IAsyncDisposable
{
    private readonly IDatabase _database;
    private readonly BlobStore _blobs;
    private readonly ServiceProvider _services;

    private InProcessFunctions(IDatabase database, BlobStore blobs, ServiceProvider services)
    {
        _database = database;
        _blobs = blobs;
        _services = services;
        Service = services.GetRequiredService<FunctionsService>();
        Invoker = services.GetRequiredService<IFunctionInvoker>();
        Lambda = services.GetServices<AwsServiceDefinition>().Single(d => d.ModelName == Protocol.Generated.Lambda.ModelName);
    }

    public FunctionsService Service { get; }

    public IFunctionInvoker Invoker { get; }

    /// <summary>The Lambda operations as the protocol layer calls them.</summary>
    public AwsServiceDefinition Lambda { get; }

    public static async Task<InProcessFunctions> StartAsync(FunctionsOptions options)
    {
        // These tests follow environments by their runtime's process id, which a sandbox's PID
        // namespace hides; the sandbox has tests of its own (SandboxTests).
        options.SandboxMode = "off";
        var database = await SqliteDatabase.OpenInMemoryAsync(CancellationToken.None);
        var blobs = BlobStore.CreateTemporary();
        var services = new ServiceCollection()
            .AddSingleton<IDatabase>(database)
            .AddSingleton(blobs)
            .AddSingleton(new GatehouseOptions { InMemory = true, Port = 1 })
            .AddSingleton(options)
            .AddSingleton(TimeProvider.System)
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddGatehouseFunctions()
            .BuildServiceProvider();
        await services.GetRequiredService<FunctionsService>().StartAsync(CancellationToken.None);
        return new InProcessFunctions(database, blobs, services);
    }

    public async Task CreateAsync(string name, string runtime, string handler, string zipPath, int timeout = 3)
    {
        var input = new JsonObject
        {
            ["FunctionName"] = name,
            ["Runtime"] = runtime,
            ["Handler"] = handler,
            ["Role"] = TestFunctions.Role,
            ["Code"] = new JsonObject { ["ZipFile"] = Convert.ToBase64String(await File.ReadAllBytesAsync(zipPath)) },
            ["Timeout"] = (long)timeout, // the protocol layer gives integers as Int64
        };
        var context = new AwsRequestContext("000000000000", "us-east-1", AwsIds.NewRequestId());
        await Lambda.Handlers[Protocol.Generated.Lambda.Operations.CreateFunction](
            new AwsRequest(context, Protocol.Generated.Lambda.Operations.CreateFunction, input, ReadOnlyMemory<byte>.Empty, new DefaultHttpContext()), CancellationToken.None);
    }

    public async Task<(FunctionInvocationResult Result, string Payload)> InvokeAsync(string functionName, string payload = "{}", string? qualifier = null)
    {
        var result = await Invoker.InvokeAsync(new FunctionInvocation("000000000000", "us-east-1", functionName, qualifier, Encoding.UTF8.GetBytes(payload)), CancellationToken.None);
        return (result, Encoding.UTF8.GetString(result.Payload.Span));
    }

    public async ValueTask DisposeAsync()
    {
        await Service.DisposeAsync();
        await _services.DisposeAsync();
        await _database.DisposeAsync();
        _blobs.Dispose();
    }
}
