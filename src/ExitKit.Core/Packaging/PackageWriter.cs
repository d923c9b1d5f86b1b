using System.Collections.Concurrent;
using System.Text.Json;
using ExitKit.Connectors;
using ExitKit.Parquet;
using ExitKit.Schema;
using ExitKit.Storage;

namespace ExitKit.Packaging;

/// <summary>Limits for Parquet parts: a part is closed past either, at a row the source can resume after.</summary>
/// <param name="MaxRows">Rows per part.</param>
/// <param name="MaxBytes">Uncompressed bytes buffered per part (an estimate of its size before compression).</param>
public sealed record PartLimits(long MaxRows = 2_000_000, long MaxBytes = 1L << 30);

/// <summary>Writes an exit package: Parquet parts, artefacts, originals, then on sealing the manifest and the BagIt files.</summary>
/// <remarks>
/// Progress is checkpointed to <c>.exitkit/state.json</c> after every committed part and every batch of originals written
/// (see <see cref="OriginalBatches"/>), so <see cref="OpenAsync"/> on a store holding an unsealed package resumes it.
/// Nothing that marks a package as finished is written before <see cref="SealAsync"/>.
/// </remarks>
public sealed class PackageWriter : IExportContext, IDisposable
{
    private readonly IPackageStore _store;
    private readonly ExportState _state;
    private readonly Pseudonymiser? _pseudonymiser;
    private readonly TimeProvider _time;
    private readonly ParquetWriteSettings _parquet;
    private readonly PartLimits _limits;
    private readonly int _originalsPerBatch;
    private readonly int _originalsMergeWidth;
    private readonly SemaphoreSlim _stateLock = new(1, 1);
    private readonly ConcurrentDictionary<string, byte> _artefactsWritten = new(StringComparer.Ordinal);
    // Small artefacts are uploaded in the background, a few at a time: their hash (and so their row) is known at once, and
    // waiting for each upload in turn is what makes an export to blob storage slow. Every checkpoint and the seal wait
    // for them, so no recorded row ever points at an artefact that is not stored.
    private readonly SemaphoreSlim _uploadSlots = new(8, 8);
    private readonly ConcurrentQueue<Task> _uploads = new();

    private PackageWriter(IPackageStore store, ExportState state, Pseudonymiser? pseudonymiser, Options options)
    {
        _store = store;
        _state = state;
        _pseudonymiser = pseudonymiser;
        _time = options.Time;
        _parquet = options.Parquet;
        _limits = options.Limits;
        _originalsPerBatch = options.OriginalsPerBatch;
        _originalsMergeWidth = options.OriginalsMergeWidth;
    }

    /// <summary>The package's id.</summary>
    public string PackageId => _state.PackageId;

    /// <summary>The store the package is written to.</summary>
    public IPackageStore Store => _store;

    /// <summary>True when this writer continues an export that an earlier run started.</summary>
    public bool Resumed { get; private init; }

    /// <summary>Options for a new package.</summary>
    public sealed record Options
    {
        /// <summary>The source and connector.</summary>
        public required SourceInfo Source { get; init; }
        /// <summary>The export window.</summary>
        public WindowInfo Window { get; init; } = new(null, null);
        /// <summary>The key for pseudonymising personal columns; null keeps them as they are.</summary>
        public string? PseudonymKey { get; init; }
        /// <summary>The clock (injected so tests are deterministic).</summary>
        public TimeProvider Time { get; init; } = TimeProvider.System;
        /// <summary>Parquet settings.</summary>
        public ParquetWriteSettings Parquet { get; init; } = ParquetWriteSettings.Default;
        /// <summary>When parts roll over.</summary>
        public PartLimits Limits { get; init; } = new();
        /// <summary>A fixed package id (tests); a new GUID otherwise.</summary>
        public string? PackageId { get; init; }
        /// <summary>Continue an unsealed package found in the store instead of refusing it.</summary>
        public bool Resume { get; init; }
        /// <summary>The shard name (<c>shard-02-of-04</c>) when several processes write into one store.</summary>
        public string? Shard { get; init; }
        /// <summary>The shard's part of <see cref="Window"/> (which stays the whole export's window).</summary>
        public WindowInfo? ShardWindow { get; init; }
        /// <summary>Originals held in memory before they are written to the work folder as a sorted batch (tests make it small).</summary>
        internal int OriginalsPerBatch { get; init; } = OriginalBatches.DefaultEntriesPerBatch;
        /// <summary>Batches of originals read at once when sealing (tests make it small).</summary>
        internal int OriginalsMergeWidth { get; init; } = OriginalBatches.MergeWidth;
    }

