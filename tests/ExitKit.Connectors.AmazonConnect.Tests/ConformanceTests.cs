using System.Globalization;
using System.Text;
using ExitKit.Testing;

namespace ExitKit.Connectors.AmazonConnect.Tests;

public sealed class ConformanceTests
{
    private static Func<ISourceConnector> Source(string path) => () => new AmazonConnectPlugin().CreateSource(Exported.Config(path));

    // Only flows and interactions have a count of their own in an export (files, distinct ContactId); the rest would be
    // counted by reading them, which is no control.
    private static readonly string[] WithoutTotals = ["messages", "participants", "business_hours", "queues", "routing_rules", "flow_nodes", "flow_edges"];

    [Fact]
    public Task Its_tables_fit_the_neutral_schema() =>
        ConnectorConformance.TablesFitTheNeutralSchemaAsync(Source(Exported.Fixtures), cancellationToken: TestContext.Current.CancellationToken);

    [Fact]
    public Task Its_control_totals_match_what_is_read() =>
        ConnectorConformance.ControlTotalsMatchWhatIsReadAsync(Source(Exported.Fixtures), WithoutTotals, cancellationToken: TestContext.Current.CancellationToken);

    [Fact]
    public Task Reading_is_cancellable() =>
        ConnectorConformance.ReadingIsCancellableAsync(Source(Exported.Fixtures), "flow_nodes", rowsAllowedAfterCancel: 0, cancellationToken: TestContext.Current.CancellationToken);

    [Fact]
    public async Task Memory_stays_flat_while_reading_many_contact_records()
    {
        var folder = Directory.CreateTempSubdirectory("exitkit-connect-ctr-").FullName;
        try
        {
            // 30 Firehose files of 1,000 newline-delimited contact records each.
            var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
            for (var file = 0; file < 30; file++)
            {
                var text = new StringBuilder();
                for (var record = 0; record < 1_000; record++)
                {
                    var at = start.AddSeconds(file * 1_000 + record).ToString("O", CultureInfo.InvariantCulture);
                    text.Append(CultureInfo.InvariantCulture, $$$"""{"ContactId":"c-{{{file}}}-{{{record}}}","Channel":"VOICE","InitiationMethod":"INBOUND","InitiationTimestamp":"{{{at}}}","LastUpdateTimestamp":"{{{at}}}","DisconnectTimestamp":"{{{at}}}","CustomerEndpoint":{"Address":"+4400000{{{record}}}","Type":"TELEPHONE_NUMBER"},"Attributes":{"note":"{{{new string('x', 400)}}}"}}""").Append('\n');
                }
                await File.WriteAllTextAsync(Path.Combine(folder, $"ctr-{file:D3}.ndjson"), text.ToString(), TestContext.Current.CancellationToken);
            }
            await ConnectorConformance.MemoryStaysFlatAsync(Source(folder), "interactions", allowedGrowthBytes: 16L << 20, cancellationToken: TestContext.Current.CancellationToken);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
