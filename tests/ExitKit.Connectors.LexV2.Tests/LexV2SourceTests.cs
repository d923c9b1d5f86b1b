using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using ExitKit.Connectors;

namespace ExitKit.Connectors.LexV2.Tests;

public sealed partial class LexV2SourceTests
{
    private static readonly LexV2Plugin Plugin = new();

    /// <summary>A small bot: two intents in en_US (one with a slot reference), one in de_DE, a custom slot type.</summary>
    internal static TempFolder SmallBot()
    {
        var folder = new TempFolder();
        folder.Write("Manifest.json", """{"metaData":{"fileFormat":"LexJson","resourceType":"BOT","schemaVersion":"1"}}""");
        folder.Write("PizzaBot/Bot.json", """{"name":"PizzaBot","version":"DRAFT","description":"Orders pizza.","identifier":"","dataPrivacy":{"childDirected":false},"idleSessionTTLInSeconds":300}""");
        folder.Write("PizzaBot/BotLocales/en_US/BotLocale.json", """{"name":"English (US)","identifier":"en_US","nluConfidenceThreshold":0.4}""");
        folder.Write("PizzaBot/BotLocales/en_US/Intents/OrderPizza/Intent.json", """
            {"name":"OrderPizza","description":"Orders a pizza","sampleUtterances":[
              {"utterance":"I want a pizza"},
              {"utterance":"order a {Size} pizza"},
              {"utterance":"a {Size} {Crust} pizza please"}],
             "intentClosingSetting":{"closingResponse":{"messageGroupsList":[{"message":{"plainTextMessage":{"value":"Done."}}}]}},
             "slotPriorities":[{"priority":1,"slotName":"Size"},{"priority":2,"slotName":"Crust"}]}
            """);
        folder.Write("PizzaBot/BotLocales/en_US/Intents/OrderPizza/Slots/Size/Slot.json", """{"name":"Size","slotTypeName":"PizzaSize"}""");
        folder.Write("PizzaBot/BotLocales/en_US/Intents/OrderPizza/Slots/Crust/Slot.json", """{"name":"Crust","slotTypeName":"AMAZON.AlphaNumeric"}""");
        folder.Write("PizzaBot/BotLocales/en_US/Intents/Goodbye/Intent.json", """{"name":"Goodbye","sampleUtterances":[{"utterance":"bye"},{"utterance":"see you"}]}""");
        folder.Write("PizzaBot/BotLocales/en_US/Intents/FallbackIntent/Intent.json", """{"name":"FallbackIntent","parentIntentSignature":"AMAZON.FallbackIntent","sampleUtterances":null}""");
        folder.Write("PizzaBot/BotLocales/en_US/SlotTypes/PizzaSize/SlotType.json", """
            {"name":"PizzaSize","slotTypeValues":[{"sampleValue":{"value":"large"},"synonyms":[{"value":"big"},{"value":"family"}]},{"sampleValue":{"value":"small"},"synonyms":null}],
             "valueSelectionSetting":{"resolutionStrategy":"TopResolution"}}
            """);
        folder.Write("PizzaBot/BotLocales/de_DE/BotLocale.json", """{"name":"Deutsch","identifier":"de_DE"}""");
        folder.Write("PizzaBot/BotLocales/de_DE/Intents/Goodbye/Intent.json", """{"name":"Goodbye","sampleUtterances":[{"utterance":"tschüss"}]}""");
        return folder;
    }

