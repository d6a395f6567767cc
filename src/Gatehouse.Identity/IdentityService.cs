using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Data.Common;
using Gatehouse.Core;
using Gatehouse.Identity.Auth;
using Gatehouse.Identity.Model;
using Gatehouse.Identity.Tokens;
using Gatehouse.Protocol;
using Gatehouse.Storage;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Identity;

/// <summary>
/// The user pools (Amazon Cognito) service. State lives in memory (loaded at start); every change is
/// written to the store first, in one transaction, and only then applied to memory, so an
/// acknowledged change is durable and a failed one leaves nothing half-done. Writers are serialised
/// by one gate; the sign-in path only reads immutable snapshots. Operation handlers live in
/// <c>Operations/</c>, one file per area.
/// </summary>
public sealed partial class IdentityService : IGatehouseService
{
    private readonly IDatabase _database;
    private readonly GatehouseOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<IdentityService> _logger;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly ConcurrentDictionary<string, PoolState> _pools = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PoolState> _poolsByClient = new(StringComparer.Ordinal);
    private readonly Lock _outboxLock = new();
    private readonly List<OutboxMessage> _outbox = [];
    private SecretBox _box = SecretBox.Ephemeral();
    private IdentityStore _store;

    public IdentityService(IDatabase database, GatehouseOptions options, TimeProvider time, ILogger<IdentityService> logger)
    {
        _database = database;
        _options = options;
        _time = time;
        _logger = logger;
        _store = new IdentityStore(_box);
        Tokens = new TokenService(options, time);
        Credentials = new CredentialCache(time);
        Throttle = new SignInThrottle(time);
        Sessions = new ChallengeSessions(time);
        Definition = new AwsServiceDefinition("cognito-idp")
        {
            ValidationErrorCode = "InvalidParameterException",
            SerializationErrorCode = "SerializationException",
            InternalErrorCode = "InternalErrorException",
        };
        MapPoolOperations();
        MapClientOperations();
        MapUserOperations();
        MapAuthOperations();
        MapGroupOperations();
        MapSelfServiceOperations();
        MapDomainOperations();
        MapResourceServerOperations();
    }

    public string Name => "cognito-idp";

    public string State { get; private set; } = "starting";

    public AwsServiceDefinition Definition { get; }

    internal TokenService Tokens { get; }
    internal CredentialCache Credentials { get; }
    internal SignInThrottle Throttle { get; }
    internal ChallengeSessions Sessions { get; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _database.MigrateAsync(EmbeddedMigrations.Load(typeof(IdentityService).Assembly, "identity", _database.Provider), cancellationToken).ConfigureAwait(false);
        _box = _options.InMemory ? SecretBox.Ephemeral() : SecretBox.FromFile(Path.Combine(_options.DataDirectory, "identity-secret.key"));
        _store = new IdentityStore(_box);
        IdentitySnapshot snapshot;
        try
        {
            snapshot = await _database.ReadAsync(c => _store.LoadAsync(c), cancellationToken).ConfigureAwait(false);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            State = "failed";
            throw new InvalidOperationException(
                $"The user pools' keys in the store cannot be opened with {Path.Combine(_options.DataDirectory, "identity-secret.key")}: " +
                "the key file is missing or belongs to another data directory. Restore it, or start with an empty data directory.");
        }
        foreach (var pool in snapshot.Pools)
        {
            if (snapshot.Keys.TryGetValue(pool.Id, out var keys))
                _pools[pool.Id] = new PoolState(pool, keys);
            else
                Log.PoolWithoutKeys(_logger, pool.Id);
        }
        foreach (var client in snapshot.Clients)
        {
            if (_pools.TryGetValue(client.PoolId, out var state))
            {
                state.Clients[client.Id] = client;
                _poolsByClient[client.Id] = state;
            }
        }
        foreach (var user in snapshot.Users)
        {
            if (_pools.TryGetValue(user.PoolId, out var state))
            {
                var key = state.Pool.UserKey(user.Username);
                state.Users[key] = user;
                state.IndexAliases(key, null, user);
            }
        }
        foreach (var group in snapshot.Groups)
        {
            if (_pools.TryGetValue(group.PoolId, out var state))
                state.Groups[group.Name] = group;
        }
        foreach (var (poolId, group, username) in snapshot.Memberships)
        {
            if (_pools.TryGetValue(poolId, out var state))
                state.Memberships.AddOrUpdate(state.Pool.UserKey(username), _ => [group], (_, set) => set.Add(group));
        }
        foreach (var (poolId, jti, expires) in snapshot.Revocations)
        {
            if (_pools.TryGetValue(poolId, out var state))
                state.Revoked[jti] = expires;
        }
        await LoadHostedUiAsync(cancellationToken).ConfigureAwait(false);
        Log.Loaded(_logger, _pools.Count, snapshot.Clients.Count, snapshot.Users.Count);
        State = "running";
    }

