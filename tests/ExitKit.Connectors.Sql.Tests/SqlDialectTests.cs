using ExitKit.Connectors.Sql.Internal;
using Npgsql;

namespace ExitKit.Connectors.Sql.Tests;

public sealed class SqlDialectTests
{
    [Fact]
    public void A_PostgreSQL_session_is_read_only_in_UTC_with_a_large_read_buffer()
    {
        var builder = new NpgsqlConnectionStringBuilder(SqlDialect.For(SqlProvider.PostgreSql)
            .ReadOnlyConnectionString("Host=db.example;Username=reader;Password=s3cret"));

        Assert.Contains("default_transaction_read_only=on", builder.Options, StringComparison.Ordinal);
        Assert.Equal("UTC", builder.Timezone);
        Assert.Equal(256 * 1024, builder.ReadBufferSize);
    }

    [Theory]
    [InlineData("Host=db.example;Read Buffer Size=16384")]
    [InlineData("Host=db.example;ReadBufferSize=16384")]
    public void A_read_buffer_size_the_user_set_is_kept(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(SqlDialect.For(SqlProvider.PostgreSql).ReadOnlyConnectionString(connectionString));

        Assert.Equal(16384, builder.ReadBufferSize);
    }
}
