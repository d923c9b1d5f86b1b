using ExitKit.Connectors;
using ExitKit.Schema;
using ExitKit.Validation.Checks;

namespace ExitKit.Validation.Tests;

public sealed class CoverageTests
{
    private const string Obligation = """
          - id: "7.3(a)"
            title: Interaction history without gaps
            tables: [interactions]
            checks:
              - coverage: { from: 2024-03-10, to: 2024-03-16, maxGap: 0 days }
        """;

    private static SourceTable Control(IReadOnlyDictionary<DateOnly, long> daily) => new("interactions", daily.Values.Sum(), daily, "test count");

    private static Dictionary<DateOnly, long> Daily(params (int Day, long Count)[] days) =>
        days.ToDictionary(day => new DateOnly(2024, 3, day.Day), day => day.Count);

    [Fact]
    public async Task Coverage_is_met_when_every_day_the_source_reported_has_rows()
    {
        using var package = new TestPackage();
        package.ReconciledTable(NeutralSchema.Interactions, Some.InteractionsOn(new(2024, 3, 10), new(2024, 3, 16)));

        var check = await Schedules.CheckAsync(package, Obligation);

        Assert.Equal(Outcome.Met, check.Outcome);
        Assert.Equal("interactions cover 10–16 March 2024: rows on every one of the 7 days the source reported interactions for.", check.Summary);
    }

    [Fact]
    public async Task Coverage_names_the_missing_days_and_what_the_source_reported_on_them()
    {
        using var package = new TestPackage();
        package.Table(NeutralSchema.Interactions,
            Some.InteractionsOn(new(2024, 3, 10), new(2024, 3, 16), skip: day => day.Day is >= 12 and <= 14),
            Control(Daily((10, 2), (11, 2), (12, 402), (13, 401), (14, 401), (15, 2), (16, 2))));

        var check = await Schedules.CheckAsync(package, Obligation);

        Assert.Equal(Outcome.NotMet, check.Outcome);
        Assert.Equal("3 days missing, 12–14 March 2024; the source reported 1,204 interactions on those days.", check.Summary);
        Assert.Equal(3, check.Figures["missingDays"]);
        Assert.Equal(1204L, check.Figures["sourceRowsOnMissingDays"]);
    }