    public async Task ResetAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _database.WriteAsync(async (c, t) =>
            {
                await HostedUiStore.DeleteForPoolAsync(c, t, null).ConfigureAwait(false);
                await IdentityStore.DeleteEverythingAsync(c, t).ConfigureAwait(false);
                return 0;
            }, cancellationToken).ConfigureAwait(false);
            _pools.Clear();
            _poolsByClient.Clear();
            ResetHostedUi();
            Credentials.Clear();
            Throttle.Clear();
            Sessions.Clear();
            lock (_outboxLock)
                _outbox.Clear();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    // ---- shared plumbing for the operation files ----

    private DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Serialises writers: check against memory, write the store, then apply to memory, all under the gate.</summary>
    private async Task<Releaser> GateAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Releaser(_writeGate);
    }

    private readonly struct Releaser(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }

    private Task WriteAsync(Func<DbConnection, DbTransaction, Task> work, CancellationToken cancellationToken) =>
        _database.WriteAsync(async (c, t) =>
        {
            await work(c, t).ConfigureAwait(false);
            return 0;
        }, cancellationToken);

    /// <summary>The pool a request names; a signed request only sees pools of its own region.</summary>
    private PoolState Pool(AwsRequest request, string poolId)
    {
        if (_pools.TryGetValue(poolId, out var state)
            && state.Pool.Account == request.Context.Account
            && (request.Context.AccessKeyId is null || state.Pool.Region == request.Context.Region))
            return state;
        throw IdentityErrors.PoolNotFound(poolId);
    }

    private PoolState Pool(AwsRequest request) => Pool(request, request.Input.Req("UserPoolId"));

    /// <summary>Under the write gate: the pool was not deleted since the handler looked it up.</summary>
    private void EnsureLive(PoolState state)
    {
        if (!_pools.TryGetValue(state.Pool.Id, out var live) || !ReferenceEquals(live, state))
            throw IdentityErrors.PoolNotFound(state.Pool.Id);
    }

    private static AppClient Client(PoolState state, string clientId) =>
        state.Clients.TryGetValue(clientId, out var client) ? client : throw IdentityErrors.ClientNotFound(clientId);

    /// <summary>For the unauthenticated operations, which name only a client.</summary>
    private (PoolState State, AppClient Client) ClientById(string clientId) =>
        _poolsByClient.TryGetValue(clientId, out var state) && state.Clients.TryGetValue(clientId, out var client)
            ? (state, client)
            : throw IdentityErrors.ClientNotFound(clientId);

    private static (string Key, User User) RequireUser(PoolState state, string username) =>
        state.Find(username) ?? throw IdentityErrors.UserNotFound();

    /// <summary>Replaces a user in memory (after the store accepted it) and keeps the alias index right.</summary>
    private static void ApplyUser(PoolState state, string key, User? old, User user)
    {
        state.Users[key] = user;
        state.IndexAliases(key, old, user);
    }

    private static void RemoveUser(PoolState state, string key, User old)
    {
        state.Users.TryRemove(key, out _);
        state.IndexAliases(key, old, null);
        state.Memberships.TryRemove(key, out _);
    }

    internal void AddToOutbox(OutboxMessage message)
    {
        lock (_outboxLock)
        {
            _outbox.Add(message);
            // A development mailbox, not an archive: keep the most recent messages only.
            if (_outbox.Count > 1000)
                _outbox.RemoveRange(0, _outbox.Count - 1000);
        }
        Log.MessageQueued(_logger, message.Purpose, message.PoolId, message.Medium);
    }

    internal IReadOnlyList<OutboxMessage> Outbox(string? poolId)
    {
        lock (_outboxLock)
            return _outbox.Where(m => poolId is null || m.PoolId == poolId).ToList();
    }

    internal bool TryGetPool(string poolId, out PoolState state) => _pools.TryGetValue(poolId, out state!);

    internal IEnumerable<PoolState> Pools => _pools.Values;

    private static ImmutableHashSet<string> NoGroups => [];
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
}
