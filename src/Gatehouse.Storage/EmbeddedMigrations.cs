using System.Reflection;

namespace Gatehouse.Storage;

/// <summary>
/// Reads a service's migrations from its embedded <c>*.sql</c> resources. A file named
/// <c>0001_init.sql</c> applies to every provider; <c>0001_init.sqlite.sql</c> or
/// <c>0001_init.postgresql.sql</c> only to that one.
/// </summary>
public static class EmbeddedMigrations
{
    public static IReadOnlyList<Migration> Load(Assembly assembly, string component, string provider)
    {
        var migrations = new List<Migration>();
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.EndsWith(".sql", StringComparison.Ordinal))
                continue;
            // Resource names look like "Gatehouse.Identity.Migrations.0001_init.sql".
            var parts = name[..^4].Split('.');
            var index = Array.IndexOf(parts, "Migrations");
            if (index < 0 || index + 1 >= parts.Length)
                continue;
            var stem = parts[index + 1];
            var only = index + 2 < parts.Length ? parts[index + 2] : null;
            if (only is not null && only != provider)
                continue;
            // Resource names of files starting with a digit get an underscore prefix.
            stem = stem.TrimStart('_');
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new Migration(component + "/" + stem, reader.ReadToEnd()));
        }
        return migrations;
    }
}
