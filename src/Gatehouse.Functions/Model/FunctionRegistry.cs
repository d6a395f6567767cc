using System.Collections.Concurrent;
using Gatehouse.Functions.Executors;
using Gatehouse.Functions.Invocation;

namespace Gatehouse.Functions.Model;

/// <summary>
/// The functions in memory, by account, region and name; and the factory of version handles
/// (a configuration plus the pool of environments that runs it).
/// </summary>
internal sealed class FunctionRegistry
{
    private readonly ConcurrentDictionary<(string Account, string Region, string Name), FunctionEntry> _functions = new();
    private readonly CodeCache _code;
    private readonly EnvironmentServices _services;

    public FunctionRegistry(CodeCache code, EnvironmentServices services, ConcurrencyCounter account)
    {
        _code = code;
        _services = services;
        Account = account;
    }

    /// <summary>Server-wide concurrent invocations.</summary>
    public ConcurrencyCounter Account { get; }

    public FunctionEntry? Find(string account, string region, string name) =>
        _functions.GetValueOrDefault((account, region, name));

    public IEnumerable<FunctionEntry> All => _functions.Values;

    public void Add(FunctionEntry entry) => _functions[(entry.Account, entry.Region, entry.Name)] = entry;

    public void Remove(FunctionEntry entry) => _functions.TryRemove((entry.Account, entry.Region, entry.Name), out _);

    public void Clear() => _functions.Clear();

    /// <summary>A handle for <paramref name="config"/>: its code unpacked and a fresh, empty pool.</summary>
    public FunctionVersionHandle CreateHandle(FunctionVersionConfig config, ConcurrencyCounter function)
    {
        var root = _code.Unpack(config.CodeHash);
        return new FunctionVersionHandle(config, new EnvironmentPool(config, root, _services, Account, function));
    }

    /// <summary>Every pool of every function (for reaping and shutdown).</summary>
    public IEnumerable<EnvironmentPool> Pools =>
        _functions.Values.SelectMany(f => f.Versions.Values.Prepend(f.Latest)).Select(h => h.Pool);
}
