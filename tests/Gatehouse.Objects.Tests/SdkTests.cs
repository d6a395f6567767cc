using static Gatehouse.Objects.Tests.S3Client;

namespace Gatehouse.Objects.Tests;

/// <summary>S3 through boto3 and the JavaScript SDK v3 (with its default request checksums and lib-storage's multipart Upload).</summary>
public sealed class SdkTests : IClassFixture<GatehouseProcess>
{
    private readonly GatehouseProcess _server;

    public SdkTests(GatehouseProcess server) => _server = server;

    [Fact]
    public async Task Boto3_PutGetListDelete_RoundTrips()
    {
        var bucket = UniqueBucket("boto");
        var result = await PythonAsync(_server.Endpoint, $$"""
            import os, boto3
            s3 = boto3.client('s3', endpoint_url=os.environ['ENDPOINT'])
            s3.create_bucket(Bucket='{{bucket}}')
            s3.put_object(Bucket='{{bucket}}', Key='a/b.txt', Body=b'boto bytes', Metadata={'x': 'y'})
            got = s3.get_object(Bucket='{{bucket}}', Key='a/b.txt')
            body = got['Body'].read()
            keys = [o['Key'] for o in s3.list_objects_v2(Bucket='{{bucket}}')['Contents']]
            s3.delete_object(Bucket='{{bucket}}', Key='a/b.txt')
            try:
                s3.get_object(Bucket='{{bucket}}', Key='a/b.txt')
                missing = 'found'
            except s3.exceptions.NoSuchKey:
                missing = 'NoSuchKey'
            print(body.decode(), got['Metadata']['x'], ','.join(keys), missing)
            """);

        Assert.Equal("boto bytes y a/b.txt NoSuchKey", result.EnsureSuccess().StandardOutput.Trim());
    }

    [Fact]
    public async Task JavaScriptSdk_DefaultChecksumsAndMultipartUpload_RoundTrip()
    {
        var bucket = UniqueBucket("js");
        var result = await NodeAsync(_server.Endpoint, $$"""
            const { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } = require('@aws-sdk/client-s3');
            const { Upload } = require('@aws-sdk/lib-storage');
            const { Readable } = require('stream');
            const crypto = require('crypto');
            (async () => {
              const s3 = new S3Client({ endpoint: process.env.ENDPOINT, forcePathStyle: true });
              await s3.send(new CreateBucketCommand({ Bucket: '{{bucket}}' }));
              // A string body: the SDK adds its CRC32 checksum by default.
              const put = await s3.send(new PutObjectCommand({ Bucket: '{{bucket}}', Key: 'small.txt', Body: 'js bytes' }));
              const got = await s3.send(new GetObjectCommand({ Bucket: '{{bucket}}', Key: 'small.txt', ChecksumMode: 'ENABLED' }));
              const text = await got.Body.transformToString();
              // A stream of unknown length: Upload sends aws-chunked parts with trailing checksums.
              const big = crypto.randomBytes(11 * 1024 * 1024);
              const upload = new Upload({ client: s3, params: { Bucket: '{{bucket}}', Key: 'big.bin', Body: Readable.from([big.subarray(0, 3e6), big.subarray(3e6)]) }, partSize: 5 * 1024 * 1024 });
              await upload.done();
              const back = await s3.send(new GetObjectCommand({ Bucket: '{{bucket}}', Key: 'big.bin' }));
              const bytes = Buffer.from(await back.Body.transformToByteArray());
              const head = await s3.send(new HeadObjectCommand({ Bucket: '{{bucket}}', Key: 'big.bin' }));
              const list = await s3.send(new ListObjectsV2Command({ Bucket: '{{bucket}}' }));
              console.log(JSON.stringify({ text, crc: got.ChecksumCRC32 ?? null, putCrc: put.ChecksumCRC32 ?? null, same: bytes.equals(big), etag: head.ETag, keys: list.Contents.map(c => c.Key) }));
            })().catch(e => { console.error(e); process.exit(1); });
            """);

        var json = result.EnsureSuccess().Json;
        Assert.Equal("js bytes", json.Str("text"));
        Assert.True((bool)json["same"]!);
        Assert.EndsWith("-3\"", json.Str("etag"), StringComparison.Ordinal);
        Assert.Equal(["big.bin", "small.txt"], json["keys"]!.AsArray().Select(k => k!.GetValue<string>()));
        Assert.Equal(json["putCrc"]?.ToJsonString(), json["crc"]?.ToJsonString());
    }
}
