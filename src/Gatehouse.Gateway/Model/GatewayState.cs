using System.Collections.Immutable;

namespace Gatehouse.Gateway.Model;

/// <summary>
/// Every HTTP API in memory. Writes are serialised: a change is computed on immutable values,
/// stored, and only then published — to control-plane readers and, through <see cref="Published"/>,
/// to the data plane's snapshot.
/// </summary>
internal sealed class GatewayState
{
    private readonly GatewayStore _store;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private ImmutableDictionary<string, ApiState> _apis = ImmutableDictionary.Create<string, ApiState>(StringComparer.Ordinal);

    public GatewayState(GatewayStore store) => _store = store;

    /// <summary>Called after every published change with the API's id and its new state (null when deleted).</summary>
    public event Action<string, ApiState?>? Published;

    /// <summary>Called after a full load or reset.</summary>
    public event Action<ImmutableDictionary<string, ApiState>>? Replaced;

    public ImmutableDictionary<string, ApiState> Apis => Volatile.Read(ref _apis);

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var loaded = await _store.LoadAsync(cancellationToken).ConfigureAwait(false);
        var apis = loaded.ToImmutableDictionary(a => a.Api.ApiId, StringComparer.Ordinal);
        Volatile.Write(ref _apis, apis);
        Replaced?.Invoke(apis);
    }

    public async Task ResetAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _store.DeleteAllAsync(cancellationToken).ConfigureAwait(false);
            var empty = ImmutableDictionary.Create<string, ApiState>(StringComparer.Ordinal);
            Volatile.Write(ref _apis, empty);
            Replaced?.Invoke(empty);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the API's current state (null when it does not exist).
    /// The change returns the new state (null deletes the API) and the operation's result; it may
    /// throw an AWS error, in which case nothing is written.
    /// </summary>
    public async Task<T> UpdateAsync<T>(string apiId, Func<ApiState?, (ApiState? After, T Result)> change, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var before = Apis.GetValueOrDefault(apiId);
            var (after, result) = change(before);
            if (ReferenceEquals(before, after))
                return result;
            // The store first: an acknowledged change must be durable before anyone can see it.
            await _store.SaveAsync(before, after, CancellationToken.None).ConfigureAwait(false);
            Volatile.Write(ref _apis, after is null ? Apis.Remove(apiId) : Apis.SetItem(apiId, after));
            Published?.Invoke(apiId, after);
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
