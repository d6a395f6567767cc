using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Streaming;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Objects.Model;

/// <summary>
/// The body of a PutObject or UploadPart, streamed into the blob store in one pass that computes
/// what S3 checks and answers: the MD5 (the ETag, and Content-MD5 checked against it), the
/// additional checksum the client asked for (<c>x-amz-checksum-*</c>, in a header or an aws-chunked
/// trailer), the SHA-256 the signature declared, and the size against S3's limit. Any mismatch
/// refuses the body before the blob is committed, so nothing of it is kept.
/// </summary>
internal static class UploadedBody
{
    public sealed record Result(string Blob, long Size, string Md5Hex, JsonObject Checksums);

    public static async Task<Result> StoreAsync(AwsRequest request, BlobStore blobs, CancellationToken cancellationToken)
    {
        var headers = request.HttpContext.Request.Headers;
        var body = request.Body ?? Stream.Null;
        byte[]? contentMd5 = null;
        if (request.Input["ContentMD5"]?.GetValue<string>() is { Length: > 0 } md5Text)
        {
            contentMd5 = new byte[16];
            if (!Convert.TryFromBase64String(md5Text, contentMd5, out var written) || written != 16)
                throw ObjectsErrors.InvalidDigest();
        }
        var declaredSha = headers["x-amz-content-sha256"].ToString();
        var checkSha = declaredSha.Length == 64 && declaredSha.All(char.IsAsciiHexDigit);

        // The additional checksum: sent as a header, or announced by x-amz-trailer (checked by the decoder).
        var checksums = new JsonObject();
        var headerChecks = new List<(PayloadChecksum Checksum, string Expected)>();
        foreach (var algorithm in PayloadChecksum.Algorithms)
        {
            var value = headers[PayloadChecksum.HeaderOf(algorithm)].ToString();
            if (value.Length == 0)
                continue;
            checksums[algorithm] = value;
            if (PayloadChecksum.Create(algorithm) is { } running)
                headerChecks.Add((running, value));
        }

        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        using var sha = checkSha ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        long size = 0;
        string? blob;
        try
        {
            (blob, size) = await blobs.PutAsync(body, chunk =>
            {
                size += chunk.Length;
                if (size > AwsProtocolDispatcher.MaxSinglePutBytes)
                    throw ObjectsErrors.EntityTooLarge(size, AwsProtocolDispatcher.MaxSinglePutBytes);
                md5.AppendData(chunk);
                sha?.AppendData(chunk);
                foreach (var (checksum, _) in headerChecks)
                    checksum.Append(chunk);
            }, () =>
            {
                if (request.HttpContext.Request.ContentLength is { } declared && body == request.HttpContext.Request.Body && declared != size)
                    throw ObjectsErrors.IncompleteBody();
                if (contentMd5 is not null && !CryptographicOperations.FixedTimeEquals(contentMd5, md5.GetCurrentHash()))
                    throw ObjectsErrors.BadDigest();
                if (sha is not null && !string.Equals(Convert.ToHexStringLower(sha.GetCurrentHash()), declaredSha, StringComparison.OrdinalIgnoreCase))
                    throw ObjectsErrors.ContentSha256Mismatch();
                foreach (var (checksum, expected) in headerChecks)
                {
                    if (checksum.Value() != expected)
                        throw ObjectsErrors.BadChecksum(checksum.Algorithm);
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (BadHttpRequestException) when (!request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            // The body ended before its Content-Length, or a chunk was malformed.
            throw ObjectsErrors.IncompleteBody();
        }
        finally
        {
            foreach (var (checksum, _) in headerChecks)
                checksum.Dispose();
        }
        if (body is AwsChunkedStream chunked)
        {
            foreach (var (name, value) in chunked.Trailers)
            {
                if (name.StartsWith("x-amz-checksum-", StringComparison.OrdinalIgnoreCase))
                    checksums[name["x-amz-checksum-".Length..].ToUpperInvariant()] = value;
            }
        }
        return new Result(blob, size, Convert.ToHexStringLower(md5.GetHashAndReset()), checksums);
    }

    /// <summary>S3's ETag of a multipart object: the MD5 of the parts' binary MD5s, a dash, the part count.</summary>
    public static string MultipartETag(IReadOnlyList<string> partMd5Hex)
    {
        var concatenated = partMd5Hex.SelectMany(Convert.FromHexString).ToArray();
        return "\"" + Convert.ToHexStringLower(MD5.HashData(concatenated)) + "-" + partMd5Hex.Count.ToString(CultureInfo.InvariantCulture) + "\"";
    }
}
