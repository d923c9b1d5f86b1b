using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using ExitKit.Schema;

namespace ExitKit.Import;

/// <summary>SHA-256 over the canonical encoding of a neutral row, so a package row and a successor's row compare by content.</summary>
/// <remarks>
/// The canonical encoding writes, for every column in the table's order, one byte 0 for NULL or 1 followed by the value:
/// text and JSON as the UTF-8 byte count (int32, little-endian) and the bytes; integers as int64 little-endian; numbers as
/// the IEEE 754 bits (int64 little-endian); booleans as one byte; timestamps as UTC ticks (int64 little-endian);
/// text lists as the element count (int32) and each element as text. JSON is compared as text, byte for byte.
/// </remarks>
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

    private static void AppendKey(ArrayBufferWriter<byte> buffer, object?[] row)
    {
        AppendText(buffer, row[0] as string ?? "");
        AppendText(buffer, row[1] as string ?? "");
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
            buffer.Write([(byte)0]);
            return;
        }
        buffer.Write([(byte)1]);
        switch (column.Type)
        {
            case ColumnType.Text or ColumnType.Json:
                AppendText(buffer, (string)value);
                break;
            case ColumnType.Integer:
                BinaryPrimitives.WriteInt64LittleEndian(buffer.GetSpan(8), (long)value);
                buffer.Advance(8);
                break;
            case ColumnType.Number:
                BinaryPrimitives.WriteInt64LittleEndian(buffer.GetSpan(8), BitConverter.DoubleToInt64Bits((double)value));
                buffer.Advance(8);
                break;
            case ColumnType.Boolean:
                buffer.Write([(bool)value ? (byte)1 : (byte)0]);
                break;
            case ColumnType.Timestamp:
                BinaryPrimitives.WriteInt64LittleEndian(buffer.GetSpan(8), ((DateTimeOffset)value).UtcTicks);
                buffer.Advance(8);
                break;
            case ColumnType.TextList:
                var items = (string[])value;
                BinaryPrimitives.WriteInt32LittleEndian(buffer.GetSpan(4), items.Length);
                buffer.Advance(4);
                foreach (var item in items)
                {
                    AppendText(buffer, item ?? "");
                }
                break;
            default:
                throw new InvalidOperationException($"Column {column.Name} has an unknown type {column.Type}.");
        }
    }

    private static void AppendText(ArrayBufferWriter<byte> buffer, string text)
    {
        var span = buffer.GetSpan(4 + Encoding.UTF8.GetMaxByteCount(text.Length));
        var length = Encoding.UTF8.GetBytes(text, span[4..]);
        BinaryPrimitives.WriteInt32LittleEndian(span, length);
        buffer.Advance(4 + length);
    }
}
