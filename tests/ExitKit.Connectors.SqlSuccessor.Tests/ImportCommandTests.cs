using System.Diagnostics;
using System.Text.Json;

namespace ExitKit.Connectors.SqlSuccessor.Tests;

/// <summary><c>exitkit import</c> end to end: the built CLI, its plugin folder, a real package and a real successor database.</summary>
public sealed class ImportCommandTests(DemoPackage demo) : IClassFixture<DemoPackage>
{
    [Fact]
    public async Task Import_exits_0_when_everything_arrived_and_reads_back_equal_and_a_rerun_skips_every_row()
    {
        await using var database = SuccessorDatabase.Create("sqlite");

        var first = await RunAsync("import", demo.Folder, "--connector", "sql-successor", "--config", database.ConfigPath);
        var again = await RunAsync("import", demo.Folder, "--connector", "sql-successor", "--config", database.ConfigPath, "--json");

        Assert.True(first.ExitCode == 0, first.All);
        Assert.Contains("equal", first.Output, StringComparison.Ordinal);
        Assert.Contains($"Imported {demo.TotalRows:N0} rows", first.Output, StringComparison.Ordinal);
        Assert.True(again.ExitCode == 0, again.All);
        using var json = JsonDocument.Parse(again.Output);
        Assert.True(json.RootElement.GetProperty("readBackEqual").GetBoolean());
        Assert.Equal(demo.TotalRows, json.RootElement.GetProperty("tables").EnumerateArray().Sum(table => table.GetProperty("skipped").GetInt64()));
        Assert.Equal(0, json.RootElement.GetProperty("tables").EnumerateArray().Sum(table => table.GetProperty("created").GetInt64()));
    }

