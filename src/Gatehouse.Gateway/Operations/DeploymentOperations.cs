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

/// <summary>An API's deployments: snapshots of its routes, integrations and authorizers that stages serve.</summary>
internal sealed class DeploymentOperations : IAwsOperations
{
    private readonly ApiChanges _apis;

    public DeploymentOperations(ApiChanges apis)
    {
        _apis = apis;
    }

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Ops.CreateDeployment, CreateDeploymentAsync)
        .Map(Ops.GetDeployment, GetDeploymentAsync)
        .Map(Ops.GetDeployments, GetDeploymentsAsync)
        .Map(Ops.UpdateDeployment, UpdateDeploymentAsync)
        .Map(Ops.DeleteDeployment, DeleteDeploymentAsync);

    private ValueTask<AwsResponse> CreateDeploymentAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        return Respond(_apis.ChangeAsync(request, state =>
        {
            var stageName = input.Str("StageName");
            Stage? stage = null;
            if (stageName is not null)
            {
                stage = state.Stages.GetValueOrDefault(stageName) ?? throw GatewayErrors.StageNotFound(stageName);
                if (stage.AutoDeploy)
                    throw GatewayErrors.StageAutoDeploys(stageName);
            }
            if (state.Routes.IsEmpty)
                throw GatewayErrors.NoRoutesToDeploy();
            var now = _apis.Now;
            var deployment = new Deployment
            {
                DeploymentId = AwsIds.NewApiGatewayId(6),
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
        var state = _apis.Find(request, request.Input.Req("ApiId"));
        var id = request.Input.Req("DeploymentId");
        return Respond(Shapes.DeploymentOutput(state.Deployments.GetValueOrDefault(id) ?? throw GatewayErrors.DeploymentNotFound(id)));
    }

    private ValueTask<AwsResponse> GetDeploymentsAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var state = _apis.Find(request, request.Input.Req("ApiId"));
        return Respond(Page(request, state.Deployments.Values.OrderBy(d => d.CreatedDate), Shapes.DeploymentOutput));
    }

    private ValueTask<AwsResponse> UpdateDeploymentAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var id = request.Input.Req("DeploymentId");
        return Respond(_apis.ChangeAsync(request, state =>
        {
            var deployment = state.Deployments.GetValueOrDefault(id) ?? throw GatewayErrors.DeploymentNotFound(id);
            var updated = deployment with { Description = request.Input.Str("Description") ?? deployment.Description };
            return (state with { Deployments = state.Deployments.SetItem(id, updated) }, Shapes.DeploymentOutput(updated));
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> DeleteDeploymentAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var id = request.Input.Req("DeploymentId");
        return Respond(_apis.ChangeAsync(request, state =>
        {
            if (!state.Deployments.ContainsKey(id))
                throw GatewayErrors.DeploymentNotFound(id);
            if (state.Stages.Values.FirstOrDefault(s => s.DeploymentId == id) is { } stage)
                throw GatewayErrors.DeploymentInUse(stage.StageName);
            return (state with { Deployments = state.Deployments.Remove(id) }, new JsonObject());
        }, cancellationToken));
    }
}
