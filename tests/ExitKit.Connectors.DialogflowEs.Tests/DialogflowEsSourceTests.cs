using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using ExitKit.Connectors;

namespace ExitKit.Connectors.DialogflowEs.Tests;

public sealed partial class DialogflowEsSourceTests
{
    private static readonly DialogflowEsPlugin Plugin = new();

    /// <summary>A small agent: an annotated intent in en and de, a plain intent, a fallback without phrases, one entity.</summary>
    internal static TempFolder SmallAgent(bool webhookCredentials = false)
    {
        var folder = new TempFolder();
        var webhook = webhookCredentials
            ? """{"url":"https://hooks.example.invalid/df","username":"bot","password":"hunter2-secret","headers":{"X-Api-Key":"k-secret-123"},"available":true}"""
            : """{"url":"https://hooks.example.invalid/df","username":"","headers":{"":""},"available":true}""";
        folder.Write("agent.json", $$"""
            {"description":"Support desk","language":"en","displayName":"Desk","supportedLanguages":["de"],
             "webhook":{{webhook}},
             "defaultTimezone":"Europe/Paris"}
            """);
        folder.Write("package.json", """{"version":"1.0.0"}""");
        folder.Write("intents/ticket-create.json", """
            {"id":"a1","name":"ticket-create","auto":true,"contexts":[],
             "responses":[{"parameters":[{"name":"application","dataType":"@application","value":"$application"}],"messages":[{"type":0,"lang":"en","speech":"Which application?"}]}],
             "priority":500000,"webhookUsed":true,"events":[]}
            """);
        folder.Write("intents/ticket-create_usersays_en.json", """
            [{"id":"u1","data":[{"text":"open a ticket for ","userDefined":false},{"text":"sap","alias":"application","meta":"@application","userDefined":true}],"isTemplate":false,"count":0},
             {"id":"u2","data":[{"text":"please ","meta":"@sys.ignore","userDefined":false},{"text":"new ticket","userDefined":false}],"isTemplate":false,"count":0},
             {"id":"u3","data":[{"text":"I need help","userDefined":false}],"isTemplate":false,"count":0}]
            """);
        folder.Write("intents/ticket-create_usersays_de.json", """
            [{"id":"u4","data":[{"text":"Ticket für ","userDefined":false},{"text":"office","alias":"application","meta":"@application","userDefined":true},{"text":" öffnen","userDefined":false}],"isTemplate":false,"count":0}]
            """);
        folder.Write("intents/Sup_ What is escrow_.json", """{"id":"a2","name":"Sup: What is escrow?","responses":[],"events":[]}""");
        folder.Write("intents/Sup_ What is escrow__usersays_en.json", """[{"data":[{"text":"what is escrow?"}]}]""");
        folder.Write("intents/Default Fallback Intent.json", """{"id":"a3","name":"Default Fallback Intent","fallbackIntent":true,"responses":[]}""");
        folder.Write("entities/application.json", """{"id":"e1","name":"application","isOverridable":true,"isEnum":false,"automatedExpansion":false}""");
        folder.Write("entities/application_entries_en.json", """[{"value":"sap","synonyms":["sap","s4"]},{"value":"office","synonyms":["office","o365"]}]""");
        return folder;
    }

