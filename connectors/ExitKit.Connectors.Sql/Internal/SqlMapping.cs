using System.Text.RegularExpressions;
using ExitKit.Schema;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ExitKit.Connectors.Sql.Internal;

/// <summary>A value of the mapping file and where it was written, so errors can name the line.</summary>
internal sealed record Located(string Text, long Line, long Column);

/// <summary>How one neutral table is read: from a vendor table or a SELECT, keyed and windowed by vendor columns.</summary>
internal sealed record TableMapping(
    TableSchema Table,
    Located Name,
    Located? From,
    Located? Query,
    Located Key,
    Located? Time,
    IReadOnlyList<(ColumnSchema Column, Located Expression)> Columns,
    Located? Content = null,
    Located? Original = null,
    Located? OriginalName = null)
{
    /// <summary>The neutral columns the connector fills from <see cref="Content"/>: the artefact's size, hash and path.</summary>
    public static readonly string[] ArtefactColumns = ["size_bytes", "sha256", "artefact_path"];

    /// <summary>The FROM item: the vendor table as written, or the query as a derived table.</summary>
    public string SourceSql => From is not null ? From.Text : $"({Query!.Text.Trim().TrimEnd(';').TrimEnd()})";

    /// <summary>What the source is, for people: the table name or "its query".</summary>
    public string SourceLabel => From is not null ? $"vendor table '{From.Text}'" : "its query";
}

/// <summary>A mapping file: which vendor tables, columns or SELECTs give each neutral table.</summary>
internal sealed partial class SqlMapping
{
    private SqlMapping(string path, byte[] content, string? vendor, IReadOnlyList<TableMapping> tables)
    {
        Path = path;
        Content = content;
        Vendor = vendor;
        Tables = tables;
    }

    /// <summary>The file, as errors name it.</summary>
    public string Path { get; }

    /// <summary>The file's bytes, kept as an original.</summary>
    public byte[] Content { get; }

    /// <summary>The vendor product the mapping is for, for people.</summary>
    public string? Vendor { get; }

    public IReadOnlyList<TableMapping> Tables { get; }

    public TableMapping? Find(string tableName) => Tables.FirstOrDefault(table => table.Table.Name == tableName);

    /// <summary>Reads a mapping file.</summary>
    /// <exception cref="ExitKitException">The file is missing, not YAML, or maps something that does not exist; the message names the line.</exception>
    public static SqlMapping Load(string path)
    {
        if (!File.Exists(path))
        {
            throw ExitKitException.FileNotFound(path, "Mapping file");
        }
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses mapping text; <paramref name="path"/> names it in errors.</summary>
    public static SqlMapping Parse(byte[] content, string path)
    {
        var text = new StreamReader(new MemoryStream(content)).ReadToEnd();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException error)
        {
            throw ExitKitException.Malformed(path, $"not valid YAML: {error.InnerException?.Message ?? error.Message}", error.Start.Line, error.Start.Column, error);
        }
        catch (InvalidOperationException error)
        {
            // YamlDotNet throws this, without a position, when the file ends inside an unclosed [ or {.
            var lines = text.Split('\n').Length;
            throw ExitKitException.Malformed(path, "not valid YAML: the file ends before a '[' or '{' is closed", lines, 1, error);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw ExitKitException.Malformed(path, "a mapping file is a YAML mapping with `tables:` (see mappings/generic-contact-centre.yaml)", 1, 1);
        }
        string? vendor = null;
        YamlMappingNode? tablesNode = null;
        foreach (var (keyNode, valueNode) in root.Children)
        {
            var key = Scalar(path, keyNode, "a setting name");
            switch (key.Text)
            {
                case "vendor":
                    vendor = Scalar(path, valueNode, "the vendor product's name").Text;
                    break;
                case "tables":
                    tablesNode = valueNode as YamlMappingNode
                        ?? throw Error(path, valueNode, "`tables:` must map neutral table names to how they are read");
                    break;
                default:
                    throw Error(path, keyNode, $"unknown setting '{key.Text}'; a mapping file has `vendor:` and `tables:`");
            }
        }
        if (tablesNode is null || tablesNode.Children.Count == 0)
        {
            throw Error(path, root, "the mapping has no `tables:`; map at least one neutral table");
        }
        var tables = tablesNode.Children.Select(pair => ParseTable(path, pair.Key, pair.Value)).ToList();
        return new SqlMapping(path, content, vendor, tables);
    }

