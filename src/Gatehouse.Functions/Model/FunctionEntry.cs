using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Gatehouse.Functions.Invocation;

namespace Gatehouse.Functions.Model;

/// <summary>A version's configuration with the pool that runs it.</summary>
internal sealed record FunctionVersionHandle(FunctionVersionConfig Config, EnvironmentPool Pool);

/// <summary>An alias: a name for a published version (or $LATEST).</summary>
internal sealed record FunctionAlias(string Name, string FunctionVersion, string Description, string RevisionId);

/// <summary>
/// A function as the invoke path sees it. Every field is an immutable value swapped whole by the
/// control plane (under its lock, after the store has the change), so readers never lock.
/// </summary>
internal sealed class FunctionEntry
{
    private volatile FunctionVersionHandle _latest;

    public FunctionEntry(FunctionVersionHandle latest, ConcurrencyCounter concurrency)
    {
        _latest = latest;
        Concurrency = concurrency;
    }

    public string Account => _latest.Config.Account;
    public string Region => _latest.Config.Region;
    public string Name => _latest.Config.Name;

    public FunctionVersionHandle Latest
    {
        get => _latest;
        set => _latest = value;
    }

    public ImmutableDictionary<string, FunctionVersionHandle> Versions { get; set; } = ImmutableDictionary<string, FunctionVersionHandle>.Empty.WithComparers(StringComparer.Ordinal);

    public ImmutableDictionary<string, FunctionAlias> Aliases { get; set; } = ImmutableDictionary<string, FunctionAlias>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>Per-function in-flight count; its limit is the reserved concurrency (or none).</summary>
    public ConcurrencyCounter Concurrency { get; }

    public int? ReservedConcurrency => Concurrency.Limit < 0 ? null : Concurrency.Limit;

    public ImmutableDictionary<string, string> Tags { get; set; } = ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>Resource-policy statements by Sid, in the order they were added.</summary>
    public ImmutableList<JsonObject> Policy { get; set; } = [];

    public string PolicyRevisionId { get; set; } = Guid.NewGuid().ToString();

    /// <summary>The last published version number (0 when none).</summary>
    public int LastVersion { get; set; }

    /// <summary>The version handle a qualifier names: null/$LATEST, a number, or an alias.</summary>
    public FunctionVersionHandle? Resolve(string? qualifier, out string? executedVersion)
    {
        if (qualifier is null or "$LATEST")
        {
            executedVersion = "$LATEST";
            return _latest;
        }
        if (Versions.TryGetValue(qualifier, out var version))
        {
            executedVersion = qualifier;
            return version;
        }
        if (Aliases.TryGetValue(qualifier, out var alias))
        {
            executedVersion = alias.FunctionVersion;
            return alias.FunctionVersion == "$LATEST" ? _latest : Versions.GetValueOrDefault(alias.FunctionVersion);
        }
        executedVersion = null;
        return null;
    }
}