    [Fact]
    public async Task Export_maps_agent_intents_phrases_with_annotations_and_entities()
    {
        using var agent = SmallAgent();
        var export = await ExportedRows.RunAsync(Plugin, agent.Path);

        Assert.Equal("dialogflow-es:Desk", export.Description.SourceSystem);
        var model = Assert.Single(export["models"]);
        Assert.Equal("en", ExportedRows.Get("models", model, "locale"));
        Assert.Equal(["Default Fallback Intent", "Sup: What is escrow?", "ticket-create"], export.Column("intents", "name").Order(StringComparer.Ordinal));
        Assert.Equal(5, export["training_utterances"].Count);

        var annotated = export["training_utterances"].Single(row => (string)row[1]! == "ticket-create/en/1");
        Assert.Equal("open a ticket for sap", ExportedRows.Get("training_utterances", annotated, "text"));
        using var spans = JsonDocument.Parse((string)ExportedRows.Get("training_utterances", annotated, "annotations")!);
        var span = Assert.Single(spans.RootElement.EnumerateArray());
        Assert.Equal(18, span.GetProperty("start").GetInt32());
        Assert.Equal(21, span.GetProperty("end").GetInt32());
        Assert.Equal("application", span.GetProperty("entity").GetString());
        Assert.Equal("sap", span.GetProperty("value").GetString());
        Assert.Equal("@application", span.GetProperty("type").GetString());
        Assert.Equal("de", ExportedRows.Get("training_utterances", export["training_utterances"].Single(row => (string)row[1]! == "ticket-create/de/1"), "locale"));
        Assert.Equal("Ticket für office öffnen", ExportedRows.Get("training_utterances", export["training_utterances"].Single(row => (string)row[1]! == "ticket-create/de/1"), "text"));

        var entity = Assert.Single(export["entities"]);
        Assert.Contains("o365", (string)ExportedRows.Get("entities", entity, "values")!, StringComparison.Ordinal);
        Assert.Empty(export.Context.Problems);
        Assert.Equal(10, export.Context.Originals.Count);
    }

    [Fact]
    public async Task Webhook_credentials_never_reach_rows_or_originals()
    {
        using var agent = SmallAgent(webhookCredentials: true);
        using var output = new TempFolder();
        var zip = Path.Combine(output.Path, "Desk.zip");
        ZipFile.CreateFromDirectory(agent.Path, zip);

        foreach (var export in new[] { await ExportedRows.RunAsync(Plugin, agent.Path), await ExportedRows.RunAsync(Plugin, zip) })
        {
            var rows = string.Join("\n", export.Tables.Values.SelectMany(rows => rows).SelectMany(row => row).OfType<string>());
            Assert.DoesNotContain("hunter2-secret", rows, StringComparison.Ordinal);
            Assert.DoesNotContain("k-secret-123", rows, StringComparison.Ordinal);
            Assert.Contains("hooks.example.invalid", rows, StringComparison.Ordinal);
            Assert.All(export.Context.Originals.Values, original =>
                Assert.DoesNotContain("hunter2-secret", System.Text.Encoding.UTF8.GetString(original), StringComparison.Ordinal));
            Assert.Equal(9, export.Context.Originals.Count);
            var withheld = Assert.Single(export.Context.Problems);
            Assert.Equal(ProblemKind.Degraded, withheld.Kind);
            Assert.EndsWith("agent.json", withheld.Subject, StringComparison.Ordinal);
            Assert.Equal(3, export["intents"].Count);
        }
    }

    [Fact]
    public async Task Export_reads_the_console_zip_with_the_agent_in_a_subfolder_and_keeps_the_zip()
    {
        using var agent = SmallAgent();
        using var output = new TempFolder();
        var zip = Path.Combine(output.Path, "Desk.zip");
        ZipFile.CreateFromDirectory(agent.Path, zip, CompressionLevel.Fastest, includeBaseDirectory: true);

        var export = await ExportedRows.RunAsync(Plugin, zip);

        Assert.Equal(3, export["intents"].Count);
        Assert.Equal(5, export["training_utterances"].Count);
        Assert.Equal(await File.ReadAllBytesAsync(zip, TestContext.Current.CancellationToken), Assert.Single(export.Context.Originals).Value);
    }