    private static TableMapping ParseTable(string path, YamlNode nameNode, YamlNode bodyNode)
    {
        var name = Scalar(path, nameNode, "a neutral table name");
        var table = NeutralSchema.Find(name.Text)
            ?? throw At(path, name, $"there is no neutral table named '{name.Text}'; the tables are: {string.Join(", ", NeutralSchema.Tables.Select(t => t.Name))}");
        if (bodyNode is not YamlMappingNode body)
        {
            throw Error(path, bodyNode, $"table {table.Name}: give `from:` or `query:`, `key:`, `time:` and `columns:`");
        }
        Located? from = null, query = null, key = null, time = null, content = null, original = null, originalName = null;
        YamlMappingNode? columnsNode = null;
        foreach (var (settingNode, valueNode) in body.Children)
        {
            var setting = Scalar(path, settingNode, "a setting name");
            switch (setting.Text)
            {
                case "from": from = Scalar(path, valueNode, "the vendor table's name"); break;
                case "query": query = Scalar(path, valueNode, "a SELECT statement"); break;
                case "key": key = Scalar(path, valueNode, "the vendor column that orders and resumes the read"); break;
                case "time": time = Scalar(path, valueNode, "the vendor column the export window applies to"); break;
                case "content": content = Scalar(path, valueNode, "the vendor column holding the file's bytes"); break;
                case "original": original = Scalar(path, valueNode, "the vendor column holding the vendor's own definition document"); break;
                case "original_name": originalName = Scalar(path, valueNode, "the vendor column or expression giving the original's file name"); break;
                case "columns":
                    columnsNode = valueNode as YamlMappingNode
                        ?? throw Error(path, valueNode, $"table {table.Name}: `columns:` must map neutral column names to vendor columns or SQL expressions");
                    break;
                default:
                    throw At(path, setting, $"table {table.Name}: unknown setting '{setting.Text}'; use from, query, key, time, columns, content, original and original_name");
            }
        }
        if ((from is null) == (query is null))
        {
            throw At(path, name, $"table {table.Name}: give either `from:` (a vendor table) or `query:` (a SELECT), not {(from is null ? "neither" : "both")}");
        }
        if (from is not null && !TableName().IsMatch(from.Text))
        {
            throw At(path, from, $"table {table.Name}: `from: {from.Text}` is not a table name; write a SELECT under `query:` instead");
        }
        if (query is not null && ReadOnlyStatement.WhyRefused(query.Text) is { } refusal)
        {
            throw At(path, query, $"table {table.Name}: the query is refused: {refusal}. The sql connector only reads");
        }
        if (key is null)
        {
            throw At(path, name, $"table {table.Name}: `key:` is missing; name a unique vendor column (the primary key) to page and resume on");
        }
        CheckExpression(path, table, "key", key);
        if (columnsNode is null)
        {
            throw At(path, name, $"table {table.Name}: `columns:` is missing; map at least source_id");
        }
        var columns = new List<(ColumnSchema, Located)>();
        foreach (var (columnNode, expressionNode) in columnsNode.Children)
        {
            var columnName = Scalar(path, columnNode, "a neutral column name");
            if (columnName.Text == "source_system")
            {
                throw At(path, columnName, $"table {table.Name}: source_system comes from the `sourceSystem` setting of the config, not from the mapping");
            }
            if (!table.HasColumn(columnName.Text))
            {
                throw At(path, columnName, $"table {table.Name} has no column '{columnName.Text}'; its columns are: {string.Join(", ", table.Columns.Skip(1).Select(c => c.Name))}");
            }
            if (columns.Exists(pair => pair.Item1.Name == columnName.Text))
            {
                throw At(path, columnName, $"table {table.Name}: column {columnName.Text} is mapped twice");
            }
            var expression = Scalar(path, expressionNode, "a vendor column or SQL expression");
            CheckExpression(path, table, columnName.Text, expression);
            columns.Add((table.Column(columnName.Text), expression));
        }
        if (content is not null)
        {
            if (!TableMapping.ArtefactColumns.All(table.HasColumn))
            {
                throw At(path, content, $"table {table.Name}: `content:` is for tables whose rows point at a file (attachments, kb_attachments, model_files); {table.Name} has no sha256 and artefact_path");
            }
            CheckExpression(path, table, "content", content);
            if (columns.FirstOrDefault(pair => TableMapping.ArtefactColumns.Contains(pair.Item1.Name)) is { Item2: not null } filled)
            {
                throw At(path, filled.Item2, $"table {table.Name}: column {filled.Item1.Name} comes from the file in `content:`; do not map it as well");
            }
        }
        if ((original is null) != (originalName is null))
        {
            throw At(path, original ?? originalName!, $"table {table.Name}: give `original:` (the column holding the vendor's definition) and `original_name:` (its file name) together");
        }
        if (original is not null)
        {
            CheckExpression(path, table, "original", original);
            CheckExpression(path, table, "original_name", originalName!);
            if (columns.FirstOrDefault(pair => pair.Item1.Name == "original_path") is { Item2: not null } filled)
            {
                throw At(path, filled.Item2, $"table {table.Name}: original_path is where the connector keeps the original in `original:`; do not map it as well");
            }
        }
        foreach (var required in table.Columns.Where(c => c.Required && c.Name != "source_system"
            && !(content is not null && TableMapping.ArtefactColumns.Contains(c.Name))))
        {
            if (!columns.Exists(pair => pair.Item1.Name == required.Name))
            {
                throw At(path, name, $"table {table.Name}: required column {required.Name} is not mapped; map it to a vendor column or a constant such as \"'value'\"");
            }
        }
        if (time is null && table.TimeColumn is not null)
        {
            // The neutral time column's own expression is the natural window.
            time = columns.FirstOrDefault(pair => pair.Item1.Name == table.TimeColumn).Item2;
        }
        if (time is not null)
        {
            CheckExpression(path, table, "time", time);
        }
        return new TableMapping(table, name, from, query, key, time, columns, content, original, originalName);
    }

