using Gatehouse.Access.Model;
using Gatehouse.Access.Operations;
using Gatehouse.Core;
using Gatehouse.Core.Security;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;
using Gatehouse.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gatehouse.Access;

public static class AccessServiceCollectionExtensions
{
    /// <summary>
    /// Registers IAM and STS with the server, and the keys they issue with the strict SigV4 mode
    /// (<see cref="ICredentialDirectory"/>).
    /// </summary>
    public static IServiceCollection AddGatehouseAccess(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new AccessState(new AccessStore(sp.GetRequiredService<IDatabase>())));
        services.TryAddSingleton<ICredentialDirectory, IssuedKeys>();
        services.TryAddSingleton<AccessService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGatehouseService, AccessService>(sp => sp.GetRequiredService<AccessService>()));

        services.AddAwsService(Iam.ModelName, () => AwsProtocolDispatcher.QueryDefinition(Iam.ModelName));
        services.AddAwsOperations<RoleOperations>(Iam.ModelName);
        services.AddAwsOperations<RolePolicyOperations>(Iam.ModelName);
        services.AddAwsOperations<PolicyOperations>(Iam.ModelName);
        services.AddAwsOperations<InstanceProfileOperations>(Iam.ModelName);
        services.AddAwsOperations<UserOperations>(Iam.ModelName);
        services.AddAwsOperations<AccessKeyOperations>(Iam.ModelName);

        services.AddAwsService(Sts.ModelName, () => AwsProtocolDispatcher.QueryDefinition(Sts.ModelName));
        services.AddAwsOperations<CredentialOperations>(Sts.ModelName);
        return services;
    }
}
