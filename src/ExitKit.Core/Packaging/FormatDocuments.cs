using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExitKit.Schema;

namespace ExitKit.Packaging;

/// <summary>Renders the neutral format, defined once in <see cref="NeutralSchema"/>, as JSON Schemas (one per table, describing a row)
/// and as the Markdown tables of docs/format.md. A test keeps the committed files equal to these renderings.</summary>
public static class FormatDocuments
{
    /// <summary>The JSON Schema (draft 2020-12) of one row of a table, as a reader of the Parquet sees it.</summary>
    public static string TableJsonSchema(TableSchema table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var properties = new JsonObject();
        foreach (var column in table.Columns)
        {
            JsonNode type = column.Type switch
            {
                ColumnType.Text => new JsonObject { ["type"] = "string" },
                ColumnType.Json => new JsonObject { ["type"] = "string", ["contentMediaType"] = "application/json" },
                ColumnType.Integer => new JsonObject { ["type"] = "integer" },
                ColumnType.Number => new JsonObject { ["type"] = "number" },
                ColumnType.Boolean => new JsonObject { ["type"] = "boolean" },
                ColumnType.Timestamp => new JsonObject { ["type"] = "string", ["format"] = "date-time" },
                ColumnType.TextList => new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } },
                _ => throw new InvalidOperationException($"unknown type {column.Type}"),
            };
            if (column.AllowedValues is { Count: > 0 } allowed)
            {
                type["enum"] = new JsonArray(allowed.Select(value => (JsonNode?)JsonValue.Create(value)).ToArray());
            }
            if (!column.Required)
            {
                type = new JsonObject { ["anyOf"] = new JsonArray(type, new JsonObject { ["type"] = "null" }) };
            }
            type["description"] = column.Description;
            type["x-exitkit-type"] = ColumnTypeNames.Of(column.Type);
            if (column.PersonalData)
            {
                type["x-exitkit-personal-data"] = true;
            }
            properties[column.Name] = type;
        }
        var schema = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = $"https://exitkit.dev/schemas/v1/tables/{table.Name}.schema.json",
            ["title"] = table.Name,
            ["description"] = table.Description,
            ["x-exitkit-family"] = table.Family.ToString().ToLowerInvariant(),
            ["x-exitkit-key"] = new JsonArray("source_system", "source_id"),
            ["x-exitkit-time-column"] = table.TimeColumn,
            ["x-exitkit-foreign-keys"] = new JsonArray(table.ForeignKeys.Select(key => (JsonNode?)new JsonObject
            {
                ["column"] = key.Column,
                ["references"] = $"{key.ReferencedTable}.{(key.ReferencedTable == "kb_articles" ? "article_id" : "source_id")}",
            }).ToArray()),
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = new JsonArray(table.Columns.Select(column => (JsonNode?)JsonValue.Create(column.Name)).ToArray()),
            ["additionalProperties"] = false,
        };
        return schema.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>The table reference of docs/format.md: one section per family, one table per neutral table.</summary>
    public static string TablesMarkdown()
    {
        var text = new StringBuilder();
        foreach (var family in Enum.GetValues<DataFamily>())
        {
            text.Append("### ").Append(family).Append("\n\n");
            foreach (var table in NeutralSchema.Tables.Where(table => table.Family == family))
            {
                text.Append("#### `").Append(table.Name).Append("`\n\n").Append(table.Description).Append("\n\n");
                text.Append("Time column: ").Append(table.TimeColumn is null ? "none (configuration: exported whole)" : $"`{table.TimeColumn}`").Append(". ");
                text.Append("References: ").Append(table.ForeignKeys.Count == 0 ? "none" : string.Join(", ", table.ForeignKeys.Select(key => $"`{key.Column}` → `{key.ReferencedTable}`"))).Append(".\n\n");
                text.Append("| column | type | required | description |\n|---|---|---|---|\n");
                foreach (var column in table.Columns)
                {
                    var description = column.Description + (column.PersonalData ? " *Personal data.*" : "")
                        + (column.AllowedValues is { Count: > 0 } allowed ? $" One of: {string.Join(", ", allowed.Select(value => $"`{value}`"))}." : "");
                    text.Append("| `").Append(column.Name).Append("` | ").Append(ColumnTypeNames.Of(column.Type)).Append(" | ")
                        .Append(column.Required ? "yes" : "no").Append(" | ").Append(description.Replace("|", "\\|", StringComparison.Ordinal)).Append(" |\n");
                }
                text.Append('\n');
            }
        }
        return text.ToString();
    }
}
