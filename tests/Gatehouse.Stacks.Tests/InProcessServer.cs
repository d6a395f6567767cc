using Gatehouse.Core;
using Gatehouse.Functions;

namespace Gatehouse.Stacks.Tests;

/// <summary>A Gatehouse server in this process, in memory, on a free loopback port: one per test class.</summary>
public sealed class InProcessServer : IAsyncLifetime
{
    private GatehouseServer? _server;

    internal GatehouseServer Server => _server ?? throw new InvalidOperationException("Not started.");

    public Uri Endpoint => Server.Address;

    public IServiceProvider Services => Server.Services;

    public AwsRequestContext Context(string requestId = "test") => new("000000000000", "us-east-1", requestId);

    public Task<CliResult> AwsAsync(params string[] arguments) => AwsCli.RunAsync(Endpoint, arguments);

    public async Task InitializeAsync() =>
        _server = await GatehouseServer.StartAsync(new GatehouseOptions { InMemory = true, Port = 0 }, new FunctionsOptions(), CancellationToken.None, quiet: true);

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }
}
