using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Stacks.Model;
using Gatehouse.Stacks.Resources;
using Gatehouse.Stacks.Templates;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Stacks.Engine;

/// <summary>
/// Runs stack operations in the background, as CloudFormation does (the API answers at once and
/// clients poll DescribeStacks): resources in dependency waves, Ref as the physical id, GetAtt
/// from the provider's attributes, then the outputs; on a failure the stack is rolled back
/// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stack-failure-options.html).
/// </summary>
internal sealed class StackEngine(StackState state, IEnumerable<IResourceProvider> providers, TimeProvider time, ILogger<StackEngine> logger)
{
    private const string StackType = "AWS::CloudFormation::Stack";
    private readonly Dictionary<string, IResourceProvider> _providers = providers.ToDictionary(p => p.Type, StringComparer.Ordinal);

    /// <summary>The background runs, so a test or shutdown can wait for them.</summary>
    private readonly List<Task> _running = [];

    public Task WhenIdle()
    {
        lock (_running)
            return Task.WhenAll(_running);
    }

    public void StartDeploy(Stack stack, PreparedTemplate template, bool create) => Run(() => DeployAsync(stack, template, create));

    public void StartDelete(Stack stack) => Run(() => DeleteAsync(stack));

    private void Run(Func<Task> work)
    {
        var task = Task.Run(async () =>
        {
            try
            {
                await work().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                logger.LogError(e, "A stack operation failed unexpectedly.");
            }
        });
        lock (_running)
        {
            _running.RemoveAll(t => t.IsCompleted);
            _running.Add(task);
        }
    }

    /// <summary>The resources a template declares whose <c>Condition</c> holds.</summary>
    public static JsonObject Desired(PreparedTemplate template, TemplateScope scope)
    {
        var result = new JsonObject();
        foreach (var (name, node) in template.Resources)
        {
            if (node is JsonObject definition && (definition["Condition"] is not JsonValue c || Intrinsics.Condition(c.GetValue<string>(), scope)))
                result[name] = definition.DeepClone();
        }
        return result;
    }

    /// <summary>The scope intrinsics read: parameters, mappings, conditions, and <paramref name="resources"/> as made so far.</summary>
    public TemplateScope Scope(Stack stack, PreparedTemplate template, Func<string, StackResource?> resource, bool planning = false)
    {
        var scope = new TemplateScope
        {
            Account = stack.Account,
            Region = stack.Region,
            StackName = stack.StackName,
            StackId = stack.StackId,
            Parameters = template.Values,
            Mappings = template.Template["Mappings"] as JsonObject ?? [],
            IsResource = template.Resources.ContainsKey,
            ResourceRef = r => resource(r)?.PhysicalId ?? (planning ? "{{pending:" + r + "}}" : null),
            ResourceAttribute = (r, a) =>
                resource(r)?.Attributes[a]?.DeepClone() ?? (planning ? JsonValue.Create("{{pending:" + r + "." + a + "}}")
                    : throw new TemplateException($"Template error: resource {r} does not support attribute type {a} in Fn::GetAtt")),
            Export = Export,
        };
        Intrinsics.EvaluateConditions(template.Template["Conditions"] as JsonObject, scope);
        return scope;
    }

    private string? Export(string name)
    {
        foreach (var stack in state.Stacks.Where(s => !s.Deleted))
        {
            lock (state.Lock)
            {
                if (stack.Outputs.FirstOrDefault(o => o.ExportName == name) is { } output)
                    return output.OutputValue;
            }
        }
        return null;
    }

    /// <summary>
    /// What executing <paramref name="template"/> on <paramref name="stack"/> would change, as a change
    /// set lists it (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ResourceChange.html).
    /// </summary>
    public JsonArray Plan(Stack stack, PreparedTemplate template)
    {
        Dictionary<string, StackResource> current;
        lock (state.Lock)
            current = new(stack.Resources, StringComparer.Ordinal);
        var changes = new JsonArray();
        try
        {
            var scope = Scope(stack, template, r => current.GetValueOrDefault(r), planning: true);
            var desired = Desired(template, scope);
            foreach (var (name, node) in desired)
            {
                var type = node!["Type"]?.GetValue<string>() ?? "";
                if (!current.TryGetValue(name, out var existing))
                {
                    changes.Add(Change("Add", name, null, type, null));
                    continue;
                }
                JsonObject? properties = null;
                try
                {
                    properties = Intrinsics.Resolve(node["Properties"]?.DeepClone(), scope) as JsonObject ?? [];
                }
                catch (TemplateException)
                {
                }
                if (properties is not null && existing.Type == type && properties.ToJsonString() == existing.Properties.ToJsonString())
                    continue;
                var replace = existing.Type != type || (properties is not null && Replacement.Required(type, existing.Properties, properties));
                changes.Add(Change("Modify", name, existing.PhysicalId, type, replace ? "True" : "False"));
            }
            foreach (var (name, existing) in current.Where(p => !desired.ContainsKey(p.Key)))
                changes.Add(Change("Remove", name, existing.PhysicalId, existing.Type, null));
        }
        catch (TemplateException e)
        {
            throw StacksErrors.Validation(e.Message);
        }
        return changes;
    }

