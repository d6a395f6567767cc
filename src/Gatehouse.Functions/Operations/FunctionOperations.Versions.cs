using System.Globalization;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Functions.Model;
using Gatehouse.Protocol;

namespace Gatehouse.Functions.Operations;

/// <summary>Versions, aliases, concurrency, permissions, tags and account settings.</summary>
internal sealed partial class FunctionOperations
{
    /// <summary>Runs a control-plane change under the lock.</summary>
    private async ValueTask<AwsResponse> LockedAsync(Func<ValueTask<AwsResponse>> change, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await change().ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    private ValueTask<AwsResponse> PublishVersionAsync(AwsRequest request, CancellationToken cancellationToken) => LockedAsync(async () =>
    {
        var (entry, _) = Find(request, qualifierMember: null);
        var latest = entry.Latest.Config;
        if (request.Input.Str("RevisionId") is { } revision && revision != latest.RevisionId)
            throw FunctionErrors.RevisionMismatch();
        if (request.Input.Str("CodeSha256") is { } sha && sha != latest.CodeSha256)
            throw FunctionErrors.InvalidParameter($"CodeSHA256 ({sha}) is different from current CodeSHA256 in $LATEST ({latest.CodeSha256}). Please try again with the CodeSHA256 in $LATEST.");
        // Publishing unchanged $LATEST again returns the version that already has it, as Lambda does.
        var existing = entry.Versions.Values.Select(v => v.Config).FirstOrDefault(c => c.CodeHash == latest.CodeHash && c.LastModified == latest.LastModified);
        if (existing is not null)
            return FunctionConfigurationJson.Write(existing);
        var number = (entry.LastVersion + 1).ToString(CultureInfo.InvariantCulture);
        var config = latest with { Version = number, RevisionId = AwsIds.NewUuid(), Description = request.Input.Str("Description") ?? latest.Description };
        var handle = _registry.CreateHandle(config, entry.Concurrency);
        await _database.WriteAsync(async (connection, transaction) =>
        {
            await FunctionStore.UpsertVersionAsync(connection, transaction, config).ConfigureAwait(false);
            await FunctionStore.UpdateFunctionAsync(connection, transaction, entry, entry.ReservedConcurrency, entry.LastVersion + 1, entry.Tags, entry.Policy, entry.PolicyRevisionId).ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
        entry.Versions = entry.Versions.SetItem(number, handle);
        entry.LastVersion++;
        return FunctionConfigurationJson.Write(config);
    }, cancellationToken);

    private ValueTask<AwsResponse> ListVersionsByFunctionAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var (entry, _) = Find(request, qualifierMember: null);
        var all = entry.Versions.Values.Select(v => v.Config).OrderBy(c => int.Parse(c.Version, CultureInfo.InvariantCulture)).Prepend(entry.Latest.Config).ToList();
        var (page, next) = Page(all, request.Input.Str("Marker"), request.Input.Int("MaxItems"));
        var output = new JsonObject { ["Versions"] = new JsonArray([.. page.Select(c => (JsonNode)FunctionConfigurationJson.Write(c, qualifiedArn: true))]) };
        if (next is not null)
            output["NextMarker"] = next;
        return ValueTask.FromResult<AwsResponse>(output);
    }

    // ---- aliases -------------------------------------------------------------------------------

    private static JsonObject AliasJson(FunctionEntry entry, FunctionAlias alias) => new()
    {
        ["AliasArn"] = AwsIds.LambdaFunctionArn(entry.Region, entry.Account, entry.Name, alias.Name),
        ["Name"] = alias.Name,
        ["FunctionVersion"] = alias.FunctionVersion,
        ["Description"] = alias.Description,
        ["RevisionId"] = alias.RevisionId,
    };

    private static void CheckAliasTarget(FunctionEntry entry, string version)
    {
        if (version != "$LATEST" && !entry.Versions.ContainsKey(version))
        {
            if (!IsVersionNumber(version))
                throw FunctionErrors.AliasMustNameVersion();
            throw FunctionErrors.FunctionNotFound(AwsIds.LambdaFunctionArn(entry.Region, entry.Account, entry.Name, version));
        }
    }

    private ValueTask<AwsResponse> CreateAliasAsync(AwsRequest request, CancellationToken cancellationToken) => LockedAsync(async () =>
    {
        var (entry, _) = Find(request, qualifierMember: null);
        var name = request.Input.Req("Name");
        var version = request.Input.Req("FunctionVersion");
        if (IsVersionNumber(name) || name == "$LATEST")
            throw FunctionErrors.InvalidParameter($"1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)");
        if (entry.Aliases.ContainsKey(name))
            throw FunctionErrors.AliasExists(AwsIds.LambdaFunctionArn(entry.Region, entry.Account, entry.Name, name));
        CheckAliasTarget(entry, version);
        var alias = new FunctionAlias(name, version, request.Input.Str("Description") ?? "", AwsIds.NewUuid());
        await _database.WriteAsync(async (c, t) => { await FunctionStore.UpsertAliasAsync(c, t, entry, alias).ConfigureAwait(false); return 0; }, cancellationToken).ConfigureAwait(false);
        entry.Aliases = entry.Aliases.SetItem(name, alias);
        return AliasJson(entry, alias);
    }, cancellationToken);

    private FunctionAlias FindAlias(FunctionEntry entry, string name) =>
        entry.Aliases.GetValueOrDefault(name) ?? throw FunctionErrors.AliasNotFound(AwsIds.LambdaFunctionArn(entry.Region, entry.Account, entry.Name, name));

    private ValueTask<AwsResponse> GetAliasAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var (entry, _) = Find(request, qualifierMember: null);
        return ValueTask.FromResult<AwsResponse>(AliasJson(entry, FindAlias(entry, request.Input.Req("Name"))));
    }

    private ValueTask<AwsResponse> UpdateAliasAsync(AwsRequest request, CancellationToken cancellationToken) => LockedAsync(async () =>
    {
        var (entry, _) = Find(request, qualifierMember: null);
        var alias = FindAlias(entry, request.Input.Req("Name"));
        if (request.Input.Str("RevisionId") is { } revision && revision != alias.RevisionId)
            throw FunctionErrors.RevisionMismatch();
        var version = request.Input.Str("FunctionVersion") ?? alias.FunctionVersion;
        CheckAliasTarget(entry, version);
        var updated = alias with { FunctionVersion = version, Description = request.Input.Str("Description") ?? alias.Description, RevisionId = AwsIds.NewUuid() };
        await _database.WriteAsync(async (c, t) => { await FunctionStore.UpsertAliasAsync(c, t, entry, updated).ConfigureAwait(false); return 0; }, cancellationToken).ConfigureAwait(false);
        entry.Aliases = entry.Aliases.SetItem(updated.Name, updated);
        return AliasJson(entry, updated);
    }, cancellationToken);

    private ValueTask<AwsResponse> DeleteAliasAsync(AwsRequest request, CancellationToken cancellationToken) => LockedAsync(async () =>
    {
        var (entry, _) = Find(request, qualifierMember: null);
        var alias = FindAlias(entry, request.Input.Req("Name"));
        await _database.WriteAsync(async (c, t) => { await FunctionStore.DeleteAliasAsync(c, t, entry, alias.Name).ConfigureAwait(false); return 0; }, cancellationToken).ConfigureAwait(false);
        entry.Aliases = entry.Aliases.Remove(alias.Name);
        return new JsonObject();
    }, cancellationToken);

    private ValueTask<AwsResponse> ListAliasesAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var (entry, _) = Find(request, qualifierMember: null);
        var version = request.Input.Str("FunctionVersion");
        var all = entry.Aliases.Values.Where(a => version is null || a.FunctionVersion == version).OrderBy(a => a.Name, StringComparer.Ordinal).ToList();
        var (page, next) = Page(all, request.Input.Str("Marker"), request.Input.Int("MaxItems"));
        var output = new JsonObject { ["Aliases"] = new JsonArray([.. page.Select(a => (JsonNode)AliasJson(entry, a))]) };
        if (next is not null)
            output["NextMarker"] = next;
        return ValueTask.FromResult<AwsResponse>(output);
    }

