using Gatehouse.Core;
using Gatehouse.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Gateway;

public static class GatewayServiceCollectionExtensions
{
    /// <summary>Registers the HTTP APIs (Amazon API Gateway v2) service with the server.</summary>
    public static IServiceCollection AddGatehouseGateway(this IServiceCollection services)
    {
        services.AddSingleton<GatewayService>();
        services.AddSingleton<IGatehouseService>(sp => sp.GetRequiredService<GatewayService>());
        services.AddSingleton<AwsServiceDefinition>(sp => sp.GetRequiredService<GatewayService>().Definition);
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
