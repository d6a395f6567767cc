using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Gateway.Model;
using Gatehouse.Protocol;
using Ops = Gatehouse.Protocol.Generated.ApiGatewayV2.Operations;

namespace Gatehouse.Gateway.Operations;

/// <summary>
/// The API Gateway v2 operations. Each handler reads validated input, computes the API's new state
/// on immutable values and hands it to <see cref="GatewayState"/>, which stores it and then publishes
/// it to readers and the data plane.
/// </summary>
internal sealed partial class ControlPlane
{
    private const string LowerAlphanumeric = "abcdefghijklmnopqrstuvwxyz0123456789";

    private readonly GatewayState _state;
    private readonly GatehouseOptions _options;
    private readonly TimeProvider _time;

    public ControlPlane(GatewayState state, GatehouseOptions options, TimeProvider time)
    {
        _state = state;
        _options = options;
        _time = time;
    }

    public void Register(AwsServiceDefinition definition)
    {
        definition
            .Map(Ops.CreateApi, CreateApiAsync).Map(Ops.GetApi, GetApiAsync).Map(Ops.GetApis, GetApisAsync)
            .Map(Ops.UpdateApi, UpdateApiAsync).Map(Ops.DeleteApi, DeleteApiAsync).Map(Ops.DeleteCorsConfiguration, DeleteCorsConfigurationAsync)
            .Map(Ops.CreateRoute, CreateRouteAsync).Map(Ops.GetRoute, GetRouteAsync).Map(Ops.GetRoutes, GetRoutesAsync)
            .Map(Ops.UpdateRoute, UpdateRouteAsync).Map(Ops.DeleteRoute, DeleteRouteAsync)
            .Map(Ops.CreateIntegration, CreateIntegrationAsync).Map(Ops.GetIntegration, GetIntegrationAsync).Map(Ops.GetIntegrations, GetIntegrationsAsync)
            .Map(Ops.UpdateIntegration, UpdateIntegrationAsync).Map(Ops.DeleteIntegration, DeleteIntegrationAsync)
            .Map(Ops.CreateAuthorizer, CreateAuthorizerAsync).Map(Ops.GetAuthorizer, GetAuthorizerAsync).Map(Ops.GetAuthorizers, GetAuthorizersAsync)
            .Map(Ops.UpdateAuthorizer, UpdateAuthorizerAsync).Map(Ops.DeleteAuthorizer, DeleteAuthorizerAsync)
            .Map(Ops.CreateStage, CreateStageAsync).Map(Ops.GetStage, GetStageAsync).Map(Ops.GetStages, GetStagesAsync)
            .Map(Ops.UpdateStage, UpdateStageAsync).Map(Ops.DeleteStage, DeleteStageAsync)
            .Map(Ops.DeleteRouteSettings, DeleteRouteSettingsAsync).Map(Ops.DeleteAccessLogSettings, DeleteAccessLogSettingsAsync)
            .Map(Ops.ResetAuthorizersCache, ResetAuthorizersCacheAsync)
            .Map(Ops.CreateDeployment, CreateDeploymentAsync).Map(Ops.GetDeployment, GetDeploymentAsync).Map(Ops.GetDeployments, GetDeploymentsAsync)
            .Map(Ops.UpdateDeployment, UpdateDeploymentAsync).Map(Ops.DeleteDeployment, DeleteDeploymentAsync)
            .Map(Ops.TagResource, TagResourceAsync).Map(Ops.UntagResource, UntagResourceAsync).Map(Ops.GetTags, GetTagsAsync);
    }

    /// <summary>Raised when a stage's Lambda authorizer cache must be emptied.</summary>
    public event Action<string, string>? AuthorizerCacheReset;

    private DateTimeOffset Now => _time.GetUtcNow();

    private static string NewId(int length) => AwsIds.Random(LowerAlphanumeric, length);

    /// <summary>The API as this caller (account and region) sees it, or NotFound.</summary>
    private ApiState Find(AwsRequest request, ApiState? state, string apiId)
    {
        if (state is null || state.Api.Account != request.Context.Account || state.Api.Region != request.Context.Region)
            throw GatewayErrors.ApiNotFound(request.Context.Account, apiId);
        return state;
    }

    private ApiState Find(AwsRequest request, string apiId) => Find(request, _state.Apis.GetValueOrDefault(apiId), apiId);

    /// <summary>Runs a change on an existing API.</summary>
    private Task<JsonObject> ChangeAsync(AwsRequest request, Func<ApiState, (ApiState After, JsonObject Output)> change, CancellationToken cancellationToken)
    {
        var apiId = request.Input.Req("ApiId");
        return _state.UpdateAsync<JsonObject>(apiId, current =>
        {
            var (after, output) = change(Find(request, current, apiId));
            return (after, output);
        }, cancellationToken);
    }

    private static async ValueTask<AwsResponse> Respond(Task<JsonObject> work) => await work.ConfigureAwait(false);

    private static ValueTask<AwsResponse> Respond(JsonObject output) => ValueTask.FromResult<AwsResponse>(output);

    /// <summary>
    /// Points every auto-deploy stage at a fresh deployment of the API's current routes,
    /// integrations and authorizers — what AWS does after each change to an auto-deployed API.
    /// </summary>
    private ApiState AutoDeploy(ApiState state)
    {
        var stages = state.Stages.Values.Where(s => s.AutoDeploy).ToList();
        if (stages.Count == 0)
            return state;
        var now = Now;
        var deployment = new Deployment
        {
            DeploymentId = NewId(6),
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
    private static JsonObject Page<T>(AwsRequest request, IEnumerable<T> items, Func<T, JsonObject> output)
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
                throw GatewayErrors.Invalid("Invalid nextToken.");
            }
        }
        var max = 100;
        if (request.Input.Str("MaxResults") is { } maxText && (!int.TryParse(maxText, CultureInfo.InvariantCulture, out max) || max < 1))
            throw GatewayErrors.Invalid("Invalid maxResults: must be a positive integer.");
        var page = all.Skip(offset).Take(max).Select(output).ToArray();
        var result = new JsonObject { ["Items"] = new JsonArray(page) };
        if (offset + max < all.Count)
            result["NextToken"] = Convert.ToBase64String(Encoding.UTF8.GetBytes((offset + max).ToString(CultureInfo.InvariantCulture)));
        return result;
    }
}
