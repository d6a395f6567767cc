using Gatehouse.Core;
using Gatehouse.Objects.Model;
using Gatehouse.Objects.Operations;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;
using Gatehouse.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gatehouse.Objects;

public static class ObjectsServiceCollectionExtensions
{
    /// <summary>Registers the S3 service (buckets, objects, multipart uploads) with the server.</summary>
    public static IServiceCollection AddGatehouseObjects(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new ObjectStore(sp.GetRequiredService<IDatabase>()));
        services.TryAddSingleton<ObjectsService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGatehouseService, ObjectsService>(sp => sp.GetRequiredService<ObjectsService>()));
        services.TryAddSingleton<IObjectReader, ObjectReader>();
        // S3's own names for the protocol-level failures
        // (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList).
        services.AddAwsService(S3.ModelName, () => new AwsServiceDefinition(S3.ModelName)
        {
            ValidationErrorCode = "InvalidArgument",
            SerializationErrorCode = "MalformedXML",
            InternalErrorCode = "InternalError",
            TooLargeErrorCode = "MaxMessageLengthExceeded",
            // XML documents (a DeleteObjects of 1,000 keys is under 200 KB); object bodies stream.
            MaxRequestBytes = 2 * 1024 * 1024,
        });
        services.AddAwsOperations<BucketOperations>(S3.ModelName);
        services.AddAwsOperations<ObjectOperations>(S3.ModelName);
        services.AddAwsOperations<ObjectListingOperations>(S3.ModelName);
        services.AddAwsOperations<MultipartUploadOperations>(S3.ModelName);
        return services;
    }
}
