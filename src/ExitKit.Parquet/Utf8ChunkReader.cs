using System.Buffers;
using System.Buffers.Binary;
using Parquet.Meta;
using Encoding = Parquet.Meta.Encoding;

namespace ExitKit.Parquet;

/// <summary>
/// Reads a text column chunk as the UTF-8 bytes the file holds, without a character array or string per value, for the
/// one shape ExitKit writes: a flat column, PLAIN-encoded in one version-1 data page, Zstandard-compressed or not, no
/// dictionary. Any other shape (several pages a chunk among them: ExitKit's writer makes one, and a reader of several is
/// not tested) is left to Parquet.Net: the caller falls back when this returns null.
/// </summary>
/// <remarks>
/// Parquet.Net 6.1 decodes every BYTE_ARRAY value into a new array (<c>char[]</c> or <c>byte[]</c>), which at millions
/// of ids a validation costs more than everything else. What this reads is the format's own (parquet-format's
/// PageHeader in Thrift's compact protocol, the RLE/bit-packed hybrid for definition levels); the page and encoding
/// checks below keep it to that.
/// </remarks>
internal static class Utf8ChunkReader
{
    private const int DataPage = 0;

    /// <summary>The values of the chunk, or null when it is not in the shape this reads.</summary>
    public static async ValueTask<TextValues?> TryReadAsync(Stream input, ColumnMetaData chunk, int maxDefinitionLevel, int rowCount,
        CancellationToken cancellationToken)
    {
        if (maxDefinitionLevel > 1 || chunk.DictionaryPageOffset is > 0 || chunk.NumValues != rowCount
            || chunk.Codec is not (CompressionCodec.ZSTD or CompressionCodec.UNCOMPRESSED)
            || chunk.Encodings.Any(encoding => encoding is not (Encoding.PLAIN or Encoding.RLE or Encoding.BIT_PACKED))
            || chunk.TotalCompressedSize > int.MaxValue || chunk.TotalUncompressedSize > int.MaxValue)
        {
            return null;
        }
        var raw = ArrayPool<byte>.Shared.Rent((int)chunk.TotalCompressedSize);
        var bytes = ArrayPool<byte>.Shared.Rent(Math.Max((int)chunk.TotalUncompressedSize, 1));
        var starts = ArrayPool<int>.Shared.Rent(Math.Max(rowCount, 1));
        var lengths = ArrayPool<int>.Shared.Rent(Math.Max(rowCount, 1));
        var complete = false;
        try
        {
            input.Seek(chunk.DataPageOffset, SeekOrigin.Begin);
            await input.ReadExactlyAsync(raw.AsMemory(0, (int)chunk.TotalCompressedSize), cancellationToken);
            if (!Decode(raw.AsSpan(0, (int)chunk.TotalCompressedSize), chunk.Codec, maxDefinitionLevel, rowCount, bytes, starts, lengths))
            {
                return null;
            }
            complete = true;
            return new TextValues(rowCount, bytes, starts, lengths);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
            if (!complete)
            {
                ArrayPool<byte>.Shared.Return(bytes);
                ArrayPool<int>.Shared.Return(starts);
                ArrayPool<int>.Shared.Return(lengths);
            }
        }
    }

    /// <summary>Decodes every page of the chunk into <paramref name="bytes"/>; false when a page is not a PLAIN v1 data page.</summary>
    private static bool Decode(ReadOnlySpan<byte> raw, CompressionCodec codec, int maxDefinitionLevel, int rowCount, byte[] bytes, int[] starts, int[] lengths)
    {
        using var zstd = codec == CompressionCodec.ZSTD ? new ZstdSharp.Decompressor() : null;
        var position = 0;
        var written = 0;
        var row = 0;
        while (row < rowCount)
        {
            var header = new ThriftReader(raw[position..]);
            if (!PageHeaderOf(ref header, out var page) || page.Type != DataPage || page.Encoding != (int)Encoding.PLAIN
                || (maxDefinitionLevel > 0 && page.DefinitionLevelEncoding != (int)Encoding.RLE)
                || page.Values != rowCount)
            {
                return false;
            }
            position += header.Position;
            if (page.CompressedSize > raw.Length - position || page.UncompressedSize > bytes.Length - written)
            {
                return false;
            }
            var compressed = raw.Slice(position, page.CompressedSize);
            position += page.CompressedSize;
            var data = bytes.AsSpan(written, page.UncompressedSize);
            if (zstd is null)
            {
                compressed.CopyTo(data);
            }
            else if (zstd.Unwrap(compressed, data) != page.UncompressedSize)
            {
                return false;
            }
            var offset = 0;
            if (maxDefinitionLevel > 0)
            {
                var levelsLength = BinaryPrimitives.ReadInt32LittleEndian(data);
                if (levelsLength < 0 || levelsLength > data.Length - 4 || !DefinitionLevels(data.Slice(4, levelsLength), lengths.AsSpan(row, page.Values)))
                {
                    return false;
                }
                offset = 4 + levelsLength;
            }
            else
            {
                lengths.AsSpan(row, page.Values).Clear();
            }
            // lengths holds 1 for a defined row and -1 for a null one until the value's length replaces it.
            for (var end = row + page.Values; row < end; row++)
            {
                if (lengths[row] < 0)
                {
                    starts[row] = 0;
                    continue;
                }
                if (offset > data.Length - 4)
                {
                    return false;
                }
                var length = BinaryPrimitives.ReadInt32LittleEndian(data[offset..]);
                if (length < 0 || length > data.Length - offset - 4)
                {
                    return false;
                }
                starts[row] = written + offset + 4;
                lengths[row] = length;
                offset += 4 + length;
            }
            written += page.UncompressedSize;
        }
        return position == raw.Length;
    }

