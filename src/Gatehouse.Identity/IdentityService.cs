using Gatehouse.Core;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Identity;

/// <summary>
/// The user pools (Amazon Cognito) service's life cycle: loading <see cref="IdentityState"/> at start
/// and clearing it on reset. The operations are one class per AWS resource in <c>Operations/</c>; the
/// hosted pages and OAuth endpoints are in <c>HostedUi/</c> and <c>OAuth/</c>.
/// </summary>
internal sealed class IdentityService(IdentityState identity, ILogger<IdentityService> logger) : IGatehouseService
{
    public string Name => "cognito-idp";

    public string State { get; private set; } = "starting";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var (pools, clients, users) = await identity.LoadAsync(cancellationToken).ConfigureAwait(false);
            Log.Loaded(logger, pools, clients, users);
            State = "running";
        }
        catch
        {
            State = "failed";
            throw;
        }
    }

    public Task ResetAsync(CancellationToken cancellationToken) => identity.ClearAsync(cancellationToken);
}

internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Information, "User pools loaded: {Pools} pools, {Clients} app clients, {Users} users.")]
    public static partial void Loaded(ILogger logger, int pools, int clients, int users);

    [LoggerMessage(2001, LogLevel.Warning, "User pool {PoolId} has no signing keys in the store; it is not served.")]
    public static partial void PoolWithoutKeys(ILogger logger, string poolId);

    [LoggerMessage(2002, LogLevel.Information, "Outbox: {Purpose} message for pool {PoolId} by {Medium}.")]
    public static partial void MessageQueued(ILogger logger, string purpose, string poolId, string medium);

    [LoggerMessage(2003, LogLevel.Information, "User pool {PoolId} created.")]
    public static partial void PoolCreated(ILogger logger, string poolId);

    [LoggerMessage(2004, LogLevel.Information, "User pool {PoolId} deleted.")]
    public static partial void PoolDeleted(ILogger logger, string poolId);

    [LoggerMessage(2100, LogLevel.Information, "Hosted UI: failed sign-in on pool {PoolId} (client {ClientId}).")]
    public static partial void HostedSignInFailed(ILogger logger, string poolId, string clientId);

    [LoggerMessage(2101, LogLevel.Information, "Hosted UI: {What} on pool {PoolId} (client {ClientId}).")]
    public static partial void HostedEvent(ILogger logger, string what, string poolId, string clientId);
}
