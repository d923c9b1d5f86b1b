using System.Text;

namespace ExitKit.Connectors.Onnx.Tests;

/// <summary>Writes protobuf wire format by hand, so tests build ONNX files with known contents independently of the reader.</summary>
internal sealed class ProtoWriter
{
    private readonly List<byte> _buffer = [];

    public ProtoWriter Varint(int field, long value) => Tag(field, 0).Raw(value);

    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

    public ProtoWriter Bytes(int field, byte[] value)
    {
        Tag(field, 2).Raw(value.Length);
        _buffer.AddRange(value);
        return this;
    }

    private ProtoWriter Tag(int field, int wire) => Raw((field << 3) | wire);

    private ProtoWriter Raw(long value)
    {
        var unsigned = unchecked((ulong)value);
        do
        {
            var next = (byte)(unsigned & 0x7F);
            unsigned >>= 7;
            _buffer.Add(unsigned == 0 ? next : (byte)(next | 0x80));
        }
        while (unsigned != 0);
        return this;
    }

    public byte[] ToArray() => [.. _buffer];

    /// <summary>A TypeProto of a tensor: element type and dimensions (long = dim_value, string = dim_param, null = unknown).</summary>
    public static ProtoWriter Tensor(int elementType, params object?[] dimensions)
    {
        var shape = new ProtoWriter();
        foreach (var dimension in dimensions)
        {
            var dim = new ProtoWriter();
            _ = dimension switch
            {
                long value => dim.Varint(1, value),
                string symbol => dim.String(2, symbol),
                _ => dim,
            };
            shape.Message(1, dim);
        }
        return new ProtoWriter().Message(1, new ProtoWriter().Varint(1, elementType).Message(2, shape));
    }

    public static ProtoWriter ValueInfo(string name, ProtoWriter type) => new ProtoWriter().String(1, name).Message(2, type);

    /// <summary>A small intent classifier: string input [batch, 1], int64 label output, a 1 MB initializer, two opsets, metadata.</summary>
    public static byte[] SmallModel(string? externalData = null)
    {
        // With external data, the weights live in another file: TensorProto.external_data {location} and data_location = EXTERNAL.
        var weights = externalData is null
            ? new ProtoWriter().Varint(1, 4).Varint(2, 1).String(8, "w").Bytes(9, new byte[1 << 20])
            : new ProtoWriter().Varint(1, 4).Varint(2, 1).String(8, "w")
                .Message(13, new ProtoWriter().String(1, "location").String(2, externalData))
                .Message(13, new ProtoWriter().String(1, "offset").String(2, "0"))
                .Varint(14, 1);
        var node = new ProtoWriter().String(1, "text").String(2, "label").String(4, "LabelEncoder").String(7, "ai.onnx.ml");
        var graph = new ProtoWriter()
            .Message(1, node)
            .String(2, "intent_graph")
            .Message(5, weights)
            .String(10, "Maps a request to an intent.")
            .Message(11, ValueInfo("text", Tensor(8, "batch", 1L)))
            .Message(12, ValueInfo("label", Tensor(7, (object?)null)))
            .Message(12, ValueInfo("scores", new ProtoWriter().Message(4, new ProtoWriter().Message(1,
                new ProtoWriter().Message(5, new ProtoWriter().Varint(1, 8).Message(2, Tensor(1)))))));
        return new ProtoWriter()
            .Varint(1, 8)
            .String(2, "exitkit-test")
            .String(3, "1.2.3")
            .String(4, "com.example")
            .Varint(5, 42)
            .String(6, "Routes support requests.")
            .Message(7, graph)
            .Message(8, new ProtoWriter().String(1, "").Varint(2, 17))
            .Message(8, new ProtoWriter().String(1, "ai.onnx.ml").Varint(2, 3))
            .Message(14, new ProtoWriter().String(1, "author").String(2, "support-team"))
            .ToArray();
    }
}
