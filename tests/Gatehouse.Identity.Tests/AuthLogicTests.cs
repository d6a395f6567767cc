using Gatehouse.Core.Security;
using Gatehouse.Identity.Auth;
using Gatehouse.Identity.Model;

namespace Gatehouse.Identity.Tests;

public sealed class AuthLogicTests
{
    [Fact]
    public void SecretHash_ReferenceVector_Matches() =>
        Assert.Equal("lNDiMwYO57I1zNMwuMNdQDkengBhS5ob+1tVmNIP+Ks=",
            SecretHash.Compute("exampleclientsecret0123456789abcdefghijklmnopqrstu", "janedoe", "1example23456789abcdefghij"));

    [Fact]
    public void SecretHashMatches_AnyGivenUsername_Accepts()
    {
        var hash = SecretHash.Compute("secret", "jane@example.com", "client");
        Assert.True(SecretHash.Matches(hash, "secret", "client", "uuid-username", "jane@example.com"));
        Assert.False(SecretHash.Matches(hash, "secret", "client", "uuid-username"));
        Assert.False(SecretHash.Matches("not base64!", "secret", "client", "jane@example.com"));
    }

    [Theory]
    [InlineData("Ab1!", "Password not long enough")]
    [InlineData("ABCDEFG1!", "Password must have lowercase characters")]
    [InlineData("abcdefg1!", "Password must have uppercase characters")]
    [InlineData("Abcdefgh!", "Password must have numeric characters")]
    [InlineData("Abcdefgh1", "Password must have symbol characters")]
    [InlineData("Abcdefg1!", null)]
    [InlineData("Abcdefg1 x", null)]
    public void PasswordPolicy_DefaultPolicy_ReportsFirstBrokenRule(string password, string? expected) =>
        Assert.Equal(expected, PasswordPolicyChecker.Problem(password, PasswordPolicy.Default));

    [Fact]
    public void PasswordPolicy_RelaxedPolicy_AcceptsLowercaseOnly() =>
        Assert.Null(PasswordPolicyChecker.Problem("abcdef", new PasswordPolicy(6, false, false, false, false, 7)));

    [Fact]
    public void GeneratedTemporaryPassword_AnyPolicy_Conforms()
    {
        var strict = new PasswordPolicy(20, true, true, true, true, 7);
        for (var i = 0; i < 50; i++)
            Assert.Null(PasswordPolicyChecker.Problem(PasswordPolicyChecker.Generate(strict), strict));
    }

    [Fact]
    public void PasswordHasher_RightAndWrongPassword_VerifiesOnlyRight()
    {
        var hash = PasswordHasher.Hash("Correct horse 1!");
        Assert.StartsWith("pbkdf2-sha256$600000$", hash, StringComparison.Ordinal);
        Assert.DoesNotContain("Correct horse", hash, StringComparison.Ordinal);
        Assert.True(PasswordHasher.Verify("Correct horse 1!", hash));
        Assert.False(PasswordHasher.Verify("Correct horse 2!", hash));
        Assert.False(PasswordHasher.Verify("Correct horse 1!", null));
    }

    [Fact]
    public void CredentialCache_PasswordChangeOrExpiry_Misses()
    {
        var time = new ManualTime();
        var cache = new CredentialCache(time, TimeSpan.FromMinutes(5));
        cache.Add("pool", "jane", "stamp1", "Secret1!");
        Assert.True(cache.Contains("pool", "jane", "stamp1", "Secret1!"));
        Assert.False(cache.Contains("pool", "jane", "stamp1", "Secret2!"));
        Assert.False(cache.Contains("pool", "jane", "stamp2", "Secret1!"));
        Assert.False(cache.Contains("pool", "john", "stamp1", "Secret1!"));
        time.Advance(TimeSpan.FromMinutes(6));
        Assert.False(cache.Contains("pool", "jane", "stamp1", "Secret1!"));
    }

    [Fact]
    public void SignInThrottle_SixthFailure_LocksThenForgives()
    {
        var time = new ManualTime();
        var throttle = new SignInThrottle(time);
        for (var i = 0; i < 5; i++)
            Assert.True(throttle.TryBegin("u"));
        Assert.False(throttle.IsLockedOut("u"));
        Assert.True(throttle.TryBegin("u"));
        Assert.True(throttle.IsLockedOut("u"));
        Assert.False(throttle.TryBegin("u"));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(throttle.IsLockedOut("u"));
        Assert.True(throttle.TryBegin("u"));
        Assert.True(throttle.IsLockedOut("u"));
        time.Advance(TimeSpan.FromMinutes(16));
        Assert.False(throttle.IsLockedOut("u"));
        // After 15 quiet minutes the history is forgotten: one failure does not lock.
        Assert.True(throttle.TryBegin("u"));
        Assert.False(throttle.IsLockedOut("u"));
    }

    [Fact]
    public void SignInThrottle_Success_ForgivesTheReservedAttempt()
    {
        var throttle = new SignInThrottle(new ManualTime());
        for (var i = 0; i < 5; i++)
            Assert.True(throttle.TryBegin("u"));
        Assert.True(throttle.TryBegin("u"));
        throttle.RecordSuccess("u");
        Assert.False(throttle.IsLockedOut("u"));
        for (var i = 0; i < 5; i++)
            Assert.True(throttle.TryBegin("u"));
        Assert.False(throttle.IsLockedOut("u"));
    }

    [Fact]
    public void SignInThrottle_ConcurrentGuessesAfterFreeFailures_OnlyOneChecked()
    {
        var throttle = new SignInThrottle(new ManualTime());
        for (var i = 0; i < 5; i++)
            Assert.True(throttle.TryBegin("u"));
        var admitted = 0;
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 16 }, _ =>
        {
            if (throttle.TryBegin("u"))
                Interlocked.Increment(ref admitted);
        });
        Assert.Equal(1, admitted);
    }

    [Fact]
    public void SignInThrottle_ManyFailures_LockoutCappedAtFifteenMinutes()
    {
        var time = new ManualTime();
        var throttle = new SignInThrottle(time);
        var longest = TimeSpan.Zero;
        for (var i = 0; i < 40; i++)
        {
            var waited = TimeSpan.Zero;
            while (!throttle.TryBegin("u"))
            {
                time.Advance(TimeSpan.FromSeconds(1));
                waited += TimeSpan.FromSeconds(1);
            }
            longest = waited > longest ? waited : longest;
        }
        // 35 failures past the free five would double the lockout far beyond a day; it stops at 15 minutes.
        Assert.Equal(TimeSpan.FromMinutes(15), longest);
        time.Advance(TimeSpan.FromMinutes(15) - TimeSpan.FromSeconds(1));
        Assert.True(throttle.IsLockedOut("u"));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(throttle.IsLockedOut("u"));
    }

    [Fact]
    public void SecretBox_SealOpen_RoundTripsAndDetectsTampering()
    {
        var box = SecretBox.Ephemeral();
        var sealedBytes = box.Seal([1, 2, 3]);
        Assert.Equal([1, 2, 3], box.Open(sealedBytes));
        sealedBytes[^1] ^= 1;
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => box.Open(sealedBytes));
    }
}
