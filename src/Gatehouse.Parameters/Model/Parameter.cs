using System.Collections.Immutable;

namespace Gatehouse.Parameters.Model;

/// <summary>Where a parameter lives: names are unique per account and region.</summary>
internal readonly record struct ParameterKey(string Account, string Region, string Name);

/// <summary>
/// One version of a parameter, as PutParameter wrote it. <see cref="Value"/> is the plain value for
/// String and StringList and the sealed value (base64) for SecureString, which is what AWS returns
/// without WithDecryption.
/// </summary>
internal sealed record ParameterVersion
{
    public required long Version { get; init; }
    public required string Type { get; init; }
    public required string Value { get; init; }
    public string? KeyId { get; init; }
    public string? Description { get; init; }
    public string? AllowedPattern { get; init; }
    public required string DataType { get; init; }
    public required string Tier { get; init; }
    public ImmutableList<string> Labels { get; init; } = [];
    public required DateTimeOffset LastModifiedDate { get; init; }
    public required string LastModifiedUser { get; init; }
}

/// <summary>A parameter: its kept versions (oldest first) and its tags.</summary>
internal sealed record Parameter
{
    public required ParameterKey Key { get; init; }
    public required ImmutableSortedDictionary<long, ParameterVersion> Versions { get; init; }
    public ImmutableSortedDictionary<string, string> Tags { get; init; } = ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);

    public string Name => Key.Name;

    public ParameterVersion Latest => Versions.Values.Last();

    /// <summary>The version carrying <paramref name="label"/>, if any (a label is on at most one version).</summary>
    public ParameterVersion? Labeled(string label) => Versions.Values.FirstOrDefault(v => v.Labels.Contains(label));
}
