using System.Diagnostics;
using ExitKit.Connectors;
using ExitKit.Export;
using ExitKit.Packaging;
using ExitKit.Schema;
using ExitKit.Testing;

namespace ExitKit.Storage.Tests;

/// <summary>The real <c>exitkit export</c>, killed with SIGKILL at random points and resumed, ends with every source row exactly once.</summary>
public sealed class CrashResumeTests
{
    private const int Interactions = 3000;
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_export_to_a_folder_killed_at_20_random_points_and_resumed_holds_every_row_once_and_verifies()
    {
        var root = PackageSource.TemporaryFolder("crash");
        try
        {
            var round = 0;
            await KillAndResumeAsync(20, () => Path.Combine(root, $"package-{++round}"), folder => new LocalPackageStore(folder), null, root);
            foreach (var package in Directory.EnumerateDirectories(root, "package-*"))
            {
                // On disk too: nothing but the sealed package's files (no pending file of a killed write).
                var listed = await new LocalPackageStore(package).ListAsync(cancellationToken: Token).Select(file => file.Path).ToListAsync(Token);
                var onDisk = Directory.EnumerateFiles(package, "*", SearchOption.AllDirectories)
                    .Select(path => Path.GetRelativePath(package, path).Replace('\\', '/')).Order(StringComparer.Ordinal);
                Assert.Equal(listed, onDisk);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task An_export_to_blob_storage_killed_at_random_points_and_resumed_holds_every_row_once_and_verifies()
    {
        var connection = Azurite.ConnectionString();
        var root = PackageSource.TemporaryFolder("crash-blob");
        try
        {
            await KillAndResumeAsync(10, () => Azurite.NewLocation("crash"), Azurite.Open,
                new Dictionary<string, string?> { [AzureBlobPackageStore.ConnectionStringVariable] = connection }, root);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Exports into fresh locations, killing each run after a random delay and resuming it, until <paramref name="kills"/>
    /// kills have happened; every package must then hold exactly the source's rows and verify.</summary>
    private static async Task KillAndResumeAsync(int kills, Func<string> newLocation, Func<string, IPackageStore> open,
        IReadOnlyDictionary<string, string?>? environment, string workFolder)
    {
        var config = ExitKitProcess.SampleConfig(workFolder, Interactions);
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var killed = 0;
        var midExport = 0;
        // Kills strike within the time one whole export takes here and now: a fixed window would fall before the first
        // checkpoint on a loaded machine (start-up alone can take over a second) and after the seal on a fast one.
        var whole = await TimeOneExportAsync(config, newLocation(), environment);
        var log = new List<string> { $"seed {seed}", $"one export took {whole.TotalMilliseconds:F0} ms" };
        while (killed < kills)
        {
            var location = newLocation();
            var resume = false;
            while (true)
            {
                string[] arguments = ["export", "--connector", "sample", "--config", config, "--out", location, "--part-rows", "300", .. (resume ? new[] { "--resume" } : [])];
                using var process = ExitKitProcess.Start(environment, arguments);
                var output = process.StandardOutput.ReadToEndAsync(Token);
                var error = process.StandardError.ReadToEndAsync(Token);
                var delay = whole * (0.1 + (0.85 * random.NextDouble()));
                var exited = await ExitsWithinAsync(process, delay);
                if (!exited && killed < kills)
                {
                    process.Kill(entireProcessTree: false); // SIGKILL: no finally block, no flush, no cleanup runs.
                    await process.WaitForExitAsync(Token);
                    killed++;
                    var parts = await CommittedPartsAsync(open(location));
                    midExport += parts > 0 ? 1 : 0;
                    log.Add($"killed after {delay.TotalMilliseconds} ms with {parts} parts checkpointed");
                    resume = true;
                    continue;
                }
                await process.WaitForExitAsync(Token);
                Assert.True(process.ExitCode == 0, $"exit {process.ExitCode} after {string.Join(", ", log)}:\n{await output}\n{await error}");
                log.Add("finished");
                break;
            }
            await AssertEveryRowOnceAsync(open(location), string.Join(", ", log));
        }
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(Environment.NewLine, log));
        // Kills that struck between checkpoints of an unsealed package, so the resumed run continued tables from a cursor.
        Assert.True(midExport >= kills / 4, $"only {midExport} of {kills} kills struck mid-export: {string.Join(", ", log)}");
    }

    private static async Task<int> CommittedPartsAsync(IPackageStore store)
    {
        // A request the killed process sent just before it died can still land on the emulator while the state is read;
        // the read then fails its ETag condition (412). Read again once the emulator has settled.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ReadCommittedPartsAsync(store);
            }
            catch (ExitKitException error) when (error.Message.Contains("(412", StringComparison.Ordinal) && attempt < 5)
            {
                await Task.Delay(200, Token);
            }
        }
    }

    private static async Task<int> ReadCommittedPartsAsync(IPackageStore store)
    {
        if (await store.ExistsAsync(PackageLayout.TagManifest, Token) || !await store.ExistsAsync(".exitkit/state.json", Token))
        {
            return 0;
        }
        await using var stream = await store.OpenReadAsync(".exitkit/state.json", Token);
        using var state = await System.Text.Json.JsonDocument.ParseAsync(stream, cancellationToken: Token);
        return state.RootElement.GetProperty("tables").EnumerateObject().Sum(table => table.Value.GetProperty("parts").GetArrayLength());
    }

    private static async Task<TimeSpan> TimeOneExportAsync(string config, string location, IReadOnlyDictionary<string, string?>? environment)
    {
        var watch = Stopwatch.StartNew();
        using var process = ExitKitProcess.Start(environment, ["export", "--connector", "sample", "--config", config, "--out", location, "--part-rows", "300"]);
        var output = process.StandardOutput.ReadToEndAsync(Token);
        var error = process.StandardError.ReadToEndAsync(Token);
        await process.WaitForExitAsync(Token);
        Assert.True(process.ExitCode == 0, $"an uninterrupted export failed with exit {process.ExitCode}:\n{await output}\n{await error}");
        return watch.Elapsed;
    }

    private static async Task<bool> ExitsWithinAsync(Process process, TimeSpan delay)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(delay);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException) when (!Token.IsCancellationRequested)
        {
            return false;
        }
    }

