using Gatehouse.Core;
using Gatehouse.Gateway.Model;
using Gatehouse.Gateway.Operations;
using Gatehouse.Gateway.Runtime;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Gateway;

public static class GatewayServiceCollectionExtensions
{
    /// <summary>Registers the HTTP APIs (Amazon API Gateway v2) service with the server.</summary>
    public static IServiceCollection AddGatehouseGateway(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new GatewayState(new GatewayStore(sp.GetRequiredService<IDatabase>())));
        services.TryAddSingleton<ApiChanges>();
        // The other services reach the data plane through Core's interfaces; either may be absent
        // (a server without functions or user pools), so they are looked up once here, not per request.
        services.TryAddSingleton(sp => new SigningKeyResolver(sp.GetService<ILocalIssuerDirectory>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Gatehouse.Gateway.Jwt")));
        services.TryAddSingleton(sp => new DataPlane(sp.GetService<IFunctionInvoker>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>(), new SnapshotCompiler(sp.GetRequiredService<SigningKeyResolver>(), sp.GetRequiredService<TimeProvider>())));
        services.TryAddSingleton<GatewayService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGatehouseService, GatewayService>(sp => sp.GetRequiredService<GatewayService>()));
        services.AddAwsService(ApiGatewayV2.ModelName, () => new AwsServiceDefinition(ApiGatewayV2.ModelName)
        {
            ValidationErrorCode = GatewayErrors.BadRequest,
            SerializationErrorCode = GatewayErrors.BadRequest,
            InternalErrorCode = "InternalFailure",
        });
        services.AddAwsOperations<ApiOperations>(ApiGatewayV2.ModelName);
        services.AddAwsOperations<RouteOperations>(ApiGatewayV2.ModelName);
        services.AddAwsOperations<IntegrationOperations>(ApiGatewayV2.ModelName);
        services.AddAwsOperations<AuthorizerOperations>(ApiGatewayV2.ModelName);
        services.AddAwsOperations<StageOperations>(ApiGatewayV2.ModelName);
        services.AddAwsOperations<DeploymentOperations>(ApiGatewayV2.ModelName);
        services.AddAwsOperations<TagOperations>(ApiGatewayV2.ModelName);
        services.AddAwsOperations<ImportOperations>(ApiGatewayV2.ModelName);
        return services;
    }

    /// <summary>Maps the service's endpoints that are not AWS API calls.</summary>
    public static IEndpointRouteBuilder MapGatehouseGateway(this IEndpointRouteBuilder endpoints) => endpoints;

    /// <summary>
    /// Puts the HTTP API data plane in front of everything else: requests for an API's host
    /// (<c>{apiId}.execute-api.localhost</c>) or path prefix never reach the AWS protocol layer.
    /// </summary>
    public static IApplicationBuilder UseGatehouseGateway(this IApplicationBuilder app)
    {
        var dataPlane = app.ApplicationServices.GetRequiredService<GatewayService>().DataPlane;
        return app.Use(dataPlane.InvokeAsync);
    }
}
