using System.Text.Json;
using System.Text.Json.Serialization;
using Gatehouse.Storage;

namespace Gatehouse.Stacks.Model;

/// <summary>
/// Every stack, its events and its change sets, in memory and in the store. Callers change a
/// stack under <see cref="Lock"/> and then <see cref="SaveAsync"/> it.
/// </summary>
internal sealed class StackState
{
    private readonly IDatabase _database;
    private readonly Dictionary<string, Stack> _stacks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<StackEvent>> _events = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ChangeSet> _changeSets = new(StringComparer.Ordinal);

    public StackState(IDatabase database) => _database = database;

    public object Lock { get; } = new();

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var (stacks, events, changeSets) = await _database.ReadAsync(async connection =>
        {
            var s = await connection.QueryAsync("SELECT document FROM stacks_stacks", r => JsonSerializer.Deserialize<Stack>(r.GetString(0), Json)!).ConfigureAwait(false);
            var e = await connection.QueryAsync("SELECT document FROM stacks_events ORDER BY stack_id, seq", r => JsonSerializer.Deserialize<StackEvent>(r.GetString(0), Json)!).ConfigureAwait(false);
            var c = await connection.QueryAsync("SELECT document FROM stacks_change_sets", r => JsonSerializer.Deserialize<ChangeSet>(r.GetString(0), Json)!).ConfigureAwait(false);
            return (s, e, c);
        }, cancellationToken).ConfigureAwait(false);
        lock (Lock)
        {
            _stacks.Clear();
            _events.Clear();
            _changeSets.Clear();
            foreach (var stack in stacks)
                _stacks[stack.StackId] = stack;
            foreach (var e in events)
                EventsOf(e.StackId).Add(e);
            foreach (var c in changeSets)
                _changeSets[c.ChangeSetId] = c;
        }
    }

    public IReadOnlyList<Stack> Stacks
    {
        get
        {
            lock (Lock)
                return [.. _stacks.Values.OrderBy(s => s.CreationTime)];
        }
    }

    /// <summary>A stack by id (deleted ones too) or by name (live ones only), as CloudFormation finds them.</summary>
    public Stack? Find(string account, string region, string nameOrId)
    {
        lock (Lock)
        {
            if (_stacks.TryGetValue(nameOrId, out var byId))
                return byId.Account == account && byId.Region == region ? byId : null;
            return _stacks.Values.FirstOrDefault(s => s.StackName == nameOrId && s.Account == account && s.Region == region && !s.Deleted);
        }
    }

    public void Add(Stack stack)
    {
        lock (Lock)
            _stacks[stack.StackId] = stack;
    }

    public Task SaveAsync(Stack stack, CancellationToken cancellationToken)
    {
        string document;
        lock (Lock)
            document = JsonSerializer.Serialize(stack, Json);
        return _database.WriteAsync(async (connection, transaction) =>
            await connection.ExecuteAsync(transaction,
                "INSERT INTO stacks_stacks (stack_id, document) VALUES (@i, @d) ON CONFLICT (stack_id) DO UPDATE SET document = excluded.document",
                ("@i", stack.StackId), ("@d", document)).ConfigureAwait(false), cancellationToken);
    }

    public IReadOnlyList<StackEvent> Events(string stackId)
    {
        lock (Lock)
            return [.. EventsOf(stackId)];
    }

    public Task AddEventAsync(StackEvent stackEvent, CancellationToken cancellationToken)
    {
        int seq;
        lock (Lock)
        {
            var list = EventsOf(stackEvent.StackId);
            list.Add(stackEvent);
            seq = list.Count;
        }
        return _database.WriteAsync(async (connection, transaction) =>
            await connection.ExecuteAsync(transaction, "INSERT INTO stacks_events (stack_id, seq, document) VALUES (@i, @s, @d)",
                ("@i", stackEvent.StackId), ("@s", seq), ("@d", JsonSerializer.Serialize(stackEvent, Json))).ConfigureAwait(false), cancellationToken);
    }

    public IReadOnlyList<ChangeSet> ChangeSets(string stackId)
    {
        lock (Lock)
            return [.. _changeSets.Values.Where(c => c.StackId == stackId).OrderBy(c => c.CreationTime)];
    }

    public ChangeSet? FindChangeSet(string nameOrId, Stack? stack)
    {
        lock (Lock)
        {
            if (_changeSets.TryGetValue(nameOrId, out var byId))
                return byId;
            return stack is null ? null : _changeSets.Values.FirstOrDefault(c => c.StackId == stack.StackId && c.ChangeSetName == nameOrId);
        }
    }

    public Task SaveChangeSetAsync(ChangeSet changeSet, CancellationToken cancellationToken)
    {
        string document;
        lock (Lock)
        {
            _changeSets[changeSet.ChangeSetId] = changeSet;
            document = JsonSerializer.Serialize(changeSet, Json);
        }
        return _database.WriteAsync(async (connection, transaction) =>
            await connection.ExecuteAsync(transaction,
                "INSERT INTO stacks_change_sets (change_set_id, stack_id, document) VALUES (@i, @s, @d) ON CONFLICT (change_set_id) DO UPDATE SET document = excluded.document",
                ("@i", changeSet.ChangeSetId), ("@s", changeSet.StackId), ("@d", document)).ConfigureAwait(false), cancellationToken);
    }

    /// <summary>Drops change sets: one by id, or every one of a stack (an executed stack keeps none).</summary>
    public Task DeleteChangeSetsAsync(string? changeSetId, string? stackId, CancellationToken cancellationToken)
    {
        lock (Lock)
        {
            foreach (var id in _changeSets.Values.Where(c => c.ChangeSetId == changeSetId || c.StackId == stackId).Select(c => c.ChangeSetId).ToList())
                _changeSets.Remove(id);
        }
        return _database.WriteAsync(async (connection, transaction) =>
            await connection.ExecuteAsync(transaction, "DELETE FROM stacks_change_sets WHERE change_set_id = @c OR stack_id = @s",
                ("@c", changeSetId ?? ""), ("@s", stackId ?? "")).ConfigureAwait(false), cancellationToken);
    }

    public async Task ResetAsync(CancellationToken cancellationToken)
    {
        await _database.WriteAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(transaction, "DELETE FROM stacks_stacks").ConfigureAwait(false);
            await connection.ExecuteAsync(transaction, "DELETE FROM stacks_events").ConfigureAwait(false);
            await connection.ExecuteAsync(transaction, "DELETE FROM stacks_change_sets").ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
        lock (Lock)
        {
            _stacks.Clear();
            _events.Clear();
            _changeSets.Clear();
        }
    }

    private List<StackEvent> EventsOf(string stackId)
    {
        if (!_events.TryGetValue(stackId, out var list))
            _events[stackId] = list = [];
        return list;
    }
}
