using Gatehouse.Core;
using Gatehouse.Parameters.Model;
using Gatehouse.Parameters.Operations;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;
using Gatehouse.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gatehouse.Parameters;

public static class ParametersServiceCollectionExtensions
{
    /// <summary>The key file SecureString values are sealed with, beside the store.</summary>
    public const string KeyFileName = "parameters-secret.key";

    /// <summary>Registers the SSM Parameter Store service with the server.</summary>
    public static IServiceCollection AddGatehouseParameters(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new ParameterState(new ParameterStore(sp.GetRequiredService<IDatabase>())));
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<GatehouseOptions>();
            return options.InMemory ? SecureValues.Ephemeral() : SecureValues.FromFile(Path.Combine(options.DataDirectory, KeyFileName));
        });
        services.TryAddSingleton<ParametersService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGatehouseService, ParametersService>(sp => sp.GetRequiredService<ParametersService>()));
        services.AddAwsService(Ssm.ModelName, () => new AwsServiceDefinition(Ssm.ModelName)
        {
            ValidationErrorCode = Ssm.Errors.ValidationException,
            InternalErrorCode = Ssm.Errors.InternalServerError,
        });
        services.AddAwsOperations<ParameterOperations>(Ssm.ModelName);
        services.AddAwsOperations<ParameterLabelOperations>(Ssm.ModelName);
        services.AddAwsOperations<TagOperations>(Ssm.ModelName);
        return services;
    }
}
