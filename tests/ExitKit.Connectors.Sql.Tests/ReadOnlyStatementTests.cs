using ExitKit.Connectors.Sql.Internal;

namespace ExitKit.Connectors.Sql.Tests;

public sealed class ReadOnlyStatementTests
{
    [Theory]
    [InlineData("SELECT * FROM contacts")]
    [InlineData("select contact_id, 'DROP TABLE x; DELETE' AS note FROM contacts;")]
    [InlineData("WITH recent AS (SELECT * FROM contacts WHERE started_at > '2026-01-01') SELECT * FROM recent")]
    [InlineData("SELECT \"update\", [delete] FROM t -- DROP TABLE t\n")]
    [InlineData("/* INSERT INTO x */ SELECT 1 /* nested /* DELETE */ still comment */")]
    [InlineData("(SELECT 1) UNION ALL (SELECT 2)")]
    [InlineData("SELECT $body$ DROP TABLE t; $body$ AS text")]
    [InlineData("SELECT updated_at, inserted_by, created_at FROM contacts ;  -- trailing comment")]
    public void A_single_query_is_accepted(string sql) => Assert.Null(ReadOnlyStatement.WhyRefused(sql));

    [Theory]
    [InlineData("INSERT INTO contacts (contact_id) VALUES (1)", "starts with 'INSERT'")]
    [InlineData("UPDATE contacts SET status = 'x'", "starts with 'UPDATE'")]
    [InlineData("DELETE FROM contacts", "starts with 'DELETE'")]
    [InlineData("DROP TABLE contacts", "starts with 'DROP'")]
    [InlineData("CREATE TABLE x (id int)", "starts with 'CREATE'")]
    [InlineData("ALTER TABLE contacts ADD COLUMN x int", "starts with 'ALTER'")]
    [InlineData("TRUNCATE contacts", "starts with 'TRUNCATE'")]
    [InlineData("EXEC sp_who", "starts with 'EXEC'")]
    [InlineData("PRAGMA writable_schema = 1", "starts with 'PRAGMA'")]
    [InlineData("ATTACH DATABASE 'x.db' AS x", "starts with 'ATTACH'")]
    [InlineData("SELECT 1; DROP TABLE contacts", "more than one statement")]
    [InlineData("SELECT 1; SELECT 2", "more than one statement")]
    [InlineData("SELECT 1;/**/DELETE FROM contacts", "more than one statement")]
    [InlineData("WITH gone AS (DELETE FROM contacts RETURNING *) SELECT * FROM gone", "contains 'DELETE'")]
    [InlineData("SELECT * INTO backup FROM contacts", "contains 'INTO'")]
    [InlineData("SELECT * FROM contacts FOR UPDATE", "contains 'UPDATE'")]
    [InlineData("SELECT 'unterminated FROM contacts", "unterminated")]
    [InlineData("  -- only a comment", "empty")]
    public void Anything_but_a_single_query_is_refused(string sql, string reason)
    {
        var refusal = ReadOnlyStatement.WhyRefused(sql);
        Assert.NotNull(refusal);
        Assert.Contains(reason, refusal, StringComparison.Ordinal);
    }
}
