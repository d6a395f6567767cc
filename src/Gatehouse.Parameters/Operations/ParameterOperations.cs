using System.Collections.Immutable;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gatehouse.Core;
using Gatehouse.Parameters.Model;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;
using Ops = Gatehouse.Protocol.Generated.Ssm.Operations;

namespace Gatehouse.Parameters.Operations;

/// <summary>
/// Parameters and their versions: put, get (by name, version, label, path), describe, history, delete;
/// the versions' labels are in <see cref="ParameterLabelOperations"/>
/// (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_Operations.html).
/// </summary>
internal sealed class ParameterOperations : IAwsOperations
{
    /// <summary>AWS keeps a parameter's 100 latest versions (sysman-paramstore-versions.html).</summary>
    private const int MaxVersions = 100;
    private const int StandardMaxBytes = 4096;
    private const int AdvancedMaxBytes = 8192;
    private const int MaxTags = 50;

    /// <summary>https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-ec2-aliases.html and …/parameter-data-types.</summary>
    private static readonly string[] DataTypes = ["text", "aws:ec2:image", "aws:ssm:integration"];

    private readonly ParameterState _state;
    private readonly SecureValues _secure;
    private readonly TimeProvider _time;

    public ParameterOperations(ParameterState state, SecureValues secure, TimeProvider time)
    {
        _state = state;
        _secure = secure;
        _time = time;
    }

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Ops.PutParameter, PutParameterAsync)
        .Map(Ops.GetParameter, GetParameterAsync)
        .Map(Ops.GetParameters, GetParametersAsync)
        .Map(Ops.GetParametersByPath, GetParametersByPathAsync)
        .Map(Ops.DescribeParameters, DescribeParametersAsync)
        .Map(Ops.GetParameterHistory, GetParameterHistoryAsync)
        .Map(Ops.DeleteParameter, DeleteParameterAsync)
        .Map(Ops.DeleteParameters, DeleteParametersAsync);

    private async ValueTask<AwsResponse> PutParameterAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        var name = ParameterNames.ValidateForPut(input.Req("Name"));
        var value = input.Req("Value");
        if (value.Length == 0)
            throw ParametersErrors.EmptyValue();
        var overwrite = input.Bool("Overwrite") == true;
        var tags = TagOperations.ReadTags(input);
        if (overwrite && tags.Count > 0)
            throw ParametersErrors.TagsWithOverwrite();
        if (tags.Count > MaxTags)
            throw ParametersErrors.TooManyTags();
        var dataType = input.Str("DataType");
        if (dataType is not null && !DataTypes.Contains(dataType, StringComparer.Ordinal))
            throw ParametersErrors.UnsupportedDataType(dataType);
        var allowedPattern = input.Str("AllowedPattern");
        var key = new ParameterKey(request.Context.Account, request.Context.Region, name);
        var now = _time.GetUtcNow();

        var output = await _state.UpdateAsync(key, current =>
        {
            if (current is not null && !overwrite)
                throw ParametersErrors.ParameterAlreadyExists();
            var previous = current?.Latest;
            var type = input.Str("Type") ?? previous?.Type ?? throw ParametersErrors.TypeRequired();
            var keyId = input.Str("KeyId");
            if (keyId is not null && type != "SecureString")
                throw ParametersErrors.KeyIdForSecureStringOnly();
            if (type == "SecureString")
                keyId ??= previous?.Type == "SecureString" ? previous.KeyId : null;
            keyId = type == "SecureString" ? keyId ?? "alias/aws/ssm" : null;
            var pattern = allowedPattern ?? previous?.AllowedPattern;
            if (!string.IsNullOrEmpty(pattern))
                CheckPattern(pattern, value);
            var tier = EffectiveTier(input.Str("Tier"), previous?.Tier, Encoding.UTF8.GetByteCount(value));

            var versions = current?.Versions ?? ImmutableSortedDictionary<long, ParameterVersion>.Empty;
            if (versions.Count >= MaxVersions)
            {
                // The oldest version makes room, unless a label still points at it.
                var oldest = versions.Values.First();
                if (oldest.Labels.Count > 0)
                    throw ParametersErrors.MaxVersions(name, oldest.Version);
                versions = versions.Remove(oldest.Version);
            }
            var version = new ParameterVersion
            {
                Version = (previous?.Version ?? 0) + 1,
                Type = type,
                Value = type == "SecureString" ? _secure.Seal(key, value) : value,
                KeyId = keyId,
                Description = input.Str("Description") ?? previous?.Description,
                AllowedPattern = string.IsNullOrEmpty(pattern) ? null : pattern,
                DataType = dataType ?? previous?.DataType ?? "text",
                Tier = tier,
                LastModifiedDate = now,
                LastModifiedUser = LastModifiedUser(request),
            };
            var after = current is null
                ? new Parameter
                {
                    Key = key,
                    Versions = versions.Add(version.Version, version),
                    Tags = tags.ToImmutableSortedDictionary(StringComparer.Ordinal),
                }
                : current with { Versions = versions.Add(version.Version, version) };
            return (after, new JsonObject { ["Version"] = version.Version, ["Tier"] = version.Tier });
        }, cancellationToken).ConfigureAwait(false);
        return output;
    }

    /// <summary>
    /// The tier a new version gets (https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html):
    /// Standard holds 4 KB, Advanced 8 KB; Intelligent-Tiering picks Advanced only when needed; an
    /// advanced parameter never goes back to Standard.
    /// </summary>
    private static string EffectiveTier(string? requested, string? previous, int bytes)
    {
        var tier = requested switch
        {
            null => previous ?? "Standard",
            "Intelligent-Tiering" => bytes > StandardMaxBytes || previous == "Advanced" ? "Advanced" : "Standard",
            _ => requested,
        };
        if (tier == "Standard" && previous == "Advanced")
            throw ParametersErrors.TierDowngrade();
        if (tier == "Standard" && bytes > StandardMaxBytes)
            throw ParametersErrors.StandardValueTooLarge();
        if (bytes > AdvancedMaxBytes)
            throw ParametersErrors.AdvancedValueTooLarge();
        return tier;
    }

    private static void CheckPattern(string pattern, string value)
    {
        Regex regex;
        try
        {
            regex = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException)
        {
            throw ParametersErrors.InvalidAllowedPattern(pattern);
        }
        bool matches;
        try
        {
            matches = regex.IsMatch(value);
        }
        catch (RegexMatchTimeoutException)
        {
            matches = false;
        }
        if (!matches)
            throw ParametersErrors.PatternMismatch(pattern);
    }

    /// <summary>Gatehouse does not enforce IAM: every change is the account's root user's.</summary>
    private static string LastModifiedUser(AwsRequest request) => $"arn:aws:iam::{request.Context.Account}:root";

    private ValueTask<AwsResponse> GetParameterAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var reference = request.Input.Req("Name");
        var decrypt = request.Input.Bool("WithDecryption") == true;
        var (parameter, version, selector) = Resolve(request, reference);
        return ValueTask.FromResult<AwsResponse>(new JsonObject { ["Parameter"] = Output(parameter, version, selector, decrypt) });
    }

    private ValueTask<AwsResponse> GetParametersAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var decrypt = request.Input.Bool("WithDecryption") == true;
        var found = new JsonArray();
        var invalid = new JsonArray();
        foreach (var reference in request.Input.Strings("Names").Distinct(StringComparer.Ordinal))
        {
            try
            {
                var (parameter, version, selector) = Resolve(request, reference);
                found.Add(Output(parameter, version, selector, decrypt));
            }
            catch (AwsException e) when (e.Code is Ssm.Errors.ParameterNotFound or Ssm.Errors.ParameterVersionNotFound)
            {
                invalid.Add(reference);
            }
        }
        return ValueTask.FromResult<AwsResponse>(new JsonObject { ["Parameters"] = found, ["InvalidParameters"] = invalid });
    }

    /// <summary>The parameter and version a name (or ARN) with an optional <c>:version</c> or <c>:label</c> names.</summary>
    private (Parameter Parameter, ParameterVersion Version, string? Selector) Resolve(AwsRequest request, string reference)
    {
        var (name, selector) = ParameterNames.ParseReference(reference, request.Context.Account, request.Context.Region);
        var parameter = _state.Parameters.GetValueOrDefault(new ParameterKey(request.Context.Account, request.Context.Region, name))
            ?? throw ParametersErrors.ParameterNotFound(reference);
        if (selector is null)
            return (parameter, parameter.Latest, null);
        if (selector.Length > 0 && selector.All(char.IsAsciiDigit) && long.TryParse(selector, out var number))
        {
            var version = parameter.Versions.GetValueOrDefault(number) ?? throw ParametersErrors.VersionNotFound(name, number);
            return (parameter, version, ":" + selector);
        }
        var labeled = parameter.Labeled(selector) ?? throw ParametersErrors.ParameterNotFound(reference);
        return (parameter, labeled, ":" + selector);
    }

    private JsonObject Output(Parameter parameter, ParameterVersion version, string? selector, bool decrypt)
    {
        var output = new JsonObject
        {
            ["Name"] = parameter.Name,
            ["Type"] = version.Type,
            ["Value"] = Value(parameter, version, decrypt),
            ["Version"] = version.Version,
            ["LastModifiedDate"] = JsonValue.Create(version.LastModifiedDate),
            ["ARN"] = ParameterNames.Arn(parameter.Key),
            ["DataType"] = version.DataType,
        };
        if (selector is not null)
            output["Selector"] = selector;
        return output;
    }

    private string Value(Parameter parameter, ParameterVersion version, bool decrypt) =>
        decrypt && version.Type == "SecureString" ? _secure.Open(parameter.Key, version.Value) : version.Value;

    private ValueTask<AwsResponse> GetParametersByPathAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        var path = input.Req("Path");
        if (!path.StartsWith('/') || path.Contains("//", StringComparison.Ordinal))
            throw ParametersErrors.InvalidPath();
        var recursive = input.Bool("Recursive") == true;
        var decrypt = input.Bool("WithDecryption") == true;
        var filters = ParameterFilters.Read(input, byPath: true);
        var prefix = path.TrimEnd('/') + "/";
        var matches = Mine(request)
            .Where(p => InPath(p.Name, prefix, recursive) && filters.Matches(p))
            .OrderBy(p => p.Name, StringComparer.Ordinal);
        var (page, next) = NamePage(matches, input.Str("NextToken"), input.Int("MaxResults") ?? 10);
        var output = new JsonObject { ["Parameters"] = new JsonArray([.. page.Select(p => (JsonNode)Output(p, p.Latest, null, decrypt))]) };
        if (next is not null)
            output["NextToken"] = next;
        return ValueTask.FromResult<AwsResponse>(output);
    }

    /// <summary>
    /// Whether a stored name is under <paramref name="prefix"/> (ending in <c>/</c>); one level only
    /// unless recursive. Single-level names are stored without their slash, so they sit under <c>/</c>.
    /// </summary>
    internal static bool InPath(string name, string prefix, bool recursive)
    {
        var full = name.StartsWith('/') ? name : "/" + name;
        if (!full.StartsWith(prefix, StringComparison.Ordinal) || full.Length == prefix.Length)
            return false;
        return recursive || full.IndexOf('/', prefix.Length) < 0;
    }

    private IEnumerable<Parameter> Mine(AwsRequest request) =>
        _state.Parameters.Values.Where(p => p.Key.Account == request.Context.Account && p.Key.Region == request.Context.Region);

    /// <summary>
    /// A page of parameters ordered by name; the token is the last name handed out (base64), so a
    /// page boundary stays put while parameters are added or deleted.
    /// </summary>
    private static (List<Parameter> Page, string? Next) NamePage(IEnumerable<Parameter> ordered, string? token, int size)
    {
        var after = token is null ? null : Tokens.Decode(token);
        var rest = after is null ? ordered : ordered.Where(p => string.CompareOrdinal(p.Name, after) > 0);
        var page = rest.Take(size + 1).ToList();
        if (page.Count <= size)
            return (page, null);
        page.RemoveAt(size);
        return (page, Tokens.Encode(page[^1].Name));
    }

    private ValueTask<AwsResponse> DescribeParametersAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        var legacy = input.Arr("Filters");
        var filters = ParameterFilters.Read(input, byPath: false);
        if (legacy is { Count: > 0 } && !filters.IsEmpty)
            throw ParametersErrors.FiltersAndParameterFilters();
        var legacyFilters = ParameterFilters.ReadLegacy(input);
        var matches = Mine(request)
            .Where(p => filters.Matches(p) && legacyFilters.Matches(p))
            .OrderBy(p => p.Name, StringComparer.Ordinal);
        var (page, next) = NamePage(matches, input.Str("NextToken"), input.Int("MaxResults") ?? 50);
        var output = new JsonObject { ["Parameters"] = new JsonArray([.. page.Select(p => (JsonNode)Metadata(p))]) };
        if (next is not null)
            output["NextToken"] = next;
        return ValueTask.FromResult<AwsResponse>(output);
    }

    private static JsonObject Metadata(Parameter parameter)
    {
        var output = Describe(parameter, parameter.Latest);
        output["ARN"] = ParameterNames.Arn(parameter.Key);
        return output;
    }

    /// <summary>What DescribeParameters and GetParameterHistory both say of a version.</summary>
    private static JsonObject Describe(Parameter parameter, ParameterVersion version)
    {
        var output = new JsonObject
        {
            ["Name"] = parameter.Name,
            ["Type"] = version.Type,
            ["LastModifiedDate"] = JsonValue.Create(version.LastModifiedDate),
            ["LastModifiedUser"] = version.LastModifiedUser,
            ["Version"] = version.Version,
            ["Tier"] = version.Tier,
            ["Policies"] = new JsonArray(),
            ["DataType"] = version.DataType,
        };
        if (version.KeyId is not null)
            output["KeyId"] = version.KeyId;
        if (version.Description is not null)
            output["Description"] = version.Description;
        if (version.AllowedPattern is not null)
            output["AllowedPattern"] = version.AllowedPattern;
        return output;
    }

    private ValueTask<AwsResponse> GetParameterHistoryAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        var reference = input.Req("Name");
        var (name, _) = ParameterNames.ParseReference(reference, request.Context.Account, request.Context.Region);
        var parameter = _state.Parameters.GetValueOrDefault(new ParameterKey(request.Context.Account, request.Context.Region, name))
            ?? throw ParametersErrors.ParameterNotFound(reference);
        var decrypt = input.Bool("WithDecryption") == true;
        var size = input.Int("MaxResults") ?? 50;
        long after = 0;
        if (input.Str("NextToken") is { } token && !long.TryParse(Tokens.Decode(token), out after))
            throw ParametersErrors.InvalidNextToken();
        var page = parameter.Versions.Values.Where(v => v.Version > after).Take(size + 1).ToList();
        string? next = null;
        if (page.Count > size)
        {
            page.RemoveAt(size);
            next = Tokens.Encode(page[^1].Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        var output = new JsonObject
        {
            ["Parameters"] = new JsonArray([.. page.Select(v =>
            {
                var item = Describe(parameter, v);
                item["Value"] = Value(parameter, v, decrypt);
                item["Labels"] = new JsonArray([.. v.Labels.Select(l => (JsonNode)l)]);
                return (JsonNode)item;
            })]),
        };
        if (next is not null)
            output["NextToken"] = next;
        return ValueTask.FromResult<AwsResponse>(output);
    }

    private async ValueTask<AwsResponse> DeleteParameterAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var given = request.Input.Req("Name");
        var key = new ParameterKey(request.Context.Account, request.Context.Region, ParameterNames.Normalize(given));
        return await _state.UpdateAsync<JsonObject>(key, current =>
            current is null ? throw ParametersErrors.ParameterNotFound(given) : (null, new JsonObject()), cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<AwsResponse> DeleteParametersAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var deleted = new JsonArray();
        var invalid = new JsonArray();
        foreach (var given in request.Input.Strings("Names").Distinct(StringComparer.Ordinal))
        {
            var key = new ParameterKey(request.Context.Account, request.Context.Region, ParameterNames.Normalize(given));
            var existed = await _state.UpdateAsync(key, current => ((Parameter?)null, current is not null), cancellationToken).ConfigureAwait(false);
            (existed ? deleted : invalid).Add(given);
        }
        return new JsonObject { ["DeletedParameters"] = deleted, ["InvalidParameters"] = invalid };
    }
}
