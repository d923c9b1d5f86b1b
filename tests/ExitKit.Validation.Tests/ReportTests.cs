using System.Text.Json;
using ExitKit.Connectors;
using ExitKit.Schema;
using ExitKit.Validation.Checks;
using ExitKit.Validation.Reports;

namespace ExitKit.Validation.Tests;

public sealed class ReportTests
{
    internal const string Obligations = """
          - id: "7.1"
            title: Exit package delivered by the delivery deadline
            checks:
              - sealedBy: delivery
          - id: "7.3(a)"
            title: Interaction history without gaps, reconciled with the supplier's counts
            tables: [interactions]
            checks:
              - coverage: { from: 2024-03-10, to: 2024-03-16, maxGap: 0 days }
              - reconciliation: { tolerance: 0, perDay: true }
          - id: "7.3(b)"
            title: Transcripts belong to interactions
            tables: [messages]
            checks:
              - references: { from: messages.interaction_id }
              - required: { columns: [body] }
          - id: "7.5"
            title: Routing with the supplier's original definitions
            tables: [flows]
            checks:
              - originals: { family: routing }
          - id: "DA-25.4"
            title: Infeasibility notified within 14 working days
            checks:
              - clock: { name: infeasibility notice, from: request, to: infeasibilityNotice, atMost: 14 working days }
        """;

    internal const string Dates = "dates:\n  request: 2024-04-02\n  infeasibilityNotice: null";

    /// <summary>A package with one of each outcome: a 3-day gap in interactions, a flow without its original, a clock not yet known.</summary>
    internal static TestPackage MixedPackage()
    {
        var package = new TestPackage();
        var daily = new Dictionary<DateOnly, long>();
        for (var day = new DateOnly(2024, 3, 10); day <= new DateOnly(2024, 3, 16); day = day.AddDays(1))
        {
            daily[day] = day.Day switch { 12 => 402, 13 => 401, 14 => 401, _ => 2 };
        }
        package.Table(NeutralSchema.Interactions,
            Some.InteractionsOn(new(2024, 3, 10), new(2024, 3, 16), skip: day => day.Day is >= 12 and <= 14),
            new SourceTable("interactions", daily.Values.Sum(), daily, "SELECT COUNT(*) per day"));
        package.Problem(new ExportProblem(ProblemKind.Missing, "interactions", "incremental export 2024-03-12 to 2024-03-14",
            "the vendor's API answered HTTP 500 for these days after 5 attempts"));
        package.ReconciledTable(NeutralSchema.Messages, [Some.Message("m-1", "i-20240310-0"), Some.Message("m-2", "i-20240310-0", sequence: 2)]);
        package.Original("connect/flows/f-1.json", "{\"Version\":\"2019-10-30\"}"u8.ToArray());
        package.ReconciledTable(NeutralSchema.Flows,
            [Some.Flow("f-1", "Main IVR", "data/originals/connect/flows/f-1.json"), Some.Flow("f-2", "After hours | overflow", null)]);
        return package;
    }

    private static async Task<(ValidationReport Report, string Root)> MixedReportAsync(TestPackage package)
    {
        var content = await package.SealAsync(TestContext.Current.CancellationToken);
        return (await Schedules.ValidateAsync(content, Obligations, Dates), package.Root);
    }

    [Fact]
    public async Task The_report_judges_each_obligation_and_the_worst_outcome_wins()
    {
        using var package = MixedPackage();
        var (report, _) = await MixedReportAsync(package);

        Assert.Equal(Outcome.NotMet, report.Outcome);
        Assert.Equal(1, report.ExitCode);
        Assert.Equal(new OutcomeCounts(2, 2, 1), report.Counts);
        Assert.Equal("7.3(a) Not met: 3 days missing, 12–14 March 2024; the source reported 1,204 interactions on those days.",
            report.Obligations[1].Headline);
        Assert.Equal("DA-25.4 Not checkable: infeasibility notice: the schedule gives no date for 'infeasibilityNotice' yet.",
            report.Obligations[4].Headline);
    }

    [Fact]
    public async Task Markdown_report_matches_the_approved_file()
    {
        using var package = MixedPackage();
        var (report, root) = await MixedReportAsync(package);

        Approvals.Verify(Approvals.Scrub(ReportWriter.ToMarkdown(report), root), "mixed-outcomes", "md");
    }

    [Fact]
    public async Task HTML_report_matches_the_approved_file_and_is_self_contained()
    {
        using var package = MixedPackage();
        var (report, root) = await MixedReportAsync(package);

        var html = ReportWriter.ToHtml(report);

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("://", html, StringComparison.Ordinal);
        Assert.DoesNotContain(" src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
        Approvals.Verify(Approvals.Scrub(html, root), "mixed-outcomes", "html");
    }

    [Fact]
    public async Task JSON_report_matches_the_approved_file_and_carries_the_figures()
    {
        using var package = MixedPackage();
        var (report, root) = await MixedReportAsync(package);

        var json = ReportWriter.ToJson(report);

        using var document = JsonDocument.Parse(json);
        var coverage = document.RootElement.GetProperty("obligations")[1].GetProperty("checks")[0];
        Assert.Equal("not_met", coverage.GetProperty("outcome").GetString());
        Assert.Equal(1204, coverage.GetProperty("figures").GetProperty("sourceRowsOnMissingDays").GetInt64());
        Assert.Equal(1, document.RootElement.GetProperty("exitCode").GetInt32());
        Approvals.Verify(Approvals.Scrub(json, root), "mixed-outcomes", "json");
    }
}

public sealed class StreamingTests
{
    [Fact]
    public async Task Each_table_is_read_once_however_many_checks_concern_it()
    {
        using var package = ReportTests.MixedPackage();
        var counting = new CountingContent(await package.SealAsync(TestContext.Current.CancellationToken));

        var report = await Schedules.ValidateAsync(counting, """
              - id: "7.3(a)"
                title: Interactions
                tables: [interactions]
                checks:
                  - coverage: { from: 2024-03-10, to: 2024-03-16 }
                  - reconciliation: {}
                  - required: { columns: [customer_id] }
                  - nullRate: { max: { queue_id: 100% } }
                  - allowedValues: { values: { status: [solved] } }
              - id: "7.3(b)"
                title: Messages
                tables: [messages]
                checks:
                  - references: { from: messages.interaction_id }
                  - references: { from: messages.interaction_id, to: [interactions.source_id, interactions.customer_id] }
                  - required: { columns: [body] }
              - id: "7.5"
                title: Flows
                tables: [flows]
                checks:
                  - originals: { family: routing }
                  - present: { minRows: 1 }
            """);

        Assert.Equal(3, report.Obligations.Count);
        Assert.Equal(new Dictionary<string, int> { ["interactions"] = 1, ["messages"] = 1, ["flows"] = 1 }, counting.Reads);
    }
}
