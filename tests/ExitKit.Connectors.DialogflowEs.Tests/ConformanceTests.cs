using ExitKit.Testing;

namespace ExitKit.Connectors.DialogflowEs.Tests;

public sealed class ConformanceTests : IDisposable
{
    private readonly TempFolder _agent = DialogflowEsSourceTests.SmallAgent(webhookCredentials: true);

    private Func<ISourceConnector> Source() => () => new DialogflowEsPlugin().CreateSource(ExportedRows.Config(_agent.Path));

    // An export lists its agent and intents as files; phrases and entities would only be counted by reading them, which is no control.
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

    [Fact]
    public Task No_webhook_credential_reaches_the_package() =>
        ConnectorConformance.NoSecretReachesThePackageAsync(Source(), new DialogflowEsPlugin().Descriptor, ["hunter2-secret", "k-secret-123"],
            cancellationToken: TestContext.Current.CancellationToken);

    public void Dispose() => _agent.Dispose();
}