    /// <summary>Definition levels of a column whose maximum level is 1 (bit width 1): 1 (defined) or -1 (null) per row.</summary>
    private static bool DefinitionLevels(ReadOnlySpan<byte> encoded, Span<int> levels)
    {
        var filled = 0;
        var position = 0;
        while (filled < levels.Length)
        {
            if (position >= encoded.Length)
            {
                return false;
            }
            var header = ReadVarint(encoded, ref position);
            if ((header & 1) == 0)
            {
                // A run of one value, stored in one byte at bit width 1.
                var count = (int)Math.Min(header >> 1, (ulong)(levels.Length - filled));
                if (position >= encoded.Length)
                {
                    return false;
                }
                levels.Slice(filled, count).Fill(encoded[position++] == 0 ? -1 : 1);
                filled += count;
            }
            else
            {
                // Groups of eight values, one bit each, least significant bit first.
                var groups = (int)(header >> 1);
                if (position + groups > encoded.Length)
                {
                    return false;
                }
                for (var bit = 0; bit < groups * 8 && filled < levels.Length; bit++)
                {
                    levels[filled++] = ((encoded[position + (bit >> 3)] >> (bit & 7)) & 1) == 0 ? -1 : 1;
                }
                position += groups;
            }
        }
        return true;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64 && position < data.Length; shift += 7)
        {
            var next = data[position++];
            value |= (ulong)(next & 0x7F) << shift;
            if ((next & 0x80) == 0)
            {
                break;
            }
        }
        return value;
    }

    private record struct Page(int Type, int UncompressedSize, int CompressedSize, int Values, int Encoding, int DefinitionLevelEncoding);

    /// <summary>The fields of a PageHeader this reads: type (1), sizes (2, 3) and the data page header (5).</summary>
    private static bool PageHeaderOf(ref ThriftReader reader, out Page page)
    {
        page = new Page(-1, -1, -1, -1, -1, -1);
        var field = 0;
        while (reader.NextField(ref field, out var type))
        {
            switch (field, type)
            {
                case (1, ThriftReader.I32): page = page with { Type = reader.ReadI32() }; break;
                case (2, ThriftReader.I32): page = page with { UncompressedSize = reader.ReadI32() }; break;
                case (3, ThriftReader.I32): page = page with { CompressedSize = reader.ReadI32() }; break;
                case (5, ThriftReader.Struct):
                    var inner = 0;
                    while (reader.NextField(ref inner, out var innerType))
                    {
                        switch (inner, innerType)
                        {
                            case (1, ThriftReader.I32): page = page with { Values = reader.ReadI32() }; break;
                            case (2, ThriftReader.I32): page = page with { Encoding = reader.ReadI32() }; break;
                            case (3, ThriftReader.I32): page = page with { DefinitionLevelEncoding = reader.ReadI32() }; break;
                            default: reader.Skip(innerType); break;
                        }
                    }
                    break;
                default: reader.Skip(type); break;
            }
            if (!reader.Valid)
            {
                return false;
            }
        }
        return reader.Valid && page.UncompressedSize >= 0 && page.CompressedSize >= 0;
    }

    /// <summary>Just enough of Thrift's compact protocol to read a struct and skip what it does not need.</summary>
    private ref struct ThriftReader(ReadOnlySpan<byte> data)
    {
        public const int I32 = 5;
        public const int Struct = 12;
        private readonly ReadOnlySpan<byte> _data = data;

        public int Position { get; private set; }
        public bool Valid { get; private set; } = true;

        /// <summary>Moves to the next field of the current struct; false at its end.</summary>
        public bool NextField(ref int field, out int type)
        {
            type = 0;
            if (!Valid || Position >= _data.Length)
            {
                Valid = false;
                return false;
            }
            var header = _data[Position++];
            if (header == 0)
            {
                return false;
            }
            type = header & 0x0F;
            var delta = header >> 4;
            field = delta == 0 ? (short)ZigZag(Varint()) : field + delta;
            return Valid;
        }

        public int ReadI32() => (int)ZigZag(Varint());

        public void Skip(int type)
        {
            switch (type)
            {
                case 1 or 2: break; // booleans are in the field header
                case 3: Position++; break;
                case 4 or 5 or 6: Varint(); break;
                case 7: Position += 8; break;
                case 8:
                {
                    // Read the length first: `Position += Varint()` would add it to the position from before the varint.
                    var length = (int)Varint();
                    Position += length;
                    break;
                }
                case 9 or 10:
                {
                    var header = _data[Position++];
                    var count = header >> 4 == 15 ? (int)Varint() : header >> 4;
                    for (var i = 0; i < count && Valid; i++)
                    {
                        Skip(header & 0x0F);
                    }
                    break;
                }
                case 11:
                {
                    var count = (int)Varint();
                    if (count > 0)
                    {
                        var types = _data[Position++];
                        for (var i = 0; i < count && Valid; i++)
                        {
                            Skip(types >> 4);
                            Skip(types & 0x0F);
                        }
                    }
                    break;
                }
                case 12:
                {
                    var field = 0;
                    while (NextField(ref field, out var inner))
                    {
                        Skip(inner);
                    }
                    break;
                }
                default: Valid = false; break;
            }
            if (Position > _data.Length)
            {
                Valid = false;
            }
        }

        private ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (Position >= _data.Length)
                {
                    Valid = false;
                    return 0;
                }
                var next = _data[Position++];
                value |= (ulong)(next & 0x7F) << shift;
                if ((next & 0x80) == 0)
                {
                    return value;
                }
            }
            Valid = false;
            return 0;
        }

        private static long ZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);
    }
}
