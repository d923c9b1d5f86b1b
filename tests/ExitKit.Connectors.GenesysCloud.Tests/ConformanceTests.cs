using System.Globalization;
using System.Text;
using ExitKit.Testing;

namespace ExitKit.Connectors.GenesysCloud.Tests;

public sealed class ConformanceTests
{
    private static Func<ISourceConnector> Source(string path) => () => new GenesysCloudPlugin().CreateSource(Exported.Config(path));

    // Flows (files) and interactions (distinct conversationId) have a count of their own in an export; the rest would be
    // counted by reading them, which is no control.
    private static readonly string[] WithoutTotals = ["participants", "flow_nodes", "flow_edges"];

    [Fact]
    public Task Its_tables_fit_the_neutral_schema() =>
        ConnectorConformance.TablesFitTheNeutralSchemaAsync(Source(Exported.Fixtures), cancellationToken: TestContext.Current.CancellationToken);

    [Fact]
    public Task Its_control_totals_match_what_is_read() =>
        ConnectorConformance.ControlTotalsMatchWhatIsReadAsync(Source(Exported.Fixtures), WithoutTotals, cancellationToken: TestContext.Current.CancellationToken);

    [Fact]
    public Task Reading_is_cancellable() =>
        ConnectorConformance.ReadingIsCancellableAsync(Source(Exported.Fixtures), "flow_edges", rowsAllowedAfterCancel: 0, cancellationToken: TestContext.Current.CancellationToken);

    [Fact]
    public async Task Memory_stays_flat_while_reading_many_conversations()
    {
        var folder = Directory.CreateTempSubdirectory("exitkit-genesys-conversations-").FullName;
        try
        {
            // 30 pages of a conversation details job, 1,000 conversations each.
            var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
            for (var page = 0; page < 30; page++)
            {
                var text = new StringBuilder("{\"conversations\":[");
                for (var record = 0; record < 1_000; record++)
                {
                    var at = start.AddSeconds(page * 1_000 + record).ToString("O", CultureInfo.InvariantCulture);
                    text.Append(record == 0 ? "" : ",").Append(CultureInfo.InvariantCulture, $$"""{"conversationId":"conv-{{page}}-{{record}}","conversationStart":"{{at}}","conversationEnd":"{{at}}","originatingDirection":"inbound","participants":[{"participantId":"p","purpose":"customer","sessions":[{"mediaType":"voice","ani":"tel:+1555{{record}}","segments":[{"segmentType":"interact","segmentStart":"{{at}}","segmentEnd":"{{at}}","queueId":"q-{{new string('x', 300)}}"}]}]}]}""");
                }
                text.Append("],\"totalHits\":1000}");
                await File.WriteAllTextAsync(Path.Combine(folder, $"page-{page:D3}.json"), text.ToString(), TestContext.Current.CancellationToken);
            }
            await ConnectorConformance.MemoryStaysFlatAsync(Source(folder), "interactions", allowedGrowthBytes: 16L << 20, cancellationToken: TestContext.Current.CancellationToken);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
