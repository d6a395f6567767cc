using Gatehouse.Core;
using Gatehouse.Gateway.Model;
using Gatehouse.Gateway.Operations;
using Gatehouse.Gateway.Runtime;
using Gatehouse.Protocol;
using Gatehouse.Storage;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Gateway;

/// <summary>The HTTP APIs (Amazon API Gateway v2) service: its operations, its state and its data plane.</summary>
internal sealed class GatewayService : IGatehouseService
{
    private readonly IDatabase _database;

    public GatewayService(IDatabase database, GatewayState state, ApiChanges changes, DataPlane dataPlane)
    {
        _database = database;
        State = state;
        DataPlane = dataPlane;
        // The data plane follows the state from the first load on.
        DataPlane.Attach(State);
        changes.AuthorizerCacheReset += DataPlane.Compiler.ResetAuthorizerCaches;
    }

    public string Name => "apigatewayv2";

    string IGatehouseService.State => _status;

    internal GatewayState State { get; }

    internal DataPlane DataPlane { get; }

    private string _status = "starting";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _database.MigrateAsync(EmbeddedMigrations.Load(typeof(GatewayService).Assembly, "gateway", _database.Provider), cancellationToken).ConfigureAwait(false);
            await State.LoadAsync(cancellationToken).ConfigureAwait(false);
            _status = "running";
        }
        catch
        {
            _status = "failed";
            throw;
        }
    }

    public Task ResetAsync(CancellationToken cancellationToken) => State.ResetAsync(cancellationToken);
}
