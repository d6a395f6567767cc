using Gatehouse.Core;
using Gatehouse.Protocol;
using Gatehouse.Storage;

namespace Gatehouse.Identity;

/// <summary>The user pools (Amazon Cognito) service: its operations, its state and its data plane. (Skeleton — filled in by its issue.)</summary>
public sealed class IdentityService : IGatehouseService
{
    private readonly IDatabase _database;

    public IdentityService(IDatabase database)
    {
        _database = database;
        Definition = new AwsServiceDefinition("cognito-idp")
        {
            ValidationErrorCode = "InvalidParameterException",
            SerializationErrorCode = "SerializationException",
            InternalErrorCode = "InternalErrorException",
        };
    }

    public string Name => "cognito-idp";

    public string State { get; private set; } = "starting";

    public AwsServiceDefinition Definition { get; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _database.MigrateAsync(EmbeddedMigrations.Load(typeof(IdentityService).Assembly, "identity", _database.Provider), cancellationToken).ConfigureAwait(false);
        State = "running";
    }

    public Task ResetAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
