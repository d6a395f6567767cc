using Gatehouse.Core;
using Gatehouse.Protocol;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Identity;

public static class IdentityServiceCollectionExtensions
{
    /// <summary>Registers the user pools (Amazon Cognito) service with the server.</summary>
    public static IServiceCollection AddGatehouseIdentity(this IServiceCollection services)
    {
        services.AddSingleton<IdentityService>();
        services.AddSingleton<IGatehouseService>(sp => sp.GetRequiredService<IdentityService>());
        services.AddSingleton<AwsServiceDefinition>(sp => sp.GetRequiredService<IdentityService>().Definition);
        return services;
    }

    /// <summary>Maps the service's endpoints that are not AWS API calls.</summary>
    public static IEndpointRouteBuilder MapGatehouseIdentity(this IEndpointRouteBuilder endpoints) => endpoints;
}
