using System.IO.Compression;
using ExitKit.Connectors;
using ExitKit.Schema;
using static ExitKit.Connectors.AmazonConnect.Tests.Exported;

namespace ExitKit.Connectors.AmazonConnect.Tests;

public sealed class FlowTests
{
    private static readonly TableSchema Flows = NeutralSchema.Flows;
    private static readonly TableSchema Nodes = NeutralSchema.FlowNodes;
    private static readonly TableSchema Edges = NeutralSchema.FlowEdges;

    [Fact]
    public async Task Flow_tables_hold_exactly_the_blocks_and_transitions_counted_in_the_fixture_json()
    {
        var export = await RunAsync(Fixtures);
        AssertCountsMatchVendorJson(export, Fixtures, expectedFlows: 3);
    }

    [Fact]
    public async Task Flow_tables_hold_exactly_the_blocks_and_transitions_of_every_shared_sample_and_no_file_is_silently_dropped()
    {
        var samples = SharedSamples.Find("routing/amazon-connect");
        if (samples is null)
        {
            Assert.Skip("shared/samples/routing/amazon-connect is not on this machine (set EXITKIT_SAMPLES to the samples folder)");
        }
        var export = await RunAsync(samples);
        var files = Directory.EnumerateFiles(samples, "*", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(files);
        var flowFiles = 0;
        foreach (var file in files)
        {
            var relative = Path.GetRelativePath(samples, file).Replace('\\', '/');
            Assert.Equal(await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken), export.Context.Originals[$"amazon-connect/{relative}"]);
            var producedRows = export.Of(Flows).Any(row => Value<string>(Flows, row, "source_id") == relative);
            var unparsed = export.Context.Problems.Where(problem => problem.Kind == ProblemKind.Unparsed && problem.Subject == $"amazon-connect/{relative}").ToList();
            Assert.True(producedRows ^ (unparsed.Count == 1), $"{relative}: produced rows = {producedRows}, reported unparsed {unparsed.Count} times");
            Assert.All(unparsed, problem => Assert.False(string.IsNullOrWhiteSpace(problem.Reason)));
            flowFiles += producedRows ? 1 : 0;
        }
        Assert.True(flowFiles >= 14, $"only {flowFiles} of the {files.Count} Amazon Connect samples became flows");
        // The Service Cloud Voice samples are CloudFormation templates (%%NAME%% placeholders): exported, and flagged.
        Assert.Contains(export.Context.Problems, problem => problem.Kind == ProblemKind.Degraded
            && problem.Subject == "amazon-connect/salesforce-scv/AWS_Sample_SCV_REST_Example.json" && problem.Reason.Contains("%%", StringComparison.Ordinal));
        AssertCountsMatchVendorJson(export, samples, expectedFlows: flowFiles);
    }

