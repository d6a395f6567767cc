using System.Globalization;
using System.Text.Json.Nodes;
using Gatehouse.Access.Model;
using Gatehouse.Core;
using Gatehouse.Protocol;
using static Gatehouse.Access.Operations.Shapes;
using Ops = Gatehouse.Protocol.Generated.Iam.Operations;

namespace Gatehouse.Access.Operations;

/// <summary>
/// Managed policies: the account's own (create, read, list, delete, up to five versions) and the
/// AWS managed catalog (<see cref="AwsManagedPolicies"/>), which can be read and attached but not changed.
/// </summary>
internal sealed class PolicyOperations : IAwsOperations
{
    private const int MaxVersions = 5;

    private readonly AccessState _state;
    private readonly GatehouseOptions _options;
    private readonly TimeProvider _time;

    public PolicyOperations(AccessState state, GatehouseOptions options, TimeProvider time)
    {
        _state = state;
        _options = options;
        _time = time;
    }

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Ops.CreatePolicy, CreatePolicyAsync)
        .Map(Ops.GetPolicy, GetPolicyAsync)
        .Map(Ops.ListPolicies, ListPoliciesAsync)
        .Map(Ops.DeletePolicy, DeletePolicyAsync)
        .Map(Ops.CreatePolicyVersion, CreatePolicyVersionAsync)
        .Map(Ops.GetPolicyVersion, GetPolicyVersionAsync)
        .Map(Ops.ListPolicyVersions, ListPolicyVersionsAsync)
        .Map(Ops.DeletePolicyVersion, DeletePolicyVersionAsync)
        .Map(Ops.SetDefaultPolicyVersion, SetDefaultPolicyVersionAsync)
        .Map(Ops.ListEntitiesForPolicy, ListEntitiesForPolicyAsync)
        .Map(Ops.TagPolicy, TagPolicyAsync)
        .Map(Ops.UntagPolicy, UntagPolicyAsync)
        .Map(Ops.ListPolicyTags, ListPolicyTagsAsync);

    /// <summary>A customer managed policy or an AWS managed one by ARN; null when neither exists.</summary>
    public static ManagedPolicy? Lookup(AccessSnapshot snapshot, string arn) =>
        snapshot.Policies.GetValueOrDefault(arn) ?? AwsManagedPolicies.ByArn.GetValueOrDefault(arn);

    private static int Attachments(AccessSnapshot snapshot, string arn) => snapshot.Roles.Values.Count(r => r.AttachedPolicies.Contains(arn));

    private ValueTask<AwsResponse> CreatePolicyAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        var name = input.Req("PolicyName");
        var path = Path(input);
        var now = _time.GetUtcNow();
        var policy = new ManagedPolicy
        {
            PolicyName = name,
            PolicyId = NewId("ANPA"),
            Arn = IamArn(_options.Account, "policy", path, name),
            Path = path,
            CreateDate = now,
            UpdateDate = now,
            Description = input.Str("Description"),
            DefaultVersionId = "v1",
            Versions = [new PolicyVersion("v1", Document(input, "PolicyDocument"), now)],
            Tags = MergeTags([], ReadTags(input)),
        };
        return RespondAsync(_state.UpdateAsync(s =>
        {
            // Policy names are unique in the account whatever their path.
            if (s.Policies.Values.Any(p => string.Equals(p.PolicyName, name, StringComparison.OrdinalIgnoreCase)))
                throw AccessErrors.PolicyExists(name);
            return (s with { Policies = s.Policies.Add(policy.Arn, policy) }, new JsonObject { ["Policy"] = PolicyOutput(policy, 0) });
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> GetPolicyAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var snapshot = _state.Current;
        var policy = Find(snapshot, request.Input.Req("PolicyArn"));
        return ValueTask.FromResult<AwsResponse>(new JsonObject { ["Policy"] = PolicyOutput(policy, Attachments(snapshot, policy.Arn)) });
    }

    private ValueTask<AwsResponse> ListPoliciesAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var snapshot = _state.Current;
        var input = request.Input;
        var scope = input.Str("Scope") ?? "All";
        IEnumerable<ManagedPolicy> policies = scope switch
        {
            "AWS" => AwsManagedPolicies.ByArn.Values.OrderBy(p => p.PolicyName, StringComparer.Ordinal),
            "Local" => snapshot.Policies.Values,
            _ => AwsManagedPolicies.ByArn.Values.OrderBy(p => p.PolicyName, StringComparer.Ordinal).Concat(snapshot.Policies.Values),
        };
        policies = policies.Where(p => UnderPath(p.Path, input));
        if (input.Bool("OnlyAttached") == true)
            policies = policies.Where(p => Attachments(snapshot, p.Arn) > 0);
        var output = new JsonObject();
        output["Policies"] = Page(input, policies, p => PolicyOutput(p, Attachments(snapshot, p.Arn)), output);
        return ValueTask.FromResult<AwsResponse>(output);
    }

    private ValueTask<AwsResponse> DeletePolicyAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var arn = request.Input.Req("PolicyArn");
        return RespondAsync(_state.UpdateAsync(s =>
        {
            var policy = Owned(s, arn);
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeletePolicy.html: detach it and delete its other versions first.
            if (Attachments(s, arn) > 0)
                throw AccessErrors.PolicyAttached();
            if (policy.Versions.Length > 1)
                throw AccessErrors.PolicyHasVersions();
            return (s with { Policies = s.Policies.Remove(arn) }, new JsonObject());
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> CreatePolicyVersionAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var arn = request.Input.Req("PolicyArn");
        var document = Document(request.Input, "PolicyDocument");
        var setDefault = request.Input.Bool("SetAsDefault") == true;
        var now = _time.GetUtcNow();
        return RespondAsync(_state.UpdateAsync(s =>
        {
            var policy = Owned(s, arn);
            if (policy.Versions.Length >= MaxVersions)
                throw AccessErrors.TooManyVersions(arn);
            var version = new PolicyVersion("v" + policy.NextVersion.ToString(CultureInfo.InvariantCulture), document, now);
            policy = policy with
            {
                Versions = policy.Versions.Add(version),
                NextVersion = policy.NextVersion + 1,
                DefaultVersionId = setDefault ? version.VersionId : policy.DefaultVersionId,
                UpdateDate = setDefault ? now : policy.UpdateDate,
            };
            return (s with { Policies = s.Policies.SetItem(arn, policy) }, new JsonObject { ["PolicyVersion"] = VersionOutput(policy, version) });
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> GetPolicyVersionAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var policy = Find(_state.Current, request.Input.Req("PolicyArn"));
        var version = FindVersion(policy, request.Input.Req("VersionId"));
        return ValueTask.FromResult<AwsResponse>(new JsonObject { ["PolicyVersion"] = VersionOutput(policy, version) });
    }

    private ValueTask<AwsResponse> ListPolicyVersionsAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var policy = Find(_state.Current, request.Input.Req("PolicyArn"));
        var output = new JsonObject();
        // Newest first, as IAM lists them; the documents are left out of the list.
        output["Versions"] = Page(request.Input, policy.Versions.Reverse(), v =>
        {
            var item = VersionOutput(policy, v);
            item.Remove("Document");
            return item;
        }, output);
        return ValueTask.FromResult<AwsResponse>(output);
    }

    private ValueTask<AwsResponse> DeletePolicyVersionAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var arn = request.Input.Req("PolicyArn");
        var versionId = request.Input.Req("VersionId");
        return RespondAsync(_state.UpdateAsync(s =>
        {
            var policy = Owned(s, arn);
            var version = FindVersion(policy, versionId);
            if (version.VersionId == policy.DefaultVersionId)
                throw AccessErrors.DefaultVersion();
            policy = policy with { Versions = policy.Versions.Remove(version) };
            return (s with { Policies = s.Policies.SetItem(arn, policy) }, new JsonObject());
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> SetDefaultPolicyVersionAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var arn = request.Input.Req("PolicyArn");
        var versionId = request.Input.Req("VersionId");
        var now = _time.GetUtcNow();
        return RespondAsync(_state.UpdateAsync(s =>
        {
            var policy = Owned(s, arn);
            FindVersion(policy, versionId);
            policy = policy with { DefaultVersionId = versionId, UpdateDate = now };
            return (s with { Policies = s.Policies.SetItem(arn, policy) }, new JsonObject());
        }, cancellationToken));
    }

    /// <summary>The roles a policy is attached to (Terraform and CloudFormation ask before deleting it); users and groups have none here.</summary>
    private ValueTask<AwsResponse> ListEntitiesForPolicyAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var snapshot = _state.Current;
        var input = request.Input;
        var policy = Find(snapshot, input.Req("PolicyArn"));
        var filter = input.Str("EntityFilter");
        var roles = filter is null or "Role" or "LocalManagedPolicy" or "AWSManagedPolicy"
            ? snapshot.Roles.Values.Where(r => r.AttachedPolicies.Contains(policy.Arn) && UnderPath(r.Path, input))
            : [];
        var output = new JsonObject { ["PolicyGroups"] = new JsonArray(), ["PolicyUsers"] = new JsonArray() };
        output["PolicyRoles"] = Page(input, roles, r => new JsonObject { ["RoleName"] = r.RoleName, ["RoleId"] = r.RoleId }, output);
        return ValueTask.FromResult<AwsResponse>(output);
    }

    private ValueTask<AwsResponse> TagPolicyAsync(AwsRequest request, CancellationToken cancellationToken) =>
        ChangeTags(request, AddingTags(request.Input), cancellationToken);

    private ValueTask<AwsResponse> UntagPolicyAsync(AwsRequest request, CancellationToken cancellationToken) =>
        ChangeTags(request, RemovingTags(request.Input), cancellationToken);

    private ValueTask<AwsResponse> ListPolicyTagsAsync(AwsRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(TagListing(request.Input, Find(_state.Current, request.Input.Req("PolicyArn")).Tags));

    private ValueTask<AwsResponse> ChangeTags(AwsRequest request, Func<System.Collections.Immutable.ImmutableArray<Tag>, System.Collections.Immutable.ImmutableArray<Tag>> change, CancellationToken cancellationToken)
    {
        var arn = request.Input.Req("PolicyArn");
        return RespondAsync(_state.UpdateAsync(s =>
        {
            var policy = Owned(s, arn);
            policy = policy with { Tags = change(policy.Tags) };
            return (s with { Policies = s.Policies.SetItem(arn, policy) }, new JsonObject());
        }, cancellationToken));
    }

    private static ManagedPolicy Find(AccessSnapshot snapshot, string arn) => Lookup(snapshot, arn) ?? throw AccessErrors.PolicyNotFound(arn);

    /// <summary>A policy of the account, which may be changed (AWS managed ones may not).</summary>
    private static ManagedPolicy Owned(AccessSnapshot snapshot, string arn)
    {
        if (AwsManagedPolicies.IsAwsManaged(arn) && AwsManagedPolicies.ByArn.ContainsKey(arn))
            throw AccessErrors.AwsManagedPolicy(arn);
        return snapshot.Policies.GetValueOrDefault(arn) ?? throw AccessErrors.PolicyNotFound(arn);
    }

    private static PolicyVersion FindVersion(ManagedPolicy policy, string versionId) =>
        policy.Versions.FirstOrDefault(v => v.VersionId == versionId) ?? throw AccessErrors.PolicyVersionNotFound(policy.Arn, versionId);
}
