namespace Gatehouse.Protocol;

/// <summary>
/// The operations of one AWS resource in one service — a user pool's users, a function's aliases, an
/// API's routes. Each is a sealed class in the service's <c>Operations/</c> folder, one file per
/// resource noun as AWS names it, that maps its operations (handlers named <c>…Async</c>) onto the
/// service's definition. Registered with
/// <see cref="AwsServiceRegistration.AddAwsOperations{TOperations}(Microsoft.Extensions.DependencyInjection.IServiceCollection, string)"/>.
/// </summary>
public interface IAwsOperations
{
    /// <summary>Adds this resource's handlers, e.g. <c>definition.Map(Lambda.Operations.CreateAlias, CreateAliasAsync)</c>.</summary>
    void Map(AwsServiceDefinition definition);
}
