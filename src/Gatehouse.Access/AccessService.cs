using Gatehouse.Access.Model;
using Gatehouse.Core;
using Gatehouse.Storage;

namespace Gatehouse.Access;

/// <summary>IAM and STS: one state, since STS hands out the credentials of IAM's roles and users.</summary>
internal sealed class AccessService : IGatehouseService
{
    private readonly IDatabase _database;
    private string _status = "starting";

    public AccessService(IDatabase database, AccessState state)
    {
        _database = database;
        State = state;
    }

    public string Name => "iam";

    string IGatehouseService.State => _status;

    internal AccessState State { get; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _database.MigrateAsync(EmbeddedMigrations.Load(typeof(AccessService).Assembly, "access", _database.Provider), cancellationToken).ConfigureAwait(false);
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