    [Fact]
    public async Task Import_exits_1_naming_each_refused_row_by_key_with_the_successors_reason()
    {
        await using var database = SuccessorDatabase.Create("sqlite");
        await using (var successor = database.Connect())
        {
            await successor.PrepareAsync(Schema.NeutralSchema.Tables, dryRun: false, TestContext.Current.CancellationToken);
        }
        await database.ExecuteAsync("CREATE TRIGGER no_english BEFORE INSERT ON skills WHEN NEW.source_id = 'sk-english' BEGIN SELECT RAISE(ABORT, 'English is handled elsewhere'); END");

        var outcome = await RunAsync("import", demo.Folder, "--connector", "sql-successor", "--config", database.ConfigPath);

        Assert.True(outcome.ExitCode == 1, outcome.All);
        Assert.Contains("sample/sk-english: SQLite Error 19: 'English is handled elsewhere'", outcome.Output, StringComparison.Ordinal);
        Assert.Contains("missing in the successor: sample/sk-english", outcome.Output, StringComparison.Ordinal);
        Assert.Contains("not everything arrived", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_dry_run_says_what_would_be_created_and_writes_nothing()
    {
        await using var database = SuccessorDatabase.Create("sqlite");

        var outcome = await RunAsync("import", demo.Folder, "--connector", "sql-successor", "--config", database.ConfigPath, "--dry-run", "--json");

        Assert.True(outcome.ExitCode == 0, outcome.All);
        using var json = JsonDocument.Parse(outcome.Output);
        Assert.True(json.RootElement.GetProperty("dryRun").GetBoolean());
        Assert.Equal(demo.TotalRows, json.RootElement.GetProperty("tables").EnumerateArray().Sum(table => table.GetProperty("created").GetInt64()));
        Assert.False(File.Exists(database.DatabasePath));
    }

    [Theory]
    [InlineData("""{"provider": "oracle", "databasePath": "x.db"}""", "setting 'provider' is 'oracle'")]
    [InlineData("""{"provider": "postgresql", "connectionString": "Host=db;Password=hunter2"}""", "must be a secret reference")]
    [InlineData("""{"provider": "sqlite"}""", "setting 'databasePath' is required")]
    [InlineData("""{"provider": "sqlite", "databasePath": "x.db", "tabels": []}""", "tabels")]
    public async Task Import_exits_2_for_a_config_it_cannot_use_and_never_echoes_a_secret(string settings, string expected)
    {
        var folder = Directory.CreateTempSubdirectory("exitkit-import-config-").FullName;
        try
        {
            var config = Path.Combine(folder, "successor.json");
            await File.WriteAllTextAsync(config, settings, TestContext.Current.CancellationToken);

            var outcome = await RunAsync("import", demo.Folder, "--connector", "sql-successor", "--config", config);

            Assert.True(outcome.ExitCode == 2, outcome.All);
            Assert.Contains(expected, outcome.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("hunter2", outcome.All, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Import_exits_2_for_a_package_that_is_not_there_or_a_connector_that_cannot_import()
    {
        var missing = await RunAsync("import", Path.Combine(demo.Folder, "nothing-here"), "--connector", "sql-successor");
        var notSuccessor = await RunAsync("import", demo.Folder, "--connector", "sample");

        Assert.True(missing.ExitCode == 2, missing.All);
        Assert.Contains("not an exit package", missing.Error, StringComparison.Ordinal);
        Assert.True(notSuccessor.ExitCode == 2, notSuccessor.All);
        Assert.Contains("cannot import", notSuccessor.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_exits_2_when_the_successor_refuses_the_login_and_never_shows_the_password()
    {
        var server = Environment.GetEnvironmentVariable(SuccessorDatabase.PostgresVariable);
        if (string.IsNullOrEmpty(server))
        {
            Assert.Skip($"{SuccessorDatabase.PostgresVariable} is not set");
        }
        var wrong = new Npgsql.NpgsqlConnectionStringBuilder(server) { Username = "exitkit_password", Password = "wrong-hunter2", Pooling = false };
        var folder = Directory.CreateTempSubdirectory("exitkit-import-login-").FullName;
        try
        {
            var config = Path.Combine(folder, "successor.json");
            await File.WriteAllTextAsync(config, """{"provider": "postgresql", "connectionString": "env:SUCCESSOR_DB"}""", TestContext.Current.CancellationToken);

            var outcome = await RunAsync(new Dictionary<string, string> { ["SUCCESSOR_DB"] = wrong.ConnectionString },
                "import", demo.Folder, "--connector", "sql-successor", "--config", config);

            Assert.True(outcome.ExitCode == 2, outcome.All);
            Assert.Contains("password authentication failed", outcome.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("wrong-hunter2", outcome.All, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task An_import_process_killed_outright_and_run_again_leaves_no_duplicate_and_no_missing_row(string provider)
    {
        await using var database = SuccessorDatabase.Create(provider);
        var package = Directory.CreateTempSubdirectory("exitkit-import-kill-").FullName;
        try
        {
            var export = await RunAsync("export", "--connector", "sample", "--config", await WriteAsync(package, """{"interactions": 4000}"""), "--out", Path.Combine(package, "p"));
            Assert.True(export.ExitCode == 0, export.All);
            var random = new Random(1124);
            var killed = 0;
            for (var attempt = 0; attempt < 3; attempt++)
            {
                using var process = Start("import", Path.Combine(package, "p"), "--connector", "sql-successor", "--config", database.ConfigPath, "--batch-size", "500");
                await Task.Delay(random.Next(700, 2_500), TestContext.Current.CancellationToken);
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    killed++;
                }
                await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            }

            var final = await RunAsync("import", Path.Combine(package, "p"), "--connector", "sql-successor", "--config", database.ConfigPath, "--json");

            Assert.True(killed > 0, "no run was killed before it finished");
            Assert.True(final.ExitCode == 0, final.All);
            using var json = JsonDocument.Parse(final.Output);
            Assert.True(json.RootElement.GetProperty("readBackEqual").GetBoolean());
            var rows = json.RootElement.GetProperty("tables").EnumerateArray().Sum(table => table.GetProperty("rows").GetInt64());
            Assert.Equal(rows, await database.CountAsync("exitkit_id_map"));
        }
        finally
        {
            Directory.Delete(package, recursive: true);
        }
    }

    private static async Task<string> WriteAsync(string folder, string settings)
    {
        var path = Path.Combine(folder, "sample.json");
        await File.WriteAllTextAsync(path, settings, TestContext.Current.CancellationToken);
        return path;
    }

    private sealed record Outcome(int ExitCode, string Output, string Error)
    {
        public string All => Output + Error;
    }

    private static string Configuration =>
#if CONFIGURATION_Release
        "Release";
#else
        "Debug";
#endif

    private static Task<Outcome> RunAsync(params string[] arguments) => RunAsync(new Dictionary<string, string>(), arguments);

    private static async Task<Outcome> RunAsync(Dictionary<string, string> environment, params string[] arguments)
    {
        using var process = Start(environment, arguments);
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return new Outcome(process.ExitCode, await output, await error);
    }

    private static Process Start(params string[] arguments) => Start(new Dictionary<string, string>(), arguments);

    private static Process Start(Dictionary<string, string> environment, params string[] arguments)
    {
        var start = Testing.ExitKitCli.StartInfo(Configuration, arguments, environment);
        return Process.Start(start)!;
    }
}
