using System.Buffers.Binary;
using ExitKit.Schema;

namespace ExitKit.Connectors.SqlSuccessor.Internal;

/// <summary>Turns the tuples of a binary <c>COPY ... TO STDOUT</c> into rows in the canonical encoding (<see cref="CanonicalRow"/>).</summary>
/// <remarks>
/// The inverse of <see cref="PostgresCopyEncoder"/>, for read-back: the format is COPY's "Binary Format" (a signature, then
/// per tuple a field count and per field a length, -1 for NULL, and the type's binary form; -1 ends the data). The select
/// list gives text, json as text, int8, float8, bool, timestamptz (microseconds since 2000-01-01 UTC) and text[].
/// </remarks>
internal sealed class PostgresCopyDecoder(TableSchema table)
{
    private const int HeaderLength = 19;
    private static readonly byte[] Signature = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0];
    private bool _headerRead;

    /// <summary>What <see cref="TryDecode"/> found at the start of the data.</summary>
    public enum Step
    {
        /// <summary>A row was decoded; the bytes it took are consumed.</summary>
        Row,
        /// <summary>The data ends before the next tuple does: read more.</summary>
        NeedMore,
        /// <summary>The trailer: the data is complete.</summary>
        End,
    }

    /// <summary>Decodes the header (once) and the next tuple of <paramref name="data"/> into <paramref name="output"/>.</summary>
    /// <exception cref="InvalidDataException">The data is not a binary COPY of the table's columns.</exception>
    public Step TryDecode(ReadOnlySpan<byte> data, EncodedRows output, out int consumed)
    {
        consumed = 0;
        if (!_headerRead)
        {
            if (data.Length < HeaderLength)
            {
                return Step.NeedMore;
            }
            if (!data[..Signature.Length].SequenceEqual(Signature))
            {
                throw new InvalidDataException("The COPY data does not start with PostgreSQL's binary signature.");
            }
            if (data.Length < HeaderLength + BinaryPrimitives.ReadInt32BigEndian(data[15..]))
            {
                return Step.NeedMore;
            }
            consumed = HeaderLength + BinaryPrimitives.ReadInt32BigEndian(data[15..]);
            data = data[consumed..];
            _headerRead = true;
        }
        if (data.Length < 2)
        {
            return Step.NeedMore;
        }
        var fields = BinaryPrimitives.ReadInt16BigEndian(data);
        if (fields == -1)
        {
            consumed += 2;
            return Step.End;
        }
        if (fields != table.Columns.Count)
        {
            throw new InvalidDataException($"The COPY of table {table.Name} has {fields} fields a tuple where the table has {table.Columns.Count} columns.");
        }
        // The whole tuple first: a tuple cut by the end of the data is decoded once more bytes are read.
        var end = 2;
        for (var field = 0; field < fields; field++)
        {
            if (data.Length < end + 4)
            {
                return Step.NeedMore;
            }
            var length = BinaryPrimitives.ReadInt32BigEndian(data[end..]);
            end += 4 + Math.Max(length, 0);
            if (data.Length < end)
            {
                return Step.NeedMore;
            }
        }
        var position = 2;
        for (var ordinal = 0; ordinal < fields; ordinal++)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(data[position..]);
            position += 4;
            if (length < 0)
            {
                CanonicalRow.WriteNull(output);
                continue;
            }
            var value = data.Slice(position, length);
            position += length;
            switch (table.Columns[ordinal].Type)
            {
                case ColumnType.Text or ColumnType.Json:
                    CanonicalRow.WriteText(output, value);
                    break;
                case ColumnType.Integer:
                    CanonicalRow.WriteInteger(output, BinaryPrimitives.ReadInt64BigEndian(value));
                    break;
                case ColumnType.Number:
                    CanonicalRow.WriteNumber(output, BinaryPrimitives.ReadDoubleBigEndian(value));
                    break;
                case ColumnType.Boolean:
                    CanonicalRow.WriteBoolean(output, value[0] != 0);
                    break;
                case ColumnType.Timestamp:
                    CanonicalRow.WriteTimestamp(output, PostgresCopyEncoder.UtcTicks(BinaryPrimitives.ReadInt64BigEndian(value)));
                    break;
                case ColumnType.TextList:
                    WriteTextArray(output, value);
                    break;
                default:
                    throw new InvalidOperationException($"Column {table.Columns[ordinal].Name} has an unknown type.");
            }
        }
        output.Add();
        consumed += position;
        return Step.Row;
    }

    // text[]: dimensions, a has-nulls flag, the element type, per dimension its size and lower bound, then the elements.
    private void WriteTextArray(EncodedRows output, ReadOnlySpan<byte> value)
    {
        var dimensions = BinaryPrimitives.ReadInt32BigEndian(value);
        if (dimensions == 0)
        {
            CanonicalRow.WriteTextListCount(output, 0);
            return;
        }
        if (dimensions != 1)
        {
            throw new InvalidDataException($"A text list of table {table.Name} reads back with {dimensions} dimensions; ExitKit writes one.");
        }
        var count = BinaryPrimitives.ReadInt32BigEndian(value[12..]);
        CanonicalRow.WriteTextListCount(output, count);
        var position = 20;
        for (var item = 0; item < count; item++)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(value[position..]);
            position += 4;
            CanonicalRow.WriteTextListItem(output, length < 0 ? [] : value.Slice(position, length));
            position += Math.Max(length, 0);
        }
    }
}
