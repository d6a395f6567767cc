using Gatehouse.Core;
using Gatehouse.Protocol;
using Gatehouse.Storage;

namespace Gatehouse.Gateway;

/// <summary>The HTTP APIs (Amazon API Gateway v2) service: its operations, its state and its data plane. (Skeleton — filled in by its issue.)</summary>
public sealed class GatewayService : IGatehouseService
{
    private readonly IDatabase _database;

    public GatewayService(IDatabase database)
    {
        _database = database;
        Definition = new AwsServiceDefinition("apigatewayv2")
        {
            ValidationErrorCode = "BadRequestException",
            SerializationErrorCode = "BadRequestException",
            InternalErrorCode = "InternalFailure",
        };
    }

    public string Name => "apigatewayv2";

    public string State { get; private set; } = "starting";

    public AwsServiceDefinition Definition { get; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _database.MigrateAsync(EmbeddedMigrations.Load(typeof(GatewayService).Assembly, "gateway", _database.Provider), cancellationToken).ConfigureAwait(false);
        State = "running";
    }

    public Task ResetAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
