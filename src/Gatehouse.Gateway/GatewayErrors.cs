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

    /// <summary>A route names an authorization type other than NONE, AWS_IAM, JWT or CUSTOM.</summary>
    public static AwsException InvalidAuthorizationType(string authorizationType) =>
        new(BadRequest, $"Invalid authorization type {authorizationType}.");

    /// <summary>A JWT or CUSTOM route has no authorizer.</summary>
    public static AwsException AuthorizerIdRequired(string authorizationType) =>
        new(BadRequest, $"AuthorizerId is required for authorization type {authorizationType}.");

    /// <summary>A route's authorization type does not match its authorizer's type.</summary>
    public static AwsException AuthorizerTypeMismatch(string authorizationType, string expected, string authorizerId, string actual) =>
        new(BadRequest, $"Authorization type {authorizationType} requires an authorizer of type {expected}; {authorizerId} is {actual}.");

    /// <summary>A route that is not JWT-authorized names authorization scopes.</summary>
    public static AwsException ScopesNeedJwt() =>
        new(BadRequest, "Authorization scopes are supported only for JWT authorizers.");

    /// <summary>A list call names a nextToken this service did not hand out.</summary>
    public static AwsException InvalidNextToken() =>
        new(BadRequest, "Invalid nextToken.");

    /// <summary>A list call names a maxResults that is not a positive integer.</summary>
    public static AwsException InvalidMaxResults() =>
        new(BadRequest, "Invalid maxResults: must be a positive integer.");

    /// <summary>An AWS_PROXY integration URI names no Lambda function.</summary>
    public static AwsException InvalidLambdaIntegrationUri(string? uri) =>
        new(BadRequest, $"Invalid integration URI '{uri}': expected a Lambda function ARN (optionally with an alias or version) or an arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/ARN/invocations URI.");

    /// <summary>An AWS_PROXY integration has no supported payload format version.</summary>
    public static AwsException LambdaPayloadFormatRequired() =>
        new(BadRequest, "PayloadFormatVersion is required for AWS_PROXY integrations of HTTP APIs; supported values are 1.0 and 2.0.");

    /// <summary>An HTTP_PROXY integration URI is not an http(s) URL.</summary>
    public static AwsException InvalidHttpIntegrationUri(string? uri) =>
        new(BadRequest, $"Invalid integration URI '{uri}': HTTP_PROXY integrations need an http:// or https:// URL.");

    /// <summary>An HTTP_PROXY integration names a payload format version other than 1.0.</summary>
    public static AwsException HttpPayloadFormatUnsupported() =>
        new(BadRequest, "PayloadFormatVersion 1.0 is the only supported value for HTTP_PROXY integrations.");

    /// <summary>An integration type other than AWS_PROXY or HTTP_PROXY.</summary>
    public static AwsException IntegrationTypeUnsupported(string? integrationType) =>
        new(BadRequest, $"Integration type {integrationType} is not supported for HTTP APIs; use AWS_PROXY or HTTP_PROXY.");

    /// <summary>A request or response parameter mapping key is not a valid mapping expression.</summary>
    public static AwsException InvalidMappingExpression(string key) =>
        new(BadRequest, $"Invalid mapping expression specified: {key}. Expected overwrite:, append: or remove: with header.NAME, querystring.NAME or path.");

    /// <summary>A stage name that is neither $default nor letters, digits, hyphens and underscores.</summary>
    public static AwsException InvalidStageName(string? name) =>
        new(BadRequest, $"Invalid stage name '{name}': use $default or letters, digits, hyphens and underscores.");

    /// <summary>A stage variable name with characters other than letters, digits and underscores.</summary>
    public static AwsException InvalidStageVariableName(string key) =>
        new(BadRequest, $"Invalid stage variable name '{key}': use letters, digits and underscores.");

    /// <summary>A stage variable value with characters AWS does not allow.</summary>
    public static AwsException InvalidStageVariableValue(string key) =>
        new(BadRequest, $"Invalid stage variable value for '{key}': allowed characters are letters, digits and -._~:/?#&=,");

    /// <summary>A stage or route throttling limit below zero.</summary>
    public static AwsException NegativeThrottlingLimit() =>
        new(BadRequest, "Throttling limits must not be negative.");

    /// <summary>An authorizer identity source that is not a header, query string, context or stage variable selection.</summary>
    public static AwsException InvalidIdentitySource(string source) =>
        new(BadRequest, $"Invalid identity source '{source}': expected $request.header.NAME, $request.querystring.NAME, $context.NAME or $stageVariables.NAME.");

    /// <summary>A JWT authorizer with other than one identity source.</summary>
    public static AwsException JwtIdentitySourceCount() =>
        new(BadRequest, "A JWT authorizer needs exactly one identity source, such as $request.header.Authorization.");

    /// <summary>A JWT authorizer without an absolute issuer URL.</summary>
    public static AwsException JwtIssuerRequired() =>
        new(BadRequest, "JwtConfiguration.Issuer is required for a JWT authorizer and must be an absolute URL.");

    /// <summary>A JWT authorizer with no audience.</summary>
    public static AwsException JwtAudienceRequired() =>
        new(BadRequest, "JwtConfiguration.Audience must name at least one audience for a JWT authorizer.");

    /// <summary>A REQUEST authorizer without a Lambda invocation URI.</summary>
    public static AwsException AuthorizerUriRequired() =>
        new(BadRequest, "AuthorizerUri is required for a REQUEST authorizer: arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations.");

    /// <summary>A REQUEST authorizer without a supported payload format version.</summary>
    public static AwsException AuthorizerPayloadFormatRequired() =>
        new(BadRequest, "AuthorizerPayloadFormatVersion is required for a REQUEST authorizer; supported values are 1.0 and 2.0.");

    /// <summary>Simple responses asked of an authorizer with payload format 1.0.</summary>
    public static AwsException SimpleResponsesNeedV2() =>
        new(BadRequest, "Simple responses are supported only with authorizer payload format version 2.0.");

    /// <summary>A caching REQUEST authorizer with no identity source to key its cache.</summary>
    public static AwsException CachingNeedsIdentitySource() =>
        new(BadRequest, "An identity source is required when authorizer caching is enabled (AuthorizerResultTtlInSeconds > 0).");

    /// <summary>An authorizer type other than JWT or REQUEST.</summary>
    public static AwsException AuthorizerTypeUnsupported(string? authorizerType) =>
        new(BadRequest, $"Authorizer type {authorizerType} is not supported for HTTP APIs; use JWT or REQUEST.");

    /// <summary>A deployment asked for a stage that auto-deploys.</summary>
    public static AwsException StageAutoDeploys(string stageName) =>
        new(BadRequest, $"Stage {stageName} has auto-deploy enabled; it is deployed on every change.");

    /// <summary>A deployment of an API with no routes.</summary>
    public static AwsException NoRoutesToDeploy() =>
        new(BadRequest, "Unable to deploy API because no routes exist in this API");

    /// <summary>Deleting a deployment that a stage still points to.</summary>
    public static AwsException DeploymentInUse(string stageName) =>
        new(BadRequest, $"Active stages pointing to this deployment must be moved or deleted: {stageName}");

    /// <summary>A CreateApi for a protocol other than HTTP (WebSocket APIs are not served).</summary>
    public static AwsException ProtocolTypeUnsupported() =>
        new(BadRequest, "Gatehouse supports only HTTP APIs (protocolType HTTP).");

    /// <summary>Quick-create fields without a Target.</summary>
    public static AwsException QuickCreateNeedsTarget() =>
        new(BadRequest, "RouteKey and CredentialsArn are only supported with Target (quick create).");

    /// <summary>A route selection expression other than the HTTP API default.</summary>
    public static AwsException RouteSelectionUnsupported() =>
        new(BadRequest, "Unsupported route selection expression for HTTP APIs.");

    /// <summary>Quick-update fields on UpdateApi.</summary>
    public static AwsException QuickUpdateUnsupported() =>
        new(BadRequest, "Gatehouse does not support quick update (Target, RouteKey) on UpdateApi.");

    /// <summary>A quick-create Target that is neither a Lambda ARN nor an http(s) URL.</summary>
    public static AwsException InvalidQuickCreateTarget(string target) =>
        new(BadRequest, $"Invalid target {target}: expected a Lambda function ARN or an HTTP(S) URL.");

    /// <summary>A CORS configuration that allows credentials for any origin.</summary>
    public static AwsException CorsCredentialsWithAnyOrigin() =>
        new(BadRequest, "allow-credentials is not supported with allow-origins '*'. Specify the allowed origins.");

    /// <summary>An import body that is not an OpenAPI 3 JSON document (YAML is not read; see ImportOperations).</summary>
    public static AwsException InvalidOpenApi(string reason) =>
        new(BadRequest, $"Invalid OpenAPI input. {reason}");

    /// <summary>An import with FailOnWarnings whose definition raised warnings.</summary>
    public static AwsException ImportWarnings(IEnumerable<string> warnings) =>
        new(BadRequest, "Warnings found during import:\n\t" + string.Join("\n\t", warnings));

    /// <summary>An import basepath mode other than ignore, prepend or split.</summary>
    public static AwsException InvalidBasepath(string mode) =>
        new(BadRequest, $"Invalid basepath mode {mode}: expected ignore, prepend or split.");

    /// <summary>An export of a specification or output type Gatehouse does not write.</summary>
    public static AwsException ExportUnsupported(string what) =>
        new(BadRequest, $"Unsupported export {what}: Gatehouse exports OAS30 as JSON.");
}
