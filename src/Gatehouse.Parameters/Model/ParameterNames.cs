using System.Buffers;

namespace Gatehouse.Parameters.Model;

/// <summary>
/// Parameter names as AWS spells and checks them
/// (https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-su-create.html):
/// letters, digits and <c>_ . - /</c>; a name in a hierarchy begins with <c>/</c> and has at most
/// 15 levels; names beginning with <c>aws</c> or <c>ssm</c> (case-insensitive) are reserved.
/// A single-level name is the same parameter with or without its leading slash (<c>/a</c> is <c>a</c>).
/// </summary>
internal static class ParameterNames
{
    public const int MaxLevels = 15;
    public const int MaxLength = 1011;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-/");

    /// <summary>The stored form: a single-level name without its leading slash.</summary>
    public static string Normalize(string name)
    {
        var stripped = name.StartsWith('/') ? name[1..] : name;
        return stripped.Contains('/', StringComparison.Ordinal) ? name : stripped;
    }

    /// <summary>Checks a name PutParameter is asked to create; returns its stored form.</summary>
    public static string ValidateForPut(string name)
    {
        if (name.Length > MaxLength)
            throw ParametersErrors.NameTooLong();
        if (name.AsSpan().IndexOfAnyExcept(Allowed) >= 0 || name.Contains("//", StringComparison.Ordinal) || name.EndsWith('/'))
            throw ParametersErrors.InvalidName();
        var isPath = name.TrimStart('/').Contains('/', StringComparison.Ordinal);
        if (isPath && !name.StartsWith('/'))
            throw ParametersErrors.NotFullyQualified();
        var first = name.TrimStart('/');
        if (first.StartsWith("aws", StringComparison.OrdinalIgnoreCase) || first.StartsWith("ssm", StringComparison.OrdinalIgnoreCase))
        {
            // AWS's own public parameters live under /aws/; other aws/ssm prefixes are refused as names.
            if (isPath && name.StartsWith("/aws/", StringComparison.OrdinalIgnoreCase))
                throw ParametersErrors.ReservedName(name);
            throw ParametersErrors.InvalidName();
        }
        if (name.Count(c => c == '/') > MaxLevels)
            throw ParametersErrors.HierarchyTooDeep();
        return Normalize(name);
    }

    /// <summary>
    /// A name as GetParameter and friends accept it: the name or the parameter's ARN, optionally with
    /// a <c>:version</c> or <c>:label</c> selector. Returns the stored name and the selector (null for none).
    /// </summary>
    public static (string Name, string? Selector) ParseReference(string reference, string account, string region)
    {
        var text = reference;
        var arnPrefix = $"arn:aws:ssm:{region}:{account}:parameter";
        if (text.StartsWith(arnPrefix, StringComparison.Ordinal))
            text = text[arnPrefix.Length..];
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        string? selector = null;
        if (colon >= 0)
        {
            selector = text[(colon + 1)..];
            text = text[..colon];
        }
        return (Normalize(text), selector);
    }

    /// <summary>arn:aws:ssm:REGION:ACCOUNT:parameter/NAME (the name's leading slash dropped).</summary>
    public static string Arn(ParameterKey key) =>
        $"arn:aws:ssm:{key.Region}:{key.Account}:parameter/{key.Name.TrimStart('/')}";

    /// <summary>How many levels a name has (<c>/a/b/c</c> has three).</summary>
    public static int Levels(string name) => name.Split('/', StringSplitOptions.RemoveEmptyEntries).Length;
}
