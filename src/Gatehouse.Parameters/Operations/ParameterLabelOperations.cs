using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Parameters.Model;
using Gatehouse.Protocol;
using Ops = Gatehouse.Protocol.Generated.Ssm.Operations;

namespace Gatehouse.Parameters.Operations;

/// <summary>
/// Labels on parameter versions: put on a version (moved off any other), taken off
/// (https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-labels.html).
/// </summary>
internal sealed class ParameterLabelOperations : IAwsOperations
{
    private const int MaxLabelsPerVersion = 10;

    private readonly ParameterState _state;

    public ParameterLabelOperations(ParameterState state) => _state = state;

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Ops.LabelParameterVersion, LabelParameterVersionAsync)
        .Map(Ops.UnlabelParameterVersion, UnlabelParameterVersionAsync);

    /// <summary>
    /// Labels a version (the latest unless one is named), moving each label off any other version
    /// (https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-labels.html).
    /// Labels AWS refuses come back in InvalidLabels rather than failing the call.
    /// </summary>
    private async ValueTask<AwsResponse> LabelParameterVersionAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var given = request.Input.Req("Name");
        var key = new ParameterKey(request.Context.Account, request.Context.Region, ParameterNames.Normalize(given));
        var labels = request.Input.Strings("Labels").Distinct(StringComparer.Ordinal).ToList();
        var requested = request.Input.Long("ParameterVersion");
        return await _state.UpdateAsync(key, current =>
        {
            if (current is null)
                throw ParametersErrors.ParameterNotFound(given);
            var number = requested ?? current.Latest.Version;
            var target = current.Versions.GetValueOrDefault(number) ?? throw ParametersErrors.VersionNotFound(key.Name, number);
            var invalid = labels.Where(l => !ValidLabel(l)).ToList();
            var valid = labels.Where(ValidLabel).ToList();
            var added = valid.Where(l => !target.Labels.Contains(l)).ToList();
            if (target.Labels.Count + added.Count > MaxLabelsPerVersion)
                throw ParametersErrors.TooManyLabels();
            var versions = current.Versions;
            foreach (var other in current.Versions.Values.Where(v => v.Version != number && v.Labels.Any(valid.Contains)))
                versions = versions.SetItem(other.Version, other with { Labels = other.Labels.RemoveAll(valid.Contains) });
            if (added.Count > 0)
                versions = versions.SetItem(number, target with { Labels = target.Labels.AddRange(added) });
            var output = new JsonObject
            {
                ["InvalidLabels"] = new JsonArray([.. invalid.Select(l => (JsonNode)l)]),
                ["ParameterVersion"] = number,
            };
            return (ReferenceEquals(versions, current.Versions) ? current : current with { Versions = versions }, output);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Labels can't begin with a digit, "aws" or "ssm", and use letters, digits, <c>. - _</c> (sysman-paramstore-labels.html).</summary>
    internal static bool ValidLabel(string label) =>
        label.Length is > 0 and <= 100
        && !char.IsAsciiDigit(label[0])
        && !label.StartsWith("aws", StringComparison.OrdinalIgnoreCase)
        && !label.StartsWith("ssm", StringComparison.OrdinalIgnoreCase)
        && label.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');

    private async ValueTask<AwsResponse> UnlabelParameterVersionAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var given = request.Input.Req("Name");
        var key = new ParameterKey(request.Context.Account, request.Context.Region, ParameterNames.Normalize(given));
        var labels = request.Input.Strings("Labels").Distinct(StringComparer.Ordinal).ToList();
        var number = request.Input.Long("ParameterVersion") ?? throw ParametersErrors.VersionRequired();
        return await _state.UpdateAsync(key, current =>
        {
            if (current is null)
                throw ParametersErrors.ParameterNotFound(given);
            var target = current.Versions.GetValueOrDefault(number) ?? throw ParametersErrors.VersionNotFound(key.Name, number);
            var removed = labels.Where(target.Labels.Contains).ToList();
            var output = new JsonObject
            {
                ["RemovedLabels"] = new JsonArray([.. removed.Select(l => (JsonNode)l)]),
                ["InvalidLabels"] = new JsonArray([.. labels.Where(l => !removed.Contains(l)).Select(l => (JsonNode)l)]),
            };
            if (removed.Count == 0)
                return (current, output);
            var versions = current.Versions.SetItem(number, target with { Labels = target.Labels.RemoveAll(removed.Contains) });
            return (current with { Versions = versions }, output);
        }, cancellationToken).ConfigureAwait(false);
    }
}