    /// <summary>Starts a new package in an empty store, or resumes an unsealed one when <see cref="Options.Resume"/> is set.</summary>
    /// <exception cref="ExitKitException">The store holds a sealed package, or an unsealed one and resume was not asked for.</exception>
    public static async Task<PackageWriter> OpenAsync(IPackageStore store, Options options, CancellationToken cancellationToken = default)
    {
        var statePath = StatePath(options.Shard);
        var pseudonymiser = options.PseudonymKey is null ? null : new Pseudonymiser(options.PseudonymKey);
        if (await store.ExistsAsync(PackageLayout.TagManifest, cancellationToken))
        {
            throw ExitKitException.PackageUnusable(store.Location, "already holds a sealed package. Choose an empty folder for a new export.");
        }
        if (await store.ExistsAsync(statePath, cancellationToken))
        {
            if (!options.Resume)
            {
                throw ExitKitException.PackageUnusable(store.Location,
                    "holds an export that did not finish. Run the same export with --resume to continue it, or choose an empty folder.");
            }
            await using var stream = await store.OpenReadAsync(statePath, cancellationToken);
            var state = await JsonSerializer.DeserializeAsync<ExportState>(stream, PackageManifest.JsonOptions, cancellationToken)
                ?? throw ExitKitException.PackageUnusable(store.Location, $"{statePath} is empty; delete the folder and export again.");
            if (state.Window != options.Window || state.ShardWindow != options.ShardWindow)
            {
                // Rows already written belong to the first run's window; continuing with another would mix two exports.
                var window = state.ShardWindow ?? state.Window;
                throw ExitKitException.PackageUnusable(store.Location, $"holds an export of {Describe(state.Window)}{(state.Shard is null ? "" : $" ({state.Shard}: {Describe(window)})")}; " +
                    "resume it with the same --from, --to and --shard, or choose an empty folder.");
            }
            return new PackageWriter(store, state, pseudonymiser, options) { Resumed = true };
        }
        if (options.Shard is null)
        {
            await foreach (var file in store.ListAsync(cancellationToken: cancellationToken))
            {
                if (file.Path.StartsWith(PackageLayout.WorkFolder, StringComparison.Ordinal))
                {
                    // Left by a run killed before its first checkpoint: nothing of it is in the package yet.
                    continue;
                }
                throw ExitKitException.PackageUnusable(store.Location, $"is not empty (it holds {file.Path}). Choose an empty folder for a new export.");
            }
        }
        var fresh = new ExportState
        {
            PackageId = options.PackageId ?? Guid.NewGuid().ToString(),
            CreatedAt = options.Time.GetUtcNow(),
            Source = options.Source,
            Window = options.Window,
            Shard = options.Shard,
            ShardWindow = options.ShardWindow,
            Pseudonymisation = new PseudonymisationInfo(pseudonymiser is not null, pseudonymiser is null ? null : Pseudonymiser.Method,
                pseudonymiser is null ? [] : NeutralSchema.Tables.SelectMany(table => table.Columns.Where(column => column.PersonalData)
                    .Select(column => $"{table.Name}.{column.Name}")).ToArray()),
        };
        var writer = new PackageWriter(store, fresh, pseudonymiser, options);
        await writer.SaveStateAsync(cancellationToken);
        return writer;
    }

    /// <summary>True when the store holds a sealed package; a seal interrupted after its tag manifest was written (only work files
    /// were left to remove) is finished first.</summary>
    public static async Task<bool> FinishInterruptedSealAsync(IPackageStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (!await store.ExistsAsync(PackageLayout.TagManifest, cancellationToken))
        {
            return false;
        }
        var work = new List<string>();
        await foreach (var file in store.ListAsync(PackageLayout.WorkFolder, cancellationToken))
        {
            work.Add(file.Path);
        }
        foreach (var path in work)
        {
            await store.DeleteAsync(path, cancellationToken);
        }
        return true;
    }

