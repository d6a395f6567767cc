using System.Numerics;
using Gatehouse.Identity.Auth;

namespace Gatehouse.Identity.Tests;

/// <summary>SRP-6a against a fixed test vector (validated with amazon-cognito-identity-js).</summary>
public sealed class SrpTests
{
    private const string PoolName = "AbCdEfGhI";
    private const string UserId = "janedoe";
    private const string Password = "Passw0rd!";
    private static readonly BigInteger Salt = Srp.FromHex("1f2e3d4c5b6a79880f1e2d3c4b5a6978");
    private static readonly BigInteger ClientSecret = Srp.FromHex("fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210");
    private static readonly BigInteger ServerSecret = Srp.FromHex("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");

    [Fact]
    public void Multiplier_CognitoGroup_MatchesVector() =>
        Assert.Equal("538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6", Srp.ToHex(Srp.K));

    [Fact]
    public void PrivateKeyAndVerifier_Vector_Match()
    {
        var x = Srp.PrivateKey(PoolName, UserId, Password, Salt);
        Assert.Equal("f6bc571eb4019810061ff1ad059b93d97d6211a85d69b396c3738fcd2ad66f86", Srp.ToHex(x));
        Assert.StartsWith("2d0d4c91180984df", Srp.ToHex(Srp.Verifier(PoolName, UserId, Password, Salt)), StringComparison.Ordinal);
    }

    [Fact]
    public void ServerExchange_Vector_ProducesClientsSignature()
    {
        var verifier = Srp.Verifier(PoolName, UserId, Password, Salt);
        var a = BigInteger.ModPow(Srp.G, ClientSecret, Srp.N);
        var b = Srp.PublicEphemeral(verifier, ServerSecret);
        Assert.StartsWith("ab099e5c092cc701", Srp.ToHex(a), StringComparison.Ordinal);
        Assert.StartsWith("c742576913229f8c", Srp.ToHex(b), StringComparison.Ordinal);

        var u = Srp.Scrambler(a, b);
        Assert.Equal("7dd2ecfb54e0703c389509fd03b80e91d32623a7085bddd7e2f7c5cb54c8071f", Srp.ToHex(u));
        var s = Srp.ServerSecret(a, verifier, u, ServerSecret);
        Assert.StartsWith("00e24a6b717a6520", Convert.ToHexStringLower(Srp.Pad(s)), StringComparison.Ordinal);

        var key = Srp.SessionKey(s, u);
        Assert.Equal("df947fb3e51c60515771ac0dd3925d00", Convert.ToHexStringLower(key));
        var signature = Srp.ClaimSignature(key, PoolName, UserId, Convert.FromBase64String("Z2F0ZWhvdXNlLXRlc3Qtc2VjcmV0LWJsb2NrLTAwMDE="), "Tue Nov 5 09:03:07 UTC 2024");
        Assert.Equal("8UpzA9M7nTbH89CNPnfGPp6o+MOBaBDA1DVV6HMlFdQ=", Convert.ToBase64String(signature));
    }

    [Fact]
    public void PremasterSecret_ClientFormula_EqualsServers()
    {
        // The client computes S = (B - k·g^x)^(a + u·x); both halves must agree for any password.
        var salt = Srp.NewSalt();
        var x = Srp.PrivateKey("Pool1", "someone", "Correct horse 1!", salt);
        var verifier = BigInteger.ModPow(Srp.G, x, Srp.N);
        var a = Srp.NewPrivateEphemeral();
        var clientA = BigInteger.ModPow(Srp.G, a, Srp.N);
        var b = Srp.NewPrivateEphemeral();
        var serverB = Srp.PublicEphemeral(verifier, b);
        var u = Srp.Scrambler(clientA, serverB);

        var baseValue = (serverB - Srp.K * BigInteger.ModPow(Srp.G, x, Srp.N)) % Srp.N;
        if (baseValue.Sign < 0)
            baseValue += Srp.N;
        var clientS = BigInteger.ModPow(baseValue, a + u * x, Srp.N);

        Assert.Equal(clientS, Srp.ServerSecret(clientA, verifier, u, b));
    }

    [Fact]
    public void PremasterSecret_WrongPassword_Differs()
    {
        var salt = Srp.NewSalt();
        var verifier = Srp.Verifier("Pool1", "someone", "Correct horse 1!", salt);
        var wrongX = Srp.PrivateKey("Pool1", "someone", "Wrong horse 1!", salt);
        var a = Srp.NewPrivateEphemeral();
        var clientA = BigInteger.ModPow(Srp.G, a, Srp.N);
        var b = Srp.NewPrivateEphemeral();
        var serverB = Srp.PublicEphemeral(verifier, b);
        var u = Srp.Scrambler(clientA, serverB);
        var baseValue = ((serverB - Srp.K * BigInteger.ModPow(Srp.G, wrongX, Srp.N)) % Srp.N + Srp.N) % Srp.N;
        var clientS = BigInteger.ModPow(baseValue, a + u * wrongX, Srp.N);

        Assert.NotEqual(clientS, Srp.ServerSecret(clientA, verifier, u, b));
    }

    [Fact]
    public void Pad_TopBitSet_AddsSignByte()
    {
        Assert.Equal([0x00, 0x80], Srp.Pad(new BigInteger(0x80)));
        Assert.Equal([0x7f], Srp.Pad(new BigInteger(0x7f)));
    }

    [Fact]
    public void PowG_AnyExponent_EqualsModPow()
    {
        foreach (var exponent in new[] { BigInteger.Zero, BigInteger.One, new BigInteger(15), new BigInteger(16), ServerSecret, ClientSecret, Srp.NewPrivateEphemeral(), BigInteger.Pow(2, 256) - 1, BigInteger.Pow(2, 300) + 7 })
            Assert.Equal(BigInteger.ModPow(Srp.G, exponent, Srp.N), Srp.PowG(exponent));
    }
}
