using ExitKit.Import;
using ExitKit.Schema;

namespace ExitKit.Connectors.SqlSuccessor.Tests;

public sealed class ReadBackVerifierTests(DemoPackage demo) : IClassFixture<DemoPackage>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("sqlite", 2_000_000)]
    [InlineData("sqlite", 97)]
    [InlineData("postgresql", 2_000_000)]
    public async Task Read_back_names_rows_missing_extra_and_different_with_the_columns_that_differ(string provider, int maxRowsInMemory)
    {
        await using var database = SuccessorDatabase.Create(provider);
        await using var successor = database.Connect();
        await ImportPipeline.RunAsync(demo.Package, successor, new ImportOptions(), cancellationToken: Token);
        var interactions = await demo.RowsAsync("interactions");
        var (deleted, changed) = ((string)interactions[3][1]!, (string)interactions[7][1]!);
        await database.ExecuteAsync($"DELETE FROM {database.Table("interactions")} WHERE source_id = '{deleted}'");
        await database.ExecuteAsync($"UPDATE {database.Table("interactions")} SET status = 'tampered', duration_seconds = 1 WHERE source_id = '{changed}'");
        await database.ExecuteAsync($"INSERT INTO {database.Table("skills")} (source_system, source_id, name) VALUES ('sample', 'sk-smuggled', 'Smuggled')");

        var result = await ReadBackVerifier.VerifyAsync(demo.Package, successor, new ReadBackOptions { MaxRowsInMemory = maxRowsInMemory }, cancellationToken: Token);

        Assert.False(result.Equal);
        var interactionsBack = result.Tables.Single(table => table.Table == "interactions");
        Assert.Equal(deleted, Assert.Single(interactionsBack.Missing).SourceId);
        var difference = Assert.Single(interactionsBack.Different);
        Assert.Equal(changed, difference.Key.SourceId);
        Assert.Equal(["status", "duration_seconds"], difference.Columns);
        Assert.Equal(interactions.Count - 2, interactionsBack.Matching);
        Assert.Equal(interactions.Count - 1, interactionsBack.SuccessorRows);
        Assert.Equal("sk-smuggled", Assert.Single(result.Tables.Single(table => table.Table == "skills").Extra).SourceId);
        Assert.All(result.Tables.Where(table => table.Table is not ("interactions" or "skills")), table => Assert.True(table.Equal));
        if (maxRowsInMemory < interactions.Count)
        {
            Assert.True(interactionsBack.Passes > 1);
        }
    }

    [Fact]
    public async Task Read_back_of_a_successor_that_holds_nothing_reports_every_row_missing()
    {
        await using var database = SuccessorDatabase.Create("sqlite");
        await using var successor = database.Connect();

        var result = await ReadBackVerifier.VerifyAsync(demo.Package, successor, new ReadBackOptions { MaxRowsListed = 10 }, cancellationToken: Token);

        Assert.False(result.Equal);
        Assert.Equal(demo.TotalRows, result.Tables.Sum(table => table.MissingCount));
        Assert.All(result.Tables, table => Assert.True(table.Missing.Count <= 10));
        Assert.False(await database.ExistsAsync());
    }

    [Fact]
    public void Row_digest_tells_apart_null_empty_and_moved_values()
    {
        var table = NeutralSchema.Interactions;
        var row = table.NewRow();
        row[0] = "sample";
        row[1] = "i-1";
        var empty = (object?[])row.Clone();
        empty[table.OrdinalOf("subject")] = "";
        var listed = (object?[])row.Clone();
        listed[table.OrdinalOf("tags")] = new[] { "a", "b" };
        var joined = (object?[])row.Clone();
        joined[table.OrdinalOf("tags")] = new[] { "ab" };

        var digests = new[] { row, empty, listed, joined }.Select(values => Convert.ToHexString(RowDigest.Of(table, values))).ToArray();

        Assert.Equal(4, digests.Distinct().Count());
        Assert.Equal(digests[2], Convert.ToHexString(RowDigest.Of(table, (object?[])listed.Clone())));
    }
}