    private static string Describe(WindowInfo window) =>
        $"{window.From?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "the beginning"} to " +
        $"{window.To?.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "the end"}";

    internal static string StatePath(string? shard) => shard is null ? ExportState.Path : $"{PackageLayout.WorkFolder}{shard}/state.json";

    /// <summary>The cursor to resume a table after, or null to start it; and whether it is already complete.</summary>
    public (string? Cursor, bool Complete) CheckpointOf(string table) =>
        _state.Tables.TryGetValue(table, out var checkpoint) ? (checkpoint.Cursor, checkpoint.Complete) : (null, false);

    /// <summary>True when the originals were all stored by an earlier run.</summary>
    public bool OriginalsComplete => _state.OriginalsComplete;

    /// <summary>Records that every original has been stored.</summary>
    public async Task MarkOriginalsCompleteAsync(CancellationToken cancellationToken = default)
    {
        await _stateLock.WaitAsync(cancellationToken);
        try
        {
            // The last few go to a batch too: every checkpoint from here on would otherwise carry them.
            await WriteOriginalsBatchLockedAsync(cancellationToken);
            _state.OriginalsComplete = true;
            await SaveStateLockedAsync(cancellationToken);
        }
        finally
        {
            _stateLock.Release();
        }
    }

    /// <summary>Starts (or resumes) writing a table.</summary>
    public async Task<TableWriter> OpenTableAsync(TableSchema table, SourceTable? control, CancellationToken cancellationToken = default)
    {
        await _stateLock.WaitAsync(cancellationToken);
        try
        {
            if (!_state.Tables.TryGetValue(table.Name, out var checkpoint))
            {
                checkpoint = new TableCheckpoint();
                _state.Tables[table.Name] = checkpoint;
            }
            if (checkpoint.Cursor is null && checkpoint.Parts.Count > 0 && !checkpoint.Complete)
            {
                // Parts without a cursor cannot be continued from: the table starts again from its first row.
                foreach (var part in checkpoint.Parts)
                {
                    await _store.DeleteAsync(part.Path, cancellationToken);
                }
                checkpoint.Parts.Clear();
            }
            checkpoint.ControlTotal = control is null ? null
                : new ControlTotalEntry(control.ControlTotal, control.DailyTotals is null ? null : new SortedDictionary<DateOnly, long>(control.DailyTotals.ToDictionary()), control.TotalMethod);
            return new TableWriter(this, table, checkpoint);
        }
        finally
        {
            _stateLock.Release();
        }
    }

    internal async Task CommitPartAsync(TableCheckpoint checkpoint, CommittedPart part, string? cursor, CancellationToken cancellationToken)
    {
        await FlushArtefactsAsync();
        await _stateLock.WaitAsync(cancellationToken);
        try
        {
            checkpoint.Parts.Add(part);
            checkpoint.Cursor = cursor;
        }
        finally
        {
            _stateLock.Release();
        }
        await SaveStateAsync(cancellationToken);
    }

    internal async Task CompleteTableAsync(TableCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        checkpoint.Complete = true;
        await SaveStateAsync(cancellationToken);
    }

    internal string? PseudonymiseValue(string? value) => _pseudonymiser is null ? value : _pseudonymiser.Apply(value);

    internal bool PseudonymisesPersonalData => _pseudonymiser is not null;

    internal ParquetWriteSettings ParquetSettings => _parquet;

    internal PartLimits Limits => _limits;

    internal string NextPartPath(string table, TableCheckpoint checkpoint) => PackageLayout.PartPath(table, checkpoint.Parts.Count, _state.Shard);

    private async Task SaveStateAsync(CancellationToken cancellationToken)
    {
        await _stateLock.WaitAsync(cancellationToken);
        try
        {
            await SaveStateLockedAsync(cancellationToken);
        }
        finally
        {
            _stateLock.Release();
        }
    }

