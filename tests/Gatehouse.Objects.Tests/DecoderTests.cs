using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Gatehouse.Core;
using Gatehouse.Objects.Model;
using Gatehouse.Protocol.Streaming;

namespace Gatehouse.Objects.Tests;

/// <summary>The aws-chunked decoder, byte ranges and bucket names, against the examples in AWS's documentation.</summary>
public sealed class DecoderTests
{
    private static string Crc32(byte[] data)
    {
        var digest = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(digest, System.IO.Hashing.Crc32.HashToUInt32(data));
        return Convert.ToBase64String(digest);
    }

    private static async Task<byte[]> DecodeAsync(string wire, string? trailer, long? length)
    {
        using var decoded = new AwsChunkedStream(new MemoryStream(Encoding.ASCII.GetBytes(wire)), trailer, length);
        using var output = new MemoryStream();
        await decoded.CopyToAsync(output, 7);
        return output.ToArray();
    }

    [Fact]
    public async Task AwsChunked_SignedChunks_DecodeToThePayload()
    {
        // The shape of https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html (chunk signatures are not recomputed).
        var sig = new string('0', 64);
        var wire = $"5;chunk-signature={sig}\r\nhello\r\n6;chunk-signature={sig}\r\n world\r\n0;chunk-signature={sig}\r\n\r\n";

        Assert.Equal("hello world", Encoding.ASCII.GetString(await DecodeAsync(wire, null, 11)));
    }

    [Fact]
    public async Task AwsChunked_UnsignedWithTrailer_ChecksTheCrc32()
    {
        var data = Encoding.ASCII.GetBytes("trailing checksum body");
        var wire = $"{data.Length:x}\r\n{Encoding.ASCII.GetString(data)}\r\n0\r\nx-amz-checksum-crc32:{Crc32(data)}\r\n\r\n";
        var bad = $"{data.Length:x}\r\n{Encoding.ASCII.GetString(data)}\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n";

        Assert.Equal(data, await DecodeAsync(wire, "x-amz-checksum-crc32", data.Length));
        var error = await Assert.ThrowsAsync<AwsException>(() => DecodeAsync(bad, "x-amz-checksum-crc32", data.Length));
        Assert.Equal("BadDigest", error.Code);
    }

    [Fact]
    public async Task AwsChunked_ShorterThanDeclared_IsIncompleteBody()
    {
        var error = await Assert.ThrowsAsync<AwsException>(() => DecodeAsync("3\r\nabc\r\n0\r\n\r\n", null, 10));
        var cut = await Assert.ThrowsAsync<AwsException>(() => DecodeAsync("10\r\nabc", null, null));

        Assert.Equal("IncompleteBody", error.Code);
        Assert.Equal("IncompleteBody", cut.Code);
    }

    [Theory]
    [InlineData("bytes=0-3", 10, 0, 4)]
    [InlineData("bytes=4-", 10, 4, 6)]
    [InlineData("bytes=-3", 10, 7, 3)]
    [InlineData("bytes=8-100", 10, 8, 2)]
    public void ByteRange_Satisfiable_IsOffsetAndLength(string header, long size, long offset, long length)
    {
        Assert.Equal((offset, length), ByteRange.Parse(header, size));
    }

    [Fact]
    public void ByteRange_PastTheEnd_IsInvalidRangeAndUnreadableIsIgnored()
    {
        Assert.Equal(416, Assert.Throws<AwsException>(() => ByteRange.Parse("bytes=10-20", 10)).StatusCode);
        Assert.Null(ByteRange.Parse("items=0-1", 10));
        Assert.Null(ByteRange.Parse("bytes=0-1,4-5", 10));
    }

    [Theory]
    [InlineData("my-bucket", true)]
    [InlineData("a.b-c", true)]
    [InlineData("ab", false)]
    [InlineData("My-Bucket", false)]
    [InlineData("a..b", false)]
    [InlineData("10.0.0.1", false)]
    [InlineData("bucket-", false)]
    [InlineData("sthree-x", false)]
    [InlineData("name-s3alias", false)]
    public void BucketNames_FollowS3Rules(string name, bool valid) => Assert.Equal(valid, BucketNames.IsValid(name));
}
