namespace Gatehouse.Core;

/// <summary>
/// What every service (user pools, HTTP APIs, functions, logs) offers the server as a whole:
/// a name and state for the health endpoint, loading at start, and reset for users' test suites.
/// </summary>
public interface IGatehouseService
{
    /// <summary>The AWS signing name, e.g. <c>cognito-idp</c>.</summary>
    string Name { get; }

    /// <summary>A short state word for /_gatehouse/health: "running", "starting", "failed".</summary>
    string State { get; }

    /// <summary>Loads persisted state into memory; called once before the server accepts requests.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Deletes everything the service holds (POST /_gatehouse/reset).</summary>
    Task ResetAsync(CancellationToken cancellationToken);
}
