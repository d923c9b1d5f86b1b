using ExitKit.Export;
using ExitKit.Packaging;
using ExitKit.Parquet;
using ExitKit.Storage;

namespace ExitKit.Core.Tests;

public sealed class ExitPackageReadTests : IAsyncLifetime
{
    private readonly string _folder = SamplePackages.TemporaryFolder("read");
    private ExitPackage _package = null!;

    public async ValueTask InitializeAsync()
    {
        // Several parts of several row groups each, so read-ahead threads cross parts and row groups.
        await SamplePackages.ExportAsync(_folder, 1_500, new ExportOptions
        {
            Limits = new PartLimits(MaxRows: 700),
            Parquet = new ParquetWriteSettings(RowGroupRows: 150),
        }, cancellationToken: TestContext.Current.CancellationToken);
        _package = await ExitPackage.OpenAsync(new LocalPackageStore(_folder), TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }

    private async Task<List<object?[]>> RowsAsync(string table)
    {
        var rows = new List<object?[]>();
        await foreach (var row in _package.ReadRowsAsync(table, TestContext.Current.CancellationToken))
        {
            rows.Add(row);
        }
        return rows;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Row_groups_come_in_file_order_with_every_value_whatever_the_number_of_readers(int readers)
    {
        var expected = await RowsAsync("messages");
        var schema = ExitKit.Schema.NeutralSchema.Messages;
        int Ordinal(string column) => schema.OrdinalOf(column);
        var rowGroups = 0;
        var row = 0;
        // The prepare step runs on the read-ahead threads and may read a column of its own (here the row ids).
        async ValueTask PrepareAsync(PackageRowGroup rowGroup, CancellationToken cancellationToken)
        {
            var ids = (TextValues)await rowGroup.ReadAsync("source_id", cancellationToken);
            rowGroup.Prepared = ids.GetString(rowGroup.RowCount - 1);
        }
        await foreach (var rowGroup in _package.ReadRowGroupsAsync("messages", ["interaction_id", "sent_at"], readers, PrepareAsync, TestContext.Current.CancellationToken))
        {
            rowGroups++;
            var interactions = (TextValues)await rowGroup.ReadAsync("interaction_id", TestContext.Current.CancellationToken);
            var sentAt = (TimestampValues)await rowGroup.ReadAsync("sent_at", TestContext.Current.CancellationToken);
            // Not read ahead: read when asked, from the same row group.
            var ids = (TextValues)await rowGroup.ReadAsync("source_id", TestContext.Current.CancellationToken);
            Assert.Equal(0, rowGroup.NullCount("source_id"));
            for (var index = 0; index < rowGroup.RowCount; index++, row++)
            {
                Assert.Equal(expected[row][Ordinal("source_id")], ids.GetString(index));
                Assert.Equal(expected[row][Ordinal("interaction_id")], System.Text.Encoding.UTF8.GetString(interactions[index]));
                Assert.Equal(expected[row][Ordinal("sent_at")], sentAt.GetValue(index));
            }
            Assert.Equal(expected[row - 1][Ordinal("source_id")], rowGroup.Prepared);
        }
        Assert.Equal(expected.Count, row);
        Assert.True(rowGroups > 6, $"only {rowGroups} row groups: the test needs several parts of several row groups");
    }

    [Fact]
    public async Task A_reader_that_stops_early_ends_the_read_ahead_threads()
    {
        var taken = 0;
        await foreach (var rowGroup in _package.ReadRowGroupsAsync("messages", ["body"], 2, cancellationToken: TestContext.Current.CancellationToken))
        {
            if (++taken == 2)
            {
                break;
            }
        }
        // The read-ahead threads were stopped and their streams closed: the parts can be replaced at once.
        foreach (var part in Directory.EnumerateFiles(Path.Combine(_folder, "data", "messages")))
        {
            await using var exclusive = new FileStream(part, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        }
        Assert.Equal(2, taken);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_damaged_part_fails_the_read_instead_of_hanging_it()
    {
        var part = Directory.EnumerateFiles(Path.Combine(_folder, "data", "messages")).Order(StringComparer.Ordinal).Last();
        var bytes = await File.ReadAllBytesAsync(part, TestContext.Current.CancellationToken);
        Array.Fill(bytes, (byte)0xAB, 4, bytes.Length / 2);
        await File.WriteAllBytesAsync(part, bytes, TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var _ in _package.ReadRowGroupsAsync("messages", ["interaction_id", "body"], 2, cancellationToken: TestContext.Current.CancellationToken))
            {
            }
        });
        // The reader's own error comes through (validation quotes its message), not the channel's "closed".
        Assert.IsNotType<System.Threading.Channels.ChannelClosedException>(error);
    }
}
