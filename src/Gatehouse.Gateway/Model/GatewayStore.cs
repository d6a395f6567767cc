using System.Collections.Immutable;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gatehouse.Storage;

namespace Gatehouse.Gateway.Model;

/// <summary>
/// Persists HTTP APIs. A write takes the API's state before and after a control-plane change and
/// stores the difference in one transaction, so memory is only updated after the store has it.
/// </summary>
internal sealed class GatewayStore
{
    private readonly IDatabase _database;

    public GatewayStore(IDatabase database) => _database = database;

    public async Task<List<ApiState>> LoadAsync(CancellationToken cancellationToken)
    {
        return await _database.ReadAsync(async connection =>
        {
            var apis = await connection.QueryAsync("SELECT document FROM gateway_apis", r => Read<Api>(r.GetString(0))).ConfigureAwait(false);
            var routes = await LoadChildrenAsync<Route>(connection, "gateway_routes").ConfigureAwait(false);
            var integrations = await LoadChildrenAsync<Integration>(connection, "gateway_integrations").ConfigureAwait(false);
            var authorizers = await LoadChildrenAsync<Authorizer>(connection, "gateway_authorizers").ConfigureAwait(false);
            var stages = await LoadChildrenAsync<Stage>(connection, "gateway_stages").ConfigureAwait(false);
            var deployments = await LoadChildrenAsync<Deployment>(connection, "gateway_deployments").ConfigureAwait(false);
            return apis.Select(api => new ApiState
            {
                Api = api,
                Routes = Index(routes, api.ApiId, r => r.RouteId),
                Integrations = Index(integrations, api.ApiId, i => i.IntegrationId),
                Authorizers = Index(authorizers, api.ApiId, a => a.AuthorizerId),
                Stages = Index(stages, api.ApiId, s => s.StageName),
                Deployments = Index(deployments, api.ApiId, d => d.DeploymentId),
            }).ToList();
        }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<ILookup<string, T>> LoadChildrenAsync<T>(DbConnection connection, string table)
    {
        var rows = await connection.QueryAsync($"SELECT api_id, document FROM {table}", r => (ApiId: r.GetString(0), Value: Read<T>(r.GetString(1)))).ConfigureAwait(false);
        return rows.ToLookup(r => r.ApiId, r => r.Value, StringComparer.Ordinal);
    }

    private static ImmutableSortedDictionary<string, T> Index<T>(ILookup<string, T> rows, string apiId, Func<T, string> key) =>
        rows[apiId].ToImmutableSortedDictionary(key, v => v, StringComparer.Ordinal);

    /// <summary>Stores the change from <paramref name="before"/> to <paramref name="after"/> (either may be null: create, delete).</summary>
    public Task SaveAsync(ApiState? before, ApiState? after, CancellationToken cancellationToken)
    {
        var apiId = (after ?? before)!.Api.ApiId;
        return _database.WriteAsync(async (connection, transaction) =>
        {
            if (after is null)
            {
                foreach (var table in Tables)
                    await connection.ExecuteAsync(transaction, $"DELETE FROM {table} WHERE api_id = @api", ("@api", apiId)).ConfigureAwait(false);
                return 0;
            }
            if (!ReferenceEquals(before?.Api, after.Api))
            {
                await connection.ExecuteAsync(transaction,
                    """
                    INSERT INTO gateway_apis (api_id, account, region, name, created_date, document) VALUES (@api, @account, @region, @name, @created, @doc)
                    ON CONFLICT (api_id) DO UPDATE SET name = excluded.name, document = excluded.document
                    """,
                    ("@api", apiId), ("@account", after.Api.Account), ("@region", after.Api.Region), ("@name", after.Api.Name),
                    ("@created", Iso(after.Api.CreatedDate)), ("@doc", Write(after.Api))).ConfigureAwait(false);
            }
            await SaveChildrenAsync(connection, transaction, apiId, "gateway_routes", "route_id", before?.Routes, after.Routes,
                r => [("@route_key", r.RouteKey)]).ConfigureAwait(false);
            await SaveChildrenAsync(connection, transaction, apiId, "gateway_integrations", "integration_id", before?.Integrations, after.Integrations, _ => []).ConfigureAwait(false);
            await SaveChildrenAsync(connection, transaction, apiId, "gateway_authorizers", "authorizer_id", before?.Authorizers, after.Authorizers, _ => []).ConfigureAwait(false);
            await SaveChildrenAsync(connection, transaction, apiId, "gateway_stages", "stage_name", before?.Stages, after.Stages,
                s => [("@deployment_id", s.DeploymentId)]).ConfigureAwait(false);
            await SaveChildrenAsync(connection, transaction, apiId, "gateway_deployments", "deployment_id", before?.Deployments, after.Deployments,
                d => [("@created_date", Iso(d.CreatedDate))]).ConfigureAwait(false);
            return 0;
        }, cancellationToken);
    }

    public Task DeleteAllAsync(CancellationToken cancellationToken) =>
        _database.WriteAsync(async (connection, transaction) =>
        {
            foreach (var table in Tables)
                await connection.ExecuteAsync(transaction, $"DELETE FROM {table}").ConfigureAwait(false);
            return 0;
        }, cancellationToken);

    private static readonly string[] Tables =
        ["gateway_routes", "gateway_integrations", "gateway_authorizers", "gateway_stages", "gateway_deployments", "gateway_apis"];

    private static async Task SaveChildrenAsync<T>(
        DbConnection connection, DbTransaction transaction, string apiId, string table, string keyColumn,
        ImmutableSortedDictionary<string, T>? before, ImmutableSortedDictionary<string, T> after,
        Func<T, (string Name, object? Value)[]> extraColumns) where T : class
    {
        if (before is not null)
        {
            foreach (var key in before.Keys)
            {
                if (!after.ContainsKey(key))
                    await connection.ExecuteAsync(transaction, $"DELETE FROM {table} WHERE api_id = @api AND {keyColumn} = @key", ("@api", apiId), ("@key", key)).ConfigureAwait(false);
            }
        }
        foreach (var (key, value) in after)
        {
            if (before is not null && before.TryGetValue(key, out var old) && ReferenceEquals(old, value))
                continue;
            var extra = extraColumns(value);
            var columns = string.Concat(extra.Select(e => ", " + e.Name[1..]));
            var values = string.Concat(extra.Select(e => ", " + e.Name));
            var updates = string.Concat(extra.Select(e => $", {e.Name[1..]} = excluded.{e.Name[1..]}"));
            var parameters = new (string, object?)[] { ("@api", apiId), ("@key", key), ("@doc", Write(value)) }.Concat(extra).ToArray();
            await connection.ExecuteAsync(transaction,
                $"INSERT INTO {table} (api_id, {keyColumn}, document{columns}) VALUES (@api, @key, @doc{values}) " +
                $"ON CONFLICT (api_id, {keyColumn}) DO UPDATE SET document = excluded.document{updates}",
                parameters).ConfigureAwait(false);
        }
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static string Write<T>(T value) => JsonSerializer.Serialize(value, Json);

    private static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, Json) ?? throw new InvalidDataException("Empty gateway document.");

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}