    [Fact]
    public async Task Export_maps_bot_intents_utterances_slots_and_slot_types()
    {
        using var bot = SmallBot();
        var export = await ExportedRows.RunAsync(Plugin, bot.Path);

        Assert.Equal("lex-v2:PizzaBot", export.Description.SourceSystem);
        var model = Assert.Single(export["models"]);
        Assert.Equal("PizzaBot", ExportedRows.Get("models", model, "name"));
        Assert.Equal("bot", ExportedRows.Get("models", model, "model_type"));
        Assert.Equal("de_DE", ExportedRows.Get("models", model, "locale"));
        Assert.Contains("\"manifest\"", (string)ExportedRows.Get("models", model, "source_extra")!, StringComparison.Ordinal);

        Assert.Equal(["PizzaBot/de_DE/Goodbye", "PizzaBot/en_US/FallbackIntent", "PizzaBot/en_US/Goodbye", "PizzaBot/en_US/OrderPizza"],
            export.Column("intents", "source_id").Order(StringComparer.Ordinal));
        Assert.Equal(6, export["training_utterances"].Count);

        var annotated = export["training_utterances"].Single(row => (string)ExportedRows.Get("training_utterances", row, "text")! == "a {Size} {Crust} pizza please");
        using var spans = JsonDocument.Parse((string)ExportedRows.Get("training_utterances", annotated, "annotations")!);
        var first = spans.RootElement[0];
        Assert.Equal(2, first.GetProperty("start").GetInt32());
        Assert.Equal(8, first.GetProperty("end").GetInt32());
        Assert.Equal("Size", first.GetProperty("entity").GetString());
        Assert.Equal("PizzaSize", first.GetProperty("slot_type").GetString());
        Assert.Equal("Crust", spans.RootElement[1].GetProperty("entity").GetString());

        var slotType = export["entities"].Single(row => (string)ExportedRows.Get("entities", row, "entity_type")! == "slot_type");
        Assert.Equal("""[{"value":"large","synonyms":["big","family"]},{"value":"small","synonyms":[]}]""", ExportedRows.Get("entities", slotType, "values"));
        Assert.Equal(2, export["entities"].Count(row => (string)ExportedRows.Get("entities", row, "entity_type")! == "slot"));
        Assert.Empty(export.Context.Problems);
        Assert.Equal(11, export.Context.Originals.Count);
    }

    [Fact]
    public async Task Export_reads_the_zip_the_console_produces_and_keeps_it_byte_exact()
    {
        using var bot = SmallBot();
        using var output = new TempFolder();
        var zip = Path.Combine(output.Path, "PizzaBot-DRAFT-EXPORT.zip");
        ZipFile.CreateFromDirectory(bot.Path, zip);

        var export = await ExportedRows.RunAsync(Plugin, zip);

        Assert.Equal(4, export["intents"].Count);
        Assert.Equal(6, export["training_utterances"].Count);
        var original = Assert.Single(export.Context.Originals);
        Assert.Equal("lex-v2/PizzaBot-DRAFT-EXPORT.zip", original.Key);
        Assert.Equal(await File.ReadAllBytesAsync(zip, TestContext.Current.CancellationToken), original.Value);
    }

    [Fact]
    public async Task A_file_that_is_not_json_is_kept_and_reported_unparsed_while_the_rest_is_read()
    {
        using var bot = SmallBot();
        bot.Write("PizzaBot/BotLocales/en_US/Intents/Broken/Intent.json", """{"name":"{{IntentName}}","sampleUtterances":[{"utterance":"x"},]""");
        bot.Write("PizzaBot/notes.txt", "not part of the export");

        var export = await ExportedRows.RunAsync(Plugin, bot.Path);

        Assert.Equal(4, export["intents"].Count);
        // The listing counts five intents, so the lost one shows as a shortfall, not only as a problem.
        Assert.Equal(5L, export.Description.Tables.Single(table => table.TableName == "intents").ControlTotal);
        Assert.Equal(2, export.Context.Problems.Count);
        var broken = export.Context.Problems.Single(problem => problem.Subject.EndsWith("Broken/Intent.json", StringComparison.Ordinal));
        Assert.Equal(ProblemKind.Unparsed, broken.Kind);
        Assert.Equal("intents", broken.Table);
        Assert.Contains("JSON", broken.Reason, StringComparison.Ordinal);
        Assert.Contains(export.Context.Problems, problem => problem.Subject == "PizzaBot/notes.txt");
        Assert.True(export.Context.Originals.ContainsKey("lex-v2/PizzaBot/BotLocales/en_US/Intents/Broken/Intent.json"));
    }

    [Fact]
    public async Task Reading_resumes_after_a_saved_cursor_without_duplicates()
    {
        using var bot = SmallBot();
        await using var source = Plugin.CreateSource(ExportedRows.Config(bot.Path));
        var context = new ExitKit.Testing.RecordingExportContext();
        var all = new List<SourceRow>();
        await foreach (var row in source.ReadTableAsync(Schema.NeutralSchema.TrainingUtterances, ExportRequest.Everything, null, context, TestContext.Current.CancellationToken))
        {
            all.Add(row);
        }
        var rest = new List<SourceRow>();
        await foreach (var row in source.ReadTableAsync(Schema.NeutralSchema.TrainingUtterances, ExportRequest.Everything, all[2].ResumeCursor, context, TestContext.Current.CancellationToken))
        {
            rest.Add(row);
        }
        Assert.Equal(all.Skip(3).Select(row => row.ResumeCursor), rest.Select(row => row.ResumeCursor));
    }

