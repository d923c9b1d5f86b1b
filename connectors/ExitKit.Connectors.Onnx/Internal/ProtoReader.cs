namespace ExitKit.Connectors.Onnx.Internal;

/// <summary>A minimal protobuf wire-format reader over a seekable stream.</summary>
/// <remarks>
/// ONNX files can be gigabytes of weights (initializers); this reader seeks over fields it does not need instead of
/// loading them, which a generated message class would not do. Malformed input throws <see cref="InvalidDataException"/>.
/// </remarks>
internal sealed class ProtoReader(Stream stream)
{
    private long _limit = stream.Length;

    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int Fixed32 = 5;

    /// <summary>Reads the next field's number and wire type; false at the end of the current message.</summary>
    public bool TryReadTag(out int field, out int wireType)
    {
        field = 0;
        wireType = 0;
        if (stream.Position >= _limit)
        {
            return false;
        }
        var tag = ReadVarint();
        field = checked((int)(tag >> 3));
        wireType = (int)(tag & 7);
        if (field == 0 || wireType is not (Varint or Fixed64 or LengthDelimited or Fixed32))
        {
            throw new InvalidDataException($"invalid protobuf tag (field {field}, wire type {wireType}) at byte {stream.Position}");
        }
        return true;
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var value = stream.ReadByte();
            if (value < 0 || stream.Position > _limit)
            {
                throw new InvalidDataException("the file ends inside a protobuf varint");
            }
            result |= (ulong)(value & 0x7F) << shift;
            if (value < 0x80)
            {
                return result;
            }
        }
        throw new InvalidDataException("a protobuf varint is longer than 10 bytes");
    }

    public long ReadInt64() => unchecked((long)ReadVarint());

    private long ReadLength()
    {
        var length = ReadVarint();
        if (length > (ulong)(_limit - stream.Position))
        {
            throw new InvalidDataException($"a protobuf field of {length} bytes runs past the end of its message at byte {stream.Position}");
        }
        return (long)length;
    }

    public string ReadString()
    {
        var length = ReadLength();
        if (length > 16 * 1024 * 1024)
        {
            throw new InvalidDataException($"a text field of {length} bytes is implausible");
        }
        var buffer = new byte[length];
        stream.ReadExactly(buffer);
        return System.Text.Encoding.UTF8.GetString(buffer);
    }

    /// <summary>Enters a length-delimited field as a nested message; returns the outer limit to pass to <see cref="EndMessage"/>.</summary>
    public long BeginMessage()
    {
        var length = ReadLength();
        var outer = _limit;
        _limit = stream.Position + length;
        return outer;
    }

    /// <summary>Leaves a nested message, skipping what was not read of it.</summary>
    public void EndMessage(long outer)
    {
        stream.Position = _limit;
        _limit = outer;
    }

    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case Varint:
                ReadVarint();
                break;
            case Fixed64:
                Seek(8);
                break;
            case Fixed32:
                Seek(4);
                break;
            case LengthDelimited:
                Seek(ReadLength());
                break;
        }
    }

    private void Seek(long count)
    {
        if (stream.Position + count > _limit)
        {
            throw new InvalidDataException($"a protobuf field runs past the end of its message at byte {stream.Position}");
        }
        stream.Position += count;
    }

    public static void Expect(int wireType, int expected, string field)
    {
        if (wireType != expected)
        {
            throw new InvalidDataException($"field {field} has wire type {wireType}, not {expected}: this is not an ONNX ModelProto");
        }
    }
}