    [Fact]
    public async Task A_quiet_day_at_the_source_is_not_a_gap_and_a_tolerated_gap_is_met()
    {
        using var package = new TestPackage();
        package.Table(NeutralSchema.Interactions,
            Some.InteractionsOn(new(2024, 3, 10), new(2024, 3, 16), skip: day => day.Day is 11 or 13),
            Control(Daily((10, 2), (11, 0), (12, 2), (13, 5), (14, 2), (15, 2), (16, 2))));

        var check = await Schedules.CheckAsync(package, Obligation.Replace("maxGap: 0 days", "maxGap: 1 day", StringComparison.Ordinal));

        Assert.Equal(Outcome.Met, check.Outcome);
        Assert.StartsWith("1 day missing, 13 March 2024; none longer than the 1 day tolerated", check.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Coverage_cannot_be_checked_without_the_sources_daily_counts()
    {
        using var package = new TestPackage();
        package.Table(NeutralSchema.Interactions, Some.InteractionsOn(new(2024, 3, 10), new(2024, 3, 16)), new SourceTable("interactions", 14));

        var check = await Schedules.CheckAsync(package, Obligation);

        Assert.Equal(Outcome.NotCheckable, check.Outcome);
        Assert.Contains("the source reported no daily counts of interactions", check.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_table_missing_from_the_package_is_not_met()
    {
        using var package = new TestPackage();
        package.ReconciledTable(NeutralSchema.Queues, [Some.Queue("q-1", "Billing")]);

        var check = await Schedules.CheckAsync(package, Obligation);

        Assert.Equal(Outcome.NotMet, check.Outcome);
        Assert.Equal("the package has no interactions table.", check.Summary);
    }
}

public sealed class ReconciliationTests
{
    private const string Obligation = """
          - id: "7.3(b)"
            title: Every interaction the source holds
            tables: [interactions]
            checks:
              - reconciliation: { tolerance: 0, perDay: true }
        """;

    [Fact]
    public async Task Reconciliation_is_met_when_totals_and_days_agree()
    {
        using var package = new TestPackage();
        package.ReconciledTable(NeutralSchema.Interactions, Some.InteractionsOn(new(2024, 3, 10), new(2024, 3, 12), perDay: 3));

        var check = await Schedules.CheckAsync(package, Obligation);

        Assert.Equal(Outcome.Met, check.Outcome);
        Assert.Equal("9 interactions in the package, as the source reported (9); all 3 days agree.", check.Summary);
    }

    [Fact]
    public async Task Reconciliation_names_the_shortfall_and_the_days_that_differ()
    {
        using var package = new TestPackage();
        var daily = new Dictionary<DateOnly, long> { [new(2024, 3, 10)] = 3, [new(2024, 3, 11)] = 5, [new(2024, 3, 12)] = 3 };
        package.Table(NeutralSchema.Interactions, Some.InteractionsOn(new(2024, 3, 10), new(2024, 3, 12), perDay: 3), new SourceTable("interactions", 11, daily));

        package.Problem(new ExportProblem(ProblemKind.Missing, "interactions", "ticket 4711", "HTTP 404 from /api/v2/tickets/4711.json"));

        var check = await Schedules.CheckAsync(package, Obligation);

        Assert.Equal(Outcome.NotMet, check.Outcome);
        Assert.Equal("2 interactions fewer than the source reported (9 of 11); 1 day differs, e.g. 11 March 2024: 3 of 5.", check.Summary);
        Assert.Equal(
        [
            "11 March 2024: 3 in the package, 5 reported by the source (-2).",
            "Reported by the connector (missing): ticket 4711: HTTP 404 from /api/v2/tickets/4711.json",
        ], check.Details);
    }

    [Fact]
    public async Task A_percentage_tolerance_allows_small_differences()
    {
        using var package = new TestPackage();
        package.Table(NeutralSchema.Interactions, Some.InteractionsOn(new(2024, 3, 10), new(2024, 3, 12), perDay: 3), new SourceTable("interactions", 10));

        var check = await Schedules.CheckAsync(package, Obligation.Replace("tolerance: 0, perDay: true", "tolerance: 10%, perDay: false", StringComparison.Ordinal));

        Assert.Equal(Outcome.Met, check.Outcome);
        Assert.Equal("9 interactions in the package, as the source reported (10) (tolerance 10%).", check.Summary);
    }

    [Fact]
    public async Task Reconciliation_cannot_be_checked_without_a_control_total()
    {
        using var package = new TestPackage();
        package.Table(NeutralSchema.Interactions, Some.InteractionsOn(new(2024, 3, 10), new(2024, 3, 12)));

        var check = await Schedules.CheckAsync(package, Obligation);

        Assert.Equal(Outcome.NotCheckable, check.Outcome);
        Assert.Equal("6 interactions in the package, but the source reported no control total for interactions.", check.Summary);
    }

    [Fact]
    public async Task A_manifest_that_disagrees_with_its_data_is_not_met()
    {
        using var package = new TestPackage();
        package.ReconciledTable(NeutralSchema.Interactions, Some.InteractionsOn(new(2024, 3, 10), new(2024, 3, 12), perDay: 3));
        var sealedPackage = await package.SealAsync(TestContext.Current.CancellationToken);
        var tampered = new CountingContent(sealedPackage, manifest => manifest with
        {
            Tables = [.. manifest.Tables.Select(table => table with { Rows = 12 })],
        });

        var report = await Schedules.ValidateAsync(tampered, Obligation);

        var check = Assert.Single(Assert.Single(report.Obligations).Checks);
        Assert.Equal(Outcome.NotMet, check.Outcome);
        Assert.StartsWith("The manifest says 12 interactions but the data holds 9", check.Summary, StringComparison.Ordinal);
    }
}

public sealed class ColumnTests
{
    private static TestPackage Messages(out TestPackage package)
    {
        package = new TestPackage();
        package.ReconciledTable(NeutralSchema.Interactions, [Some.Interaction("i-1", Some.At(2024, 3, 10))]);
        package.ReconciledTable(NeutralSchema.Messages,
        [
            Some.Message("m-1", "i-1"), Some.Message("m-2", "i-1", body: null, sequence: 2), Some.Message("m-3", "i-1", sequence: 3),
            Some.Message("m-4", "i-1", body: null, sequence: 4),
        ]);
        return package;
    }

    [Fact]
    public async Task Required_columns_are_met_when_every_row_has_them()
    {
        using var _ = Messages(out var package);

        var check = await Schedules.CheckAsync(package, """
              - id: "7.4"
                title: Messages with their interaction
                tables: [messages]
                checks:
                  - required: { columns: [interaction_id, sent_at] }
            """);

        Assert.Equal(Outcome.Met, check.Outcome);
        Assert.Equal("every one of the 4 messages has interaction_id and sent_at.", check.Summary);
    }

    [Fact]
    public async Task Required_columns_name_the_rows_without_a_value()
    {
        using var _ = Messages(out var package);

        var check = await Schedules.CheckAsync(package, """
              - id: "7.4"
                title: Message bodies
                tables: [messages]
                checks:
                  - required: { columns: [body] }
            """);

        Assert.Equal(Outcome.NotMet, check.Outcome);
        Assert.Equal("2 messages lack body (e.g. 'm-2', 'm-4').", check.Summary);
    }

    [Fact]
    public async Task Null_rates_within_limits_are_met_and_over_limits_are_not()
    {
        using var _ = Messages(out var package);
        var sealedPackage = await package.SealAsync(TestContext.Current.CancellationToken);

        var report = await Schedules.ValidateAsync(sealedPackage, """
              - id: "7.5"
                title: Bodies mostly present
                tables: [messages]
                checks:
                  - nullRate: { max: { body: 50% } }
              - id: "7.6"
                title: Bodies nearly always present
                tables: [messages]
                checks:
                  - nullRate: { max: { body: 0.1 } }
            """);

        Assert.Equal(Outcome.Met, report.Obligations[0].Outcome);
        Assert.Equal("null rates within limits over 4 messages: body 50% (at most 50%).", report.Obligations[0].Checks[0].Summary);
        Assert.Equal(Outcome.NotMet, report.Obligations[1].Outcome);
        Assert.Equal("body is null on 50% of messages rows (2 of 4), at most 10% allowed.", report.Obligations[1].Checks[0].Summary);
    }

    [Fact]
    public async Task Allowed_values_name_the_values_outside_the_list_and_their_rows()
    {
        using var package = new TestPackage();
        package.ReconciledTable(NeutralSchema.Interactions,
        [
            Some.Interaction("i-1", Some.At(2024, 3, 10), status: "solved"), Some.Interaction("i-2", Some.At(2024, 3, 10), status: "pending"),
            Some.Interaction("i-3", Some.At(2024, 3, 10), status: "closed"), Some.Interaction("i-4", Some.At(2024, 3, 10), status: "pending"),
        ]);
        var sealedPackage = await package.SealAsync(TestContext.Current.CancellationToken);

        var report = await Schedules.ValidateAsync(sealedPackage, """
              - id: "7.7"
                title: Final statuses only
                tables: [interactions]
                checks:
                  - allowedValues: { values: { status: [solved, closed] } }
              - id: "7.8"
                title: Known statuses
                tables: [interactions]
                checks:
                  - allowedValues: { values: { status: [solved, closed, pending] } }
            """);

        var failed = report.Obligations[0].Checks[0];
        Assert.Equal(Outcome.NotMet, failed.Outcome);
        Assert.Equal("interactions.status holds 1 value outside the allowed list on 2 rows: 'pending'.", failed.Summary);
        Assert.Equal(["status: 'pending' (2 rows); e.g. rows 'i-2', 'i-4'."], failed.Details);
        Assert.Equal(Outcome.Met, report.Obligations[1].Outcome);
    }
}

public sealed class ReferenceTests
{
    [Fact]
    public async Task Every_message_resolves_to_an_interaction_or_the_report_names_the_orphans()
    {
        using var package = new TestPackage();
        package.ReconciledTable(NeutralSchema.Interactions, [Some.Interaction("i-1", Some.At(2024, 3, 10))]);
        package.ReconciledTable(NeutralSchema.Messages,
            [Some.Message("m-1", "i-1"), Some.Message("m-2", "i-404"), Some.Message("m-3", "i-404", sequence: 2), Some.Message("m-4", "i-1", sequence: 2)]);
        var sealedPackage = await package.SealAsync(TestContext.Current.CancellationToken);

        var report = await Schedules.ValidateAsync(sealedPackage, """
              - id: "7.9"
                title: Messages belong to interactions
                tables: [messages]
                checks:
                  - references: { from: messages.interaction_id }
            """);

        var check = Assert.Single(report.Obligations[0].Checks);
        Assert.Equal(Outcome.NotMet, check.Outcome);
        Assert.Equal("2 of 4 references of messages.interaction_id do not resolve to interactions.source_id: 'i-404'.", check.Summary);
        Assert.Contains("Rows, e.g.: 'm-2', 'm-3'.", check.Details);
    }

    [Fact]
    public async Task Flow_edges_naming_queues_and_flows_resolve_by_id_or_name()
    {
        using var package = new TestPackage();
        package.ReconciledTable(NeutralSchema.Queues, [Some.Queue("q-1", "Billing"), Some.Queue("q-2", "Sales")]);
        package.ReconciledTable(NeutralSchema.Flows, [Some.Flow("f-1", "Main IVR", null), Some.Flow("f-2", "After hours", null)]);
        package.ReconciledTable(NeutralSchema.FlowEdges,
        [
            Some.Edge("f-1/e1", "f-1", "queue", "Billing"), Some.Edge("f-1/e2", "f-1", "queue", "q-2"), Some.Edge("f-1/e3", "f-1", "flow", "After hours"),
            Some.Edge("f-1/e4", "f-1", "queue", "Complaints"), Some.Edge("f-1/e5", "f-1", "flow", "f-9"), Some.Edge("f-1/e6", "f-1", "node", null, "f-1/n2"),
            Some.Edge("f-1/e7", "f-1", "lambda", "arn:aws:lambda:fn"),
        ]);
        var sealedPackage = await package.SealAsync(TestContext.Current.CancellationToken);

        var report = await Schedules.ValidateAsync(sealedPackage, """
              - id: "9.2"
                title: Flows reference only queues and flows that are handed over
                tables: [flow_edges]
                checks:
                  - references: { from: flow_edges.target_ref, to: [queues.source_id, queues.name], where: { target_kind: queue } }
                  - references: { from: flow_edges.target_ref, to: [flows.source_id, flows.name], where: { target_kind: flow } }
            """);

        var queues = report.Obligations[0].Checks[0];
        var flows = report.Obligations[0].Checks[1];
        Assert.Equal("1 of 3 references of flow_edges.target_ref where target_kind is queue does not resolve to queues.source_id or queues.name: 'Complaints'.", queues.Summary);
        Assert.Equal("1 of 2 references of flow_edges.target_ref where target_kind is flow does not resolve to flows.source_id or flows.name: 'f-9'.", flows.Summary);
        Assert.Equal(Outcome.NotMet, report.Obligations[0].Outcome);
    }

    [Fact]
    public async Task A_table_that_refers_to_itself_is_read_once_and_resolved()
    {
        using var package = new TestPackage();
        // A child listed before its parent: the reference is resolved after the table has been read.
        package.ReconciledTable(NeutralSchema.KbSections, [Some.Section("s-2", "s-1"), Some.Section("s-1", null), Some.Section("s-3", "s-1")]);
        var counting = new CountingContent(await package.SealAsync(TestContext.Current.CancellationToken));

        var report = await Schedules.ValidateAsync(counting, """
              - id: "8.1"
                title: Sections form a tree
                tables: [kb_sections]
                checks:
                  - references: { from: kb_sections.parent_id }
                  - required: { columns: [name] }
            """);

        Assert.Equal(Outcome.Met, report.Outcome);
        Assert.Equal("all 2 references of kb_sections.parent_id resolve to kb_sections.source_id.", report.Obligations[0].Checks[0].Summary);
        Assert.Equal(1, counting.Reads["kb_sections"]);
    }

    [Fact]
    public async Task Every_attachment_row_names_an_artefact_file_in_the_package()
    {
        byte[] pdf = [0x25, 0x50, 0x44, 0x46, 0x2D, 0x31];
        using var package = new TestPackage();
        package.Artefact(pdf);
        package.ReconciledTable(NeutralSchema.Interactions, [Some.Interaction("i-1", Some.At(2024, 3, 10))]);
        package.ReconciledTable(NeutralSchema.Attachments,
        [
            Some.Attachment("a-1", "i-1", TestPackage.ArtefactPathOf(pdf)),
            Some.Attachment("a-2", "i-1", "data/artefacts/ff/" + new string('f', 64)),
            Some.Attachment("a-3", "i-1", null),
        ]);
        var sealedPackage = await package.SealAsync(TestContext.Current.CancellationToken);

        var report = await Schedules.ValidateAsync(sealedPackage, """
              - id: "7.10"
                title: Attachments handed over
                tables: [attachments]
                checks:
                  - artefacts: {}
            """);

        var check = report.Obligations[0].Checks[0];
        Assert.Equal(Outcome.NotMet, check.Outcome);
        Assert.Equal($"of 3 attachments, 1 attachment has no artefact (the file was not retrieved), e.g. 'a-3'; 1 artefact file named by attachments is not in the package, e.g. data/artefacts/ff/{new string('f', 64)} (row a-2).", check.Summary);
        Assert.Equal(1L, check.Figures["notRetrieved"]);
        Assert.Equal(1L, check.Figures["missingFiles"]);
    }

    [Fact]
    public async Task Attachments_whose_files_are_all_present_are_met()
    {
        byte[] pdf = [0x25, 0x50, 0x44, 0x46, 0x2D, 0x31];
        using var package = new TestPackage();
        package.Artefact(pdf);
        package.ReconciledTable(NeutralSchema.Attachments, [Some.Attachment("a-1", "i-1", TestPackage.ArtefactPathOf(pdf))]);

        var check = await Schedules.CheckAsync(package, """
              - id: "7.10"
                title: Attachments handed over
                tables: [attachments]
                checks:
                  - artefacts: {}
            """);

        Assert.Equal(Outcome.Met, check.Outcome);
        Assert.Equal("the 1 attachment names an artefact file that is in the package.", check.Summary);
    }
}