    private static JsonObject Change(string action, string logicalId, string? physicalId, string type, string? replacement)
    {
        var change = new JsonObject { ["Action"] = action, ["LogicalResourceId"] = logicalId, ["ResourceType"] = type, ["Scope"] = new JsonArray(), ["Details"] = new JsonArray() };
        if (physicalId is not null)
            change["PhysicalResourceId"] = physicalId;
        if (replacement is not null)
        {
            change["Replacement"] = replacement;
            change["Scope"] = new JsonArray("Properties");
        }
        return new JsonObject { ["Type"] = "Resource", ["ResourceChange"] = change };
    }

    private sealed class ResourceFailed(string logicalId, string reason) : Exception(reason)
    {
        public string LogicalId { get; } = logicalId;
    }

    private async Task DeployAsync(Stack stack, PreparedTemplate template, bool create)
    {
        var ct = CancellationToken.None;
        var aws = new AwsRequestContext(stack.Account, stack.Region, Guid.NewGuid().ToString());
        var scopeForProviders = new StackScope(stack.StackName, stack.StackId, aws);
        var touched = new List<(string LogicalId, StackResource? Previous, StackResource Current)>();
        var replaced = new List<StackResource>();
        var failedVerb = create ? "create" : "update";
        await SetStatusAsync(stack, create ? StackStatus.CreateInProgress : StackStatus.UpdateInProgress, create ? "User Initiated" : "User Initiated", s =>
        {
            s.LastUpdatedTime = create ? null : time.GetUtcNow();
            if (create)
            {
                s.TemplateBody = template.Body;
                s.Template = template.Template;
                s.Parameters = template.Given;
            }
        }).ConfigureAwait(false);
        try
        {
            var scope = Scope(stack, template, Get(stack));
            var desired = Desired(template, scope);
            foreach (var wave in Dependencies.Waves(Dependencies.Of(desired)))
            {
                foreach (var name in wave)
                {
                    var definition = desired[name]!.AsObject();
                    var type = definition["Type"]?.GetValue<string>() ?? "";
                    var existing = Get(stack)(name);
                    JsonObject properties;
                    try
                    {
                        properties = Intrinsics.Resolve(definition["Properties"]?.DeepClone(), scope) as JsonObject ?? [];
                    }
                    catch (TemplateException e)
                    {
                        await ResourceEventAsync(stack, name, existing?.PhysicalId, type, existing is null ? "CREATE_FAILED" : "UPDATE_FAILED", e.Message).ConfigureAwait(false);
                        throw new ResourceFailed(name, e.Message);
                    }
                    var deletionPolicy = definition["DeletionPolicy"]?.GetValue<string>();
                    if (existing is not null && existing.Type == type && properties.ToJsonString() == existing.Properties.ToJsonString())
                    {
                        if (existing.DeletionPolicy != deletionPolicy)
                            Mutate(() => existing.DeletionPolicy = deletionPolicy);
                        continue;
                    }
                    var replace = existing is not null && (existing.Type != type || Replacement.Required(type, existing.Properties, properties));
                    var (start, complete, failed) = existing is null ? ("CREATE_IN_PROGRESS", "CREATE_COMPLETE", "CREATE_FAILED") : ("UPDATE_IN_PROGRESS", "UPDATE_COMPLETE", "UPDATE_FAILED");
                    await ResourceEventAsync(stack, name, existing?.PhysicalId, type, start,
                        replace ? "Requested update requires the creation of a new physical resource; hence creating one." : null).ConfigureAwait(false);
                    ProvisionedResource made;
                    try
                    {
                        var provider = _providers.GetValueOrDefault(type) ?? throw new ResourceFailed(name, $"Resource type {type} is not supported by Gatehouse");
                        var request = new ResourceRequest(name, properties, scopeForProviders);
                        made = existing is null || replace
                            ? await provider.CreateAsync(request, ct).ConfigureAwait(false)
                            : await provider.UpdateAsync(request with { PhysicalId = existing.PhysicalId, PreviousProperties = existing.Properties, PreviousAttributes = existing.Attributes }, ct).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is AwsException or ResourceFailed or TemplateException)
                    {
                        await ResourceEventAsync(stack, name, existing?.PhysicalId, type, failed, e.Message).ConfigureAwait(false);
                        throw new ResourceFailed(name, e.Message);
                    }
                    var resource = new StackResource
                    {
                        LogicalId = name, Type = type, PhysicalId = made.PhysicalId, Status = complete, Properties = properties,
                        Attributes = made.Attributes, DeletionPolicy = deletionPolicy, LastUpdated = time.GetUtcNow(),
                    };
                    Mutate(() => stack.Resources[name] = resource);
                    touched.Add((name, existing, resource));
                    if (replace)
                        replaced.Add(existing!);
                    await state.SaveAsync(stack, ct).ConfigureAwait(false);
                    await ResourceEventAsync(stack, name, made.PhysicalId, type, complete, null).ConfigureAwait(false);
                }
            }
            var outputs = Outputs(template, scope);
            Mutate(() =>
            {
                stack.TemplateBody = template.Body;
                stack.Template = template.Template;
                stack.Parameters = template.Given;
                stack.Outputs = outputs;
                stack.Description = template.Template["Description"]?.GetValue<string>();
            });
            if (!create)
            {
                await SetStatusAsync(stack, StackStatus.UpdateCleanup, null).ConfigureAwait(false);
                List<StackResource> removed;
                lock (state.Lock)
                    removed = [.. stack.Resources.Values.Where(r => !desired.ContainsKey(r.LogicalId))];
                foreach (var old in replaced.Concat(removed.AsEnumerable().Reverse()))
                {
                    await DeleteResourceAsync(stack, old, scopeForProviders, quiet: true).ConfigureAwait(false);
                    if (removed.Contains(old))
                        Mutate(() => stack.Resources.Remove(old.LogicalId));
                }
            }
            await SetStatusAsync(stack, create ? StackStatus.CreateComplete : StackStatus.UpdateComplete, null).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ResourceFailed or TemplateException or AwsException)
        {
            var reason = e is ResourceFailed f ? $"The following resource(s) failed to {failedVerb}: [{f.LogicalId}]. " : e.Message;
            if (stack.DisableRollback)
            {
                await SetStatusAsync(stack, create ? StackStatus.CreateFailed : StackStatus.UpdateFailed, reason).ConfigureAwait(false);
                return;
            }
            await SetStatusAsync(stack, create ? StackStatus.RollbackInProgress : StackStatus.UpdateRollbackInProgress, reason + (create ? "Rollback requested by user." : "")).ConfigureAwait(false);
            var ok = true;
            foreach (var (name, previous, current) in Enumerable.Reverse(touched))
            {
                try
                {
                    if (previous is null || previous.PhysicalId != current.PhysicalId)
                    {
                        await DeleteResourceAsync(stack, current, scopeForProviders, quiet: false).ConfigureAwait(false);
                        Mutate(() =>
                        {
                            if (previous is null)
                                stack.Resources.Remove(name);
                            else
                                stack.Resources[name] = previous;
                        });
                    }
                    else
                    {
                        await ResourceEventAsync(stack, name, current.PhysicalId, current.Type, "UPDATE_IN_PROGRESS", null).ConfigureAwait(false);
                        var request = new ResourceRequest(name, previous.Properties, scopeForProviders)
                        { PhysicalId = current.PhysicalId, PreviousProperties = current.Properties, PreviousAttributes = current.Attributes };
                        var made = await _providers[current.Type].UpdateAsync(request, ct).ConfigureAwait(false);
                        Mutate(() => { previous.Attributes = made.Attributes; stack.Resources[name] = previous; });
                        await ResourceEventAsync(stack, name, current.PhysicalId, current.Type, "UPDATE_COMPLETE", null).ConfigureAwait(false);
                    }
                }
                catch (Exception rollbackError) when (rollbackError is AwsException or TemplateException)
                {
                    ok = false;
                    await ResourceEventAsync(stack, name, current.PhysicalId, current.Type, previous is null ? "DELETE_FAILED" : "UPDATE_FAILED", rollbackError.Message).ConfigureAwait(false);
                }
            }
            var final = create ? (ok ? StackStatus.RollbackComplete : StackStatus.RollbackFailed) : (ok ? StackStatus.UpdateRollbackComplete : StackStatus.UpdateRollbackFailed);
            await SetStatusAsync(stack, final, ok ? null : "The following resource(s) failed to roll back.").ConfigureAwait(false);
        }
    }