    private static async Task AssertEveryRowOnceAsync(IPackageStore store, string history)
    {
        var verification = await PackageVerifier.VerifyAsync(store, cancellationToken: Token);
        Assert.True(verification.IsValid, history + "\n" + string.Join("\n", verification.Findings));
        var package = await ExitPackage.OpenAsync(store, Token);
        foreach (var table in package.Manifest.Tables)
        {
            var ids = await PackageSource.SourceIdsAsync(package, table.Name);
            Assert.True(ids.Count == ids.Distinct(StringComparer.Ordinal).Count(), $"{table.Name} holds a row twice ({history})");
            Assert.Equal(table.Rows, ids.Count);
            Assert.True(table.ControlTotal?.Rows == ids.Count, $"{table.Name}: {ids.Count} rows, source reported {table.ControlTotal?.Rows} ({history})");
        }
        // The very rows of the source, not just as many.
        await using var source = PackageSource.Source(Interactions);
        foreach (var name in new[] { "interactions", "messages" })
        {
            var expected = new List<string>();
            var table = NeutralSchema.Get(name);
            await foreach (var row in source.ReadTableAsync(table, ExportRequest.Everything, null, new RecordingExportContext(), Token))
            {
                expected.Add((string)row.Values[table.OrdinalOf("source_id")]!);
            }
            Assert.Equal(expected.Order(StringComparer.Ordinal), (await PackageSource.SourceIdsAsync(package, name)).Order(StringComparer.Ordinal));
        }
    }
}
