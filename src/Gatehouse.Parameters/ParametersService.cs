using Gatehouse.Core;
using Gatehouse.Parameters.Model;
using Gatehouse.Storage;

namespace Gatehouse.Parameters;

/// <summary>The SSM Parameter Store service: its operations and its state.</summary>
internal sealed class ParametersService : IGatehouseService
{
    private readonly IDatabase _database;
    private readonly ParameterState _state;
    private string _status = "starting";

    public ParametersService(IDatabase database, ParameterState state)
    {
        _database = database;
        _state = state;
    }

    public string Name => "ssm";

    string IGatehouseService.State => _status;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _database.MigrateAsync(EmbeddedMigrations.Load(typeof(ParametersService).Assembly, "parameters", _database.Provider), cancellationToken).ConfigureAwait(false);
            await _state.LoadAsync(cancellationToken).ConfigureAwait(false);
            _status = "running";
        }
        catch
        {
            _status = "failed";
            throw;
        }
    }

    public Task ResetAsync(CancellationToken cancellationToken) => _state.ResetAsync(cancellationToken);
}
