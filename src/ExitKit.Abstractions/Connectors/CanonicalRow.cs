using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace ExitKit.Connectors;

/// <summary>The canonical encoding of a neutral row, which read-back hashes on both sides to compare a successor with its package.</summary>
/// <remarks>
/// For every column in the table's order: one byte 0 for NULL, or 1 followed by the value: text and JSON as the UTF-8 byte
/// count (int32, little-endian) and the bytes; integers as int64 little-endian; numbers as the IEEE 754 bits (int64
/// little-endian); booleans as one byte; timestamps as UTC ticks (int64 little-endian); text lists as the element count
/// (int32) and each element as its byte count and bytes (a null element as an empty one). A successor that reads itself
/// back in this encoding (<see cref="IEncodedReadBack"/>) must write exactly these bytes for the values it holds.
/// </remarks>
public static class CanonicalRow
{
    /// <summary>A NULL.</summary>
    public static void WriteNull(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.GetSpan(1)[0] = 0;
        output.Advance(1);
    }

    /// <summary>A text or JSON value, from its UTF-8 bytes.</summary>
    public static void WriteText(IBufferWriter<byte> output, ReadOnlySpan<byte> utf8)
    {
        WritePresent(output);
        WriteTextListItem(output, utf8);
    }

    /// <summary>A text or JSON value.</summary>
    public static void WriteText(IBufferWriter<byte> output, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        WritePresent(output);
        WriteTextListItem(output, text);
    }

    /// <summary>An integer.</summary>
    public static void WriteInteger(IBufferWriter<byte> output, long value) => WriteFixed(output, value);

    /// <summary>A number, as its IEEE 754 bits.</summary>
    public static void WriteNumber(IBufferWriter<byte> output, double value) => WriteFixed(output, BitConverter.DoubleToInt64Bits(value));

    /// <summary>A timestamp, as UTC ticks (<see cref="DateTime.Ticks"/>).</summary>
    public static void WriteTimestamp(IBufferWriter<byte> output, long utcTicks) => WriteFixed(output, utcTicks);

    /// <summary>A boolean.</summary>
    public static void WriteBoolean(IBufferWriter<byte> output, bool value)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = output.GetSpan(2);
        span[0] = 1;
        span[1] = value ? (byte)1 : (byte)0;
        output.Advance(2);
    }

    /// <summary>The start of a text list: its element count; the elements follow with <see cref="WriteTextListItem(IBufferWriter{byte}, ReadOnlySpan{byte})"/>.</summary>
    public static void WriteTextListCount(IBufferWriter<byte> output, int count)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = output.GetSpan(5);
        span[0] = 1;
        BinaryPrimitives.WriteInt32LittleEndian(span[1..], count);
        output.Advance(5);
    }

    /// <summary>An element of a text list, from its UTF-8 bytes (empty for a null element).</summary>
    public static void WriteTextListItem(IBufferWriter<byte> output, ReadOnlySpan<byte> utf8)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = output.GetSpan(4 + utf8.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span, utf8.Length);
        utf8.CopyTo(span[4..]);
        output.Advance(4 + utf8.Length);
    }

    /// <summary>An element of a text list (empty for a null element).</summary>
    public static void WriteTextListItem(IBufferWriter<byte> output, string? text)
    {
        ArgumentNullException.ThrowIfNull(output);
        text ??= "";
        var span = output.GetSpan(4 + Encoding.UTF8.GetMaxByteCount(text.Length));
        var length = Encoding.UTF8.GetBytes(text, span[4..]);
        BinaryPrimitives.WriteInt32LittleEndian(span, length);
        output.Advance(4 + length);
    }

    private static void WritePresent(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.GetSpan(1)[0] = 1;
        output.Advance(1);
    }

    private static void WriteFixed(IBufferWriter<byte> output, long value)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = output.GetSpan(9);
        span[0] = 1;
        BinaryPrimitives.WriteInt64LittleEndian(span[1..], value);
        output.Advance(9);
    }
}
