using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using ExitKit.Connectors;
using ExitKit.Schema;

namespace ExitKit.Import;

/// <summary>SHA-256 over the canonical encoding of a neutral row, so a package row and a successor's row compare by content.</summary>
/// <remarks>The canonical encoding is <see cref="CanonicalRow"/>'s. JSON is compared as text, byte for byte.</remarks>
public static class RowDigest
{
    // Rows are encoded into one buffer per thread and hashed in one call: hashing value by value costs a call into the
    // platform's SHA-256 per value, which made read-back slower than the import it checks.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    // One hash object per thread, reset after each row: SHA256.HashData sets up the platform's hash anew on every call, which
    // costs about a sixth of hashing a whole 900-byte row.
    [ThreadStatic]
    private static IncrementalHash? t_sha256;

    /// <summary>The SHA-256 of a whole row.</summary>
    public static byte[] Of(TableSchema table, object?[] row)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(row);
        var buffer = Buffer();
        AppendRow(buffer, table, row);
        var digest = new byte[SHA256.HashSizeInBytes];
        Sha256(buffer.WrittenSpan, digest);
        return digest;
    }

    /// <summary>The SHA-256 of a whole row, as <see cref="Of(TableSchema, object?[])"/>, written to <paramref name="destination"/> (32 bytes) without allocating.</summary>
    public static void Of(TableSchema table, object?[] row, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(row);
        var buffer = Buffer();
        AppendRow(buffer, table, row);
        Sha256(buffer.WrittenSpan, destination);
    }

    /// <summary>
    /// The row's key hash (as <see cref="KeyHashOf"/>) returned, and the SHA-256 of the whole row (as <see cref="Of(TableSchema, object?[])"/>)
    /// written to <paramref name="rowDigest"/> (32 bytes): both in one call, encoding the row once and allocating nothing.
    /// </summary>
    public static ulong KeyHashAndRow(TableSchema table, object?[] row, Span<byte> rowDigest)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(row);
        var buffer = Buffer();
        AppendKey(buffer, row);
        var keyLength = buffer.WrittenCount;
        AppendRow(buffer, table, row);
        var written = buffer.WrittenSpan;
        Sha256(written[keyLength..], rowDigest);
        return XxHash3.HashToUInt64(written[..keyLength]);
    }

    /// <summary>
    /// A 64-bit XxHash3 of a row's key (<c>source_system</c>, <c>source_id</c>, encoded as for <see cref="KeyOf"/>): cheap and well
    /// spread, for sharing rows out by key (read-back's buckets), not for telling keys apart (use <see cref="KeyOf"/>).
    /// </summary>
    public static ulong KeyHashOf(object?[] row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var buffer = Buffer();
        AppendKey(buffer, row);
        return XxHash3.HashToUInt64(buffer.WrittenSpan);
    }

    /// <summary>The SHA-256 of one value, for saying which columns of a row differ.</summary>
    public static byte[] OfValue(ColumnSchema column, object? value)
    {
        ArgumentNullException.ThrowIfNull(column);
        var buffer = Buffer();
        Append(buffer, column, value);
        var digest = new byte[SHA256.HashSizeInBytes];
        Sha256(buffer.WrittenSpan, digest);
        return digest;
    }

    /// <summary>The first 16 bytes of the SHA-256 of a row's key (<c>source_system</c>, <c>source_id</c>): a fixed-size key for reconciliation.</summary>
    public static UInt128 KeyOf(object?[] row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var buffer = Buffer();
        AppendKey(buffer, row);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        Sha256(buffer.WrittenSpan, digest);
        return BinaryPrimitives.ReadUInt128LittleEndian(digest);
    }

    private static void Sha256(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var sha256 = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha256.AppendData(data);
        sha256.GetHashAndReset(destination);
    }

    private static ArrayBufferWriter<byte> Buffer()
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        return buffer;
    }

    /// <summary>
    /// For a row already in the canonical encoding (<see cref="CanonicalRow"/>): its key hash (as <see cref="KeyHashOf"/>) returned
    /// and its SHA-256 written to <paramref name="rowDigest"/>, the same as <see cref="KeyHashAndRow(TableSchema, object?[], Span{byte})"/>
    /// gives for the row's values.
    /// </summary>
    public static ulong KeyHashAndRow(ReadOnlySpan<byte> encodedRow, Span<byte> rowDigest)
    {
        Sha256(encodedRow, rowDigest);
        // The key's encoding is the first two columns' without their presence bytes (a NULL key column counts as empty text).
        var key = Buffer();
        var position = 0;
        for (var column = 0; column < 2; column++)
        {
            if (encodedRow[position] == 0)
            {
                CanonicalRow.WriteTextListItem(key, ReadOnlySpan<byte>.Empty);
                position++;
                continue;
            }
            var length = BinaryPrimitives.ReadInt32LittleEndian(encodedRow[(position + 1)..]);
            key.Write(encodedRow.Slice(position + 1, 4 + length));
            position += 5 + length;
        }
        return XxHash3.HashToUInt64(key.WrittenSpan);
    }

    /// <summary>Writes row <paramref name="row"/> of a batch held column by column in the canonical encoding.</summary>
    public static void Encode(IBufferWriter<byte> output, TableSchema table, IColumnBatch batch, int row)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(batch);
        for (var ordinal = 0; ordinal < table.Columns.Count; ordinal++)
        {
            if (batch.IsNull(ordinal, row))
            {
                CanonicalRow.WriteNull(output);
                continue;
            }
            switch (table.Columns[ordinal].Type)
            {
                case ColumnType.Text or ColumnType.Json:
                    CanonicalRow.WriteText(output, batch.Utf8(ordinal, row));
                    break;
                case ColumnType.Integer:
                    CanonicalRow.WriteInteger(output, batch.Int64(ordinal, row));
                    break;
                case ColumnType.Number:
                    CanonicalRow.WriteNumber(output, batch.Number(ordinal, row));
                    break;
                case ColumnType.Boolean:
                    CanonicalRow.WriteBoolean(output, batch.IsTrue(ordinal, row));
                    break;
                case ColumnType.Timestamp:
                    CanonicalRow.WriteTimestamp(output, batch.UtcTicks(ordinal, row));
                    break;
                case ColumnType.TextList:
                    var items = batch.TextList(ordinal, row);
                    CanonicalRow.WriteTextListCount(output, items.Length);
                    foreach (var item in items)
                    {
                        CanonicalRow.WriteTextListItem(output, item);
                    }
                    break;
                default:
                    throw new InvalidOperationException($"Column {table.Columns[ordinal].Name} has an unknown type {table.Columns[ordinal].Type}.");
            }
        }
    }

    private static void AppendKey(ArrayBufferWriter<byte> buffer, object?[] row)
    {
        CanonicalRow.WriteTextListItem(buffer, row[0] as string);
        CanonicalRow.WriteTextListItem(buffer, row[1] as string);
    }

    private static void AppendRow(ArrayBufferWriter<byte> buffer, TableSchema table, object?[] row)
    {
        for (var ordinal = 0; ordinal < table.Columns.Count; ordinal++)
        {
            Append(buffer, table.Columns[ordinal], ordinal < row.Length ? row[ordinal] : null);
        }
    }

    private static void Append(ArrayBufferWriter<byte> buffer, ColumnSchema column, object? value)
    {
        if (value is null)
        {
            CanonicalRow.WriteNull(buffer);
            return;
        }
        switch (column.Type)
        {
            case ColumnType.Text or ColumnType.Json:
                CanonicalRow.WriteText(buffer, (string)value);
                break;
            case ColumnType.Integer:
                CanonicalRow.WriteInteger(buffer, (long)value);
                break;
            case ColumnType.Number:
                CanonicalRow.WriteNumber(buffer, (double)value);
                break;
            case ColumnType.Boolean:
                CanonicalRow.WriteBoolean(buffer, (bool)value);
                break;
            case ColumnType.Timestamp:
                CanonicalRow.WriteTimestamp(buffer, ((DateTimeOffset)value).UtcTicks);
                break;
            case ColumnType.TextList:
                var items = (string[])value;
                CanonicalRow.WriteTextListCount(buffer, items.Length);
                foreach (var item in items)
                {
                    CanonicalRow.WriteTextListItem(buffer, item);
                }
                break;
            default:
                throw new InvalidOperationException($"Column {column.Name} has an unknown type {column.Type}.");
        }
    }
}
