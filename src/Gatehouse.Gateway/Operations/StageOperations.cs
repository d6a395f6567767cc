using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Gateway.Model;
using Gatehouse.Gateway.Runtime;
using Gatehouse.Protocol;
using static Gatehouse.Gateway.Operations.ApiChanges;
using Ops = Gatehouse.Protocol.Generated.ApiGatewayV2.Operations;

namespace Gatehouse.Gateway.Operations;

/// <summary>An API's stages, with their route settings and access log settings.</summary>
internal sealed class StageOperations : IAwsOperations
{
    private readonly ApiChanges _apis;

    public StageOperations(ApiChanges apis)
    {
        _apis = apis;
    }

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Ops.CreateStage, CreateStageAsync)
        .Map(Ops.GetStage, GetStageAsync)
        .Map(Ops.GetStages, GetStagesAsync)
        .Map(Ops.UpdateStage, UpdateStageAsync)
        .Map(Ops.DeleteStage, DeleteStageAsync)
        .Map(Ops.DeleteRouteSettings, DeleteRouteSettingsAsync)
        .Map(Ops.DeleteAccessLogSettings, DeleteAccessLogSettingsAsync);

    private ValueTask<AwsResponse> CreateStageAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        return Respond(_apis.ChangeAsync(request, state =>
        {
            var name = input.Req("StageName");
            ValidateStageName(name);
            if (state.Stages.ContainsKey(name))
                throw GatewayErrors.StageConflict(name);
            var now = _apis.Now;
            var stage = ReadStage(state, input, new Stage
            {
                StageName = name,
                CreatedDate = now,
                LastUpdatedDate = now,
                Tags = Shapes.ReadMap(input, "Tags"),
            });
            var after = state with { Stages = state.Stages.Add(name, stage) };
            if (stage.AutoDeploy)
                after = _apis.AutoDeploy(after);
            return (after, Shapes.StageOutput(after.Stages[name]));
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> GetStageAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var state = _apis.Find(request, request.Input.Req("ApiId"));
        var name = request.Input.Req("StageName");
        return Respond(Shapes.StageOutput(state.Stages.GetValueOrDefault(name) ?? throw GatewayErrors.StageNotFound(name)));
    }

    private ValueTask<AwsResponse> GetStagesAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var state = _apis.Find(request, request.Input.Req("ApiId"));
        return Respond(Page(request, state.Stages.Values, Shapes.StageOutput));
    }

    private ValueTask<AwsResponse> UpdateStageAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        return Respond(_apis.ChangeAsync(request, state =>
        {
            var name = input.Req("StageName");
            var current = state.Stages.GetValueOrDefault(name) ?? throw GatewayErrors.StageNotFound(name);
            var stage = ReadStage(state, input, current with { LastUpdatedDate = _apis.Now });
            var after = state with { Stages = state.Stages.SetItem(name, stage) };
            if (stage.AutoDeploy && !current.AutoDeploy)
                after = _apis.AutoDeploy(after);
            return (after, Shapes.StageOutput(after.Stages[name]));
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> DeleteStageAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var name = request.Input.Req("StageName");
        return Respond(_apis.ChangeAsync(request, state =>
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
        return Respond(_apis.ChangeAsync(request, state =>
        {
            var stage = state.Stages.GetValueOrDefault(name) ?? throw GatewayErrors.StageNotFound(name);
            if (!stage.RouteSettings.ContainsKey(routeKey))
                throw GatewayErrors.RouteSettingsNotFound(routeKey);
            var updated = stage with { RouteSettings = stage.RouteSettings.Remove(routeKey), LastUpdatedDate = _apis.Now };
            return (state with { Stages = state.Stages.SetItem(name, updated) }, new JsonObject());
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> DeleteAccessLogSettingsAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var name = request.Input.Req("StageName");
        return Respond(_apis.ChangeAsync(request, state =>
        {
            var stage = state.Stages.GetValueOrDefault(name) ?? throw GatewayErrors.StageNotFound(name);
            var updated = stage with { AccessLogSettings = null, LastUpdatedDate = _apis.Now };
            return (state with { Stages = state.Stages.SetItem(name, updated) }, new JsonObject());
        }, cancellationToken));
    }

    private static void ValidateStageName(string name)
    {
        if (name != RouteKey.Default && !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw GatewayErrors.InvalidStageName(name);
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
                    throw GatewayErrors.InvalidStageVariableName(key);
                if (!value.All(c => char.IsAsciiLetterOrDigit(c) || "-._~:/?#&=,".Contains(c, StringComparison.Ordinal)))
                    throw GatewayErrors.InvalidStageVariableValue(key);
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
            throw GatewayErrors.NegativeThrottlingLimit();
    }
}
