namespace Gatehouse.Testing;

/// <summary>Paths in the repository, found from the test assembly's location.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: whichever configuration the tests themselves were built in.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>The built server: every test project builds src/Gatehouse first (tests/Directory.Build.props).</summary>
    public static string ServerDll => Path.Combine(Root, "src", "Gatehouse", "bin", Configuration, "net10.0", "gatehouse.dll");

    /// <summary>The npm clients the end-to-end tests drive (installed by test.sh).</summary>
    public static string NodeClients => Path.Combine(Root, "tests", "clients");

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Gatehouse.slnx")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (Gatehouse.slnx).");
    }
}
