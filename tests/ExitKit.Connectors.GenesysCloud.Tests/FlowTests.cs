using System.IO.Compression;
using ExitKit.Connectors;
using ExitKit.Schema;
using static ExitKit.Connectors.GenesysCloud.Tests.Exported;

namespace ExitKit.Connectors.GenesysCloud.Tests;

public sealed class FlowTests
{
    private static readonly TableSchema Flows = NeutralSchema.Flows;
    private static readonly TableSchema Nodes = NeutralSchema.FlowNodes;
    private static readonly TableSchema Edges = NeutralSchema.FlowEdges;

    [Fact]
    public async Task Flow_tables_hold_exactly_the_blocks_and_transitions_counted_in_the_fixture_yaml()
    {
        var export = await RunAsync(Fixtures);
        Assert.Equal(4, AssertCountsMatchVendorYaml(export, Fixtures));
    }

    [Fact]
    public async Task Flow_tables_hold_exactly_the_blocks_and_transitions_of_every_shared_sample_and_no_file_is_silently_dropped()
    {
        var samples = SharedSamples.Find("routing/genesys-architect");
        if (samples is null)
        {
            Assert.Skip("shared/samples/routing/genesys-architect is not on this machine (set EXITKIT_SAMPLES to the samples folder)");
        }
        var export = await RunAsync(samples);
        var files = Directory.EnumerateFiles(samples, "*", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var relative = Path.GetRelativePath(samples, file).Replace('\\', '/');
            Assert.Equal(await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken), export.Context.Originals[$"genesys-cloud/{relative}"]);
            var producedRows = export.Of(Flows).Any(row => Value<string>(Flows, row, "source_id") == relative);
            var unparsed = export.Context.Problems.Where(problem => problem.Kind == ProblemKind.Unparsed && problem.Subject == $"genesys-cloud/{relative}").ToList();
            Assert.True(producedRows ^ (unparsed.Count == 1), $"{relative}: produced rows = {producedRows}, reported unparsed {unparsed.Count} times");
            Assert.All(unparsed, problem => Assert.Contains("placeholder", problem.Reason, StringComparison.Ordinal));
        }
        var flows = AssertCountsMatchVendorYaml(export, samples);
        // Only the Terraform templates (unrendered {{placeholders}}) are refused; every other sample is a flow.
        var templates = files.Count(file => File.ReadAllText(file).Contains("{{", StringComparison.Ordinal));
        Assert.True(files.Count - templates == flows, $"{flows} of the {files.Count} Archy samples became flows; unparsed: "
            + string.Join("; ", export.Context.Problems.Select(problem => $"{problem.Subject}: {problem.Reason}")));
        Assert.Equal(files.Count, flows + export.Context.Problems.Count(problem => problem.Kind == ProblemKind.Unparsed));
    }

    private static int AssertCountsMatchVendorYaml(Exported export, string folder)
    {
        var counted = 0;
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(folder, file).Replace('\\', '/');
            if (!export.Of(Flows).Any(row => Value<string>(Flows, row, "source_id") == relative))
            {
                continue;
            }
            var expected = ArchyCount.Of(File.ReadAllText(file));
            var nodes = export.Of(Nodes).Count(row => Value<string>(Nodes, row, "flow_id") == relative);
            var transitions = export.Of(Edges).Count(row => Value<string>(Edges, row, "flow_id") == relative && Value<string>(Edges, row, "target_kind") == "node");
            Assert.True(expected.Blocks == nodes, $"{relative}: {expected.Blocks} blocks in the YAML, {nodes} flow_nodes");
            Assert.True(expected.Transitions == transitions, $"{relative}: {expected.Transitions} transitions in the YAML, {transitions} node edges");
            var nodeIds = export.Of(Nodes).Select(row => Value<string>(Nodes, row, "source_id")).ToHashSet(StringComparer.Ordinal);
            Assert.All(export.Of(Edges).Where(row => Value<string>(Edges, row, "flow_id") == relative), row =>
            {
                Assert.Contains(Value<string>(Edges, row, "from_node_id"), nodeIds);
                if (Value<string>(Edges, row, "to_node_id") is { } to)
                {
                    Assert.Contains(to, nodeIds);
                }
            });
            Assert.Contains(export.Get<string>(Flows, relative, "start_node_id"), nodeIds);
            Assert.Equal("genesys-archy-yaml", export.Get<string>(Flows, relative, "definition_format"));
            Assert.Equal($"data/originals/genesys-cloud/{relative}", export.Get<string>(Flows, relative, "original_path"));
            counted++;
        }
        Assert.Equal(counted, export.Of(Flows).Count());
        Assert.Equal(counted, export.Description.Tables.Single(table => table.TableName == "flows").ControlTotal);
        return counted;
    }

    [Fact]
    public async Task Menus_branches_cases_and_jumps_become_transitions_with_their_conditions()
    {
        var export = await RunAsync(Fixtures);
        var edges = export.EdgesOf("flows/support-inbound.yaml");

        Assert.Equal("flows/support-inbound.yaml/Main Menu_10", export.Get<string>(Flows, "flows/support-inbound.yaml", "start_node_id"));
        Assert.Equal("inboundCall", export.Get<string>(Flows, "flows/support-inbound.yaml", "flow_type"));
        Assert.Contains("Main Menu_10 -[digit_1]-> node:Main Menu_10/choice/0", edges);
        Assert.Contains("Main Menu_10/choice/0 -[next]-> node:Billing_20", edges);
        Assert.Contains("Main Menu_10/choice/2 -[next]-> node:Main Menu_10/choice/2/task/0", edges);
        Assert.Contains("Main Menu_10/choice/2/task/0 -[next]-> node:Main Menu_10/choice/2/task/1", edges);
        Assert.Contains("Billing_20 -[next]-> node:Billing_20/0", edges);
        Assert.Contains("Billing_20/0 -[next]-> node:Billing_20/1", edges);
        Assert.Contains("Billing_20/0 -[success]-> node:Billing_20/0/success/0", edges);
        Assert.Contains("Billing_20/0 -[error:failure]-> node:Billing_20/0/failure/0", edges);
        Assert.Contains("Billing_20/0 -[error:timeout]-> node:Billing_20/0/timeout/0", edges);
        Assert.Contains("Billing_20/0/success/0 -[yes]-> node:Billing_20/0/success/0/yes/0", edges);
        Assert.Contains("Billing_20/0/timeout/0 -[next]-> node:Main Menu_10", edges);
        Assert.Contains("Billing_20/1 -[error:failure]-> node:Billing_20/1/failure/0", edges);
        Assert.Contains("Hours_30/2 -[case:Call.Language == \"fr-fr\"]-> node:Hours_30/2/evaluate/firstTrue/cases[0]/case/0", edges);
        Assert.Contains("Hours_30/2 -[default]-> node:Hours_30/2/evaluate/firstTrue/default/0", edges);
        Assert.Contains("Hours_30/2/evaluate/firstTrue/default/0 -[next]-> node:Billing_20", edges);
        Assert.Contains("Hours_30/1 -[open]-> node:Hours_30/1/open/0", edges);
    }

    [Fact]
    public async Task Literal_references_point_at_queues_flows_prompts_bots_tables_schedules_and_data_actions_and_expressions_do_not()
    {
        var edges = (await RunAsync(Fixtures)).EdgesOf("flows/support-inbound.yaml").Where(edge => !edge.Contains("-> node:", StringComparison.Ordinal)).ToList();

        Assert.Equal(
        [
            "Billing_20/0 -[next]-> external:Acme CRM/Get account by phone",
            "Billing_20/0/success/0/yes/0 -[next]-> queue:VIP Billing",
            "Billing_20/1 -[next]-> queue:Billing",
            "Billing_20/1/failure/0 -[next]-> flow:Billing Overflow",
            "Hours_30/0 -[next]-> data_table:Holidays",
            "Hours_30/1 -[next]-> schedule:Support Hours",
            "Hours_30/1/open/0 -[next]-> prompt:PromptUser.WeAreOpen",
            "Hours_30/2/evaluate/firstTrue/cases[1]/case/0 -[next]-> bot:German Assistant",
            "Main Menu_10/choice/2/task/1 -[next]-> queue:Voicemail Queue",
        ], edges);
    }

    [Fact]
    public async Task Workflow_states_and_in_queue_start_up_actions_are_graphs_too()
    {
        var export = await RunAsync(Fixtures);

        var workflow = export.EdgesOf("flows/callback-workflow.yaml");
        Assert.Contains("Start_10/0 -[yes]-> node:Start_10/0/yes/0", workflow);
        Assert.Contains("Start_10/0/yes/0 -[next]-> node:Waiting_11", workflow);
        Assert.Equal("workflow", export.Get<string>(Flows, "flows/callback-workflow.yaml", "flow_type"));

        var inQueue = export.EdgesOf("flows/hold-music.yaml");
        Assert.Equal("flows/hold-music.yaml/startUpTask", export.Get<string>(Flows, "flows/hold-music.yaml", "start_node_id"));
        Assert.Contains("startUpTask -[next]-> node:startUpTask/0", inQueue);
        Assert.Contains("startUpTask/2 -[loop]-> node:startUpTask/2/loop/0", inQueue);
        Assert.Contains("startUpTask/1 -[next]-> prompt:PromptSystem.on_hold_music", inQueue);
        Assert.DoesNotContain(inQueue, edge => edge.Contains("Flow.HoldPrompt", StringComparison.Ordinal));
        Assert.Contains(export.NodesOf("flows/hold-music.yaml"), node => node.StartsWith("startUpTask/1:holdMusic:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unparsable_files_are_kept_byte_exact_and_reported_with_their_reason()
    {
        var export = await RunAsync(Fixtures);
        string Reason(string file) => Assert.Single(export.Context.Problems, problem => problem.Subject == $"genesys-cloud/broken/{file}").Reason;

        Assert.Contains("{{ivr_greeting}} (line 5)", Reason("terraform-ivr.yaml"), StringComparison.Ordinal);
        Assert.Contains("not valid YAML", Reason("bad-indent.yaml"), StringComparison.Ordinal);
        Assert.Contains("not an Archy flow", Reason("deployment.yaml"), StringComparison.Ordinal);
        Assert.Contains("archy export", Reason("Legacy.i3InboundFlow"), StringComparison.Ordinal);
        Assert.Contains("amazon-connect", Reason("connect-flow.json"), StringComparison.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Fixtures, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Fixtures, file).Replace('\\', '/');
            Assert.Equal(await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken), export.Context.Originals[$"genesys-cloud/{relative}"]);
        }
    }

    [Fact]
    public async Task A_zip_of_the_export_yields_the_same_rows_as_the_folder()
    {
        var zip = Path.Combine(Path.GetTempPath(), $"exitkit-genesys-{Guid.NewGuid():N}.zip");
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
        }
        finally
        {
            File.Delete(zip);
        }
    }

    [Fact]
    public async Task Reading_resumes_after_a_saved_cursor_without_duplicates()
    {
        await using var source = new GenesysCloudPlugin().CreateSource(Config(Fixtures));
        var context = new ExitKit.Testing.RecordingExportContext();
        var all = new List<SourceRow>();
        await foreach (var row in source.ReadTableAsync(Edges, ExportRequest.Everything, null, context, TestContext.Current.CancellationToken))
        {
            all.Add(row);
        }
        var resumed = new List<SourceRow>();
        await foreach (var row in source.ReadTableAsync(Edges, ExportRequest.Everything, all[6].ResumeCursor, context, TestContext.Current.CancellationToken))
        {
            resumed.Add(row);
        }
        Assert.Equal(all.Skip(7).Select(row => row.Values[1]), resumed.Select(row => row.Values[1]));
    }

    [Fact]
    public void A_missing_path_setting_is_refused_with_a_message_naming_the_setting()
    {
        var config = new ConnectorConfiguration(System.Text.Json.JsonDocument.Parse("{}").RootElement.Clone(), "genesys.config.json");
        var error = Assert.Throws<ExitKitException>(() => new GenesysCloudPlugin().CreateSource(config));
        Assert.Contains("'path'", error.Message, StringComparison.Ordinal);
    }
}
