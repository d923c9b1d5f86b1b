namespace ExitKit.Connectors.Onnx.Internal;

/// <summary>An operator set the model imports: domain ("" is the default ai.onnx domain) and version.</summary>
internal sealed record OnnxOpset(string Domain, long Version);

/// <summary>A graph input or output: its name, its type as ONNX writes it (<c>tensor(float)</c>, <c>seq(map(int64,tensor(float)))</c>),
/// the tensor element type and shape (each dimension a number, a symbolic name, or null when unknown; null shape when the rank is unknown).</summary>
internal sealed record OnnxValue(string Name, string? Type, string? ElementType, IReadOnlyList<object?>? Shape, string? DocString);

/// <summary>What the ModelProto says about itself, without its weights.</summary>
internal sealed record OnnxInfo(
    long? IrVersion, string? ProducerName, string? ProducerVersion, string? Domain, long? ModelVersion, string? DocString,
    IReadOnlyList<OnnxOpset> Opsets, string? GraphName, string? GraphDocString,
    IReadOnlyList<OnnxValue> Inputs, IReadOnlyList<OnnxValue> Outputs, IReadOnlySet<string> Initializers, int NodeCount,
    IReadOnlyDictionary<string, string> Metadata, IReadOnlySet<string> ExternalData)
{
    /// <summary>The version of the default operator set (domain "" or "ai.onnx"), which is what "opset" means for a model.</summary>
    public long? DefaultOpset => Opsets.FirstOrDefault(opset => opset.Domain is "" or "ai.onnx")?.Version;
}

/// <summary>Reads an ONNX ModelProto (onnx.proto, fields by number) from a seekable stream.</summary>
internal static class OnnxModelReader
{
    // TensorProto.DataType, by value.
    private static readonly string[] ElementTypes =
    [
        "undefined", "float", "uint8", "int8", "uint16", "int16", "int32", "int64", "string", "bool", "float16", "double",
        "uint32", "uint64", "complex64", "complex128", "bfloat16", "float8e4m3fn", "float8e4m3fnuz", "float8e5m2",
        "float8e5m2fnuz", "uint4", "int4", "float4e2m1", "float8e8m0",
    ];

