using System.Globalization;
using System.Text;
using ExitKit.Schema;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace ExitKit.Connectors.KnowledgeFiles.Internal;

/// <summary>
/// Markdown files with YAML front matter that hold a neutral row exactly: every column under its own name (the name shown as
/// <c>title</c>), the long text as the Markdown body, byte for byte.
/// </summary>
/// <remarks>
/// Text is written double-quoted, so YAML never reads "1.0", "yes" or "null" as anything but text, and no line is folded;
/// numbers and timestamps (UTC, 100 ns digits) are plain. A column that is null is left out; a body that is null (not empty)
/// is marked <c>body_absent: true</c>. The body follows the closing <c>---</c> line unchanged: HTML stays HTML, which
/// Markdown allows.
/// </remarks>
internal static class FrontMatter
{
    public const string TableKey = "exitkit_table";
    public const string TitleKey = "title";
    public const string BodyAbsentKey = "body_absent";
    public const string AttachmentsKey = "attachments";
    public const string PathKey = "path";

    private const string Fence = "---\n";
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    /// <summary>A value written plain (unquoted): numbers, booleans, timestamps.</summary>
    public sealed record Plain(string Text);

    /// <summary>One entry of front matter; values are string (quoted), <see cref="Plain"/>, string[] or a list of nested entry lists.</summary>
    public sealed record Entry(string Key, object Value);

    /// <summary>The entries of a row: the table, the title, then every column but the title and body ones, in table order.</summary>
    public static List<Entry> Entries(TableSchema table, object?[] row, string titleColumn, string bodyColumn)
    {
        var entries = new List<Entry> { new(TableKey, new Plain(table.Name)) };
        if (row[table.OrdinalOf(titleColumn)] is { } title)
        {
            entries.Add(new(TitleKey, Value(table.Column(titleColumn), title)));
        }
        for (var ordinal = 0; ordinal < table.Columns.Count; ordinal++)
        {
            var column = table.Columns[ordinal];
            if (column.Name != titleColumn && column.Name != bodyColumn && row[ordinal] is { } value)
            {
                entries.Add(new(column.Name, Value(column, value)));
            }
        }
        if (row[table.OrdinalOf(bodyColumn)] is null)
        {
            entries.Add(new(BodyAbsentKey, new Plain("true")));
        }
        return entries;
    }

    /// <summary>The entries of a row nested in another file (an attachment listed in its article): every column but those named.</summary>
    public static List<Entry> NestedEntries(TableSchema table, object?[] row, IReadOnlySet<string> leaveOut)
    {
        var entries = new List<Entry>();
        for (var ordinal = 0; ordinal < table.Columns.Count; ordinal++)
        {
            if (!leaveOut.Contains(table.Columns[ordinal].Name) && row[ordinal] is { } value)
            {
                entries.Add(new(table.Columns[ordinal].Name, Value(table.Columns[ordinal], value)));
            }
        }
        return entries;
    }

