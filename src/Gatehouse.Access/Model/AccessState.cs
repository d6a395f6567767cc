using System.Collections.Immutable;

namespace Gatehouse.Access.Model;

/// <summary>Every IAM and STS resource of the account at one moment.</summary>
internal sealed record AccessSnapshot
{
    public static readonly AccessSnapshot Empty = new();

    public ImmutableSortedDictionary<string, Role> Roles { get; init; } = Sorted<Role>();

    /// <summary>Customer managed policies by ARN (the AWS managed ones are a built-in catalog).</summary>
    public ImmutableSortedDictionary<string, ManagedPolicy> Policies { get; init; } = Sorted<ManagedPolicy>();
    public ImmutableSortedDictionary<string, InstanceProfile> InstanceProfiles { get; init; } = Sorted<InstanceProfile>();
    public ImmutableSortedDictionary<string, User> Users { get; init; } = Sorted<User>();
    public ImmutableSortedDictionary<string, AccessKey> AccessKeys { get; init; } = Sorted<AccessKey>();
    public ImmutableSortedDictionary<string, Session> Sessions { get; init; } = Sorted<Session>();

    // IAM names are unique without regard to case ("you can't create resources named both
    // MyResource and myresource", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html);
    // ARNs and key ids compare exactly.
    private static ImmutableSortedDictionary<string, T> Sorted<T>() =>
        ImmutableSortedDictionary.Create<string, T>(typeof(T) == typeof(ManagedPolicy) || typeof(T) == typeof(AccessKey) || typeof(T) == typeof(Session)
            ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// The IAM/STS state in memory. Writes are serialised: a change is computed on the immutable
/// snapshot, stored, and only then published — the same compute → store → publish shape as the
/// gateway's state. The strict SigV4 mode reads issued keys from <see cref="Current"/> without a lock.
/// </summary>
internal sealed class AccessState
{
    private readonly AccessStore _store;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private AccessSnapshot _current = AccessSnapshot.Empty;

    public AccessState(AccessStore store) => _store = store;

    public AccessSnapshot Current => Volatile.Read(ref _current);

    public async Task LoadAsync(CancellationToken cancellationToken) =>
        Volatile.Write(ref _current, await _store.LoadAsync(cancellationToken).ConfigureAwait(false));

    public async Task ResetAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _store.DeleteAllAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _current, AccessSnapshot.Empty);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the current snapshot; it returns the new snapshot and
    /// the operation's result, or throws an AWS error, in which case nothing is written.
    /// </summary>
    public async Task<T> UpdateAsync<T>(Func<AccessSnapshot, (AccessSnapshot After, T Result)> change, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var before = Current;
            var (after, result) = change(before);
            if (ReferenceEquals(before, after))
                return result;
            // The store first: an acknowledged change must be durable before anyone can see it.
            await _store.SaveAsync(before, after, CancellationToken.None).ConfigureAwait(false);
            Volatile.Write(ref _current, after);
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