    [Fact]
    public async Task Resuming_after_a_row_the_export_no_longer_holds_fails_instead_of_skipping_everything()
    {
        using var bot = SmallBot();
        await using var source = Plugin.CreateSource(ExportedRows.Config(bot.Path));
        var context = new ExitKit.Testing.RecordingExportContext();

        var error = await Assert.ThrowsAsync<ExitKitException>(async () =>
        {
            await foreach (var _ in source.ReadTableAsync(Schema.NeutralSchema.Intents, ExportRequest.Everything, "PizzaBot/en_US/Deleted", context,
                TestContext.Current.CancellationToken))
            {
            }
        });
        Assert.Contains("PizzaBot/en_US/Deleted", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sample_utterance_without_text_is_reported_not_silently_dropped()
    {
        using var bot = SmallBot();
        bot.Write("PizzaBot/BotLocales/en_US/Intents/Goodbye/Intent.json", """{"name":"Goodbye","sampleUtterances":[{"utterance":"bye"},{"utteranceText":"see you"}]}""");

        var export = await ExportedRows.RunAsync(Plugin, bot.Path);

        Assert.Equal(5, export["training_utterances"].Count);
        var problem = Assert.Single(export.Context.Problems);
        Assert.Equal(ProblemKind.Degraded, problem.Kind);
        Assert.Equal("PizzaBot/BotLocales/en_US/Intents/Goodbye/Intent.json#sampleUtterances[1]", problem.Subject);
    }

    [Fact]
    public void A_missing_path_setting_is_refused_with_the_setting_named()
    {
        var config = new ConnectorConfiguration(JsonDocument.Parse("{}").RootElement.Clone(), "bot.config.json");
        var error = Assert.Throws<ExitKitException>(() => Plugin.CreateSource(config));
        Assert.Contains("'path'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_path_that_does_not_exist_is_refused_naming_it()
    {
        var error = Assert.Throws<ExitKitException>(() => Plugin.CreateSource(ExportedRows.Config("/nonexistent/bot.zip")));
        Assert.Contains("/nonexistent/bot.zip", error.Message, StringComparison.Ordinal);
    }

    [GeneratedRegex("\"utterance\"\\s*:")]
    private static partial Regex UtteranceKey();

    [Fact]
    public async Task Shared_sample_exports_exactly_the_intents_and_utterances_its_files_hold()
    {
        var sample = Samples.Folder("chatbot/lex-v2/snippets-ReminderBot");
        if (sample is null)
        {
            Assert.Skip("shared/samples/chatbot/lex-v2 is absent (set EXITKIT_SAMPLES).");
        }
        // Independent count: one Intent.json per intent, one "utterance" key per sample utterance.
        var intentFiles = Directory.GetFiles(sample, "Intent.json", SearchOption.AllDirectories);
        var utterances = intentFiles.Sum(file => UtteranceKey().Count(File.ReadAllText(file)));

        var export = await ExportedRows.RunAsync(Plugin, sample);

        Assert.Equal(intentFiles.Length, export["intents"].Count);
        Assert.Equal(utterances, export["training_utterances"].Count);
        Assert.Equal(Directory.GetFiles(sample, "Slot.json", SearchOption.AllDirectories).Length,
            export["entities"].Count(row => (string)ExportedRows.Get("entities", row, "entity_type")! == "slot"));
        Assert.Single(export["models"]);
        // Every file produced rows or was reported; here all parse.
        Assert.Equal(Directory.GetFiles(sample, "*", SearchOption.AllDirectories).Length, export.Context.Originals.Count);
        Assert.Empty(export.Context.Problems);
        Assert.Contains(export["training_utterances"], row => ExportedRows.Get("training_utterances", row, "annotations") is string spans && spans.Contains("AMAZON.Time", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sample_config_file_exports_the_shared_sample_when_the_repository_sits_beside_shared()
    {
        var config = Samples.ConfigAsInCi("connectors/ExitKit.Connectors.LexV2/samples/shared-samples.config.json");
        if (config is null || Samples.Folder("chatbot/lex-v2/snippets-ReminderBot") is null)
        {
            Assert.Skip("shared/samples/chatbot/lex-v2 is absent (set EXITKIT_SAMPLES).");
        }

        var export = await ExportedRows.RunAsync(Plugin, config);

        Assert.Equal("lex-v2:ReminderBot", export.Description.SourceSystem);
        Assert.NotEmpty(export["training_utterances"]);
    }
}
