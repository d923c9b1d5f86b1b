using System.Buffers.Binary;
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
    /// <summary>The SHA-256 of a whole row.</summary>
    public static byte[] Of(TableSchema table, object?[] row)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(row);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var ordinal = 0; ordinal < table.Columns.Count; ordinal++)
        {
            Append(hash, table.Columns[ordinal], ordinal < row.Length ? row[ordinal] : null);
        }
        return hash.GetHashAndReset();
    }

    /// <summary>The SHA-256 of one value, for saying which columns of a row differ.</summary>
    public static byte[] OfValue(ColumnSchema column, object? value)
    {
        ArgumentNullException.ThrowIfNull(column);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, column, value);
        return hash.GetHashAndReset();
    }

    /// <summary>The first 16 bytes of the SHA-256 of a row's key (<c>source_system</c>, <c>source_id</c>): a fixed-size key for reconciliation.</summary>
    public static UInt128 KeyOf(object?[] row)
    {
        ArgumentNullException.ThrowIfNull(row);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendText(hash, row[0] as string ?? "");
        AppendText(hash, row[1] as string ?? "");
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return BinaryPrimitives.ReadUInt128LittleEndian(digest);
    }

    private static void Append(IncrementalHash hash, ColumnSchema column, object? value)
    {
        Span<byte> buffer = stackalloc byte[9];
        if (value is null)
        {
            buffer[0] = 0;
            hash.AppendData(buffer[..1]);
            return;
        }
        buffer[0] = 1;
        switch (column.Type)
        {
            case ColumnType.Text or ColumnType.Json:
                hash.AppendData(buffer[..1]);
                AppendText(hash, (string)value);
                break;
            case ColumnType.Integer:
                BinaryPrimitives.WriteInt64LittleEndian(buffer[1..], (long)value);
                hash.AppendData(buffer);
                break;
            case ColumnType.Number:
                BinaryPrimitives.WriteInt64LittleEndian(buffer[1..], BitConverter.DoubleToInt64Bits((double)value));
                hash.AppendData(buffer);
                break;
            case ColumnType.Boolean:
                buffer[1] = (bool)value ? (byte)1 : (byte)0;
                hash.AppendData(buffer[..2]);
                break;
            case ColumnType.Timestamp:
                BinaryPrimitives.WriteInt64LittleEndian(buffer[1..], ((DateTimeOffset)value).UtcTicks);
                hash.AppendData(buffer);
                break;
            case ColumnType.TextList:
                var items = (string[])value;
                BinaryPrimitives.WriteInt32LittleEndian(buffer[1..], items.Length);
                hash.AppendData(buffer[..5]);
                foreach (var item in items)
                {
                    AppendText(hash, item ?? "");
                }
                break;
            default:
                throw new InvalidOperationException($"Column {column.Name} has an unknown type {column.Type}.");
        }
    }

    private static void AppendText(IncrementalHash hash, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }
}