    /// <summary>Writes the checkpoint; the caller holds the state lock, so it is one consistent moment of the export.</summary>
    private async Task SaveStateLockedAsync(CancellationToken cancellationToken)
    {
        await using var file = await _store.CreateAsync(StatePath(_state.Shard), cancellationToken);
        await JsonSerializer.SerializeAsync(file.Content, _state, PackageManifest.JsonOptions, cancellationToken);
        await file.CommitAsync(cancellationToken);
    }

    /// <summary>Writes the originals stored since the last batch as the next batch; the caller holds the state lock and saves the state.</summary>
    /// <remarks>A batch written but not yet in a saved checkpoint is not read: a resumed export writes its next batch under the same
    /// name, from the entries the checkpoint kept.</remarks>
    private async Task WriteOriginalsBatchLockedAsync(CancellationToken cancellationToken)
    {
        if (_state.Originals.Count == 0)
        {
            return;
        }
        var path = OriginalBatches.BatchPath(_state.Shard, _state.OriginalBatches.Count);
        await OriginalBatches.WriteBatchAsync(_store, path, _state.Originals, cancellationToken);
        _state.OriginalBatches.Add(path);
        _state.Originals.Clear();
    }

    /// <inheritdoc />
    public async Task<ArtefactReference> StoreArtefactAsync(Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        // The name is the hash. Most artefacts (attachments, images) are small: read them whole, hash, and write once under
        // their final name, one request on a blob store. Larger ones (recordings, models) stream to a temporary name and
        // are moved into place, so they are never held in memory.
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(SmallArtefactBytes + 1);
        try
        {
            var length = 0;
            int read;
            while (length <= SmallArtefactBytes && (read = await content.ReadAsync(buffer.AsMemory(length, SmallArtefactBytes + 1 - length), cancellationToken)) > 0)
            {
                length += read;
            }
            if (length <= SmallArtefactBytes)
            {
                var sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(buffer.AsSpan(0, length)));
                var path = PackageLayout.ArtefactPath(sha256);
                // No existence check first: writing the same content under its own hash again is harmless, and one request
                // fewer per artefact is what a blob store's export time is made of.
                if (_artefactsWritten.TryAdd(sha256, 0))
                {
                    var bytes = buffer.AsSpan(0, length).ToArray();
                    await _uploadSlots.WaitAsync(cancellationToken);
                    _uploads.Enqueue(UploadSmallArtefactAsync(path, bytes, cancellationToken));
                }
                return new ArtefactReference(sha256, length, path);
            }
            return await StoreLargeArtefactAsync(buffer.AsMemory(0, length), content, cancellationToken);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task UploadSmallArtefactAsync(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        try
        {
            await using var file = await _store.CreateAsync(path, cancellationToken);
            await file.Content.WriteAsync(bytes, cancellationToken);
            await file.CommitAsync(cancellationToken);
        }
        catch (ExitKitException)
        {
            // Another process (a shard) may have written the same content under the same name at the same moment;
            // the name is the content's hash, so what is there is what this write would have left.
            if (!await _store.ExistsAsync(path, cancellationToken))
            {
                throw;
            }
        }
        finally
        {
            _uploadSlots.Release();
        }
    }

    /// <summary>Waits until every artefact handed over so far is stored; a failed upload surfaces here.</summary>
    internal async Task FlushArtefactsAsync()
    {
        while (_uploads.TryDequeue(out var upload))
        {
            await upload;
        }
    }

    /// <summary>Artefacts up to this size are hashed in memory and written once; larger ones stream through a temporary name.</summary>
    internal const int SmallArtefactBytes = 4 << 20;

    private async Task<ArtefactReference> StoreLargeArtefactAsync(ReadOnlyMemory<byte> head, Stream rest, CancellationToken cancellationToken)
    {
        var incoming = $"{PackageLayout.WorkFolder}incoming/{Guid.NewGuid():N}";
        FileFixity fixity;
        await using (var file = await _store.CreateAsync(incoming, cancellationToken))
        {
            await file.Content.WriteAsync(head, cancellationToken);
            await rest.CopyToAsync(file.Content, cancellationToken);
            fixity = await file.CommitAsync(cancellationToken);
        }
        var path = PackageLayout.ArtefactPath(fixity.Sha256);
        if (_artefactsWritten.TryAdd(fixity.Sha256, 0) && !await _store.ExistsAsync(path, cancellationToken))
        {
            await _store.MoveAsync(incoming, path, cancellationToken);
        }
        else
        {
            await _store.DeleteAsync(incoming, cancellationToken);
        }
        return new ArtefactReference(fixity.Sha256, fixity.Length, path);
    }

    /// <inheritdoc />
    public async Task<string> StoreOriginalAsync(string relativePath, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = PackageLayout.OriginalPath(relativePath);
        FileFixity fixity;
        await using (var file = await _store.CreateAsync(path, cancellationToken))
        {
            await content.CopyToAsync(file.Content, cancellationToken);
            fixity = await file.CommitAsync(cancellationToken);
        }
        await _stateLock.WaitAsync(cancellationToken);
        try
        {
            // A path stored again (a resumed export stores its originals anew) replaces the earlier entry when the batches are
            // merged at sealing; removing it here would scan every original for each one stored.
            _state.Originals.Add(new FileEntry(path, fixity.Length, fixity.Sha256));
            if (_state.Originals.Count >= _originalsPerBatch)
            {
                await WriteOriginalsBatchLockedAsync(cancellationToken);
                await SaveStateLockedAsync(cancellationToken);
            }
        }
        finally
        {
            _stateLock.Release();
        }
        return path;
    }

    /// <inheritdoc />
    public void ReportProblem(ExportProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var entry = new ProblemEntry(problem.Kind.ToString().ToLowerInvariant(), problem.Table, problem.Subject, problem.Reason);
        _stateLock.Wait();
        try
        {
            if (!_state.Problems.Contains(entry))
            {
                _state.Problems.Add(entry);
            }
        }
        finally
        {
            _stateLock.Release();
        }
    }

    /// <inheritdoc />
    public string? Pseudonymise(string? personalValue) => PseudonymiseValue(personalValue);

    /// <summary>The problems reported so far.</summary>
    public IReadOnlyList<ProblemEntry> Problems => _state.Problems;

    /// <summary>Builds the manifest of what has been committed, with the originals given (they are not held here).</summary>
    internal async Task<PackageManifest> BuildManifestAsync(DateTimeOffset sealedAt, IReadOnlyList<FileEntry> originals, CancellationToken cancellationToken)
    {
        var artefactCount = 0L;
        var artefactBytes = 0L;
        await foreach (var artefact in _store.ListAsync(PackageLayout.Artefacts, cancellationToken))
        {
            artefactCount++;
            artefactBytes += artefact.Length;
        }
        var tables = _state.Tables
            .OrderBy(pair => NeutralSchema.Tables.ToList().FindIndex(table => table.Name == pair.Key))
            .Select(pair => TableEntryFor(NeutralSchema.Get(pair.Key), pair.Value))
            .ToArray();
        return new PackageManifest
        {
            FormatVersion = NeutralSchema.FormatVersion,
            PackageId = _state.PackageId,
            Tool = new ToolInfo("exitkit", ToolVersion.Current),
            CreatedAt = _state.CreatedAt,
            SealedAt = sealedAt,
            Source = _state.Source,
            ExportWindow = _state.Window,
            Pseudonymisation = _state.Pseudonymisation,
            Tables = tables,
            Artefacts = new FileGroupInfo(artefactCount, artefactBytes),
            Originals = originals,
            Problems = _state.Problems,
        };
    }

    internal static TableEntry TableEntryFor(TableSchema table, TableCheckpoint checkpoint)
    {
        var daily = new SortedDictionary<DateOnly, long>();
        foreach (var part in checkpoint.Parts)
        {
            foreach (var (day, count) in part.DailyCounts ?? [])
            {
                daily[day] = daily.GetValueOrDefault(day) + count;
            }
        }
        var times = checkpoint.Parts.Where(part => part.MinTime is not null).ToArray();
        return new TableEntry
        {
            Name = table.Name,
            Family = table.Family.ToString().ToLowerInvariant(),
            Columns = table.Columns.Select(column => new ColumnEntry(column.Name, ColumnTypeNames.Of(column.Type), column.Required)).ToArray(),
            Files = checkpoint.Parts.Select(part => new TableFile(part.Path, part.Rows, part.Bytes, part.Sha256)).ToArray(),
            Rows = checkpoint.Parts.Sum(part => part.Rows),
            Bytes = checkpoint.Parts.Sum(part => part.Bytes),
            TimeColumn = table.TimeColumn,
            MinTime = times.Length == 0 ? null : times.Min(part => part.MinTime),
            MaxTime = times.Length == 0 ? null : times.Max(part => part.MaxTime),
            DailyCounts = table.TimeColumn is null ? null : daily,
            ControlTotal = checkpoint.ControlTotal,
        };
    }

    /// <inheritdoc />
    // The upload slots are not disposed: an upload still running after a failed export releases its slot when it ends.
    public void Dispose() => _stateLock.Dispose();

    /// <summary>Records that a shard has written everything it has to, and returns what it wrote as a manifest (not stored):
    /// <c>exitkit seal</c> joins the shards into one package once every shard is finished.</summary>
    /// <exception cref="ExitKitException">A table is not complete, or this writer is not a shard's.</exception>
    public async Task<PackageManifest> FinishShardAsync(CancellationToken cancellationToken = default)
    {
        if (_state.Shard is null)
        {
            throw new InvalidOperationException("Only a shard is finished; a whole export is sealed.");
        }
        ThrowIfIncomplete();
        await FlushArtefactsAsync();
        await RemoveUncheckpointedPartsAsync(cancellationToken);
        await _stateLock.WaitAsync(cancellationToken);
        try
        {
            // All of the shard's originals in batches: `exitkit seal` merges them with the other shards'.
            await WriteOriginalsBatchLockedAsync(cancellationToken);
            _state.Finished = true;
            await SaveStateLockedAsync(cancellationToken);
        }
        finally
        {
            _stateLock.Release();
        }
        return await BuildManifestAsync(_time.GetUtcNow(), DeferredOriginals.FromBatches(_store, [.. _state.OriginalBatches]), cancellationToken);
    }

    /// <summary>Removes part files of this export (or shard) that no checkpoint lists: renamed into place by a run that crashed
    /// before recording them, and not rewritten by the resumed run.</summary>
    private async Task RemoveUncheckpointedPartsAsync(CancellationToken cancellationToken)
    {
        foreach (var (table, checkpoint) in _state.Tables)
        {
            var listed = checkpoint.Parts.Select(part => part.Path).ToHashSet(StringComparer.Ordinal);
            var prefix = PackageLayout.TableFolder(table) + (_state.Shard is null ? "part-" : _state.Shard + "-part-");
            var orphans = new List<string>();
            await foreach (var file in _store.ListAsync(prefix, cancellationToken))
            {
                if (!listed.Contains(file.Path))
                {
                    orphans.Add(file.Path);
                }
            }
            foreach (var orphan in orphans)
            {
                await _store.DeleteAsync(orphan, cancellationToken);
            }
        }
    }

    private void ThrowIfIncomplete()
    {
        var incomplete = _state.Tables.Where(pair => !pair.Value.Complete).Select(pair => pair.Key).ToArray();
        if (incomplete.Length > 0)
        {
            throw new ExitKitException($"Package {_store.Location} cannot be sealed: tables {string.Join(", ", incomplete)} are not complete. Run the export again with --resume.",
                FailureKind.Incomplete);
        }
    }

    /// <summary>Seals the package: manifest, Frictionless descriptor, BagIt files, in that order, the tag manifest last.</summary>
    /// <exception cref="ExitKitException">A table is not complete.</exception>
    public async Task<PackageManifest> SealAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfIncomplete();
        await FlushArtefactsAsync();
        await RemoveUncheckpointedPartsAsync(cancellationToken);
        var sealedAt = _time.GetUtcNow();
        var manifest = await BuildManifestAsync(sealedAt, [], cancellationToken);
        var originals = await OriginalBatches.PrepareMergeAsync(_store, [(_state.OriginalBatches, _state.Originals)], cancellationToken, _originalsMergeWidth);
        return await PackageSealer.SealAsync(_store, manifest, originals, _time, cancellationToken);
    }
}
