using Gatehouse.Core;
using Gatehouse.Objects.Model;
using Gatehouse.Storage;

namespace Gatehouse.Objects;

/// <summary>The S3 service: buckets and objects, metadata in the database and bytes in the blob store.</summary>
internal sealed class ObjectsService : IGatehouseService
{
    private readonly IDatabase _database;
    private readonly ObjectStore _store;
    private string _status = "starting";

    public ObjectsService(IDatabase database, ObjectStore store)
    {
        _database = database;
        _store = store;
    }

    public string Name => "s3";

    public string State => _status;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _database.MigrateAsync(EmbeddedMigrations.Load(typeof(ObjectsService).Assembly, "objects", _database.Provider), cancellationToken).ConfigureAwait(false);
            _status = "running";
        }
        catch
        {
            _status = "failed";
            throw;
        }
    }

    public Task ResetAsync(CancellationToken cancellationToken) => _store.ResetAsync(cancellationToken);
}
