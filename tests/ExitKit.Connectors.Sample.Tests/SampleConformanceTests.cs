using System.Text.Json;
using ExitKit.Connectors;
using ExitKit.Connectors.Sample;
using ExitKit.Testing;

namespace ExitKit.Connectors.Sample.Tests;

/// <summary>The sample stack passes the conformance kit like any vendor connector.</summary>
public sealed class SampleConformanceTests
{
    private static Func<ISourceConnector> Source(int interactions, string extra = "") => () => new SamplePlugin().CreateSource(
        new ConnectorConfiguration(JsonDocument.Parse($$"""{"interactions": {{interactions}}{{extra}}}""").RootElement.Clone(), "(test)"));

    [Fact]
    public Task Its_tables_fit_the_neutral_schema() => ConnectorConformance.TablesFitTheNeutralSchemaAsync(Source(500), cancellationToken: TestContext.Current.CancellationToken);

    [Fact]
    public Task Its_control_totals_match_what_is_read() => ConnectorConformance.ControlTotalsMatchWhatIsReadAsync(Source(500), cancellationToken: TestContext.Current.CancellationToken);

    [Fact]
    public Task Reading_is_cancellable() => ConnectorConformance.ReadingIsCancellableAsync(Source(20_000), "messages", cancellationToken: TestContext.Current.CancellationToken);

    [Fact]
    public Task Memory_stays_flat_while_reading_messages() => ConnectorConformance.MemoryStaysFlatAsync(Source(30_000), "messages", cancellationToken: TestContext.Current.CancellationToken);

    [Fact]
    public async Task Lost_days_are_counted_by_the_source_but_missing_from_what_is_read()
    {
        await using var source = Source(2_000, """, "lostDays": ["2024-03-12", "2024-03-13"]""")();
        var description = await source.DescribeAsync(ExportRequest.Everything, TestContext.Current.CancellationToken);
        var interactions = description.Tables.Single(table => table.TableName == "interactions");
        Assert.True(interactions.DailyTotals![new DateOnly(2024, 3, 12)] > 0);
        var read = 0;
        await foreach (var row in source.ReadTableAsync(Schema.NeutralSchema.Interactions, ExportRequest.Everything, null, new RecordingExportContext(), TestContext.Current.CancellationToken))
        {
            Assert.NotEqual(new DateOnly(2024, 3, 12), DateOnly.FromDateTime(((DateTimeOffset)row.Values[6]!).UtcDateTime));
            read++;
        }
        Assert.True(read < interactions.ControlTotal);
    }

    [Fact]
    public void An_unknown_setting_is_refused_naming_it()
    {
        var error = Assert.Throws<ExitKitException>(() => Source(10, """, "interactons": 5""")());
        Assert.Contains("interactons", error.Message, StringComparison.Ordinal);
    }
}
