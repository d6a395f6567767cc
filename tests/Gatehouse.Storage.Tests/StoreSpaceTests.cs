namespace Gatehouse.Storage.Tests;

public sealed class StoreSpaceTests
{
    [Fact]
    public void Check_BelowThreshold_IsLow()
    {
        var space = new StoreSpace("/data", lowThreshold: 1000, freeBytes: _ => 999);

        Assert.Equal((999L, true), space.Check());
    }

    [Fact]
    public void Check_AtOrAboveThreshold_IsNotLow()
    {
        var space = new StoreSpace("/data", lowThreshold: 1000, freeBytes: _ => 1000);

        Assert.Equal((1000L, false), space.Check());
    }

    [Fact]
    public void Check_UnknownFreeSpace_IsNotReportedLow()
    {
        var space = new StoreSpace("/data", freeBytes: _ => null);

        Assert.Equal((null, false), space.Check());
    }

    [Fact]
    public void Check_RealDirectory_MatchesTheFileSystem()
    {
        var directory = Directory.CreateTempSubdirectory("gatehouse-space-").FullName;

        var (free, _) = new StoreSpace(directory).Check();

        Assert.NotNull(free);
        // Other processes write meanwhile: the same file system's answer within a margin.
        Assert.InRange(free!.Value, new DriveInfo(directory).AvailableFreeSpace - (512L << 20), new DriveInfo(directory).AvailableFreeSpace + (512L << 20));
    }
}
