using System.Collections.Immutable;

namespace Gatehouse.Parameters.Model;

/// <summary>
/// Every parameter in memory. Writes are serialised: a change is computed on immutable values,
/// stored, and only then published to readers (the shape of the gateway's state).
/// </summary>
internal sealed class ParameterState
{
    private readonly ParameterStore _store;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private ImmutableDictionary<ParameterKey, Parameter> _parameters = ImmutableDictionary<ParameterKey, Parameter>.Empty;

    public ParameterState(ParameterStore store) => _store = store;

    public ImmutableDictionary<ParameterKey, Parameter> Parameters => Volatile.Read(ref _parameters);

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var loaded = await _store.LoadAsync(cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _parameters, loaded.ToImmutableDictionary(p => p.Key));
    }

    public async Task ResetAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _store.DeleteAllAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _parameters, ImmutableDictionary<ParameterKey, Parameter>.Empty);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the parameter's current state (null when it does not
    /// exist). The change returns the new state (null deletes it) and the result; it may throw an AWS
    /// error, in which case nothing is written.
    /// </summary>
    public async Task<T> UpdateAsync<T>(ParameterKey key, Func<Parameter?, (Parameter? After, T Result)> change, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var before = Parameters.GetValueOrDefault(key);
            var (after, result) = change(before);
            if (ReferenceEquals(before, after))
                return result;
            // The store first: an acknowledged change must be durable before anyone can see it.
            await _store.SaveAsync(key, before, after, CancellationToken.None).ConfigureAwait(false);
            Volatile.Write(ref _parameters, after is null ? Parameters.Remove(key) : Parameters.SetItem(key, after));
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
