using System.IO.Compression;
using Parquet;

namespace ExitKit.Parquet;

/// <summary>How Parquet parts are written.</summary>
/// <param name="RowGroupRows">Rows per row group. ~20k keeps the heap well under 256 MB with 700-byte texts; 100k needs ~1 GB.</param>
/// <param name="Compression">The codec.</param>
/// <param name="Level">The codec level. Set explicitly: Parquet.Net's default (SmallestSize) is the slowest by far (zstd 19: 345 s against 4.5 s).</param>
public sealed record ParquetWriteSettings(int RowGroupRows = 20_000, CompressionMethod Compression = CompressionMethod.Zstd,
    CompressionLevel Level = CompressionLevel.Fastest)
{
    /// <summary>The settings ExitKit writes packages with.</summary>
    public static ParquetWriteSettings Default { get; } = new();

    internal ParquetOptions ToOptions() => new()
    {
        CompressionMethod = Compression,
        CompressionLevel = Level,
        RowGroupSize = RowGroupRows,
        // Without sampling, Parquet.Net hashes every value of every text column to decide on dictionary encoding;
        // a sample of the first values decides as well for codes (channel, status) and skips the scan for free text.
        DictionaryEncodingSampleSize = 1_000,
    };
}
