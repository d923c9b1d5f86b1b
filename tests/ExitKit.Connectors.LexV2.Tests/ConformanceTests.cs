using ExitKit.Testing;

namespace ExitKit.Connectors.LexV2.Tests;

public sealed class ConformanceTests : IDisposable
{
    private readonly TempFolder _bot = LexV2SourceTests.SmallBot();

    private Func<ISourceConnector> Source() => () => new LexV2Plugin().CreateSource(ExportedRows.Config(_bot.Path));

    // An export lists its bots and intents as files; utterances and slots would only be counted by reading them, which is no control.
    private static readonly string[] WithoutTotals = ["training_utterances", "entities"];

    [Fact]
    public Task Its_tables_fit_the_neutral_schema() =>
        ConnectorConformance.TablesFitTheNeutralSchemaAsync(Source(), cancellationToken: TestContext.Current.CancellationToken);

    [Fact]
    public Task Its_control_totals_match_what_is_read() =>
        ConnectorConformance.ControlTotalsMatchWhatIsReadAsync(Source(), WithoutTotals, cancellationToken: TestContext.Current.CancellationToken);

    [Fact]
    public Task Reading_is_cancellable() =>
        ConnectorConformance.ReadingIsCancellableAsync(Source(), "training_utterances", rowsAllowedAfterCancel: 0, cancellationToken: TestContext.Current.CancellationToken);

    public void Dispose() => _bot.Dispose();
}
