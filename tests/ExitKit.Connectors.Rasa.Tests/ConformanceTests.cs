using System.Globalization;
using System.Text;
using ExitKit.Testing;

namespace ExitKit.Connectors.Rasa.Tests;

public sealed class ConformanceTests : IDisposable
{
    private readonly TempFolder _project = RasaSourceTests.SmallProject();

    private static Func<ISourceConnector> Source(string path) => () => new RasaPlugin().CreateSource(ExportedRows.Config(path));

    // A Rasa project has no count of its own of anything: intents, examples and entities are only known by reading them.

    [Fact]
    public Task Its_tables_fit_the_neutral_schema() =>
        ConnectorConformance.TablesFitTheNeutralSchemaAsync(Source(_project.Path), cancellationToken: TestContext.Current.CancellationToken);

    [Fact]
    public Task Reading_is_cancellable() =>
        ConnectorConformance.ReadingIsCancellableAsync(Source(_project.Path), "training_utterances", rowsAllowedAfterCancel: 0, cancellationToken: TestContext.Current.CancellationToken);

    [Fact]
    public Task No_channel_credential_reaches_the_package() =>
        ConnectorConformance.NoSecretReachesThePackageAsync(Source(_project.Path), new RasaPlugin().Descriptor, ["xoxb-super-secret"],
            cancellationToken: TestContext.Current.CancellationToken);

    [Fact]
    public async Task Memory_stays_flat_while_reading_many_training_files()
    {
        using var project = new TempFolder();
        // 30 training files of 1,000 annotated examples each.
        for (var file = 0; file < 30; file++)
        {
            var text = new StringBuilder("version: \"3.1\"\nnlu:\n");
            text.Append(CultureInfo.InvariantCulture, $"- intent: intent_{file}\n  examples: |\n");
            for (var example = 0; example < 1_000; example++)
            {
                text.Append(CultureInfo.InvariantCulture, $"    - order {example} pizzas to [Berlin](city) {new string('x', 200)}\n");
            }
            project.Write($"data/nlu-{file:D2}.yml", text.ToString());
        }
        await ConnectorConformance.MemoryStaysFlatAsync(Source(project.Path), "training_utterances", allowedGrowthBytes: 16L << 20,
            cancellationToken: TestContext.Current.CancellationToken);
    }

    public void Dispose() => _project.Dispose();
}