    /// <summary>Reads the model's header, opsets and graph signature.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a ModelProto.</exception>
    public static OnnxInfo Read(Stream stream)
    {
        var reader = new ProtoReader(stream);
        long? irVersion = null, modelVersion = null;
        string? producerName = null, producerVersion = null, domain = null, doc = null, graphName = null, graphDoc = null;
        var opsets = new List<OnnxOpset>();
        var inputs = new List<OnnxValue>();
        var outputs = new List<OnnxValue>();
        var initializers = new HashSet<string>(StringComparer.Ordinal);
        var externalData = new SortedSet<string>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var nodes = 0;
        var hasGraph = false;
        while (reader.TryReadTag(out var field, out var wire))
        {
            switch (field)
            {
                case 1:
                    ProtoReader.Expect(wire, ProtoReader.Varint, "ir_version");
                    irVersion = reader.ReadInt64();
                    break;
                case 2:
                    ProtoReader.Expect(wire, ProtoReader.LengthDelimited, "producer_name");
                    producerName = reader.ReadString();
                    break;
                case 3:
                    ProtoReader.Expect(wire, ProtoReader.LengthDelimited, "producer_version");
                    producerVersion = reader.ReadString();
                    break;
                case 4:
                    ProtoReader.Expect(wire, ProtoReader.LengthDelimited, "domain");
                    domain = reader.ReadString();
                    break;
                case 5:
                    ProtoReader.Expect(wire, ProtoReader.Varint, "model_version");
                    modelVersion = reader.ReadInt64();
                    break;
                case 6:
                    ProtoReader.Expect(wire, ProtoReader.LengthDelimited, "doc_string");
                    doc = reader.ReadString();
                    break;
                case 7:
                    ProtoReader.Expect(wire, ProtoReader.LengthDelimited, "graph");
                    hasGraph = true;
                    var outer = reader.BeginMessage();
                    while (reader.TryReadTag(out var graphField, out var graphWire))
                    {
                        switch (graphField)
                        {
                            case 1:
                                nodes++;
                                reader.Skip(graphWire);
                                break;
                            case 2 when graphWire == ProtoReader.LengthDelimited:
                                graphName = reader.ReadString();
                                break;
                            case 5 when graphWire == ProtoReader.LengthDelimited:
                                var (initializer, location) = ReadTensorHeader(reader);
                                if (initializer is not null)
                                {
                                    initializers.Add(initializer);
                                }
                                if (location is not null)
                                {
                                    externalData.Add(location);
                                }
                                break;
                            case 10 when graphWire == ProtoReader.LengthDelimited:
                                graphDoc = reader.ReadString();
                                break;
                            case 11 when graphWire == ProtoReader.LengthDelimited:
                                inputs.Add(ReadValueInfo(reader));
                                break;
                            case 12 when graphWire == ProtoReader.LengthDelimited:
                                outputs.Add(ReadValueInfo(reader));
                                break;
                            default:
                                reader.Skip(graphWire);
                                break;
                        }
                    }
                    reader.EndMessage(outer);
                    break;
                case 8:
                    ProtoReader.Expect(wire, ProtoReader.LengthDelimited, "opset_import");
                    opsets.Add(ReadOpset(reader));
                    break;
                case 14:
                    ProtoReader.Expect(wire, ProtoReader.LengthDelimited, "metadata_props");
                    var (key, value) = ReadEntry(reader);
                    metadata[key] = value;
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }
        if (irVersion is null || !hasGraph)
        {
            throw new InvalidDataException($"it has no {(irVersion is null ? "ir_version" : "graph")}, which every ONNX model has");
        }
        return new OnnxInfo(irVersion, producerName, producerVersion, domain, modelVersion, doc, opsets, graphName, graphDoc,
            inputs, outputs, initializers, nodes, metadata, externalData);
    }

    private static OnnxOpset ReadOpset(ProtoReader reader)
    {
        var outer = reader.BeginMessage();
        var domain = "";
        long version = 0;
        while (reader.TryReadTag(out var field, out var wire))
        {
            if (field == 1 && wire == ProtoReader.LengthDelimited)
            {
                domain = reader.ReadString();
            }
            else if (field == 2 && wire == ProtoReader.Varint)
            {
                version = reader.ReadInt64();
            }
            else
            {
                reader.Skip(wire);
            }
        }
        reader.EndMessage(outer);
        return new OnnxOpset(domain, version);
    }

    private static (string Key, string Value) ReadEntry(ProtoReader reader)
    {
        var outer = reader.BeginMessage();
        string key = "", value = "";
        while (reader.TryReadTag(out var field, out var wire))
        {
            if (field == 1 && wire == ProtoReader.LengthDelimited)
            {
                key = reader.ReadString();
            }
            else if (field == 2 && wire == ProtoReader.LengthDelimited)
            {
                value = reader.ReadString();
            }
            else
            {
                reader.Skip(wire);
            }
        }
        reader.EndMessage(outer);
        return (key, value);
    }

    /// <summary>TensorProto.name (field 8) and, for weights stored outside the model (models over 2 GB), the file named by
    /// external_data (field 13) "location"; the weights themselves are skipped, not read.</summary>
    private static (string? Name, string? ExternalLocation) ReadTensorHeader(ProtoReader reader)
    {
        var outer = reader.BeginMessage();
        string? name = null, location = null;
        while (reader.TryReadTag(out var field, out var wire))
        {
            if (field == 8 && wire == ProtoReader.LengthDelimited)
            {
                name = reader.ReadString();
            }
            else if (field == 13 && wire == ProtoReader.LengthDelimited)
            {
                var (key, value) = ReadEntry(reader);
                if (key == "location")
                {
                    location = value;
                }
            }
            else
            {
                reader.Skip(wire);
            }
        }
        reader.EndMessage(outer);
        return (name, location);
    }

    private static OnnxValue ReadValueInfo(ProtoReader reader)
    {
        var outer = reader.BeginMessage();
        string name = "";
        string? doc = null;
        (string? Type, string? Element, IReadOnlyList<object?>? Shape) type = (null, null, null);
        while (reader.TryReadTag(out var field, out var wire))
        {
            switch (field)
            {
                case 1 when wire == ProtoReader.LengthDelimited:
                    name = reader.ReadString();
                    break;
                case 2 when wire == ProtoReader.LengthDelimited:
                    type = ReadType(reader);
                    break;
                case 3 when wire == ProtoReader.LengthDelimited:
                    doc = reader.ReadString();
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }
        reader.EndMessage(outer);
        return new OnnxValue(name, type.Type, type.Element, type.Shape, doc);
    }

    /// <summary>A TypeProto as ONNX prints it, with the element type and shape when it is a tensor.</summary>
    private static (string? Type, string? Element, IReadOnlyList<object?>? Shape) ReadType(ProtoReader reader)
    {
        var outer = reader.BeginMessage();
        (string? Type, string? Element, IReadOnlyList<object?>? Shape) result = (null, null, null);
        while (reader.TryReadTag(out var field, out var wire))
        {
            if (wire != ProtoReader.LengthDelimited)
            {
                reader.Skip(wire);
                continue;
            }
            switch (field)
            {
                case 1:
                case 8:
                    var (element, shape) = ReadTensorType(reader);
                    result = ($"{(field == 1 ? "tensor" : "sparse_tensor")}({element})", element, shape);
                    break;
                case 4:
                case 9:
                    var inner = SingleTypeField(reader, 1);
                    result = ($"{(field == 4 ? "seq" : "optional")}({inner ?? "?"})", null, null);
                    break;
                case 5:
                    result = (ReadMapType(reader), null, null);
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }
        reader.EndMessage(outer);
        return result;
    }

    /// <summary>Sequence and Optional hold one TypeProto in field 1.</summary>
    private static string? SingleTypeField(ProtoReader reader, int typeField)
    {
        var outer = reader.BeginMessage();
        string? type = null;
        while (reader.TryReadTag(out var field, out var wire))
        {
            if (field == typeField && wire == ProtoReader.LengthDelimited)
            {
                type = ReadType(reader).Type;
            }
            else
            {
                reader.Skip(wire);
            }
        }
        reader.EndMessage(outer);
        return type;
    }

    private static string ReadMapType(ProtoReader reader)
    {
        var outer = reader.BeginMessage();
        string key = "?", value = "?";
        while (reader.TryReadTag(out var field, out var wire))
        {
            if (field == 1 && wire == ProtoReader.Varint)
            {
                key = ElementType(reader.ReadInt64());
            }
            else if (field == 2 && wire == ProtoReader.LengthDelimited)
            {
                value = ReadType(reader).Type ?? "?";
            }
            else
            {
                reader.Skip(wire);
            }
        }
        reader.EndMessage(outer);
        return $"map({key},{value})";
    }

    private static (string Element, IReadOnlyList<object?>? Shape) ReadTensorType(ProtoReader reader)
    {
        var outer = reader.BeginMessage();
        var element = "undefined";
        List<object?>? shape = null;
        while (reader.TryReadTag(out var field, out var wire))
        {
            if (field == 1 && wire == ProtoReader.Varint)
            {
                element = ElementType(reader.ReadInt64());
            }
            else if (field == 2 && wire == ProtoReader.LengthDelimited)
            {
                shape = ReadShape(reader);
            }
            else
            {
                reader.Skip(wire);
            }
        }
        reader.EndMessage(outer);
        return (element, shape);
    }

    private static List<object?> ReadShape(ProtoReader reader)
    {
        var outer = reader.BeginMessage();
        var dimensions = new List<object?>();
        while (reader.TryReadTag(out var field, out var wire))
        {
            if (field != 1 || wire != ProtoReader.LengthDelimited)
            {
                reader.Skip(wire);
                continue;
            }
            var dimension = reader.BeginMessage();
            object? value = null;
            while (reader.TryReadTag(out var dimensionField, out var dimensionWire))
            {
                if (dimensionField == 1 && dimensionWire == ProtoReader.Varint)
                {
                    value = reader.ReadInt64();
                }
                else if (dimensionField == 2 && dimensionWire == ProtoReader.LengthDelimited)
                {
                    value = reader.ReadString();
                }
                else
                {
                    reader.Skip(dimensionWire);
                }
            }
            reader.EndMessage(dimension);
            dimensions.Add(value);
        }
        reader.EndMessage(outer);
        return dimensions;
    }

    private static string ElementType(long value) =>
        value >= 0 && value < ElementTypes.Length ? ElementTypes[value] : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"type{value}");
}
