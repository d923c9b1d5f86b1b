using ExitKit.Testing;

namespace ExitKit.Connectors.Onnx.Tests;

public sealed class ConformanceTests : IDisposable
{
    private readonly TempFolder _models = new();

    public ConformanceTests()
    {
        File.WriteAllBytes(Path.Combine(_models.Path, "a.onnx"), ProtoWriter.SmallModel());
        File.WriteAllBytes(Path.Combine(_models.Path, "b.onnx"), ProtoWriter.SmallModel());
        _models.Write("README.md", "# Models");
    }

    private Func<ISourceConnector> Source() => () => new OnnxPlugin().CreateSource(ExportedRows.Config(_models.Path));

    [Fact]
    public Task Its_tables_fit_the_neutral_schema() =>
        ConnectorConformance.TablesFitTheNeutralSchemaAsync(Source(), cancellationToken: TestContext.Current.CancellationToken);

    [Fact]
    public Task Its_control_totals_match_what_is_read() =>
        ConnectorConformance.ControlTotalsMatchWhatIsReadAsync(Source(), cancellationToken: TestContext.Current.CancellationToken);

    [Fact]
    public Task Reading_is_cancellable() =>
        ConnectorConformance.ReadingIsCancellableAsync(Source(), "model_files", rowsAllowedAfterCancel: 0, cancellationToken: TestContext.Current.CancellationToken);

    public void Dispose() => _models.Dispose();
}
