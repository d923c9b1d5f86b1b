using System.Text.Json;
using ExitKit.Export;
using ExitKit.Schema;
using ExitKit.Storage;

namespace ExitKit.Packaging;

/// <summary>Joins the shards of an export, written into one store by several processes, into one sealed package.</summary>
/// <remarks>
/// Each shard keeps its checkpoint in <c>.exitkit/shard-K-of-N/state.json</c> and names its parts with its shard name, so shards
/// never write the same file (artefacts are named by their hash, so two shards storing the same artefact write the same bytes).
/// Sealing refuses until every shard has finished; then the manifest lists every shard's parts, with daily counts and control
/// totals summed over the shards, and the BagIt files cover them all.
/// </remarks>
public static class ShardSealer
{
    /// <summary>Seals the sharded export in a store.</summary>
    /// <param name="store">The store every shard wrote into.</param>
    /// <param name="time">The clock; the system clock when null.</param>
    /// <param name="packageId">The sealed package's id; a new GUID when null.</param>
    /// <param name="cancellationToken">Cancels sealing; it can be run again.</param>
    /// <returns>The manifest; for a store sealed already, its manifest (sealing is idempotent).</returns>
    /// <exception cref="ExitKitException">The store holds no shards, or a shard is missing or unfinished (naming it).</exception>
    public static async Task<PackageManifest> SealAsync(IPackageStore store, TimeProvider? time = null, string? packageId = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        time ??= TimeProvider.System;
        if (await store.ExistsAsync(PackageLayout.TagManifest, cancellationToken))
        {
            // Sealing again is harmless: a seal stopped after its tag manifest only had work files left to remove.
            await PackageWriter.FinishInterruptedSealAsync(store, cancellationToken);
            return (await ExitPackage.OpenAsync(store, cancellationToken)).Manifest;
        }
        var shards = await ReadShardStatesAsync(store, cancellationToken);
        if (shards.Count == 0)
        {
            throw await store.ExistsAsync(ExportState.Path, cancellationToken)
                ? ExitKitException.PackageUnusable(store.Location, "holds an export that was not sharded and did not finish; it seals itself: run the same export with --resume.")
                : ExitKitException.PackageUnusable(store.Location, "holds no shards of an export (no .exitkit/shard-K-of-N/state.json). Run `exitkit export ... --shard K/N` first.");
        }
        var counts = shards.Keys.Select(spec => spec.Count).Distinct().ToArray();
        if (counts.Length > 1)
        {
            throw ExitKitException.PackageUnusable(store.Location, $"holds shards of exports split {string.Join(" and ", counts.Order())} ways; " +
                "every shard of one package must use the same N in --shard K/N. Remove the stray shards' files from .exitkit/ and data/.");
        }
        var count = counts[0];
        var missing = Enumerable.Range(1, count).Where(index => !shards.Keys.Any(spec => spec.Index == index)).Select(index => ShardSpec.NameOf(index, count)).ToArray();
        if (missing.Length > 0)
        {
            throw new ExitKitException($"Package {store.Location} cannot be sealed: {string.Join(", ", missing)} {(missing.Length == 1 ? "has" : "have")} not started " +
                $"(no state under .exitkit/). Run `exitkit export ... --shard K/{count}` for {(missing.Length == 1 ? "it" : "them")}, then seal again.", FailureKind.Incomplete);
        }
        var unfinished = shards.Where(pair => !pair.Value.Finished).OrderBy(pair => pair.Key.Index).ToArray();
        if (unfinished.Length > 0)
        {
            var named = unfinished.Select(pair =>
            {
                var tables = pair.Value.Tables.Where(table => !table.Value.Complete).Select(table => table.Key).Order(StringComparer.Ordinal).ToArray();
                var done = pair.Value.Tables.Count(table => table.Value.Complete);
                return tables.Length > 0 ? $"{pair.Key.Name} (tables {string.Join(", ", tables)} unfinished)"
                    : $"{pair.Key.Name} (it stopped after {done} complete tables)";
            });
            throw new ExitKitException($"Package {store.Location} cannot be sealed: {string.Join("; ", named)} {(unfinished.Length == 1 ? "is" : "are")} not complete. " +
                $"Run the same export with --shard K/{count} --resume for {(unfinished.Length == 1 ? "it" : "each")}, then seal again.", FailureKind.Incomplete);
        }
        var ordered = shards.OrderBy(pair => pair.Key.Index).Select(pair => pair.Value).ToArray();
        var first = ordered[0];
        foreach (var (spec, state) in shards)
        {
            if (state.Source != first.Source || state.Window != first.Window || state.Pseudonymisation.Applied != first.Pseudonymisation.Applied)
            {
                throw ExitKitException.PackageUnusable(store.Location, $"{spec.Name} exported {state.Source.Connector} ({state.Source.System}) for " +
                    $"{state.Window.From:yyyy-MM-dd}..{state.Window.To:yyyy-MM-dd}, which differs from {ShardSpec.NameOf(1, count)}: every shard must run the same export " +
                    "(connector, source, --from, --to, pseudonymisation).");
            }
        }

        var manifest = await BuildManifestAsync(store, ordered, packageId ?? Guid.NewGuid().ToString(), time.GetUtcNow(), cancellationToken);
        // In shard order, so of two shards that stored the same path the later one's entry is listed (as within a shard, the later one).
        var originals = await OriginalBatches.PrepareMergeAsync(store,
            ordered.Select(shard => ((IReadOnlyList<string>)shard.OriginalBatches, (IReadOnlyList<FileEntry>)shard.Originals)), cancellationToken);
        return await PackageSealer.SealAsync(store, manifest, originals, time, cancellationToken);
    }