    [Fact]
    public async Task Invalid_json_and_orphan_phrases_are_kept_and_reported_unparsed()
    {
        using var agent = SmallAgent();
        agent.Write("intents/broken.json", "{\"name\": \"broken\", \"responses\": [ }");
        agent.Write("intents/ghost_usersays_en.json", """[{"data":[{"text":"boo"}]}]""");
        agent.Write("entities/bin.json", "\u0000\u0001PK binary");
        agent.Write("README.md", "# notes");

        var export = await ExportedRows.RunAsync(Plugin, agent.Path);

        Assert.Equal(3, export["intents"].Count);
        Assert.Equal(4L, export.Description.Tables.Single(table => table.TableName == "intents").ControlTotal);
        Assert.Equal(5, export["training_utterances"].Count);
        Assert.Equal(["README.md", "entities/bin.json", "intents/broken.json", "intents/ghost_usersays_en.json"],
            export.Context.Problems.Select(problem => problem.Subject).Order(StringComparer.Ordinal));
        Assert.All(export.Context.Problems, problem => Assert.Equal(ProblemKind.Unparsed, problem.Kind));
        Assert.Contains("not valid JSON", export.Context.Problems.Single(problem => problem.Subject == "intents/broken.json").Reason, StringComparison.Ordinal);
        Assert.Contains("ghost", export.Context.Problems.Single(problem => problem.Subject == "intents/ghost_usersays_en.json").Reason, StringComparison.Ordinal);
        Assert.True(export.Context.Originals.ContainsKey("dialogflow-es/entities/bin.json"));
    }

    [GeneratedRegex("\"data\"\\s*:")]
    private static partial Regex DataKey();

    [Theory]
    [InlineData("ccai-omnichannel-gmortgages-es-agent.zip")]
    [InlineData("pakmingw-support-ticket-bot-es-agent.zip")]
    public async Task Shared_sample_exports_exactly_the_intents_and_phrases_its_files_hold(string zipName)
    {
        var sample = Samples.Folder("chatbot/dialogflow-es/" + zipName);
        if (sample is null)
        {
            Assert.Skip($"shared/samples/chatbot/dialogflow-es/{zipName} is absent (set EXITKIT_SAMPLES).");
        }
        // Independent count: intent files are intents/*.json without _usersays_; each phrase has exactly one "data" key.
        int intents = 0, phrases = 0, entities = 0;
        using (var archive = ZipFile.OpenRead(sample))
        {
            foreach (var entry in archive.Entries)
            {
                if (entry.FullName.StartsWith("intents/", StringComparison.Ordinal) && entry.FullName.Contains("_usersays_", StringComparison.Ordinal))
                {
                    using var reader = new StreamReader(entry.Open());
                    phrases += DataKey().Count(await reader.ReadToEndAsync(TestContext.Current.CancellationToken));
                }
                else if (entry.FullName.StartsWith("intents/", StringComparison.Ordinal))
                {
                    intents++;
                }
                else if (entry.FullName.StartsWith("entities/", StringComparison.Ordinal) && entry.FullName.Contains("_entries_", StringComparison.Ordinal))
                {
                    entities++;
                }
            }
        }

        var export = await ExportedRows.RunAsync(Plugin, sample);

        Assert.Equal(intents, export["intents"].Count);
        Assert.Equal(phrases, export["training_utterances"].Count);
        Assert.Equal(entities, export["entities"].Count);
        Assert.Single(export["models"]);
        Assert.Empty(export.Context.Problems);
        Assert.Equal($"dialogflow-es/{zipName}", Assert.Single(export.Context.Originals).Key);
    }

    [Theory]
    [InlineData("ccai-omnichannel-gmortgages")]
    [InlineData("pakmingw-support-ticket-bot")]
    public async Task Sample_config_files_export_the_shared_samples_when_the_repository_sits_beside_shared(string name)
    {
        var config = Samples.ConfigAsInCi($"connectors/ExitKit.Connectors.DialogflowEs/samples/shared-samples-{name}.config.json");
        if (config is null || Samples.Folder($"chatbot/dialogflow-es/{name}-es-agent.zip") is null)
        {
            Assert.Skip("shared/samples/chatbot/dialogflow-es is absent (set EXITKIT_SAMPLES).");
        }

        var export = await ExportedRows.RunAsync(Plugin, config);

        Assert.StartsWith("dialogflow-es:", export.Description.SourceSystem, StringComparison.Ordinal);
        Assert.NotEmpty(export["training_utterances"]);
    }
}