    private static object Value(ColumnSchema column, object value) => column.Type switch
    {
        ColumnType.Text or ColumnType.Json => (string)value,
        ColumnType.Integer => new Plain(((long)value).ToString(CultureInfo.InvariantCulture)),
        ColumnType.Number => new Plain(((double)value).ToString("R", CultureInfo.InvariantCulture)),
        ColumnType.Boolean => new Plain((bool)value ? "true" : "false"),
        ColumnType.Timestamp => new Plain(((DateTimeOffset)value).UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture)),
        ColumnType.TextList => (string[])value,
        _ => throw new InvalidOperationException($"Column {column.Name} has an unknown type {column.Type}."),
    };

    /// <summary>The whole file: front matter, then the body exactly as given.</summary>
    public static byte[] Write(IReadOnlyList<Entry> entries, string? body)
    {
        var yaml = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var emitter = new Emitter(yaml, 2, int.MaxValue);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, isImplicit: true));
        EmitMapping(emitter, entries);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        var text = new StringBuilder(Fence).Append(yaml.ToString().Replace("\r\n", "\n", StringComparison.Ordinal));
        if (text[^1] != '\n')
        {
            text.Append('\n');
        }
        text.Append(Fence).Append(body);
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static void EmitMapping(IEmitter emitter, IReadOnlyList<Entry> entries)
    {
        emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Block));
        foreach (var entry in entries)
        {
            emitter.Emit(new Scalar(entry.Key));
            switch (entry.Value)
            {
                case string text:
                    emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, text, ScalarStyle.DoubleQuoted, false, true));
                    break;
                case Plain plain:
                    emitter.Emit(new Scalar(plain.Text));
                    break;
                case string[] items:
                    emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, SequenceStyle.Flow));
                    foreach (var item in items)
                    {
                        emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, item ?? "", ScalarStyle.DoubleQuoted, false, true));
                    }
                    emitter.Emit(new SequenceEnd());
                    break;
                case IEnumerable<IReadOnlyList<Entry>> maps:
                    emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, SequenceStyle.Block));
                    foreach (var map in maps)
                    {
                        EmitMapping(emitter, map);
                    }
                    emitter.Emit(new SequenceEnd());
                    break;
                default:
                    throw new InvalidOperationException($"Front matter entry {entry.Key} has a value of type {entry.Value.GetType().Name}.");
            }
        }
        emitter.Emit(new MappingEnd());
    }

    /// <summary>A file split into its front matter and body; null when the file has no ExitKit front matter (a page someone added).</summary>
    public sealed record Parsed(YamlMappingNode Matter, string Body, string Table);

    /// <exception cref="ExitKitException">The file has ExitKit front matter that is not valid YAML.</exception>
    public static Parsed? Read(string text, string path)
    {
        if (!text.StartsWith(Fence, StringComparison.Ordinal))
        {
            return null;
        }
        var end = text.IndexOf("\n" + Fence, Fence.Length - 1, StringComparison.Ordinal);
        if (end < 0)
        {
            return null;
        }
        YamlMappingNode matter;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text[Fence.Length..(end + 1)]));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode mapping)
            {
                return null;
            }
            matter = mapping;
        }
        catch (YamlException error)
        {
            // Only a file ExitKit wrote (or one claiming to be) is an error; anything else is someone's own page.
            if (!text.AsSpan(0, end).Contains(TableKey + ":", StringComparison.Ordinal))
            {
                return null;
            }
            throw ExitKitException.Malformed(path, $"its front matter is not valid YAML: {error.Message} Fix or delete the file and import again.",
                error.Start.Line + 1, error.Start.Column, error);
        }
        return Scalar(matter, TableKey) is { } table ? new Parsed(matter, text[(end + 1 + Fence.Length)..], table) : null;
    }

    /// <summary>Rebuilds a row from front matter and body.</summary>
    public static object?[] Row(TableSchema table, YamlMappingNode matter, string body, string titleColumn, string bodyColumn, string path)
    {
        var row = table.NewRow();
        for (var ordinal = 0; ordinal < table.Columns.Count; ordinal++)
        {
            var column = table.Columns[ordinal];
            row[ordinal] = column.Name == bodyColumn
                ? Scalar(matter, BodyAbsentKey) == "true" ? null : body
                : ColumnValue(column, matter, column.Name == titleColumn ? TitleKey : column.Name, path);
        }
        return row;
    }

    /// <summary>Reads one column of a row from a mapping; a key that is absent is null.</summary>
    public static object? ColumnValue(ColumnSchema column, YamlMappingNode matter, string key, string path)
    {
        if (!matter.Children.TryGetValue(new YamlScalarNode(key), out var node) || node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" })
        {
            return null;
        }
        try
        {
            if (column.Type == ColumnType.TextList)
            {
                return node is YamlSequenceNode sequence
                    ? sequence.Children.Select(item => ((YamlScalarNode)item).Value ?? "").ToArray()
                    : throw new FormatException("a list was expected");
            }
            var text = (node as YamlScalarNode)?.Value ?? throw new FormatException("a single value was expected");
            return column.Type switch
            {
                ColumnType.Text or ColumnType.Json => text,
                ColumnType.Integer => long.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture),
                ColumnType.Number => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
                ColumnType.Boolean => bool.Parse(text),
                ColumnType.Timestamp => new DateTimeOffset(DateTime.SpecifyKind(
                    DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), DateTimeKind.Utc)),
                _ => throw new FormatException($"column type {column.Type} is unknown"),
            };
        }
        catch (Exception error) when (error is FormatException or OverflowException or InvalidCastException)
        {
            throw ExitKitException.Malformed(path, $"front matter '{key}' cannot be read as {column.Type.ToString().ToLowerInvariant()} ({error.Message}). Fix or delete the file and import again.",
                node.Start.Line, node.Start.Column, error);
        }
    }

    public static string? Scalar(YamlMappingNode matter, string key) =>
        matter.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlScalarNode scalar ? scalar.Value : null;
}
