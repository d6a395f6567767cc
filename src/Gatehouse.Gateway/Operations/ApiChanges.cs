using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Gateway.Model;
using Gatehouse.Gateway.Runtime;
using Gatehouse.Protocol;
using Ops = Gatehouse.Protocol.Generated.ApiGatewayV2.Operations;


namespace Gatehouse.Gateway.Operations;

/// <summary>
/// What every HTTP API resource's operations share: finding an API as the caller (account and
/// region) sees it, running a change on it — computed on immutable values and handed to
/// <see cref="GatewayState"/>, which stores it and then publishes it to readers and the data plane —
/// redeploying auto-deploy stages after a change, and pages.
/// </summary>
internal sealed class ApiChanges
{
    private readonly TimeProvider _time;

    public ApiChanges(GatewayState state, TimeProvider time)
    {
        State = state;
        _time = time;
    }

    public GatewayState State { get; }

    /// <summary>Raised when a stage's Lambda authorizer cache must be emptied.</summary>
    public event Action<string, string>? AuthorizerCacheReset;

    public void ResetAuthorizerCache(string apiId, string stageName) => AuthorizerCacheReset?.Invoke(apiId, stageName);

    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>The API as this caller (account and region) sees it, or NotFound.</summary>
    public ApiState Find(AwsRequest request, ApiState? state, string apiId)
    {
        if (state is null || state.Api.Account != request.Context.Account || state.Api.Region != request.Context.Region)
            throw GatewayErrors.ApiNotFound(request.Context.Account, apiId);
        return state;
    }

    public ApiState Find(AwsRequest request, string apiId) => Find(request, State.Apis.GetValueOrDefault(apiId), apiId);

    /// <summary>Runs a change on an existing API.</summary>
    public Task<JsonObject> ChangeAsync(AwsRequest request, Func<ApiState, (ApiState After, JsonObject Output)> change, CancellationToken cancellationToken)
    {
        var apiId = request.Input.Req("ApiId");
        return State.UpdateAsync<JsonObject>(apiId, current =>
        {
            var (after, output) = change(Find(request, current, apiId));
            return (after, output);
        }, cancellationToken);
    }

    public static ValueTask<AwsResponse> Respond(Task<JsonObject> work) => RespondAsync(work);

    private static async ValueTask<AwsResponse> RespondAsync(Task<JsonObject> work) => await work.ConfigureAwait(false);

    public static ValueTask<AwsResponse> Respond(JsonObject output) => ValueTask.FromResult<AwsResponse>(output);

    /// <summary>
    /// Points every auto-deploy stage at a fresh deployment of the API's current routes,
    /// integrations and authorizers — what AWS does after each change to an auto-deployed API.
    /// </summary>
    public ApiState AutoDeploy(ApiState state)
    {
        var stages = state.Stages.Values.Where(s => s.AutoDeploy).ToList();
        if (stages.Count == 0)
            return state;
        var now = Now;
        var deployment = new Deployment
        {
            DeploymentId = AwsIds.NewApiGatewayId(6),
            AutoDeployed = true,
            CreatedDate = now,
            Configuration = state.CurrentConfiguration(),
        };
        var result = state with { Deployments = state.Deployments.SetItem(deployment.DeploymentId, deployment) };
        foreach (var stage in stages)
        {
            result = result with
            {
                Stages = result.Stages.SetItem(stage.StageName, stage with
                {
                    DeploymentId = deployment.DeploymentId,
                    LastUpdatedDate = now,
                    LastDeploymentStatusMessage = $"Successfully deployed stage with deployment ID '{deployment.DeploymentId}'",
                }),
            };
        }
        return result;
    }

    /// <summary>One page of <paramref name="items"/> and the token for the next (an opaque offset).</summary>
    public static JsonObject Page<T>(AwsRequest request, IEnumerable<T> items, Func<T, JsonObject> output)
    {
        var all = items.ToList();
        var offset = 0;
        if (request.Input.Str("NextToken") is { } token)
        {
            try
            {
                offset = int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)), CultureInfo.InvariantCulture);
            }
            catch (FormatException)
            {
                throw GatewayErrors.InvalidNextToken();
            }
        }
        var max = 100;
        if (request.Input.Str("MaxResults") is { } maxText && (!int.TryParse(maxText, CultureInfo.InvariantCulture, out max) || max < 1))
            throw GatewayErrors.InvalidMaxResults();
        var page = all.Skip(offset).Take(max).Select(output).ToArray();
        var result = new JsonObject { ["Items"] = new JsonArray(page) };
        if (offset + max < all.Count)
            result["NextToken"] = Convert.ToBase64String(Encoding.UTF8.GetBytes((offset + max).ToString(CultureInfo.InvariantCulture)));
        return result;
    }

    public static ImmutableSortedDictionary<string, string> MergeTags(ImmutableSortedDictionary<string, string> current, JsonObject input) =>
        current.SetItems(input.StringMap("Tags"));
}
