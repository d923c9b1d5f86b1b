using System.Diagnostics;
using System.Text.Json;

namespace ExitKit.Connectors.Zendesk.Tests;

/// <summary><c>exitkit import --connector zendesk</c> end to end: the built CLI and its plugin folder, against the local Zendesk account.</summary>
public sealed class ImportCommandTests
{
    [Fact]
    public async Task Import_exits_1_naming_the_refused_ticket_with_zendesks_reason_lists_what_zendesk_does_not_hold_and_never_prints_the_token()
    {
        await using var package = await ImportPackage.BuildAsync(tickets: 3, longSubjectTicket: 2);
        await using var account = new FakeZendeskSuccessorAccount();
        var config = Path.Combine(package.Folder, "zendesk-import.json");
        await File.WriteAllTextAsync(config, $$"""
            {"baseUrl": "{{account.Server.BaseUrl}}", "email": "{{FakeZendeskSuccessorAccount.Email}}", "apiToken": "env:ZD_IMPORT_TOKEN",
             "requesterId": 9001, "authorId": 9002, "permissionGroupId": 11, "sections": {"sec-faq": 501}, "sectionId": 502}
            """, TestContext.Current.CancellationToken);
        string[] arguments = ["import", Path.Combine(package.Folder, "package"), "--connector", "zendesk", "--config", config, "--tables", "interactions,messages,kb_articles"];

        var first = await RunAsync(arguments);
        var again = await RunAsync([.. arguments, "--json"]);

        Assert.True(first.ExitCode == 1, first.All);
        Assert.Contains("legacy-desk/T-002: Zendesk refused it (422 RecordInvalid): Subject: is too long", first.Output, StringComparison.Ordinal);
        Assert.Contains("missing in the successor: legacy-desk/T-002", first.Output, StringComparison.Ordinal);
        Assert.Contains("queue_id: groups are not mapped in this version", first.Output, StringComparison.Ordinal);
        Assert.Contains("not everything arrived", first.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(package.Folder, "zendesk-id-map.db")));
        Assert.True(again.ExitCode == 1, again.All);
        using var json = JsonDocument.Parse(again.Output);
        var interactions = json.RootElement.GetProperty("tables").EnumerateArray().Single(table => table.GetProperty("table").GetString() == "interactions");
        Assert.Equal(2, interactions.GetProperty("skipped").GetInt64());
        Assert.Equal(0, interactions.GetProperty("created").GetInt64());
        Assert.Equal(2, account.Tickets.Count);
        foreach (var outcome in new[] { first, again })
        {
            Assert.DoesNotContain(FakeZendeskSuccessorAccount.Token, outcome.All, StringComparison.Ordinal);
        }
    }

    private sealed record Outcome(int ExitCode, string Output, string Error)
    {
        public string All => $"exit {ExitCode}\n{Output}\n{Error}";
    }

    private const string Configuration =
#if CONFIGURATION_Release
        "Release";
#else
        "Debug";
#endif

    private static async Task<Outcome> RunAsync(string[] arguments)
    {
        var start = Testing.ExitKitCli.StartInfo(Configuration, arguments, new Dictionary<string, string> { ["ZD_IMPORT_TOKEN"] = FakeZendeskSuccessorAccount.Token });
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return new Outcome(process.ExitCode, await output, await error);
    }
}
