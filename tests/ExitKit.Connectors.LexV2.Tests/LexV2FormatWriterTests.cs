using System.Text.Json;

namespace ExitKit.Connectors.LexV2.Tests;

public sealed class LexV2FormatWriterTests
{
    private static readonly LexV2Plugin Plugin = new();

    /// <summary>(intent name, locale, text, entities) for every utterance, and the intent names: what a successor must get back.</summary>
    private static (string[] Intents, string[] Phrases) Essence(ExportedRows export)
    {
        var intentNames = export["intents"].ToDictionary(row => (string)row[1]!, row => (string)ExportedRows.Get("intents", row, "name")!);
        var phrases = export["training_utterances"].Select(row =>
        {
            var spans = ExportedRows.Get("training_utterances", row, "annotations") is string json
                ? string.Join(",", JsonDocument.Parse(json).RootElement.EnumerateArray().Select(span =>
                    $"{span.GetProperty("start").GetInt32()}-{span.GetProperty("end").GetInt32()}:{span.GetProperty("entity").GetString()}:{span.GetProperty("slot_type")}"))
                : "";
            return $"{intentNames[(string)ExportedRows.Get("training_utterances", row, "intent_id")!]}|{ExportedRows.Get("training_utterances", row, "locale")}|{ExportedRows.Get("training_utterances", row, "text")}|{spans}";
        });
        return ([.. intentNames.Values.Order(StringComparer.Ordinal)], [.. phrases.Order(StringComparer.Ordinal)]);
    }

    private static async Task<ExportedRows> RoundTripAsync(ExportedRows first, TempFolder output)
    {
        await LexV2FormatWriter.WriteAsync(first["intents"].ToAsyncEnumerable(), first["training_utterances"].ToAsyncEnumerable(), output.Path, "PizzaBot", TestContext.Current.CancellationToken);
        return await ExportedRows.RunAsync(Plugin, output.Path);
    }

    [Fact]
    public async Task Written_tree_reads_back_with_the_same_intents_phrases_and_slot_references()
    {
        using var bot = LexV2SourceTests.SmallBot();
        using var output = new TempFolder();
        var first = await ExportedRows.RunAsync(Plugin, bot.Path);

        var second = await RoundTripAsync(first, output);

        var (intents, phrases) = Essence(first);
        var (intentsBack, phrasesBack) = Essence(second);
        Assert.Equal(intents, intentsBack);
        Assert.Equal(phrases, phrasesBack);
        Assert.Contains(phrasesBack, phrase => phrase.Contains("Size:PizzaSize", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(output.Path, "PizzaBot", "BotLocales", "en_US", "Intents", "OrderPizza", "Slots", "Size", "Slot.json")));
        Assert.Empty(second.Context.Problems);
    }

    [Fact]
    public async Task Spans_with_example_values_become_slot_references()
    {
        using var output = new TempFolder();
        var intents = new[] { Row(Schema.NeutralSchema.Intents, "book", ("model_id", "m"), ("name", "book flight"), ("locale", "en")) };
        var utterances = new[]
        {
            Row(Schema.NeutralSchema.TrainingUtterances, "u1", ("model_id", "m"), ("intent_id", "book"), ("text", "fly to Paris now"),
                ("annotations", """[{"start":7,"end":12,"entity":"city","value":"Paris"}]""")),
        };

        await LexV2FormatWriter.WriteAsync(intents.ToAsyncEnumerable(), utterances.ToAsyncEnumerable(), output.Path, "Travel", TestContext.Current.CancellationToken);

        var written = await File.ReadAllTextAsync(Path.Combine(output.Path, "Travel", "BotLocales", "en_US", "Intents", "book_flight", "Intent.json"), TestContext.Current.CancellationToken);
        Assert.Contains("\"fly to {city} now\"", written, StringComparison.Ordinal);
        var back = await ExportedRows.RunAsync(Plugin, output.Path);
        Assert.Equal("fly to {city} now", ExportedRows.Get("training_utterances", Assert.Single(back["training_utterances"]), "text"));
    }

    private static object?[] Row(Schema.TableSchema table, string id, params (string Column, object? Value)[] values)
    {
        var builder = new ExitKit.Testing.RowBuilder(table).Set("source_system", "test").Set("source_id", id);
        foreach (var (column, value) in values)
        {
            builder.Set(column, value);
        }
        return builder.Build();
    }

    [Fact]
    public async Task Shared_sample_exported_to_a_package_writes_back_from_the_package_rows_unchanged()
    {
        var sample = Samples.Folder("chatbot/lex-v2/snippets-ReminderBot");
        if (sample is null)
        {
            Assert.Skip("shared/samples/chatbot/lex-v2 is absent (set EXITKIT_SAMPLES).");
        }
        using var package = new TempFolder();
        using var output = new TempFolder();
        var direct = await ExportedRows.RunAsync(Plugin, sample);

        var (result, exit) = await Pipeline.ExportAsync(Plugin, sample, package.Path, TestContext.Current.CancellationToken);
        await LexV2FormatWriter.WriteAsync(exit.ReadRowsAsync("intents", TestContext.Current.CancellationToken),
            exit.ReadRowsAsync("training_utterances", TestContext.Current.CancellationToken), output.Path, "ReminderBot", TestContext.Current.CancellationToken);
        var back = await ExportedRows.RunAsync(Plugin, output.Path);

        Assert.Equal(direct["intents"].Count, result.Tables.Single(table => table.Table == "intents").Rows);
        Assert.Equal(Essence(direct).Intents, Essence(back).Intents);
        Assert.Equal(Essence(direct).Phrases, Essence(back).Phrases);
    }
}
