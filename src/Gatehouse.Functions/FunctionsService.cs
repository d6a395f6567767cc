using Gatehouse.Core;
using Gatehouse.Protocol;
using Gatehouse.Storage;

namespace Gatehouse.Functions;

/// <summary>The functions (AWS Lambda) service: its operations, its state and its data plane. (Skeleton — filled in by its issue.)</summary>
public sealed class FunctionsService : IGatehouseService
{
    private readonly IDatabase _database;

    public FunctionsService(IDatabase database)
    {
        _database = database;
        Definition = new AwsServiceDefinition("lambda")
        {
            ValidationErrorCode = "ValidationException",
            SerializationErrorCode = "InvalidRequestContentException",
            InternalErrorCode = "ServiceException",
            ErrorBodyHasType = true,
            TooLargeErrorCode = "RequestTooLargeException",
            MaxRequestBytes = 70L * 1024 * 1024,
        };
    }

    public string Name => "lambda";

    public string State { get; private set; } = "starting";

    public AwsServiceDefinition Definition { get; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _database.MigrateAsync(EmbeddedMigrations.Load(typeof(FunctionsService).Assembly, "functions", _database.Provider), cancellationToken).ConfigureAwait(false);
        State = "running";
    }

    public Task ResetAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
