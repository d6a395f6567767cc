using Gatehouse.Core;

namespace Gatehouse.Gateway;

/// <summary>
/// The one catalog of control-plane errors: AWS exception name, status (from the model) and message.
/// Call sites never invent error strings; wording follows what AWS (as measured by moto) answers.
/// </summary>
internal static class GatewayErrors
{
    public const string BadRequest = "BadRequestException";
    public const string NotFound = "NotFoundException";
    public const string Conflict = "ConflictException";

    public static AwsException ApiNotFound(string account, string apiId) =>
        new(NotFound, $"Invalid API identifier specified {account}:{apiId}");

    public static AwsException RouteNotFound(string routeId) =>
        new(NotFound, $"Invalid Route identifier specified {routeId}");

    public static AwsException IntegrationNotFound(string integrationId) =>
        new(NotFound, $"Invalid Integration identifier specified {integrationId}");

    public static AwsException AuthorizerNotFound(string authorizerId) =>
        new(NotFound, $"Invalid Authorizer identifier specified {authorizerId}");

    public static AwsException StageNotFound(string stageName) =>
        new(NotFound, $"Invalid stage identifier specified {stageName}");

    public static AwsException DeploymentNotFound(string deploymentId) =>
        new(NotFound, $"Invalid Deployment identifier specified {deploymentId}");

    public static AwsException ResourceNotFound(string arn) =>
        new(NotFound, $"Invalid resource identifier specified {arn}");

    public static AwsException RouteKeyConflict(string routeKey) =>
        new(Conflict, $"Route with key {routeKey} already exists for this API");

    public static AwsException StageConflict(string stageName) =>
        new(Conflict, $"Stage {stageName} already exists");

    public static AwsException RouteSettingsNotFound(string routeKey) =>
        new(NotFound, $"Unable to find Route by key {routeKey} within the provided RouteSettings");

    public static AwsException InvalidRouteKey(string routeKey) =>
        new(BadRequest, $"Invalid route key '{routeKey}': expected $default or a method (ANY, GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS) and a path such as 'GET /pets/{{id}}' or 'ANY /{{proxy+}}'.");

    public static AwsException InvalidTarget(string target) =>
        new(BadRequest, $"Invalid target '{target}': expected integrations/{{integrationId}} of an integration of this API.");

    public static AwsException IntegrationInUse(string integrationId, string routeId) =>
        new(Conflict, $"Integration {integrationId} is the target of route {routeId}; detach it first.");

    public static AwsException AuthorizerInUse(string authorizerId, string routeId) =>
        new(Conflict, $"Authorizer {authorizerId} is attached to route {routeId}; detach it first.");

    public static AwsException Invalid(string message) => new(BadRequest, message);
}