    private static async Task<Dictionary<ShardSpec, ExportState>> ReadShardStatesAsync(IPackageStore store, CancellationToken cancellationToken)
    {
        var shards = new Dictionary<ShardSpec, ExportState>();
        var paths = new List<(ShardSpec Spec, string Path)>();
        await foreach (var file in store.ListAsync(PackageLayout.WorkFolder + "shard-", cancellationToken))
        {
            var segments = file.Path.Split('/');
            if (segments.Length == 3 && segments[2] == "state.json" && ShardSpec.FromName(segments[1]) is { } spec)
            {
                paths.Add((spec, file.Path));
            }
        }
        foreach (var (spec, path) in paths)
        {
            await using var stream = await store.OpenReadAsync(path, cancellationToken);
            shards[spec] = await JsonSerializer.DeserializeAsync<ExportState>(stream, PackageManifest.JsonOptions, cancellationToken)
                ?? throw ExitKitException.PackageUnusable(store.Location, $"{path} is empty; run that shard again with --resume.");
        }
        return shards;
    }

    private static async Task<PackageManifest> BuildManifestAsync(IPackageStore store, ExportState[] shards, string packageId, DateTimeOffset sealedAt,
        CancellationToken cancellationToken)
    {
        var first = shards[0];
        var artefactCount = 0L;
        var artefactBytes = 0L;
        await foreach (var artefact in store.ListAsync(PackageLayout.Artefacts, cancellationToken))
        {
            artefactCount++;
            artefactBytes += artefact.Length;
        }
        var tables = new List<TableEntry>();
        foreach (var table in NeutralSchema.Tables)
        {
            var checkpoints = shards.Where(shard => shard.Tables.ContainsKey(table.Name)).Select(shard => shard.Tables[table.Name]).ToArray();
            if (checkpoints.Length == 0)
            {
                continue;
            }
            var joined = new TableCheckpoint
            {
                Parts = checkpoints.SelectMany(checkpoint => checkpoint.Parts).ToList(),
                Complete = true,
                ControlTotal = SumControlTotals(checkpoints.Select(checkpoint => checkpoint.ControlTotal).ToArray()),
            };
            tables.Add(PackageWriter.TableEntryFor(table, joined));
        }
        return new PackageManifest
        {
            FormatVersion = NeutralSchema.FormatVersion,
            PackageId = packageId,
            Tool = new ToolInfo("exitkit", ToolVersion.Current),
            CreatedAt = shards.Min(shard => shard.CreatedAt),
            SealedAt = sealedAt,
            Source = first.Source,
            ExportWindow = first.Window,
            Pseudonymisation = first.Pseudonymisation,
            Tables = tables,
            Artefacts = new FileGroupInfo(artefactCount, artefactBytes),
            // Streamed from the shards' batches when the manifest is written.
            Originals = [],
            Problems = shards.SelectMany(shard => shard.Problems).Distinct().ToArray(),
            Shards = shards.Select(shard => (Spec: ShardSpec.FromName(shard.Shard!)!, shard))
                .Select(pair => new ShardInfo(pair.Spec.Index, pair.Spec.Count, pair.shard.ShardWindow ?? pair.shard.Window, pair.shard.PackageId)).ToArray(),
        };
    }

    /// <summary>The source's counts over all shards: a sum where every shard could say, unknown where one could not.</summary>
    private static ControlTotalEntry? SumControlTotals(ControlTotalEntry?[] totals)
    {
        if (totals.Length == 0 || totals.Any(total => total is null))
        {
            return totals.Length == 1 ? totals[0] : null;
        }
        var rows = totals.All(total => total!.Rows is not null) ? totals.Sum(total => total!.Rows) : null;
        SortedDictionary<DateOnly, long>? daily = null;
        if (totals.All(total => total!.Daily is not null))
        {
            daily = [];
            foreach (var (day, value) in totals.SelectMany(total => total!.Daily!))
            {
                daily[day] = daily.GetValueOrDefault(day) + value;
            }
        }
        return new ControlTotalEntry(rows, daily, totals[0]!.Method);
    }
}
