using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Functions.Model;
using Gatehouse.Protocol;
using Gatehouse.Storage;

namespace Gatehouse.Functions.Operations;

/// <summary>
/// What every Lambda resource's operations share: finding a function by name, ARN or qualifier, the
/// one lock that serialises control-plane changes (they are rare; invokes never take it), and saving
/// a function's row. Each change is written to the store first, then the in-memory entry is changed.
/// </summary>
internal sealed class FunctionCatalog
{
    private readonly IDatabase _database;
    private readonly FunctionRegistry _registry;
    private readonly SemaphoreSlim _lock = new(1, 1);

    public FunctionCatalog(IDatabase database, FunctionRegistry registry)
    {
        _database = database;
        _registry = registry;
    }

    public (FunctionEntry Entry, string? Qualifier) Find(AwsRequest request, string? qualifierMember = "Qualifier")
    {
        var text = request.Input.Req("FunctionName");
        var qualifier = qualifierMember is null ? null : request.Input.Str(qualifierMember);
        if (!FunctionName.TryParse(text, out var name))
            throw FunctionErrors.FunctionReferenceInvalid(text);
        if (qualifier is not null && name.Qualifier is not null && qualifier != name.Qualifier)
            throw FunctionErrors.QualifierMismatch();
        var account = name.Account ?? request.Context.Account;
        var region = name.Region ?? request.Context.Region;
        var effective = qualifier ?? name.Qualifier;
        var entry = _registry.Find(account, region, name.Name)
            ?? throw FunctionErrors.FunctionNotFound(effective is null ? AwsIds.LambdaFunctionArn(region, account, name.Name) : AwsIds.LambdaFunctionArn(region, account, name.Name, effective));
        return (entry, effective);
    }

    public static FunctionVersionHandle Version(FunctionEntry entry, string? qualifier)
    {
        // Lambda names the qualified ARN when a version or alias does not exist.
        return entry.Resolve(qualifier, out _)
            ?? throw FunctionErrors.FunctionNotFound(AwsIds.LambdaFunctionArn(entry.Region, entry.Account, entry.Name, qualifier!));
    }

    public static bool IsVersionNumber(string text) => text.Length > 0 && text.All(char.IsAsciiDigit);

    /// <summary>Marker = the index of the next item, as text (opaque to clients; see <see cref="IndexPager"/>).</summary>
    public static (List<T> Page, string? Next) Page<T>(List<T> all, string? marker, int? maxItems)
    {
        if (!IndexPager.TryStart(marker, out var start) || start > all.Count)
            throw FunctionErrors.MarkerInvalid(marker!);
        return IndexPager.Page(all, start, Math.Clamp(maxItems ?? 50, 1, 10_000));
    }

    /// <summary>Takes the control-plane lock until the returned value is disposed.</summary>
    public async ValueTask<Held> LockAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Held(_lock);
    }

    /// <summary>Runs a control-plane change under the lock.</summary>
    public async ValueTask<AwsResponse> LockedAsync(Func<ValueTask<AwsResponse>> change, CancellationToken cancellationToken)
    {
        using var held = await LockAsync(cancellationToken).ConfigureAwait(false);
        return await change().ConfigureAwait(false);
    }

    /// <summary>The control-plane lock, held until disposed.</summary>
    public readonly struct Held(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }

    public Task SaveAsync(FunctionEntry entry, int? reserved, IReadOnlyDictionary<string, string> tags, IEnumerable<JsonObject> policy, string policyRevision, CancellationToken cancellationToken) =>
        _database.WriteAsync(async (c, t) =>
        {
            await FunctionStore.UpdateFunctionAsync(c, t, entry, reserved, entry.LastVersion, tags, policy, policyRevision).ConfigureAwait(false);
            return 0;
        }, cancellationToken);

    public FunctionEntry FindByResource(AwsRequest request)
    {
        var arn = request.Input.Req("Resource");
        if (!FunctionName.TryParse(arn, out var name) || name.Account is null)
            throw FunctionErrors.ResourceArnInvalid(arn);
        return _registry.Find(name.Account, name.Region ?? request.Context.Region, name.Name) ?? throw FunctionErrors.FunctionNotFound(arn);
    }

    public static JsonObject TagsJson(IReadOnlyDictionary<string, string> tags)
    {
        var o = new JsonObject();
        foreach (var (key, value) in tags.OrderBy(p => p.Key, StringComparer.Ordinal))
            o[key] = value;
        return o;
    }
}
