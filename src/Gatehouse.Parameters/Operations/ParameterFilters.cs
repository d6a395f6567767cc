using System.Text.Json.Nodes;
using Gatehouse.Parameters.Model;
using Gatehouse.Protocol;

namespace Gatehouse.Parameters.Operations;

/// <summary>
/// The ParameterFilters of DescribeParameters and GetParametersByPath
/// (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_ParameterStringFilter.html),
/// checked as AWS checks them, and the deprecated Filters of DescribeParameters
/// (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_ParametersFilter.html).
/// A parameter matches when it matches every filter.
/// </summary>
internal sealed class ParameterFilters
{
    private static readonly string[] Types = ["String", "StringList", "SecureString"];
    private static readonly string[] Tiers = ["Standard", "Advanced", "Intelligent-Tiering"];

    private readonly List<Func<Parameter, bool>> _tests;

    private ParameterFilters(List<Func<Parameter, bool>> tests) => _tests = tests;

    public bool IsEmpty => _tests.Count == 0;

    public bool Matches(Parameter parameter) => _tests.TrueForAll(test => test(parameter));

    public static ParameterFilters Read(JsonObject input, bool byPath)
    {
        var tests = new List<Func<Parameter, bool>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var filter in input.Arr("ParameterFilters")?.OfType<JsonObject>() ?? [])
        {
            var key = filter.Req("Key");
            var isTag = key.StartsWith("tag:", StringComparison.Ordinal);
            if (byPath && key is "Name" or "Path" or "Tier")
                throw ParametersErrors.InvalidFilterKey(key, "Type, KeyId, Label, DataType, tag");
            if (!byPath && key == "Label")
                throw ParametersErrors.InvalidFilterKey(key, "Path, Name, Type, KeyId, Tier, DataType, tag");
            if (!seen.Add(key))
                throw ParametersErrors.DuplicateFilter(key);
            var values = filter.Strings("Values").ToList();
            if (!isTag && values.Count == 0)
                throw ParametersErrors.MissingFilterValues(key);
            var option = filter.Str("Option") ?? (key == "Path" ? "OneLevel" : "Equals");
            if (key == "Path")
            {
                if (option is not ("OneLevel" or "Recursive"))
                    throw ParametersErrors.InvalidFilterOption(option, "Recursive, OneLevel");
                foreach (var value in values)
                {
                    if (!value.StartsWith('/') || value.Contains("//", StringComparison.Ordinal)
                        || value.StartsWith("/aws", StringComparison.OrdinalIgnoreCase) || value.StartsWith("/ssm", StringComparison.OrdinalIgnoreCase))
                        throw ParametersErrors.InvalidPath();
                }
                var recursive = option == "Recursive";
                tests.Add(p => values.Any(v => ParameterOperations.InPath(p.Name, v.TrimEnd('/') + "/", recursive)));
                continue;
            }
            var options = key == "Name" ? "BeginsWith, Equals, Contains" : "BeginsWith, Equals";
            if (option is not ("Equals" or "BeginsWith") && !(key == "Name" && option == "Contains"))
                throw ParametersErrors.InvalidFilterOption(option, options);
            if (key == "Type")
                CheckValues(values, Types);
            if (key == "Tier")
                CheckValues(values, Tiers);
            if (key == "Name" && option == "Equals")
                values = [.. values.Select(ParameterNames.Normalize)];
            Func<string?, bool> test = option switch
            {
                "BeginsWith" => s => s is not null && values.Any(v => s.StartsWith(v, StringComparison.Ordinal) || ("/" + s).StartsWith(v, StringComparison.Ordinal)),
                "Contains" => s => s is not null && values.Any(v => s.Contains(v, StringComparison.Ordinal)),
                _ => s => s is not null && values.Contains(s, StringComparer.Ordinal),
            };
            tests.Add(key switch
            {
                "Name" => p => test(p.Name),
                "Type" => p => test(p.Latest.Type),
                "KeyId" => p => test(p.Latest.KeyId),
                "Tier" => p => test(p.Latest.Tier),
                "DataType" => p => test(p.Latest.DataType),
                "Label" => p => p.Versions.Values.Any(v => v.Labels.Any(test)),
                _ when isTag => p => p.Tags.TryGetValue(key[4..], out var tag) && (values.Count == 0 || test(tag)),
                _ => throw ParametersErrors.InvalidFilterKey(key, "Path, Name, Type, KeyId, Tier, DataType, Label, tag"),
            });
        }
        return new ParameterFilters(tests);
    }

    /// <summary>The deprecated Filters: Name begins with one of the values; Type and KeyId equal one.</summary>
    public static ParameterFilters ReadLegacy(JsonObject input)
    {
        var tests = new List<Func<Parameter, bool>>();
        foreach (var filter in input.Arr("Filters")?.OfType<JsonObject>() ?? [])
        {
            var values = filter.Strings("Values").ToList();
            tests.Add(filter.Req("Key") switch
            {
                "Name" => p => values.Any(v => p.Name.StartsWith(v, StringComparison.Ordinal) || ("/" + p.Name).StartsWith(v, StringComparison.Ordinal)),
                "Type" => p => values.Contains(p.Latest.Type, StringComparer.Ordinal),
                _ => p => p.Latest.KeyId is { } keyId && values.Contains(keyId, StringComparer.Ordinal),
            });
        }
        return new ParameterFilters(tests);
    }

    private static void CheckValues(List<string> values, string[] valid)
    {
        foreach (var value in values)
        {
            if (!valid.Contains(value, StringComparer.Ordinal))
                throw ParametersErrors.InvalidFilterValue(value, string.Join(", ", valid));
        }
    }
}
