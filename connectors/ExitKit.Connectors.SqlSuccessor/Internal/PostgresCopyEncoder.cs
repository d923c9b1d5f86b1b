using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using ExitKit.Schema;

namespace ExitKit.Connectors.SqlSuccessor.Internal;

/// <summary>Encodes neutral rows in PostgreSQL's binary COPY format, for a raw binary COPY stream.</summary>
/// <remarks>
/// Npgsql's binary importer resolves a type handler and runs a write state machine for every value; at fifteen values a row
/// that was the largest part of the import's own CPU time. The format is small and stable (documented under COPY, "Binary
/// Format"): a signature, then per row a field count and per field a length (-1 for NULL) and the type's binary form, then
/// -1. The types used here are text and json (UTF-8 bytes), int4 and int8, float8 and bool (big-endian), timestamptz
/// (microseconds since 2000-01-01 UTC) and text[] (a one-dimensional array of text).
/// </remarks>
internal sealed class PostgresCopyEncoder(TableSchema table, bool numbered)
{
    private static readonly byte[] Signature = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0];
    private const uint TextOid = 25;
    private static readonly long PostgresEpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;

    private readonly short _fieldCount = checked((short)(table.Columns.Count + (numbered ? 1 : 0)));

    /// <summary>Writes the file header: signature, flags and header extension length.</summary>
    public static void WriteHeader(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = output.GetSpan(Signature.Length + 8);
        Signature.CopyTo(span);
        BinaryPrimitives.WriteInt32BigEndian(span[Signature.Length..], 0);
        BinaryPrimitives.WriteInt32BigEndian(span[(Signature.Length + 4)..], 0);
        output.Advance(Signature.Length + 8);
    }

    /// <summary>Writes the trailer that ends the data.</summary>
    public static void WriteTrailer(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        BinaryPrimitives.WriteInt16BigEndian(output.GetSpan(2), -1);
        output.Advance(2);
    }

    /// <summary>Writes one row; <paramref name="number"/> goes first when the encoder numbers rows (the staging table's <c>ord</c>).</summary>
    public void WriteRow(IBufferWriter<byte> output, object?[] row, int number)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(row);
        WriteTupleStart(output, number);
        for (var ordinal = 0; ordinal < table.Columns.Count; ordinal++)
        {
            var value = row[ordinal];
            if (value is null)
            {
                BinaryPrimitives.WriteInt32BigEndian(output.GetSpan(4), -1);
                output.Advance(4);
                continue;
            }
            switch (table.Columns[ordinal].Type)
            {
                case ColumnType.Text or ColumnType.Json:
                    WriteText(output, (string)value);
                    break;
                case ColumnType.Integer:
                    BinaryPrimitives.WriteInt64BigEndian(Field(output, 8), (long)value);
                    output.Advance(12);
                    break;
                case ColumnType.Number:
                    BinaryPrimitives.WriteDoubleBigEndian(Field(output, 8), (double)value);
                    output.Advance(12);
                    break;
                case ColumnType.Boolean:
                    Field(output, 1)[0] = (bool)value ? (byte)1 : (byte)0;
                    output.Advance(5);
                    break;
                case ColumnType.Timestamp:
                    BinaryPrimitives.WriteInt64BigEndian(Field(output, 8), Microseconds((DateTimeOffset)value));
                    output.Advance(12);
                    break;
                case ColumnType.TextList:
                    WriteTextArray(output, (string[])value);
                    break;
                default:
                    throw new InvalidOperationException($"Column {table.Columns[ordinal].Name} has an unknown type.");
            }
        }
    }

    /// <summary>Writes row <paramref name="index"/> of a batch: from its columns' bytes when it is held column by column, else as <see cref="WriteRow(IBufferWriter{byte}, object?[], int)"/>.</summary>
    public void WriteRow(IBufferWriter<byte> output, IReadOnlyList<object?[]> rows, int index, int number)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows is not IColumnBatch batch)
        {
            WriteRow(output, rows[index], number);
            return;
        }
        WriteTupleStart(output, number);
        for (var ordinal = 0; ordinal < table.Columns.Count; ordinal++)
        {
            if (batch.IsNull(ordinal, index))
            {
                BinaryPrimitives.WriteInt32BigEndian(output.GetSpan(4), -1);
                output.Advance(4);
                continue;
            }
            switch (table.Columns[ordinal].Type)
            {
                case ColumnType.Text or ColumnType.Json:
                    var text = batch.Utf8(ordinal, index);
                    text.CopyTo(Field(output, text.Length));
                    output.Advance(4 + text.Length);
                    break;
                case ColumnType.Integer:
                    BinaryPrimitives.WriteInt64BigEndian(Field(output, 8), batch.Int64(ordinal, index));
                    output.Advance(12);
                    break;
                case ColumnType.Number:
                    BinaryPrimitives.WriteDoubleBigEndian(Field(output, 8), batch.Number(ordinal, index));
                    output.Advance(12);
                    break;
                case ColumnType.Boolean:
                    Field(output, 1)[0] = batch.IsTrue(ordinal, index) ? (byte)1 : (byte)0;
                    output.Advance(5);
                    break;
                case ColumnType.Timestamp:
                    BinaryPrimitives.WriteInt64BigEndian(Field(output, 8), Microseconds(batch.UtcTicks(ordinal, index)));
                    output.Advance(12);
                    break;
                case ColumnType.TextList:
                    WriteTextArray(output, batch.TextList(ordinal, index));
                    break;
                default:
                    throw new InvalidOperationException($"Column {table.Columns[ordinal].Name} has an unknown type.");
            }
        }
    }

    // A tuple's field count, then its number when the encoder numbers rows.
    private void WriteTupleStart(IBufferWriter<byte> output, int number)
    {
        BinaryPrimitives.WriteInt16BigEndian(output.GetSpan(2), _fieldCount);
        output.Advance(2);
        if (numbered)
        {
            BinaryPrimitives.WriteInt32BigEndian(Field(output, 4), number);
            output.Advance(8);
        }
    }

    /// <summary>Microseconds since 2000-01-01 UTC, rounded down (package timestamps hold milliseconds, so nothing is lost).</summary>
    internal static long Microseconds(DateTimeOffset instant) => Microseconds(instant.UtcTicks);

    private static long Microseconds(long utcTicks) => Math.DivRem(utcTicks - PostgresEpochTicks, 10, out var rest) - (rest < 0 ? 1 : 0);

    /// <summary>UTC ticks of a timestamptz's microseconds since 2000-01-01 UTC, the inverse of <see cref="Microseconds(DateTimeOffset)"/>.</summary>
    internal static long UtcTicks(long microseconds) => (microseconds * 10) + PostgresEpochTicks;

    /// <summary>Writes a fixed-size field's length and returns the span for its value; the caller advances past both.</summary>
    private static Span<byte> Field(IBufferWriter<byte> output, int length)
    {
        var span = output.GetSpan(4 + length);
        BinaryPrimitives.WriteInt32BigEndian(span, length);
        return span.Slice(4, length);
    }

    private static void WriteText(IBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(4 + Encoding.UTF8.GetMaxByteCount(text.Length));
        var length = Encoding.UTF8.GetBytes(text, span[4..]);
        BinaryPrimitives.WriteInt32BigEndian(span, length);
        output.Advance(4 + length);
    }

    private static void WriteTextArray(IBufferWriter<byte> output, string[] items)
    {
        // The array's length is known only once its elements are encoded: reserve it, then fill it in.
        var header = items.Length == 0 ? 12 : 20;
        var maxLength = 4 + header + items.Sum(item => 4 + Encoding.UTF8.GetMaxByteCount(item?.Length ?? 0));
        var span = output.GetSpan(maxLength);
        var position = 4;
        BinaryPrimitives.WriteInt32BigEndian(span[position..], items.Length == 0 ? 0 : 1);
        BinaryPrimitives.WriteInt32BigEndian(span[(position + 4)..], items.Any(item => item is null) ? 1 : 0);
        BinaryPrimitives.WriteUInt32BigEndian(span[(position + 8)..], TextOid);
        if (items.Length > 0)
        {
            BinaryPrimitives.WriteInt32BigEndian(span[(position + 12)..], items.Length);
            BinaryPrimitives.WriteInt32BigEndian(span[(position + 16)..], 1);
        }
        position += header;
        foreach (var item in items)
        {
            if (item is null)
            {
                BinaryPrimitives.WriteInt32BigEndian(span[position..], -1);
                position += 4;
                continue;
            }
            var length = Encoding.UTF8.GetBytes(item, span[(position + 4)..]);
            BinaryPrimitives.WriteInt32BigEndian(span[position..], length);
            position += 4 + length;
        }
        BinaryPrimitives.WriteInt32BigEndian(span, position - 4);
        output.Advance(position);
    }
}