    private static void CheckExpression(string path, TableSchema table, string what, Located expression)
    {
        if (ReadOnlyStatement.WhyRefused($"SELECT {expression.Text}") is { } refusal)
        {
            throw At(path, expression, $"table {table.Name}, {what}: the expression '{expression.Text}' is refused: {refusal}");
        }
    }

    private static Located Scalar(string path, YamlNode node, string what)
    {
        if (node is YamlScalarNode { Value: { Length: > 0 } value } scalar)
        {
            return new Located(value, scalar.Start.Line, scalar.Start.Column);
        }
        throw Error(path, node, $"expected {what} here");
    }

    private static ExitKitException Error(string path, YamlNode node, string reason) =>
        ExitKitException.Malformed(path, reason, node.Start.Line, node.Start.Column);

    /// <summary>An error at a mapping value.</summary>
    public static ExitKitException At(string path, Located where, string reason, Exception? inner = null) =>
        ExitKitException.Malformed(path, reason, where.Line, where.Column, inner);

    [GeneratedRegex("""^("[^"]+"|\[[^\]]+\]|`[^`]+`|[A-Za-z_][A-Za-z0-9_$]*)(\.("[^"]+"|\[[^\]]+\]|`[^`]+`|[A-Za-z_][A-Za-z0-9_$]*)){0,2}$""")]
    private static partial Regex TableName();
}
