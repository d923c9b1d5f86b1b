namespace ExitKit.Packaging;

/// <summary>What an export in progress has committed, kept in <c>.exitkit/state.json</c> so a crashed export resumes.</summary>
internal sealed record ExportState
{
    public required string PackageId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required SourceInfo Source { get; init; }
    public required WindowInfo Window { get; init; }
    public required PseudonymisationInfo Pseudonymisation { get; init; }
    public string? Shard { get; init; }
    /// <summary>The shard's part of <see cref="Window"/> (which is the whole export's window).</summary>
    public WindowInfo? ShardWindow { get; init; }
    /// <summary>True once a shard has written all it has to: it waits for <c>exitkit seal</c>.</summary>
    public bool Finished { get; set; }
    public Dictionary<string, TableCheckpoint> Tables { get; init; } = new(StringComparer.Ordinal);
    /// <summary>Originals stored since the last batch was written, in the order stored (at most a batch's worth).</summary>
    public List<FileEntry> Originals { get; init; } = [];
    /// <summary>The batch files of originals written so far, in the order written (see <see cref="ExitKit.Packaging.OriginalBatches"/>).</summary>
    public List<string> OriginalBatches { get; init; } = [];
    public List<ProblemEntry> Problems { get; init; } = [];
    public bool OriginalsComplete { get; set; }

    public const string Path = ".exitkit/state.json";
}

/// <summary>A table's progress: the parts committed and the cursor after their last row.</summary>
internal sealed record TableCheckpoint
{
    public List<CommittedPart> Parts { get; init; } = [];
    public string? Cursor { get; set; }
    public bool Complete { get; set; }
    public ControlTotalEntry? ControlTotal { get; set; }
}

/// <summary>A Parquet part that is wholly in the package.</summary>
internal sealed record CommittedPart(string Path, long Rows, long Bytes, string Sha256, DateTimeOffset? MinTime, DateTimeOffset? MaxTime,
    Dictionary<DateOnly, long>? DailyCounts);
