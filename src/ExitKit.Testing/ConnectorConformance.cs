using System.Text;
using ExitKit.Connectors;
using ExitKit.Export;
using ExitKit.Schema;
using ExitKit.Storage;
using Xunit;

namespace ExitKit.Testing;

/// <summary>The conformance kit every source connector's tests run: the contract of <see cref="ISourceConnector"/>, checked.</summary>
/// <remarks>
/// Call each check from a test of the connector with a factory that creates a fresh source over the connector's test
/// fixture (a local server, a database, a folder). Each check fails with an assertion that names the table and row.
/// </remarks>
public static class ConnectorConformance
{
    /// <summary>Every table the connector lists exists in the neutral format, and every row it reads fits that table:
    /// types, required values, allowed values, its source system, and a key that is unique within the table.</summary>
    public static async Task TablesFitTheNeutralSchemaAsync(Func<ISourceConnector> createSource, ExportRequest? request = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(createSource);
        request ??= ExportRequest.Everything;
        await using var source = createSource();
        var description = await source.DescribeAsync(request, cancellationToken);
        Assert.False(string.IsNullOrWhiteSpace(description.SourceSystem), "DescribeAsync must name the source system.");
        Assert.NotEmpty(description.Tables);
        var context = new RecordingExportContext();
        foreach (var listed in description.Tables)
        {
            var table = NeutralSchema.Find(listed.TableName);
            Assert.True(table is not null, $"The connector lists '{listed.TableName}', which is not a neutral table.");
            var keys = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var row in source.ReadTableAsync(table!, request, null, context, cancellationToken))
            {
                var problem = table!.Describe(row.Values);
                Assert.True(problem is null, $"{table.Name} row {row.Values.ElementAtOrDefault(1)}: {problem}");
                Assert.Equal(description.SourceSystem, row.Values[0]);
                Assert.True(keys.Add((string)row.Values[1]!), $"{table.Name}: source_id {row.Values[1]} appears twice.");
            }
        }
    }

    /// <summary>Control totals are reported, and a full read delivers exactly what they say (per table and, where given, per day).</summary>
    /// <param name="createSource">Creates a fresh source.</param>
    /// <param name="tablesWithoutTotals">Tables for which the source legitimately cannot count (say why in the test).</param>
    /// <param name="request">The window.</param>
    /// <param name="cancellationToken">Stops the check.</param>
    public static async Task ControlTotalsMatchWhatIsReadAsync(Func<ISourceConnector> createSource, IReadOnlyCollection<string>? tablesWithoutTotals = null,
        ExportRequest? request = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(createSource);
        request ??= ExportRequest.Everything;
        tablesWithoutTotals ??= [];
        await using var source = createSource();
        var description = await source.DescribeAsync(request, cancellationToken);
        var context = new RecordingExportContext();
        foreach (var listed in description.Tables)
        {
            if (tablesWithoutTotals.Contains(listed.TableName))
            {
                continue;
            }
            Assert.True(listed.ControlTotal is not null, $"{listed.TableName}: the source reports no control total.");
            var table = NeutralSchema.Get(listed.TableName);
            var timeOrdinal = table.TimeColumn is null ? -1 : table.OrdinalOf(table.TimeColumn);
            var rows = 0L;
            var daily = new Dictionary<DateOnly, long>();
            await foreach (var row in source.ReadTableAsync(table, request, null, context, cancellationToken))
            {
                rows++;
                if (timeOrdinal >= 0 && row.Values[timeOrdinal] is DateTimeOffset time)
                {
                    var day = DateOnly.FromDateTime(time.UtcDateTime);
                    daily[day] = daily.GetValueOrDefault(day) + 1;
                }
            }
            Assert.True(listed.ControlTotal == rows, $"{listed.TableName}: the source reports {listed.ControlTotal} rows; reading gave {rows}.");
            if (listed.DailyTotals is { } reported)
            {
                Assert.Equal(listed.ControlTotal, reported.Values.Sum());
                foreach (var (day, count) in reported)
                {
                    Assert.True(daily.GetValueOrDefault(day) == count, $"{listed.TableName} on {day:yyyy-MM-dd}: the source reports {count}; reading gave {daily.GetValueOrDefault(day)}.");
                }
            }
        }
    }

    /// <summary>Reading stops promptly when cancelled: within <paramref name="rowsAllowedAfterCancel"/> rows of the cancellation.</summary>
    public static async Task ReadingIsCancellableAsync(Func<ISourceConnector> createSource, string table, int rowsAllowedAfterCancel = 10_000,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(createSource);
        await using var source = createSource();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var after = 0;
        var cancelled = false;
        Exception? error = null;
        try
        {
            await foreach (var _ in source.ReadTableAsync(NeutralSchema.Get(table), ExportRequest.Everything, null, new RecordingExportContext(), cancel.Token))
            {
                if (!cancelled)
                {
                    await cancel.CancelAsync();
                    cancelled = true;
                }
                else if (++after > rowsAllowedAfterCancel)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException cancellation)
        {
            error = cancellation;
        }
        Assert.True(cancelled, $"{table} yielded no row, so cancellation could not be tested; give the fixture some rows.");
        Assert.True(error is OperationCanceledException, $"Reading {table} did not stop when cancelled (it read {after} more rows and threw {error?.GetType().Name ?? "nothing"}).");
    }

    /// <summary>Memory stays flat while a table is read: the managed heap after a full collection does not grow with the rows read.</summary>
    /// <param name="createSource">Creates a source whose table is large enough to show growth (tens of thousands of rows).</param>
    /// <param name="table">The table to read.</param>
    /// <param name="allowedGrowthBytes">How much the live heap may grow from the first tenth of the read to the end.</param>
    /// <param name="cancellationToken">Stops the check.</param>
    public static async Task MemoryStaysFlatAsync(Func<ISourceConnector> createSource, string table, long allowedGrowthBytes = 32L << 20,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(createSource);
        await using var source = createSource();
        var description = await source.DescribeAsync(ExportRequest.Everything, cancellationToken);
        var total = description.Tables.Single(listed => listed.TableName == table).ControlTotal ?? 100_000;
        var sampleEvery = Math.Max(1, total / 10);
        var samples = new List<long>();
        var rows = 0L;
        await foreach (var _ in source.ReadTableAsync(NeutralSchema.Get(table), ExportRequest.Everything, null, new DiscardingExportContext(), cancellationToken))
        {
            if (++rows % sampleEvery == 0)
            {
                samples.Add(GC.GetTotalMemory(forceFullCollection: true));
            }
        }
        Assert.True(samples.Count >= 2, $"{table} has too few rows ({rows}) to judge memory.");
        var growth = samples[^1] - samples[0];
        Assert.True(growth <= allowedGrowthBytes,
            $"Reading {table} grew the live heap by {growth / 1048576.0:F1} MB from the first tenth to the end ({string.Join(", ", samples.Select(bytes => $"{bytes / 1048576.0:F0}"))} MB): rows are being held.");
    }

    /// <summary>A full export into a package: no secret appears in any file of it, in the problems, or in what the run printed.</summary>
    /// <param name="createSource">Creates the source with its secrets configured.</param>
    /// <param name="descriptor">The connector's descriptor.</param>
    /// <param name="secrets">The secret values (tokens, passwords) that must never appear.</param>
    /// <param name="capturedLog">Whatever the test captured of the connector's output, if anything.</param>
    /// <param name="cancellationToken">Stops the check.</param>
    public static async Task NoSecretReachesThePackageAsync(Func<ISourceConnector> createSource, ConnectorDescriptor descriptor, IReadOnlyList<string> secrets,
        Func<string>? capturedLog = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(createSource);
        ArgumentNullException.ThrowIfNull(secrets);
        Assert.NotEmpty(secrets);
        var folder = Directory.CreateTempSubdirectory("exitkit-conformance-").FullName;
        try
        {
            string outcome;
            await using (var source = createSource())
            {
                try
                {
                    var result = await ExportPipeline.RunAsync(source, descriptor, new LocalPackageStore(folder), new ExportOptions(), null, cancellationToken);
                    outcome = string.Join("\n", result.Manifest.Problems.Select(problem => problem.ToString()));
                }
                catch (ExitKitException error)
                {
                    outcome = error.ToString();
                }
            }
            foreach (var secret in secrets)
            {
                var needle = Encoding.UTF8.GetBytes(secret);
                foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
                {
                    var bytes = await File.ReadAllBytesAsync(file, cancellationToken);
                    Assert.True(bytes.AsSpan().IndexOf(needle) < 0, $"A secret appears in {Path.GetRelativePath(folder, file)}.");
                }
                Assert.DoesNotContain(secret, outcome, StringComparison.Ordinal);
                if (capturedLog is not null)
                {
                    Assert.DoesNotContain(secret, capturedLog(), StringComparison.Ordinal);
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>An export context that stores nothing, for memory checks.</summary>
    private sealed class DiscardingExportContext : IExportContext
    {
        public async Task<ArtefactReference> StoreArtefactAsync(Stream content, CancellationToken cancellationToken = default)
        {
            using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            var buffer = new byte[81920];
            long length = 0;
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                length += read;
            }
            var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            return new ArtefactReference(sha256, length, $"data/artefacts/{sha256[..2]}/{sha256}");
        }

        public async Task<string> StoreOriginalAsync(string relativePath, Stream content, CancellationToken cancellationToken = default)
        {
            await content.CopyToAsync(Stream.Null, cancellationToken);
            return "data/originals/" + relativePath;
        }

        public void ReportProblem(ExportProblem problem)
        {
        }

        public string? Pseudonymise(string? personalValue) => personalValue;
    }
}