    private List<StackOutput> Outputs(PreparedTemplate template, TemplateScope scope)
    {
        var outputs = new List<StackOutput>();
        foreach (var (key, node) in template.Template["Outputs"] as JsonObject ?? [])
        {
            if (node is not JsonObject output || (output["Condition"] is JsonValue c && !Intrinsics.Condition(c.GetValue<string>(), scope)))
                continue;
            var value = Intrinsics.Resolve(output["Value"]?.DeepClone(), scope);
            var text = value is JsonArray list ? string.Join(",", list.Select(i => Intrinsics.Text(i, "Outputs"))) : Intrinsics.Text(value, "Outputs");
            var export = output["Export"] is JsonObject e ? Intrinsics.ResolveString(e["Name"]?.DeepClone(), scope, "Export.Name") : null;
            outputs.Add(new StackOutput(key, text, output["Description"]?.GetValue<string>(), export));
        }
        return outputs;
    }

    private async Task DeleteAsync(Stack stack)
    {
        var aws = new AwsRequestContext(stack.Account, stack.Region, Guid.NewGuid().ToString());
        var scope = new StackScope(stack.StackName, stack.StackId, aws);
        await SetStatusAsync(stack, StackStatus.DeleteInProgress, "User Initiated").ConfigureAwait(false);
        List<StackResource> order;
        lock (state.Lock)
        {
            var resources = stack.Template["Resources"] as JsonObject ?? [];
            var names = new List<string>();
            try
            {
                names = [.. Dependencies.Waves(Dependencies.Of(resources)).SelectMany(w => w)];
            }
            catch (TemplateException)
            {
            }
            order = [.. stack.Resources.Values.Where(r => !names.Contains(r.LogicalId)),
                     .. Enumerable.Reverse(names).Where(stack.Resources.ContainsKey).Select(n => stack.Resources[n])];
        }
        foreach (var resource in order)
        {
            if (!await DeleteResourceAsync(stack, resource, scope, quiet: false).ConfigureAwait(false))
            {
                await SetStatusAsync(stack, StackStatus.DeleteFailed, $"The following resource(s) failed to delete: [{resource.LogicalId}]. ").ConfigureAwait(false);
                return;
            }
            Mutate(() => stack.Resources.Remove(resource.LogicalId));
        }
        await SetStatusAsync(stack, StackStatus.DeleteComplete, null, s => s.DeletionTime = time.GetUtcNow()).ConfigureAwait(false);
        await state.DeleteChangeSetsAsync(null, stack.StackId, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Deletes one resource (Retain: skipped); false when its service refused.</summary>
    private async Task<bool> DeleteResourceAsync(Stack stack, StackResource resource, StackScope scope, bool quiet)
    {
        if (resource.DeletionPolicy == "Retain")
        {
            await ResourceEventAsync(stack, resource.LogicalId, resource.PhysicalId, resource.Type, "DELETE_SKIPPED", null).ConfigureAwait(false);
            return true;
        }
        await ResourceEventAsync(stack, resource.LogicalId, resource.PhysicalId, resource.Type, "DELETE_IN_PROGRESS", null).ConfigureAwait(false);
        try
        {
            if (resource.PhysicalId is not null && _providers.TryGetValue(resource.Type, out var provider))
                await provider.DeleteAsync(new ResourceRequest(resource.LogicalId, resource.Properties, scope) { PhysicalId = resource.PhysicalId, PreviousAttributes = resource.Attributes }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (AwsException e)
        {
            await ResourceEventAsync(stack, resource.LogicalId, resource.PhysicalId, resource.Type, "DELETE_FAILED", e.Message).ConfigureAwait(false);
            return quiet;
        }
        await ResourceEventAsync(stack, resource.LogicalId, resource.PhysicalId, resource.Type, "DELETE_COMPLETE", null).ConfigureAwait(false);
        return true;
    }

    private Func<string, StackResource?> Get(Stack stack) => name =>
    {
        lock (state.Lock)
            return stack.Resources.GetValueOrDefault(name);
    };

    private void Mutate(Action change)
    {
        lock (state.Lock)
            change();
    }

    private async Task SetStatusAsync(Stack stack, string status, string? reason, Action<Stack>? change = null)
    {
        Mutate(() =>
        {
            stack.Status = status;
            stack.StatusReason = reason;
            change?.Invoke(stack);
        });
        await state.SaveAsync(stack, CancellationToken.None).ConfigureAwait(false);
        await state.AddEventAsync(new StackEvent(Guid.NewGuid().ToString(), stack.StackId, stack.StackName, stack.StackName, stack.StackId, StackType, status, reason, time.GetUtcNow()), CancellationToken.None).ConfigureAwait(false);
    }

    private Task ResourceEventAsync(Stack stack, string logicalId, string? physicalId, string type, string status, string? reason)
    {
        lock (state.Lock)
        {
            if (stack.Resources.TryGetValue(logicalId, out var r) && r.PhysicalId == physicalId)
            {
                r.Status = status;
                r.StatusReason = reason;
            }
        }
        return state.AddEventAsync(new StackEvent(Guid.NewGuid().ToString(), stack.StackId, stack.StackName, logicalId, physicalId ?? "", type, status, reason, time.GetUtcNow()), CancellationToken.None);
    }
}