    private static void AssertCountsMatchVendorJson(Exported export, string folder, int expectedFlows)
    {
        var counted = 0;
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(folder, file).Replace('\\', '/');
            if (!export.Of(Flows).Any(row => Value<string>(Flows, row, "source_id") == relative))
            {
                continue;
            }
            var expected = VendorCount.Of(File.ReadAllBytes(file));
            Assert.NotNull(expected);
            var nodes = export.Of(Nodes).Count(row => Value<string>(Nodes, row, "flow_id") == relative);
            var transitions = export.Of(Edges).Count(row => Value<string>(Edges, row, "flow_id") == relative && Value<string>(Edges, row, "target_kind") == "node");
            Assert.True(expected.Value.Blocks == nodes, $"{relative}: {expected.Value.Blocks} blocks in the JSON, {nodes} flow_nodes");
            Assert.True(expected.Value.Transitions == transitions, $"{relative}: {expected.Value.Transitions} transitions in the JSON, {transitions} node edges");
            // Every transition's ends are nodes of the same flow.
            var nodeIds = export.Of(Nodes).Select(row => Value<string>(Nodes, row, "source_id")).ToHashSet(StringComparer.Ordinal);
            Assert.All(export.Of(Edges).Where(row => Value<string>(Edges, row, "flow_id") == relative),
                row => Assert.Contains(Value<string>(Edges, row, "from_node_id"), nodeIds));
            Assert.Equal($"data/originals/amazon-connect/{relative}", export.Get<string>(Flows, relative, "original_path"));
            counted++;
        }
        Assert.Equal(expectedFlows, counted);
        Assert.Equal(expectedFlows, export.Of(Flows).Count());
        Assert.Equal(expectedFlows, export.Description.Tables.Single(table => table.TableName == "flows").ControlTotal);
    }

    [Fact]
    public async Task The_same_flow_as_flow_language_and_as_a_DescribeContactFlow_response_yields_the_same_graph()
    {
        var export = await RunAsync(Fixtures);
        const string plain = "flows/main-ivr.json", described = "flows/main-ivr.describe.json";

        Assert.Equal(export.NodesOf(plain), export.NodesOf(described));
        Assert.Equal(export.EdgesOf(plain), export.EdgesOf(described));
        Assert.Equal(10, export.NodesOf(plain).Count);
        Assert.Equal("amazon-connect-flow-language", export.Get<string>(Flows, plain, "definition_format"));
        Assert.Equal("amazon-connect-describe-contact-flow", export.Get<string>(Flows, described, "definition_format"));
        Assert.Equal("Main IVR", export.Get<string>(Flows, described, "name"));
        Assert.Equal("CONTACT_FLOW", export.Get<string>(Flows, described, "flow_type"));
        Assert.Equal("flows/main-ivr.describe.json/a-logging", export.Get<string>(Flows, described, "start_node_id"));
        Assert.Contains("flow-main", export.Get<string>(Flows, described, "source_extra"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transitions_keep_next_default_conditions_and_errors_and_references_point_at_named_resources()
    {
        var edges = (await RunAsync(Fixtures)).EdgesOf("flows/main-ivr.json");

        Assert.Contains("a-logging -[next]-> node:a-greeting", edges);
        Assert.Contains("a-menu -[default]-> node:a-sorry", edges);
        Assert.Contains("a-menu -[Equals(1)]-> node:a-lookup", edges);
        Assert.Contains("a-menu -[Equals(2)]-> node:a-bot", edges);
        Assert.Contains("a-menu -[error:InputTimeLimitExceeded]-> node:a-sorry", edges);
        Assert.Contains("a-transfer -[error:QueueAtCapacity]-> node:a-sorry", edges);
        Assert.Contains("a-greeting -[next]-> prompt:arn:aws:connect:eu-west-1:111122223333:instance/inst-1/prompt/prompt-welcome", edges);
        Assert.Contains("a-lookup -[next]-> lambda:arn:aws:lambda:eu-west-1:111122223333:function:customer-lookup", edges);
        Assert.Contains("a-hooks -[next]-> flow:arn:aws:connect:eu-west-1:111122223333:instance/inst-1/contact-flow/flow-hold", edges);
        Assert.Contains("a-queue -[next]-> queue:arn:aws:connect:eu-west-1:111122223333:instance/inst-1/queue/queue-billing", edges);
        Assert.Contains("a-bot -[next]-> bot:arn:aws:lex:eu-west-1:111122223333:bot-alias/BOT1/ALIAS1", edges);
        Assert.DoesNotContain(edges, edge => edge.StartsWith("a-end ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Console_export_branches_map_to_transitions_and_dynamic_references_are_not_edges()
    {
        var export = await RunAsync(Fixtures);
        var edges = export.EdgesOf("flows/legacy-queue-flow");

        Assert.Equal("amazon-connect-console-export", export.Get<string>(Flows, "flows/legacy-queue-flow", "definition_format"));
        Assert.Equal("VIP routing", export.Get<string>(Flows, "flows/legacy-queue-flow", "name"));
        Assert.Contains("m-start -[next]-> node:m-check", edges);
        Assert.Contains("m-start -[error:Error]-> node:m-bye", edges);
        Assert.Contains("m-check -[Equals(1)]-> node:m-queue", edges);
        Assert.Contains("m-check -[default]-> node:m-bye", edges);
        Assert.Contains("m-transfer -[error:QueueAtCapacity]-> node:m-bye", edges);
        Assert.Contains("m-queue -[next]-> queue:VIP", edges);
        Assert.DoesNotContain(edges, edge => edge.Contains("next_flow", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unparsable_files_are_kept_byte_exact_and_reported_with_their_reason()
    {
        var export = await RunAsync(Fixtures);
        string Reason(string file) => Assert.Single(export.Context.Problems, problem => problem.Subject == $"amazon-connect/broken/{file}").Reason;

        Assert.Contains("not valid JSON", Reason("truncated-flow.json"), StringComparison.Ordinal);
        Assert.Contains("${queue_arn}", Reason("terraform-flow.json"), StringComparison.Ordinal);
        Assert.Contains("binary", Reason("recording.bin"), StringComparison.Ordinal);
        Assert.Contains("Twilio Studio", Reason("studio-flow.json"), StringComparison.Ordinal);
        Assert.All(export.Context.Problems.Where(problem => problem.Subject.Contains("/broken/", StringComparison.Ordinal)),
            problem => Assert.Equal(ProblemKind.Unparsed, problem.Kind));
        foreach (var file in Directory.EnumerateFiles(Fixtures, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Fixtures, file).Replace('\\', '/');
            Assert.Equal(await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken), export.Context.Originals[$"amazon-connect/{relative}"]);
        }
    }

    [Fact]
    public async Task A_zip_of_the_export_yields_the_same_rows_as_the_folder()
    {
        var zip = Path.Combine(Path.GetTempPath(), $"exitkit-connect-{Guid.NewGuid():N}.zip");
        ZipFile.CreateFromDirectory(Fixtures, zip);
        try
        {
            var fromFolder = await RunAsync(Fixtures);
            var fromZip = await RunAsync(zip);
            foreach (var (table, rows) in fromFolder.Rows)
            {
                Assert.Equal(
                    rows.Select(row => System.Text.Json.JsonSerializer.Serialize(row)),
                    fromZip.Rows[table].Select(row => System.Text.Json.JsonSerializer.Serialize(row)));
            }
            Assert.Equal(fromFolder.Context.Originals.Keys.Order(), fromZip.Context.Originals.Keys.Order());
        }
        finally
        {
            File.Delete(zip);
        }
    }

    [Fact]
    public async Task A_zip_inside_an_export_folder_is_kept_and_reported_not_opened()
    {
        var folder = Directory.CreateTempSubdirectory("exitkit-connect-nested-").FullName;
        try
        {
            File.Copy(Path.Combine(Fixtures, "flows", "main-ivr.json"), Path.Combine(folder, "main-ivr.json"));
            ZipFile.CreateFromDirectory(Path.Combine(Fixtures, "config"), Path.Combine(folder, "config.zip"));
            var export = await RunAsync(folder);

            Assert.Single(export.Of(Flows));
            Assert.Empty(export.Of(NeutralSchema.Queues));
            var problem = Assert.Single(export.Context.Problems);
            Assert.Equal(("amazon-connect/config.zip", ProblemKind.Unparsed), (problem.Subject, problem.Kind));
            Assert.Contains(".zip inside the export", problem.Reason, StringComparison.Ordinal);
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(folder, "config.zip"), TestContext.Current.CancellationToken), export.Context.Originals["amazon-connect/config.zip"]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Reading_resumes_after_a_saved_cursor_without_duplicates()
    {
        await using var source = new AmazonConnectPlugin().CreateSource(Config(Fixtures));
        var context = new ExitKit.Testing.RecordingExportContext();
        var all = new List<SourceRow>();
        await foreach (var row in source.ReadTableAsync(Nodes, ExportRequest.Everything, null, context, TestContext.Current.CancellationToken))
        {
            all.Add(row);
        }
        var resumed = new List<SourceRow>();
        await foreach (var row in source.ReadTableAsync(Nodes, ExportRequest.Everything, all[4].ResumeCursor, context, TestContext.Current.CancellationToken))
        {
            resumed.Add(row);
        }
        Assert.Equal(all.Skip(5).Select(row => row.Values[1]), resumed.Select(row => row.Values[1]));
    }

    [Fact]
    public void A_missing_export_folder_is_refused_with_a_message_naming_it()
    {
        var error = Assert.Throws<ExitKitException>(() => new AmazonConnectPlugin().CreateSource(Config("/no/such/export")));
        Assert.Contains("/no/such/export", error.Message, StringComparison.Ordinal);
    }
}
