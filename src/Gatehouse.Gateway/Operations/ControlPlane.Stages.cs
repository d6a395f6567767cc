using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Gatehouse.Gateway.Model;
using Gatehouse.Protocol;

namespace Gatehouse.Gateway.Operations;

internal sealed partial class ControlPlane
{
    private ValueTask<AwsResponse> CreateStageAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        return Respond(ChangeAsync(request, state =>
        {
            var name = input.Req("StageName");
            ValidateStageName(name);
            if (state.Stages.ContainsKey(name))
                throw GatewayErrors.StageConflict(name);
            var now = Now;
            var stage = ReadStage(state, input, new Stage
            {
                StageName = name,
                CreatedDate = now,
                LastUpdatedDate = now,
                Tags = Shapes.ReadMap(input, "Tags"),
            });
            var after = state with { Stages = state.Stages.Add(name, stage) };
            if (stage.AutoDeploy)
                after = AutoDeploy(after);
            return (after, Shapes.StageOutput(after.Stages[name]));
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> UpdateStageAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        return Respond(ChangeAsync(request, state =>
        {
            var name = input.Req("StageName");
            var current = state.Stages.GetValueOrDefault(name) ?? throw GatewayErrors.StageNotFound(name);
            var stage = ReadStage(state, input, current with { LastUpdatedDate = Now });
            var after = state with { Stages = state.Stages.SetItem(name, stage) };
            if (stage.AutoDeploy && !current.AutoDeploy)
                after = AutoDeploy(after);
            return (after, Shapes.StageOutput(after.Stages[name]));
        }, cancellationToken));
    }

    private static void ValidateStageName(string name)
    {
        if (name != RouteKey.Default && !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw GatewayErrors.Invalid($"Invalid stage name '{name}': use $default or letters, digits, hyphens and underscores.");
    }

    private static Stage ReadStage(ApiState state, JsonObject input, Stage stage)
    {
        var deploymentId = input.Str("DeploymentId") ?? stage.DeploymentId;
        if (input.Str("DeploymentId") is { } id && !state.Deployments.ContainsKey(id))
            throw GatewayErrors.DeploymentNotFound(id);
        var variables = stage.StageVariables;
        if (input.Obj("StageVariables") is not null)
        {
            variables = Shapes.ReadMap(input, "StageVariables");
            foreach (var (key, value) in variables)
            {
                if (key.Length == 0 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                    throw GatewayErrors.Invalid($"Invalid stage variable name '{key}': use letters, digits and underscores.");
                if (!value.All(c => char.IsAsciiLetterOrDigit(c) || "-._~:/?#&=,".Contains(c, StringComparison.Ordinal)))
                    throw GatewayErrors.Invalid($"Invalid stage variable value for '{key}': allowed characters are letters, digits and -._~:/?#&=,");
            }
        }
        var routeSettings = stage.RouteSettings;
        if (input.Obj("RouteSettings") is { } routeSettingsInput)
        {
            foreach (var (key, value) in routeSettingsInput)
            {
                if (value is not JsonObject settings)
                    continue;
                if (!state.Routes.Values.Any(r => r.RouteKey == key))
                    throw GatewayErrors.RouteSettingsNotFound(key);
                routeSettings = routeSettings.SetItem(key, Shapes.ReadRouteSettings(settings, routeSettings.GetValueOrDefault(key)));
            }
        }
        var defaultRouteSettings = input.Obj("DefaultRouteSettings") is { } defaults
            ? Shapes.ReadRouteSettings(defaults, stage.DefaultRouteSettings)
            : stage.DefaultRouteSettings;
        ValidateThrottling(defaultRouteSettings);
        foreach (var settings in routeSettings.Values)
            ValidateThrottling(settings);
        return stage with
        {
            AutoDeploy = input.Bool("AutoDeploy") ?? stage.AutoDeploy,
            DeploymentId = deploymentId,
            Description = input.Str("Description") ?? stage.Description,
            ClientCertificateId = input.Str("ClientCertificateId") ?? stage.ClientCertificateId,
            StageVariables = variables,
            RouteSettings = routeSettings,
            DefaultRouteSettings = defaultRouteSettings,
            AccessLogSettings = input.Obj("AccessLogSettings") is { } log ? Shapes.ReadAccessLogSettings(log) : stage.AccessLogSettings,
        };
    }

    private static void ValidateThrottling(RouteSettings settings)
    {
        if (settings.ThrottlingBurstLimit is < 0 || settings.ThrottlingRateLimit is < 0)
            throw GatewayErrors.Invalid("Throttling limits must not be negative.");
    }

    private ValueTask<AwsResponse> GetStageAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var state = Find(request, request.Input.Req("ApiId"));
        var name = request.Input.Req("StageName");
        return Respond(Shapes.StageOutput(state.Stages.GetValueOrDefault(name) ?? throw GatewayErrors.StageNotFound(name)));
    }

    private ValueTask<AwsResponse> GetStagesAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var state = Find(request, request.Input.Req("ApiId"));
        return Respond(Page(request, state.Stages.Values, Shapes.StageOutput));
    }

    private ValueTask<AwsResponse> DeleteStageAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var name = request.Input.Req("StageName");
        return Respond(ChangeAsync(request, state =>
        {
            if (!state.Stages.ContainsKey(name))
                throw GatewayErrors.StageNotFound(name);
            return (state with { Stages = state.Stages.Remove(name) }, new JsonObject());
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> DeleteRouteSettingsAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var name = request.Input.Req("StageName");
        var routeKey = request.Input.Req("RouteKey");
        return Respond(ChangeAsync(request, state =>
        {
            var stage = state.Stages.GetValueOrDefault(name) ?? throw GatewayErrors.StageNotFound(name);
            if (!stage.RouteSettings.ContainsKey(routeKey))
                throw GatewayErrors.RouteSettingsNotFound(routeKey);
            var updated = stage with { RouteSettings = stage.RouteSettings.Remove(routeKey), LastUpdatedDate = Now };
            return (state with { Stages = state.Stages.SetItem(name, updated) }, new JsonObject());
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> DeleteAccessLogSettingsAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var name = request.Input.Req("StageName");
        return Respond(ChangeAsync(request, state =>
        {
            var stage = state.Stages.GetValueOrDefault(name) ?? throw GatewayErrors.StageNotFound(name);
            var updated = stage with { AccessLogSettings = null, LastUpdatedDate = Now };
            return (state with { Stages = state.Stages.SetItem(name, updated) }, new JsonObject());
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> ResetAuthorizersCacheAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var apiId = request.Input.Req("ApiId");
        var state = Find(request, apiId);
        var name = request.Input.Req("StageName");
        if (!state.Stages.ContainsKey(name))
            throw GatewayErrors.StageNotFound(name);
        AuthorizerCacheReset?.Invoke(apiId, name);
        return Respond(new JsonObject());
    }

    // ---- deployments ----

    private ValueTask<AwsResponse> CreateDeploymentAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        return Respond(ChangeAsync(request, state =>
        {
            var stageName = input.Str("StageName");
            Stage? stage = null;
            if (stageName is not null)
            {
                stage = state.Stages.GetValueOrDefault(stageName) ?? throw GatewayErrors.StageNotFound(stageName);
                if (stage.AutoDeploy)
                    throw GatewayErrors.Invalid($"Stage {stageName} has auto-deploy enabled; it is deployed on every change.");
            }
            if (state.Routes.IsEmpty)
                throw GatewayErrors.Invalid("Unable to deploy API because no routes exist in this API");
            var now = Now;
            var deployment = new Deployment
            {
                DeploymentId = NewId(6),
                Description = input.Str("Description"),
                CreatedDate = now,
                Configuration = state.CurrentConfiguration(),
            };
            var after = state with { Deployments = state.Deployments.Add(deployment.DeploymentId, deployment) };
            if (stage is not null)
            {
                after = after with
                {
                    Stages = after.Stages.SetItem(stage.StageName, stage with
                    {
                        DeploymentId = deployment.DeploymentId,
                        LastUpdatedDate = now,
                        LastDeploymentStatusMessage = $"Successfully deployed stage with deployment ID '{deployment.DeploymentId}'",
                    }),
                };
            }
            return (after, Shapes.DeploymentOutput(deployment));
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> GetDeploymentAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var state = Find(request, request.Input.Req("ApiId"));
        var id = request.Input.Req("DeploymentId");
        return Respond(Shapes.DeploymentOutput(state.Deployments.GetValueOrDefault(id) ?? throw GatewayErrors.DeploymentNotFound(id)));
    }

    private ValueTask<AwsResponse> GetDeploymentsAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var state = Find(request, request.Input.Req("ApiId"));
        return Respond(Page(request, state.Deployments.Values.OrderBy(d => d.CreatedDate), Shapes.DeploymentOutput));
    }

    private ValueTask<AwsResponse> UpdateDeploymentAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var id = request.Input.Req("DeploymentId");
        return Respond(ChangeAsync(request, state =>
        {
            var deployment = state.Deployments.GetValueOrDefault(id) ?? throw GatewayErrors.DeploymentNotFound(id);
            var updated = deployment with { Description = request.Input.Str("Description") ?? deployment.Description };
            return (state with { Deployments = state.Deployments.SetItem(id, updated) }, Shapes.DeploymentOutput(updated));
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> DeleteDeploymentAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var id = request.Input.Req("DeploymentId");
        return Respond(ChangeAsync(request, state =>
        {
            if (!state.Deployments.ContainsKey(id))
                throw GatewayErrors.DeploymentNotFound(id);
            if (state.Stages.Values.FirstOrDefault(s => s.DeploymentId == id) is { } stage)
                throw GatewayErrors.Invalid($"Active stages pointing to this deployment must be moved or deleted: {stage.StageName}");
            return (state with { Deployments = state.Deployments.Remove(id) }, new JsonObject());
        }, cancellationToken));
    }

    // ---- tags ----

    /// <summary>Resolves <c>arn:aws:apigateway:REGION::/apis/ID</c> or <c>…/apis/ID/stages/NAME</c>.</summary>
    private (string ApiId, string? StageName) ParseTagArn(AwsRequest request, string arn)
    {
        var prefix = $"arn:aws:apigateway:{request.Context.Region}::/apis/";
        if (!arn.StartsWith(prefix, StringComparison.Ordinal))
            throw GatewayErrors.ResourceNotFound(arn);
        var parts = arn[prefix.Length..].Split('/');
        return parts switch
        {
            [var api] => (api, null),
            [var api, "stages", var stage] => (api, stage),
            _ => throw GatewayErrors.ResourceNotFound(arn),
        };
    }

    private ValueTask<AwsResponse> TagResourceAsync(AwsRequest request, CancellationToken cancellationToken) =>
        ChangeTagsAsync(request, tags => MergeTags(tags, request.Input), cancellationToken);

    private ValueTask<AwsResponse> UntagResourceAsync(AwsRequest request, CancellationToken cancellationToken) =>
        ChangeTagsAsync(request, tags => tags.RemoveRange(request.Input.Strings("TagKeys")), cancellationToken);

    private ValueTask<AwsResponse> ChangeTagsAsync(AwsRequest request, Func<ImmutableSortedDictionary<string, string>, ImmutableSortedDictionary<string, string>> change, CancellationToken cancellationToken)
    {
        var arn = request.Input.Req("ResourceArn");
        var (apiId, stageName) = ParseTagArn(request, arn);
        return Respond(_state.UpdateAsync(apiId, current =>
        {
            if (current is null || current.Api.Account != request.Context.Account)
                throw GatewayErrors.ResourceNotFound(arn);
            if (stageName is null)
                return (current with { Api = current.Api with { Tags = change(current.Api.Tags) } }, new JsonObject());
            var stage = current.Stages.GetValueOrDefault(stageName) ?? throw GatewayErrors.ResourceNotFound(arn);
            return (current with { Stages = current.Stages.SetItem(stageName, stage with { Tags = change(stage.Tags) }) }, new JsonObject());
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> GetTagsAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var arn = request.Input.Req("ResourceArn");
        var (apiId, stageName) = ParseTagArn(request, arn);
        var state = _state.Apis.GetValueOrDefault(apiId);
        if (state is null || state.Api.Account != request.Context.Account)
            throw GatewayErrors.ResourceNotFound(arn);
        var tags = stageName is null
            ? state.Api.Tags
            : (state.Stages.GetValueOrDefault(stageName) ?? throw GatewayErrors.ResourceNotFound(arn)).Tags;
        return Respond(new JsonObject { ["Tags"] = new JsonObject(tags.Select(t => KeyValuePair.Create<string, JsonNode?>(t.Key, t.Value))) });
    }
}
