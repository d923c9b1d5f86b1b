using ExitKit.Connectors;
using ExitKit.Export;
using ExitKit.Packaging;
using ExitKit.Schema;
using ExitKit.Storage;

namespace ExitKit.Connectors.Sql.Tests;

/// <summary>The connector through ExitKit's own export pipeline: what a user gets from `exitkit export --connector sql`.</summary>
public sealed class ExportPipelineTests
{
    [Fact]
    public async Task Exporting_the_generic_schema_gives_a_complete_verified_package_reconciled_with_the_source()
    {
        var database = await SqliteVendorDatabase.CreateAsync(contacts: 400);
        var folder = Path.Combine(database.Folder, "package");
        var store = new LocalPackageStore(folder);
        var window = new ExportRequest(new DateTimeOffset(2026, 1, 1, 6, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 1, 2, 18, 0, 0, TimeSpan.Zero));
        await using var source = database.Source(batchSize: 97);

        var result = await ExportPipeline.RunAsync(source, new SqlConnectorPlugin().Descriptor, store,
            new ExportOptions { Request = window, Parallelism = 3, PackageId = "sql-e2e" }, cancellationToken: Some.Ct);

        Assert.True(result.Complete, string.Join("; ", result.Manifest.Problems.Select(p => $"{p.Table} {p.Subject}: {p.Reason}")));
        Assert.Empty(result.Manifest.Problems);
        Assert.Equal(NeutralSchema.Tables.Count, result.Tables.Count); // the seeder leaves the file and flow tables empty; they are still exported
        Assert.All(result.Tables, table => Assert.Equal(table.ControlTotal, table.Rows));
        var interactions = result.Manifest.FindTable("interactions")!;
        var expected = Enumerable.Range(1, 400).Select(n => database.Seeder.StartOf(n)).Count(window.Contains);
        Assert.Equal(expected, interactions.Rows);
        Assert.Equal(interactions.ControlTotal!.Daily, interactions.DailyCounts);
        Assert.Equal("generic-cc", result.Manifest.Source.System);
        Assert.Equal("sql", result.Manifest.Source.Connector);
        Assert.Contains(result.Manifest.Originals, original => original.Path.EndsWith("sql/mapping/generic-contact-centre.yaml", StringComparison.Ordinal));

        var verification = await PackageVerifier.VerifyAsync(store, cancellationToken: Some.Ct);
        Assert.True(verification.IsValid, string.Join("; ", verification.Findings.Select(f => $"{f.Path}: {f.Problem}")));
        var package = await ExitPackage.OpenAsync(store, Some.Ct);
        var messages = 0L;
        await foreach (var _ in package.ReadRowsAsync("messages", Some.Ct))
        {
            messages++;
        }
        Assert.Equal(result.Manifest.FindTable("messages")!.ControlTotal!.Rows, messages);
    }
}