    // ---- concurrency ---------------------------------------------------------------------------

    private ValueTask<AwsResponse> PutFunctionConcurrencyAsync(AwsRequest request, CancellationToken cancellationToken) => LockedAsync(async () =>
    {
        var (entry, _) = Find(request, qualifierMember: null);
        var reserved = request.Input.Int("ReservedConcurrentExecutions") ?? 0;
        var reservedElsewhere = _registry.All.Where(f => f != entry && f.Account == entry.Account).Sum(f => f.ReservedConcurrency ?? 0);
        if (reserved < 0 || reservedElsewhere + reserved > _options.MaxConcurrency)
            throw FunctionErrors.ReservedConcurrencyTooHigh(0);
        await SaveFunctionAsync(entry, reserved, entry.Tags, entry.Policy, entry.PolicyRevisionId, cancellationToken).ConfigureAwait(false);
        entry.Concurrency.Limit = reserved;
        return new JsonObject { ["ReservedConcurrentExecutions"] = reserved };
    }, cancellationToken);

    private ValueTask<AwsResponse> GetFunctionConcurrencyAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var (entry, _) = Find(request, qualifierMember: null);
        var output = new JsonObject();
        if (entry.ReservedConcurrency is { } reserved)
            output["ReservedConcurrentExecutions"] = reserved;
        return ValueTask.FromResult<AwsResponse>(output);
    }

    private ValueTask<AwsResponse> DeleteFunctionConcurrencyAsync(AwsRequest request, CancellationToken cancellationToken) => LockedAsync(async () =>
    {
        var (entry, _) = Find(request, qualifierMember: null);
        await SaveFunctionAsync(entry, null, entry.Tags, entry.Policy, entry.PolicyRevisionId, cancellationToken).ConfigureAwait(false);
        entry.Concurrency.Limit = -1;
        return new JsonObject();
    }, cancellationToken);

    private Task SaveFunctionAsync(FunctionEntry entry, int? reserved, IReadOnlyDictionary<string, string> tags, IEnumerable<JsonObject> policy, string policyRevision, CancellationToken cancellationToken) =>
        _database.WriteAsync(async (c, t) =>
        {
            await FunctionStore.UpdateFunctionAsync(c, t, entry, reserved, entry.LastVersion, tags, policy, policyRevision).ConfigureAwait(false);
            return 0;
        }, cancellationToken);

    // ---- permissions ---------------------------------------------------------------------------

    private ValueTask<AwsResponse> AddPermissionAsync(AwsRequest request, CancellationToken cancellationToken) => LockedAsync(async () =>
    {
        var (entry, qualifier) = Find(request);
        var input = request.Input;
        var sid = input.Req("StatementId");
        if (entry.Policy.Any(s => (string?)s["Sid"] == sid))
            throw FunctionErrors.StatementExists(sid);
        if (input.Str("RevisionId") is { } revision && revision != entry.PolicyRevisionId)
            throw FunctionErrors.RevisionMismatch();
        var principal = input.Req("Principal");
        var statement = new JsonObject
        {
            ["Sid"] = sid,
            ["Effect"] = "Allow",
            ["Principal"] = principal.Contains('.', StringComparison.Ordinal) ? new JsonObject { ["Service"] = principal } : new JsonObject { ["AWS"] = principal == "*" ? "*" : $"arn:aws:iam::{principal}:root" },
            ["Action"] = input.Req("Action"),
            ["Resource"] = qualifier is null ? entry.Latest.Config.FunctionArn : AwsIds.LambdaFunctionArn(entry.Region, entry.Account, entry.Name, qualifier),
        };
        var condition = new JsonObject();
        if (input.Str("SourceArn") is { } sourceArn)
            condition["ArnLike"] = new JsonObject { ["AWS:SourceArn"] = sourceArn };
        if (input.Str("SourceAccount") is { } sourceAccount)
            condition["StringEquals"] = new JsonObject { ["AWS:SourceAccount"] = sourceAccount };
        if (condition.Count > 0)
            statement["Condition"] = condition;
        var policy = entry.Policy.Add(statement);
        var newRevision = AwsIds.NewUuid();
        await SaveFunctionAsync(entry, entry.ReservedConcurrency, entry.Tags, policy, newRevision, cancellationToken).ConfigureAwait(false);
        entry.Policy = policy;
        entry.PolicyRevisionId = newRevision;
        return new JsonObject { ["Statement"] = statement.ToJsonString() };
    }, cancellationToken);

    private ValueTask<AwsResponse> RemovePermissionAsync(AwsRequest request, CancellationToken cancellationToken) => LockedAsync(async () =>
    {
        var (entry, _) = Find(request);
        var sid = request.Input.Req("StatementId");
        var statement = entry.Policy.FirstOrDefault(s => (string?)s["Sid"] == sid) ?? throw FunctionErrors.StatementNotFound(sid);
        if (request.Input.Str("RevisionId") is { } revision && revision != entry.PolicyRevisionId)
            throw FunctionErrors.RevisionMismatch();
        var policy = entry.Policy.Remove(statement);
        var newRevision = AwsIds.NewUuid();
        await SaveFunctionAsync(entry, entry.ReservedConcurrency, entry.Tags, policy, newRevision, cancellationToken).ConfigureAwait(false);
        entry.Policy = policy;
        entry.PolicyRevisionId = newRevision;
        return new JsonObject();
    }, cancellationToken);

    private ValueTask<AwsResponse> GetPolicyAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var (entry, _) = Find(request);
        if (entry.Policy.IsEmpty)
            throw FunctionErrors.NoPolicy(entry.Latest.Config.FunctionArn);
        var policy = new JsonObject
        {
            ["Version"] = "2012-10-17",
            ["Id"] = "default",
            ["Statement"] = new JsonArray([.. entry.Policy.Select(s => (JsonNode)s.DeepClone())]),
        };
        return ValueTask.FromResult<AwsResponse>(new JsonObject { ["Policy"] = policy.ToJsonString(), ["RevisionId"] = entry.PolicyRevisionId });
    }

    // ---- tags and account ----------------------------------------------------------------------

    private FunctionEntry FindByResource(AwsRequest request)
    {
        var arn = request.Input.Req("Resource");
        if (!FunctionName.TryParse(arn, out var name) || name.Account is null)
            throw FunctionErrors.InvalidParameter($"Invalid resource ARN: {arn}");
        return _registry.Find(name.Account, name.Region ?? request.Context.Region, name.Name) ?? throw FunctionErrors.FunctionNotFound(arn);
    }

    private ValueTask<AwsResponse> ListTagsAsync(AwsRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<AwsResponse>(new JsonObject { ["Tags"] = TagsJson(FindByResource(request).Tags) });

    private ValueTask<AwsResponse> TagResourceAsync(AwsRequest request, CancellationToken cancellationToken) => LockedAsync(async () =>
    {
        var entry = FindByResource(request);
        var tags = entry.Tags.SetItems(request.Input.StringMap("Tags"));
        await SaveFunctionAsync(entry, entry.ReservedConcurrency, tags, entry.Policy, entry.PolicyRevisionId, cancellationToken).ConfigureAwait(false);
        entry.Tags = tags;
        return new JsonObject();
    }, cancellationToken);

    private ValueTask<AwsResponse> UntagResourceAsync(AwsRequest request, CancellationToken cancellationToken) => LockedAsync(async () =>
    {
        var entry = FindByResource(request);
        var tags = entry.Tags.RemoveRange(request.Input.Strings("TagKeys"));
        await SaveFunctionAsync(entry, entry.ReservedConcurrency, tags, entry.Policy, entry.PolicyRevisionId, cancellationToken).ConfigureAwait(false);
        entry.Tags = tags;
        return new JsonObject();
    }, cancellationToken);

    private ValueTask<AwsResponse> GetAccountSettingsAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var functions = _registry.All.Where(f => f.Account == request.Context.Account && f.Region == request.Context.Region).ToList();
        var reserved = functions.Sum(f => f.ReservedConcurrency ?? 0);
        var codeSize = functions.SelectMany(f => f.Versions.Values.Prepend(f.Latest)).Sum(h => h.Config.CodeSize);
        return ValueTask.FromResult<AwsResponse>(new JsonObject
        {
            ["AccountLimit"] = new JsonObject
            {
                ["TotalCodeSize"] = 80530636800L,
                ["CodeSizeUnzipped"] = 262144000L,
                ["CodeSizeZipped"] = 52428800L,
                ["ConcurrentExecutions"] = _options.MaxConcurrency,
                ["UnreservedConcurrentExecutions"] = _options.MaxConcurrency - reserved,
            },
            ["AccountUsage"] = new JsonObject { ["TotalCodeSize"] = codeSize, ["FunctionCount"] = (long)functions.Count },
        });
    }
}
