namespace ExitKit.Validation.Engine;

/// <summary>Whether a file starts the way its format does, read from the first bytes only.</summary>
internal static class FileSignatures
{
    /// <summary>The formats with a known signature.</summary>
    public static IReadOnlyList<string> Known { get; } = ["onnx", "zip", "gguf", "safetensors", "tflite"];

    /// <summary>True or false for a known format; null when no signature is known for it.</summary>
    public static async Task<bool?> MatchesAsync(string format, Stream stream, CancellationToken cancellationToken)
    {
        var head = new byte[64 * 1024];
        var read = 0;
        while (read < head.Length)
        {
            var n = await stream.ReadAsync(head.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                break;
            }
            read += n;
        }
        long? length = stream.CanSeek ? stream.Length : null;
        var bytes = head.AsSpan(0, read);
        return format switch
        {
            "onnx" => LooksLikeModelProto(bytes, length ?? read),
            "zip" => bytes.StartsWith("PK\x03\x04"u8),
            "gguf" => bytes.StartsWith("GGUF"u8),
            "tflite" => bytes.Length >= 8 && bytes[4..8].SequenceEqual("TFL3"u8),
            "safetensors" => bytes.Length > 9 && BitConverter.ToUInt64(bytes[..8]) is var size && size > 1 && size + 8 <= (ulong)(length ?? read) && bytes[8] == (byte)'{',
            _ => null,
        };
    }

    // ModelProto fields (onnx.proto3) and their wire types: 0 varint, 2 length-delimited.
    private static readonly Dictionary<ulong, int> ModelProtoFields = new()
    {
        [1] = 0, [2] = 2, [3] = 2, [4] = 2, [5] = 0, [6] = 2, [7] = 2, [8] = 2, [14] = 2, [20] = 2, [25] = 2,
    };

    /// <summary>
    /// Walks the top-level protobuf fields at the start of the file: each must be a ModelProto field with its wire type,
    /// and a plausible ir_version (field 1) and a graph (field 7) that fits in the file must appear.
    /// </summary>
    internal static bool LooksLikeModelProto(ReadOnlySpan<byte> bytes, long fileLength)
    {
        long offset = 0;
        var irVersion = false;
        while (offset < bytes.Length)
        {
            if (!TryVarint(bytes, ref offset, out var tag))
            {
                return false;
            }
            var field = tag >> 3;
            var wire = (int)(tag & 7);
            if (!ModelProtoFields.TryGetValue(field, out var expected) || expected != wire)
            {
                return false;
            }
            if (!TryVarint(bytes, ref offset, out var value))
            {
                return false;
            }
            if (field == 1)
            {
                irVersion = value is >= 1 and <= 100;
                if (!irVersion)
                {
                    return false;
                }
            }
            if (wire == 2)
            {
                if (value > (ulong)(fileLength - offset))
                {
                    return false;
                }
                if (field == 7)
                {
                    return irVersion;
                }
                offset += (long)value;
            }
        }
        return false;
    }

    private static bool TryVarint(ReadOnlySpan<byte> bytes, ref long offset, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64 && offset < bytes.Length; shift += 7)
        {
            var b = bytes[(int)offset++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }
        return false;
    }
}
