using Gatehouse.Core.Security;
using System.Collections.Concurrent;
using System.Data.Common;
using Gatehouse.Core;
using Gatehouse.Identity.Auth;
using Gatehouse.Identity.HostedUi;
using Gatehouse.Identity.Model;
using Gatehouse.Identity.OAuth;
using Gatehouse.Identity.Tokens;
using Gatehouse.Protocol;
using Gatehouse.Storage;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Identity;

/// <summary>
/// The user pools' state, shared by every resource's operations: the pools in memory (loaded at
/// start) with their client and domain indexes, the outbox, the sign-in caches, and the one write
/// gate. Every change is written to the store first, in one transaction, and only then applied to
/// memory, so an acknowledged change is durable and a failed one leaves nothing half-done. Writers
/// are serialised by the gate; the sign-in path only reads immutable snapshots.
/// </summary>
internal sealed class IdentityState
{
    private readonly IDatabase _database;
    private readonly GatehouseOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Lock _outboxLock = new();
    private readonly List<OutboxMessage> _outbox = [];

    public IdentityState(IDatabase database, GatehouseOptions options, TimeProvider time, ILogger<IdentityState> logger)
    {
        _database = database;
        _options = options;
        _time = time;
        Logger = logger;
        Store = new IdentityStore(Box);
        Tokens = new TokenService(options, time);
        Credentials = new CredentialCache(time);
        Throttle = new SignInThrottle(time);
        Sessions = new ChallengeSessions(time);
        Codes = new AuthorizationCodes(time);
        HostedSessions = new HostedSessions(time);
    }

    public ILogger Logger { get; }

    public GatehouseOptions Options => _options;

    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Seals the secrets kept in the store (SRP verifiers, private keys); opened at start.</summary>
    public SecretBox Box { get; private set; } = SecretBox.Ephemeral();

    public IdentityStore Store { get; private set; }

    public TokenService Tokens { get; }
    public CredentialCache Credentials { get; }
    public SignInThrottle Throttle { get; }
    public ChallengeSessions Sessions { get; }
    public AuthorizationCodes Codes { get; }
    public HostedSessions HostedSessions { get; }

    /// <summary>Pool id → its state.</summary>
    public ConcurrentDictionary<string, PoolState> PoolsById { get; } = new(StringComparer.Ordinal);

    /// <summary>App client id → its pool, for the operations that name only a client.</summary>
    public ConcurrentDictionary<string, PoolState> PoolsByClient { get; } = new(StringComparer.Ordinal);

    /// <summary>Domain prefix → its pool, for the hosted endpoints.</summary>
    public ConcurrentDictionary<string, PoolState> Domains { get; } = new(StringComparer.Ordinal);

    public IEnumerable<PoolState> Pools => PoolsById.Values;

    public bool TryGetPool(string poolId, out PoolState state) => PoolsById.TryGetValue(poolId, out state!);

    /// <summary>The pool a hosted-UI domain prefix belongs to.</summary>
    public bool TryGetDomain(string prefix, out PoolState state) => Domains.TryGetValue(prefix, out state!);

    /// <summary>Opens the store's secrets and loads every pool with its clients, users, groups, revocations, domains and resource servers.</summary>
    public async Task<(int Pools, int Clients, int Users)> LoadAsync(CancellationToken cancellationToken)
    {
        await _database.MigrateAsync(EmbeddedMigrations.Load(typeof(IdentityState).Assembly, "identity", _database.Provider), cancellationToken).ConfigureAwait(false);
        Box = _options.InMemory ? SecretBox.Ephemeral() : SecretBox.FromFile(Path.Combine(_options.DataDirectory, "identity-secret.key"));
        Store = new IdentityStore(Box);
        IdentitySnapshot snapshot;
        try
        {
            snapshot = await _database.ReadAsync(c => Store.LoadAsync(c), cancellationToken).ConfigureAwait(false);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            throw new InvalidOperationException(
                $"The user pools' keys in the store cannot be opened with {Path.Combine(_options.DataDirectory, "identity-secret.key")}: " +
                "the key file is missing or belongs to another data directory. Restore it, or start with an empty data directory.");
        }
        foreach (var pool in snapshot.Pools)
        {
            if (snapshot.Keys.TryGetValue(pool.Id, out var keys))
                PoolsById[pool.Id] = new PoolState(pool, keys);
            else
                Log.PoolWithoutKeys(Logger, pool.Id);
        }
        foreach (var client in snapshot.Clients)
        {
            if (PoolsById.TryGetValue(client.PoolId, out var state))
            {
                state.Clients[client.Id] = client;
                PoolsByClient[client.Id] = state;
            }
        }
        foreach (var user in snapshot.Users)
        {
            if (PoolsById.TryGetValue(user.PoolId, out var state))
            {
                var key = state.Pool.UserKey(user.Username);
                state.Users[key] = user;
                state.IndexAliases(key, null, user);
            }
        }
        foreach (var group in snapshot.Groups)
        {
            if (PoolsById.TryGetValue(group.PoolId, out var state))
                state.Groups[group.Name] = group;
        }
        foreach (var (poolId, group, username) in snapshot.Memberships)
        {
            if (PoolsById.TryGetValue(poolId, out var state))
                state.Memberships.AddOrUpdate(state.Pool.UserKey(username), _ => [group], (_, set) => set.Add(group));
        }
        foreach (var (poolId, jti, expires) in snapshot.Revocations)
        {
            if (PoolsById.TryGetValue(poolId, out var state))
                state.Revoked[jti] = expires;
        }
        var (domains, servers) = await _database.ReadAsync(HostedUiStore.LoadAsync, cancellationToken).ConfigureAwait(false);
        foreach (var domain in domains)
        {
            if (PoolsById.TryGetValue(domain.PoolId, out var state))
            {
                state.Domain = domain;
                Domains[domain.Domain] = state;
            }
        }
        foreach (var server in servers)
        {
            if (PoolsById.TryGetValue(server.PoolId, out var state))
                state.ResourceServers[server.Identifier] = server;
        }
        return (PoolsById.Count, snapshot.Clients.Count, snapshot.Users.Count);
    }

