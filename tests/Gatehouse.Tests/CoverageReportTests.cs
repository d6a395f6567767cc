using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Gatehouse.Tests;

/// <summary>`gatehouse coverage` (docs/coverage.md): every implemented operation points at the line that declares its handler.</summary>
public sealed partial class CoverageReportTests
{
    [Fact]
    public async Task Coverage_EveryImplementedOperation_LinksTheLineDeclaringItsHandler()
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Repository.Root };
        info.ArgumentList.Add(Repository.ServerDll);
        info.ArgumentList.Add("coverage");
        var run = await ProcessRunner.RunAsync(info, TimeSpan.FromMinutes(1));
        Assert.Equal(0, run.ExitCode);

        var rows = HandlerRow().Matches(run.StandardOutput);
        Assert.True(rows.Count >= 120, $"only {rows.Count} handler rows:\n{run.StandardOutput}");
        foreach (Match row in rows)
        {
            var (operation, method, path, line) = (row.Groups["op"].Value, row.Groups["method"].Value, row.Groups["path"].Value, int.Parse(row.Groups["line"].Value));
            var file = Path.Combine(Repository.Root, path);
            Assert.True(File.Exists(file), $"{operation}: {path} does not exist");
            var declaration = File.ReadAllLines(file)[line - 1];
            Assert.Contains(" " + method + "(", declaration, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"^\| `(?<op>\w+)` \| `\w+\.(?<method>\w+)` \| \[(?<path>src/[^:\]]+):(?<line>\d+)\]", RegexOptions.Multiline)]
    private static partial Regex HandlerRow();
}
