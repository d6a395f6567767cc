using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;

namespace Gatehouse.Protocol.Streaming;

/// <summary>
/// One of S3's additional checksums computed over a body as it streams by: CRC32, SHA1 and SHA256,
/// base64 of the big-endian digest as the <c>x-amz-checksum-*</c> headers carry it
/// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html).
/// CRC32C and CRC64NVME are not in the System.IO.Hashing version pinned here: their values are
/// kept as sent, unchecked (<see cref="Create"/> answers null).
/// </summary>
public sealed class PayloadChecksum : IDisposable
{
    private readonly Crc32? _crc32;
    private readonly IncrementalHash? _hash;

    private PayloadChecksum(string algorithm, Crc32? crc32, IncrementalHash? hash)
    {
        Algorithm = algorithm;
        _crc32 = crc32;
        _hash = hash;
    }

    /// <summary>CRC32, SHA1 or SHA256 (upper case, as S3's <c>ChecksumAlgorithm</c> enum).</summary>
    public string Algorithm { get; }

    /// <summary>The header that carries this checksum, e.g. <c>x-amz-checksum-crc32</c>.</summary>
    public string HeaderName => HeaderOf(Algorithm);

    public static string HeaderOf(string algorithm) => "x-amz-checksum-" + algorithm.ToLowerInvariant();

    /// <summary>The algorithms S3 knows, upper case.</summary>
    public static readonly string[] Algorithms = ["CRC32", "CRC32C", "SHA1", "SHA256", "CRC64NVME"];

    /// <summary>A running checksum for <paramref name="algorithm"/>, or null for one Gatehouse cannot compute.</summary>
    public static PayloadChecksum? Create(string algorithm) => algorithm.ToUpperInvariant() switch
    {
        "CRC32" => new PayloadChecksum("CRC32", new Crc32(), null),
        "SHA1" => new PayloadChecksum("SHA1", null, IncrementalHash.CreateHash(HashAlgorithmName.SHA1)),
        "SHA256" => new PayloadChecksum("SHA256", null, IncrementalHash.CreateHash(HashAlgorithmName.SHA256)),
        _ => null,
    };

    public void Append(ReadOnlySpan<byte> data)
    {
        _crc32?.Append(data);
        _hash?.AppendData(data);
    }

    /// <summary>The base64 value of everything appended so far.</summary>
    public string Value()
    {
        if (_crc32 is not null)
        {
            Span<byte> digest = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(digest, _crc32.GetCurrentHashAsUInt32());
            return Convert.ToBase64String(digest);
        }
        return Convert.ToBase64String(_hash!.GetCurrentHash());
    }

    public void Dispose() => _hash?.Dispose();
}