    /// <summary>Deletes everything, in the store and in memory.</summary>
    public async Task ClearAsync(CancellationToken cancellationToken)
    {
        using (await GateAsync(cancellationToken).ConfigureAwait(false))
        {
            await WriteAsync(async (c, t) =>
            {
                await HostedUiStore.DeleteForPoolAsync(c, t, null).ConfigureAwait(false);
                await IdentityStore.DeleteEverythingAsync(c, t).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
            PoolsById.Clear();
            PoolsByClient.Clear();
            Domains.Clear();
            Codes.Clear();
            HostedSessions.Clear();
            Credentials.Clear();
            Throttle.Clear();
            Sessions.Clear();
            lock (_outboxLock)
                _outbox.Clear();
        }
    }

    /// <summary>Serialises writers: check against memory, write the store, then apply to memory, all under the gate.</summary>
    public async Task<Releaser> GateAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Releaser(_writeGate);
    }

    public readonly struct Releaser(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }

    /// <summary>One transaction in the store; the caller applies the change to memory only after it returns.</summary>
    public Task WriteAsync(Func<DbConnection, DbTransaction, Task> work, CancellationToken cancellationToken) =>
        _database.WriteAsync(async (c, t) =>
        {
            await work(c, t).ConfigureAwait(false);
            return 0;
        }, cancellationToken);

    /// <summary>The pool a request names; a signed request only sees pools of its own region.</summary>
    public PoolState Pool(AwsRequest request, string poolId)
    {
        if (PoolsById.TryGetValue(poolId, out var state)
            && state.Pool.Account == request.Context.Account
            && (request.Context.AccessKeyId is null || state.Pool.Region == request.Context.Region))
            return state;
        throw IdentityErrors.PoolNotFound(poolId);
    }

    public PoolState Pool(AwsRequest request) => Pool(request, request.Input.Req("UserPoolId"));

    /// <summary>Under the write gate: the pool was not deleted since the handler looked it up.</summary>
    public void EnsureLive(PoolState state)
    {
        if (!PoolsById.TryGetValue(state.Pool.Id, out var live) || !ReferenceEquals(live, state))
            throw IdentityErrors.PoolNotFound(state.Pool.Id);
    }

    public static AppClient Client(PoolState state, string clientId) =>
        state.Clients.TryGetValue(clientId, out var client) ? client : throw IdentityErrors.ClientNotFound(clientId);

    /// <summary>For the unauthenticated operations, which name only a client.</summary>
    public (PoolState State, AppClient Client) ClientById(string clientId) =>
        PoolsByClient.TryGetValue(clientId, out var state) && state.Clients.TryGetValue(clientId, out var client)
            ? (state, client)
            : throw IdentityErrors.ClientNotFound(clientId);

    public static (string Key, User User) RequireUser(PoolState state, string username) =>
        state.Find(username) ?? throw IdentityErrors.UserNotFound();

    /// <summary>Replaces a user in memory (after the store accepted it) and keeps the alias index right.</summary>
    public static void ApplyUser(PoolState state, string key, User? old, User user)
    {
        state.Users[key] = user;
        state.IndexAliases(key, old, user);
    }

    public static void RemoveUser(PoolState state, string key, User old)
    {
        state.Users.TryRemove(key, out _);
        state.IndexAliases(key, old, null);
        state.Memberships.TryRemove(key, out _);
    }

    public void AddToOutbox(OutboxMessage message)
    {
        lock (_outboxLock)
        {
            _outbox.Add(message);
            // A development mailbox, not an archive: keep the most recent messages only.
            if (_outbox.Count > 1000)
                _outbox.RemoveRange(0, _outbox.Count - 1000);
        }
        Log.MessageQueued(Logger, message.Purpose, message.PoolId, message.Medium);
    }

    public IReadOnlyList<OutboxMessage> Outbox(string? poolId)
    {
        lock (_outboxLock)
            return _outbox.Where(m => poolId is null || m.PoolId == poolId).ToList();
    }

    // ---- where a domain's hosted pages answer ----

    /// <summary>The Host-routed name of a domain: <c>{prefix}.auth.{public host}</c> (localhost by default).</summary>
    public string HostedDomainHost(string prefix) => prefix + ".auth." + PublicHostForDomains;

    /// <summary>The host under which prefix domains live: the public URL's host, with IP addresses read as localhost.</summary>
    public string PublicHostForDomains
    {
        get
        {
            var host = new Uri(_options.EffectivePublicUrl).Host;
            return System.Net.IPAddress.TryParse(host.Trim('[', ']'), out _) ? "localhost" : host;
        }
    }

    /// <summary>The path-style base URL of a domain's hosted endpoints (works with any client: same host as the issuer).</summary>
    public string HostedPathBaseUrl(string prefix) => $"{_options.EffectivePublicUrl}{HostedUiPaths.PathPrefix}{prefix}";

    /// <summary>The Host-routed base URL of a domain's hosted endpoints (what a browser is shown).</summary>
    public string HostedHostBaseUrl(string prefix)
    {
        var uri = new Uri(_options.EffectivePublicUrl);
        return $"{uri.Scheme}://{HostedDomainHost(prefix)}:{uri.Port}";
    }
}
