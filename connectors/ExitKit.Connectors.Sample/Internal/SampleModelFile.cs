namespace ExitKit.Connectors.Sample.Internal;

/// <summary>Encodes a tiny but valid ONNX model (one Identity node), so the sample has a real model file to carry.</summary>
internal static class SampleModelFile
{
    public static byte[] Build()
    {
        var dim = Message(Field(1, Varint(1)));                              // TensorShapeProto.Dimension { dim_value: 1 }
        var shape = Message(Field(1, dim), Field(1, Message(Field(1, Varint(4))))); // shape [1, 4]
        var tensor = Message(Field(1, Varint(1)), Field(2, shape));         // elem_type FLOAT, shape
        var type = Message(Field(1, tensor));
        byte[] ValueInfo(string name) => Message(Field(1, Text(name)), Field(2, type));
        var node = Message(Field(1, Text("features")), Field(2, Text("scores")), Field(3, Text("identity")), Field(4, Text("Identity")));
        var graph = Message(Field(1, node), Field(2, Text("northwind-intent-scorer")), Field(11, ValueInfo("features")), Field(12, ValueInfo("scores")));
        var opset = Message(Field(1, Text("")), Field(2, Varint(13)));
        return Message(Field(1, Varint(8)), Field(2, Text("exitkit-sample")), Field(3, Text("1.0")), Field(7, graph), Field(8, opset));
    }

    // Protobuf wire format: a field is its tag (number << 3 | wire type) then the value; length-delimited values carry their length.
    private sealed record Encoded(int WireType, byte[] Bytes);

    private static Encoded Varint(ulong value) => new(0, VarintBytes(value));

    private static Encoded Text(string value) => new(2, System.Text.Encoding.UTF8.GetBytes(value));

    private static byte[] Field(int number, Encoded value)
    {
        var tag = VarintBytes((ulong)(number << 3 | value.WireType));
        return value.WireType == 2 ? [.. tag, .. VarintBytes((ulong)value.Bytes.Length), .. value.Bytes] : [.. tag, .. value.Bytes];
    }

    private static byte[] Field(int number, byte[] message) => Field(number, new Encoded(2, message));

    private static byte[] Message(params byte[][] fields) => fields.SelectMany(field => field).ToArray();

    private static byte[] VarintBytes(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var next = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? next : (byte)(next | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }
}
