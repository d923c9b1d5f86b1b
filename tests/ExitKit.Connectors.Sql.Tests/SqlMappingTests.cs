using ExitKit.Connectors.Sql.Internal;
using ExitKit.Schema;

namespace ExitKit.Connectors.Sql.Tests;

public sealed class SqlMappingTests
{
    private static ExitKitException Refused(string yaml)
    {
        var folder = Some.Folder();
        var path = Some.Mapping(folder, yaml);
        return Assert.Throws<ExitKitException>(() => SqlMapping.Load(path));
    }

    [Fact]
    public void The_built_in_mapping_maps_the_generic_schema_to_every_neutral_table()
    {
        var mapping = GenericContactCentre.LoadMapping();
        Assert.Equal(NeutralSchema.Tables.Select(t => t.Name).Order(), mapping.Tables.Select(t => t.Table.Name).Order());
        Assert.Equal("content", mapping.Find("attachments")!.Content!.Text);
        Assert.Equal("definition", mapping.Find("flows")!.Original!.Text);
        Assert.All(mapping.Tables, table => Assert.Contains(table.Columns, pair => pair.Column.Name == "source_id"));
        Assert.Equal("started_at", mapping.Find("interactions")!.Time!.Text);
    }

    [Fact]
    public void An_unknown_neutral_table_is_refused_naming_its_line()
    {
        var error = Refused("""
            tables:
              interactions:
                from: contacts
                key: contact_id
                columns: { source_id: contact_id, channel: channel, started_at: started_at }
              tickets:
                from: tickets
            """);
        Assert.Contains("mapping.yaml:6:3", error.Message, StringComparison.Ordinal);
        Assert.Contains("no neutral table named 'tickets'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_neutral_column_is_refused_naming_its_line()
    {
        var error = Refused("""
            tables:
              interactions:
                from: contacts
                key: contact_id
                columns:
                  source_id: contact_id
                  channel: channel
                  started_at: started_at
                  mood: sentiment
            """);
        Assert.Contains("mapping.yaml:9:7", error.Message, StringComparison.Ordinal);
        Assert.Contains("has no column 'mood'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DELETE FROM contacts", "starts with 'DELETE'")]
    [InlineData("SELECT * FROM contacts; DROP TABLE contacts", "more than one statement")]
    [InlineData("WITH x AS (UPDATE contacts SET status = 'x' RETURNING *) SELECT * FROM x", "contains 'UPDATE'")]
    public void A_query_that_is_not_a_single_select_is_refused_naming_its_line(string query, string reason)
    {
        var error = Refused($"""
            tables:
              interactions:
                query: "{query}"
                key: contact_id
                columns: {"{"} source_id: contact_id, channel: channel, started_at: started_at {"}"}
            """);
        Assert.Contains("mapping.yaml:3:12", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_column_expression_that_smuggles_a_statement_is_refused()
    {
        var error = Refused("""
            tables:
              interactions:
                from: contacts
                key: contact_id
                columns:
                  source_id: contact_id
                  channel: "channel FROM contacts; DELETE FROM contacts; --"
                  started_at: started_at
            """);
        Assert.Contains("mapping.yaml:7:16", error.Message, StringComparison.Ordinal);
        Assert.Contains("refused", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_table_without_its_required_columns_is_refused()
    {
        var error = Refused("""
            tables:
              messages:
                from: contact_turns
                key: turn_id
                columns: { source_id: turn_id, interaction_id: contact_id }
            """);
        Assert.Contains("mapping.yaml:2:3", error.Message, StringComparison.Ordinal);
        Assert.Contains("required column sequence is not mapped", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_table_name_that_is_not_a_name_is_sent_to_query()
    {
        var error = Refused("""
            tables:
              queues:
                from: queues WHERE 1 = 1
                key: queue_id
                columns: { source_id: queue_id, name: name }
            """);
        Assert.Contains("mapping.yaml:3:11", error.Message, StringComparison.Ordinal);
        Assert.Contains("query:", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tables:\n  queues:\n    from: \"unclosed\n    key: queue_id\n", "mapping.yaml:3:")]
    [InlineData("tables:\n  queues:\n    from: queues\n   key: queue_id\n", "mapping.yaml:4:")]
    [InlineData("tables:\n  queues:\n    from: [unclosed\n    key: queue_id\n", "mapping.yaml:5:")]
    public void Invalid_yaml_is_refused_naming_its_line(string yaml, string where)
    {
        var error = Refused(yaml);
        Assert.StartsWith(where, Path.GetFileName(error.Message), StringComparison.Ordinal);
        Assert.Contains("not valid YAML", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_time_window_defaults_to_the_neutral_time_column_mapping()
    {
        var path = Some.Mapping(Some.Folder(), """
            tables:
              surveys:
                from: csat_responses
                key: response_id
                columns: { source_id: response_id, survey_type: survey_type, answered_at: answered_at }
            """);
        var mapping = SqlMapping.Load(path);
        Assert.Equal("answered_at", mapping.Find(NeutralSchema.Surveys.Name)!.Time!.Text);
    }

    [Fact]
    public void A_query_with_a_common_table_expression_is_refused_for_sql_server()
    {
        var folder = Some.Folder();
        Some.Mapping(folder, """
            tables:
              queues:
                query: WITH q AS (SELECT * FROM queues) SELECT * FROM q
                key: queue_id
                columns: { source_id: queue_id, name: name }
            """);
        var error = Assert.Throws<ExitKitException>(() => Some.Source(folder,
            new { provider = "sqlserver", connectionString = "env:DB", mapping = "mapping.yaml" },
            new Dictionary<string, string> { ["DB"] = "Server=127.0.0.1;Database=cc;User ID=u;Password=p" }));
        Assert.Contains("mapping.yaml:3:12", error.Message, StringComparison.Ordinal);
        Assert.Contains("SQL Server does not allow WITH", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("queues", "from: queues\n    key: queue_id\n    content: blob\n    columns: { source_id: queue_id, name: name }", "mapping.yaml:5:14", "`content:` is for tables whose rows point at a file")]
    [InlineData("attachments", "from: files\n    key: id\n    content: blob\n    columns: { source_id: id, interaction_id: c, kind: k, file_name: f, created_at: t, sha256: hash }", "mapping.yaml:6:", "sha256 comes from the file in `content:`")]
    [InlineData("flows", "from: flows\n    key: id\n    original: doc\n    columns: { source_id: id, name: n, definition_format: f }", "mapping.yaml:5:15", "give `original:`")]
    public void File_settings_that_cannot_work_are_refused_naming_their_line(string table, string body, string where, string message)
    {
        var error = Refused($"tables:\n  {table}:\n    {body}\n".Replace("\n    from", "\n    from", StringComparison.Ordinal));
        Assert.Contains(where, error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
