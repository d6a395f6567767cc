using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Runtime.CompilerServices;

namespace Gatehouse;

/// <summary>
/// Finds where a method is written — repository-relative path and line — from its assembly's portable
/// PDB, so the coverage table can point at each operation's handler. Async handlers are found through
/// their state machine's <c>MoveNext</c>, which is where the compiler puts the body's lines.
/// Used by the <c>coverage</c> command only; nothing on a request path reads PDBs.
/// </summary>
internal sealed class SourceLocator : IDisposable
{
    private readonly Dictionary<Assembly, MetadataReaderProvider?> _pdbs = [];

    public string? Locate(MethodInfo method)
    {
        var body = method.GetCustomAttribute<AsyncStateMachineAttribute>()?.StateMachineType
            .GetMethod("MoveNext", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public) ?? method;
        var reader = Pdb(body.Module.Assembly)?.GetMetadataReader();
        if (reader is null)
            return null;
        var handle = (MethodDefinitionHandle)MetadataTokens.Handle(body.MetadataToken);
        foreach (var point in reader.GetMethodDebugInformation(handle).GetSequencePoints())
        {
            if (point.IsHidden)
                continue;
            var path = reader.GetString(reader.GetDocument(point.Document).Name);
            return $"{RepositoryRelative(path)}:{Declaration(path, method.Name, point.StartLine)}";
        }
        return null;
    }

    private MetadataReaderProvider? Pdb(Assembly assembly)
    {
        if (_pdbs.TryGetValue(assembly, out var provider))
            return provider;
        var path = Path.ChangeExtension(assembly.Location, ".pdb");
        provider = File.Exists(path) ? MetadataReaderProvider.FromPortablePdbStream(File.OpenRead(path)) : null;
        _pdbs[assembly] = provider;
        return provider;
    }

    /// <summary>
    /// The line that declares the method: the PDB knows where its body's first statement is, so look
    /// back from there for its name (when the source is at hand, as it is where the table is made).
    /// </summary>
    private static int Declaration(string path, string name, int bodyLine)
    {
        if (!File.Exists(path))
            return bodyLine;
        var lines = File.ReadAllLines(path);
        for (var line = Math.Min(bodyLine, lines.Length); line >= 1 && line > bodyLine - 40; line--)
        {
            if (lines[line - 1].Contains(" " + name + "(", StringComparison.Ordinal))
                return line;
        }
        return bodyLine;
    }

    /// <summary>The path below the folder that holds Gatehouse.slnx (the repository root), with forward slashes.</summary>
    private static string RepositoryRelative(string path)
    {
        for (var folder = Path.GetDirectoryName(path); folder is not null; folder = Path.GetDirectoryName(folder))
        {
            if (File.Exists(Path.Combine(folder, "Gatehouse.slnx")))
                return Path.GetRelativePath(folder, path).Replace('\\', '/');
        }
        var source = path.Replace('\\', '/').IndexOf("/src/", StringComparison.Ordinal);
        return source >= 0 ? path.Replace('\\', '/')[(source + 1)..] : Path.GetFileName(path);
    }

    public void Dispose()
    {
        foreach (var provider in _pdbs.Values)
            provider?.Dispose();
    }
}
