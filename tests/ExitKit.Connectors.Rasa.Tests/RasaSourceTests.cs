using System.Text.Json;
using System.Text.RegularExpressions;
using ExitKit.Connectors;

namespace ExitKit.Connectors.Rasa.Tests;

public sealed partial class RasaSourceTests
{
    private static readonly RasaPlugin Plugin = new();

    /// <summary>A small 3.x project: every markup form, a synonym, regex and lookup, a domain with an intent that has no examples.</summary>
    internal static TempFolder SmallProject()
    {
        var folder = new TempFolder();
        folder.Write("config.yml", "recipe: default.v1\nlanguage: de\npipeline:\n  - name: WhitespaceTokenizer\n  - name: DIETClassifier\n    epochs: 100\n");
        folder.Write("domain.yml", """
            version: "3.1"
            intents:
            - greet
            - book_flight:
                use_entities: [city]
            - out_of_scope
            entities:
            - city:
                roles: [departure, destination]
            - date
            slots:
              destination:
                type: text
                mappings:
                - type: from_entity
                  entity: city
                  role: destination
            responses:
              utter_greet:
              - text: "Hallo!"
            """);
        folder.Write("data/nlu.yml", """
            version: "3.1"
            nlu:
            - intent: greet
              examples: |
                - hallo
                - guten Tag
            - intent: book_flight
              metadata:
                sentiment: neutral
              examples: |
                - fly to [Berlin](city)
                - from [Paris]{"entity": "city", "role": "departure"} to [Rome]{"entity": "city", "role": "destination"}
                - [tomorrow](date:2026-11-25) please
                - book [NYC]{"entity": "city", "value": "New York"}
            - intent: book_flight
              examples:
              - text: |
                  a flight on [Monday](date)
                metadata:
                  source: call-centre
            - synonym: New York
              examples: |
                - NYC
                - the big apple
            - regex: flight_number
              examples: |
                - [A-Z]{2}\d{3,4}
            - lookup: city
              examples: |
                - Berlin
                - Paris
            """);
        folder.Write("data/stories.yml", "version: \"3.1\"\nstories:\n- story: greet\n  steps:\n  - intent: greet\n  - action: utter_greet\n");
        folder.Write("credentials.yml", "rest:\nslack:\n  slack_token: xoxb-super-secret\n");
        return folder;
    }

    [Fact]
    public async Task Export_maps_intents_examples_with_annotations_entities_and_settings()
    {
        using var project = SmallProject();
        var export = await ExportedRows.RunAsync(Plugin, project.Path);

        var model = Assert.Single(export["models"]);
        Assert.Equal("bot", ExportedRows.Get("models", model, "model_type"));
        Assert.Equal("de", ExportedRows.Get("models", model, "locale"));
        var settings = (string)ExportedRows.Get("models", model, "source_extra")!;
        Assert.Contains("DIETClassifier", settings, StringComparison.Ordinal);
        Assert.Contains("utter_greet", settings, StringComparison.Ordinal);

        Assert.Equal(["book_flight", "greet", "out_of_scope"], export.Column("intents", "name"));
        Assert.Contains("use_entities", (string)ExportedRows.Get("intents", export["intents"][0], "source_extra")!, StringComparison.Ordinal);
        Assert.Contains("sentiment", (string)ExportedRows.Get("intents", export["intents"][0], "source_extra")!, StringComparison.Ordinal);
        Assert.Equal(7, export["training_utterances"].Count);

        string Annotations(string text) => (string)ExportedRows.Get("training_utterances",
            export["training_utterances"].Single(row => (string)ExportedRows.Get("training_utterances", row, "text")! == text), "annotations")!;
        Assert.Equal("""[{"start":7,"end":13,"entity":"city","value":"Berlin"}]""", Annotations("fly to Berlin"));
        Assert.Equal("""[{"start":5,"end":10,"entity":"city","value":"Paris","role":"departure"},{"start":14,"end":18,"entity":"city","value":"Rome","role":"destination"}]""",
            Annotations("from Paris to Rome"));
        Assert.Equal("""[{"start":0,"end":8,"entity":"date","value":"2026-11-25"}]""", Annotations("tomorrow please"));
        Assert.Equal("""[{"start":5,"end":8,"entity":"city","value":"New York"}]""", Annotations("book NYC"));
        Assert.Equal("""[{"start":12,"end":18,"entity":"date","value":"Monday"}]""", Annotations("a flight on Monday"));

        Assert.Equal(["entity/city", "entity/date", "lookup/city", "regex/flight_number", "slot/destination", "synonym/New York"],
            export.Column("entities", "source_id").Order(StringComparer.Ordinal));
        Assert.Equal("""["[A-Z]{2}\\d{3,4}"]""", ExportedRows.Get("entities", export["entities"].Single(row => (string)row[1]! == "regex/flight_number"), "values"));
    }

    [Fact]
    public async Task Stories_are_kept_and_reported_unparsed_and_credentials_are_neither_kept_nor_read()
    {
        using var project = SmallProject();
        var export = await ExportedRows.RunAsync(Plugin, project.Path);

        var stories = Assert.Single(export.Context.Problems, problem => problem.Subject == "data/stories.yml");
        Assert.Equal(ProblemKind.Unparsed, stories.Kind);
        Assert.Contains("stories", stories.Reason, StringComparison.Ordinal);
        Assert.True(export.Context.Originals.ContainsKey("rasa/data/stories.yml"));

        var credentials = Assert.Single(export.Context.Problems, problem => problem.Subject == "credentials.yml");
        Assert.Equal(ProblemKind.Degraded, credentials.Kind);
        Assert.False(export.Context.Originals.ContainsKey("rasa/credentials.yml"));
        var everything = string.Join("\n", export.Tables.Values.SelectMany(rows => rows).SelectMany(row => row).OfType<string>());
        Assert.DoesNotContain("xoxb-super-secret", everything, StringComparison.Ordinal);
        Assert.Equal(4, export.Context.Originals.Count);

        // A zip holding credentials cannot be kept whole: its other entries are kept one by one.
        using var output = new TempFolder();
        var zip = Path.Combine(output.Path, "project.zip");
        System.IO.Compression.ZipFile.CreateFromDirectory(project.Path, zip);
        var zipped = await ExportedRows.RunAsync(Plugin, zip);
        Assert.Equal(["rasa/project.zip/config.yml", "rasa/project.zip/data/nlu.yml", "rasa/project.zip/data/stories.yml", "rasa/project.zip/domain.yml"],
            zipped.Context.Originals.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(7, zipped["training_utterances"].Count);
    }

    [Fact]
    public async Task Invalid_yaml_and_binary_files_are_kept_and_reported_with_the_reason()
    {
        using var project = SmallProject();
        project.Write("data/broken.yml", "nlu:\n- intent: x\n  examples: |\n    - a\n - bad: [unclosed\n");
        await File.WriteAllBytesAsync(Path.Combine(project.Path, "models.tar.gz"), [0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe, 0x00], TestContext.Current.CancellationToken);

        var export = await ExportedRows.RunAsync(Plugin, project.Path);

        Assert.Contains("not valid YAML", Assert.Single(export.Context.Problems, problem => problem.Subject == "data/broken.yml").Reason, StringComparison.Ordinal);
        Assert.Contains("not UTF-8", Assert.Single(export.Context.Problems, problem => problem.Subject == "models.tar.gz").Reason, StringComparison.Ordinal);
        Assert.Equal(7, export["training_utterances"].Count);
        Assert.True(export.Context.Originals.ContainsKey("rasa/models.tar.gz"));
    }

    [Fact]
    public async Task Legacy_markdown_training_data_is_read_with_synonyms_regexes_and_lookups()
    {
        using var project = new TempFolder();
        project.Write("data/nlu.md", """
            <!-- auto-generated by Rasa X -->
            ## intent:greet
            - hey
            * hello there

            ## intent:inform
            - it is [urgent](priority:high) <!-- reviewed -->
            - [low](priority)

            ## synonym:high
            - urgent
            - asap

            ## regex:zipcode
            - [0-9]{5}

            ## lookup:cities
            data/lookups/cities.txt
            """);

        var export = await ExportedRows.RunAsync(Plugin, project.Path);

        Assert.Equal(["greet", "inform"], export.Column("intents", "name"));
        Assert.Equal(["hey", "hello there", "it is urgent", "low"], export.Column("training_utterances", "text"));
        Assert.Equal("""[{"start":6,"end":12,"entity":"priority","value":"high"}]""", ExportedRows.Get("training_utterances", export["training_utterances"][2], "annotations"));
        Assert.Equal("""["data/lookups/cities.txt"]""", ExportedRows.Get("entities", export["entities"].Single(row => (string)row[1]! == "lookup/cities"), "values"));
        Assert.Equal(3, export["entities"].Count);
        Assert.Equal("intent_classifier", ExportedRows.Get("models", Assert.Single(export["models"]), "model_type"));
    }

    [Fact]
    public async Task Legacy_json_training_data_is_read_and_a_tracker_dump_is_reported()
    {
        using var project = new TempFolder();
        project.Write("data/nlu.json", """
            {"rasa_nlu_data":{"common_examples":[
              {"text":"show me chinese restaurants","intent":"restaurant_search","entities":[{"start":8,"end":15,"value":"chinese","entity":"cuisine"}]},
              {"text":"hi","intent":"greet"}],
             "entity_synonyms":[{"value":"chinese","synonyms":["Chines","Chinese"]}],
             "regex_features":[{"name":"zipcode","pattern":"[0-9]{5}"}],
             "lookup_tables":[{"name":"plates","elements":"data/plates.txt"}]}}
            """);
        project.Write("tests/tracker.json", """{"sender_id":"x","events":[]}""");

        var export = await ExportedRows.RunAsync(Plugin, project.Path);

        Assert.Equal(["greet", "restaurant_search"], export.Column("intents", "name"));
        Assert.Equal(2, export["training_utterances"].Count);
        Assert.Contains("cuisine", (string)ExportedRows.Get("training_utterances", export["training_utterances"][0], "annotations")!, StringComparison.Ordinal);
        Assert.Equal(3, export["entities"].Count);
        Assert.Equal("tests/tracker.json", Assert.Single(export.Context.Problems).Subject);
    }

    [Fact]
    public async Task A_single_training_file_can_be_exported()
    {
        using var project = SmallProject();
        var export = await ExportedRows.RunAsync(Plugin, Path.Combine(project.Path, "data", "nlu.yml"));

        Assert.Equal("rasa:nlu", export.Description.SourceSystem);
        Assert.Equal(2, export["intents"].Count);
        Assert.Equal(7, export["training_utterances"].Count);
        Assert.True(export.Context.Originals.ContainsKey("rasa/nlu.yml"));
    }

    // --- shared samples: counted independently with line patterns, not with the connector's parser ---

    [GeneratedRegex(@"^- intent:\s*(\S+)\s*$")]
    private static partial Regex YamlIntent();

    [GeneratedRegex(@"^- ([A-Za-z0-9_\-/]+):?\s*$")]
    private static partial Regex DomainListItem();

    private static (HashSet<string> Intents, int Examples) CountYamlProject(string folder)
    {
        var intents = new HashSet<string>(StringComparer.Ordinal);
        var examples = 0;
        foreach (var file in Directory.GetFiles(folder, "*.yml", SearchOption.AllDirectories))
        {
            var lines = File.ReadAllLines(file);
            if (lines.Any(line => line == "nlu:"))
            {
                var inIntent = false;
                foreach (var line in lines)
                {
                    var intent = YamlIntent().Match(line);
                    if (intent.Success)
                    {
                        intents.Add(intent.Groups[1].Value);
                        inIntent = true;
                    }
                    else if (line.StartsWith("- ", StringComparison.Ordinal))
                    {
                        inIntent = false;
                    }
                    else if (inIntent && line.StartsWith("    - ", StringComparison.Ordinal))
                    {
                        examples++;
                    }
                }
            }
            if (Path.GetFileName(file) == "domain.yml")
            {
                var inIntents = false;
                foreach (var line in lines)
                {
                    if (line.Length > 0 && char.IsLetter(line[0]))
                    {
                        inIntents = line.StartsWith("intents:", StringComparison.Ordinal);
                    }
                    else if (inIntents && DomainListItem().Match(line) is { Success: true } item)
                    {
                        intents.Add(item.Groups[1].Value);
                    }
                }
            }
        }
        return (intents, examples);
    }

    [Theory]
    [InlineData("helpdesk-assistant")]
    [InlineData("financial-demo")]
    public async Task Shared_yaml_sample_exports_exactly_the_intents_and_examples_its_files_hold(string name)
    {
        var sample = Samples.Folder("chatbot/rasa/" + name);
        if (sample is null)
        {
            Assert.Skip($"shared/samples/chatbot/rasa/{name} is absent (set EXITKIT_SAMPLES).");
        }
        var (intents, examples) = CountYamlProject(sample);

        var export = await ExportedRows.RunAsync(Plugin, sample);

        Assert.Equal(intents.Order(StringComparer.Ordinal), export.Column("intents", "name"));
        Assert.Equal(examples, export["training_utterances"].Count);
        Assert.Contains(export["training_utterances"], row => ExportedRows.Get("training_utterances", row, "annotations") is string);
        AssertEveryFileProducedRowsOrWasReported(sample, export);
    }

    [Fact]
    public async Task Shared_legacy_markdown_sample_exports_exactly_the_intents_and_examples_its_files_hold()
    {
        var sample = Samples.Folder("chatbot/rasa/helpdesk-assistant-legacy-1x");
        if (sample is null)
        {
            Assert.Skip("shared/samples/chatbot/rasa/helpdesk-assistant-legacy-1x is absent (set EXITKIT_SAMPLES).");
        }
        var lines = await File.ReadAllLinesAsync(Path.Combine(sample, "data", "nlu", "nlu.md"), TestContext.Current.CancellationToken);
        var intents = lines.Count(line => line.StartsWith("## intent:", StringComparison.Ordinal));
        var examples = 0;
        var inIntent = false;
        foreach (var line in lines)
        {
            if (line.StartsWith("##", StringComparison.Ordinal))
            {
                inIntent = line.StartsWith("## intent:", StringComparison.Ordinal);
            }
            else if (inIntent && line.StartsWith("- ", StringComparison.Ordinal))
            {
                examples++;
            }
        }

        var export = await ExportedRows.RunAsync(Plugin, sample);

        Assert.Equal(intents, export["intents"].Count);
        Assert.Equal(examples, export["training_utterances"].Count);
        Assert.Contains(export["entities"], row => (string)row[1]! == "synonym/high");
        AssertEveryFileProducedRowsOrWasReported(sample, export);
    }

    /// <summary>Files with training data, domain or config produce rows; every other file is reported with a reason, none is dropped.</summary>
    private static void AssertEveryFileProducedRowsOrWasReported(string sample, ExportedRows export)
    {
        foreach (var file in Directory.GetFiles(sample, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(sample, file).Replace('\\', '/');
            var text = File.ReadAllText(file);
            var readable = text.Contains("\nnlu:", StringComparison.Ordinal) || text.StartsWith("nlu:", StringComparison.Ordinal)
                || text.Contains("\nintents:", StringComparison.Ordinal) || text.Contains("\npipeline:", StringComparison.Ordinal)
                || text.Contains("## intent:", StringComparison.Ordinal);
            var problem = export.Context.Problems.SingleOrDefault(problem => problem.Subject == relative);
            if (readable)
            {
                Assert.Null(problem);
            }
            else
            {
                Assert.NotNull(problem);
                Assert.False(string.IsNullOrWhiteSpace(problem.Reason));
            }
            Assert.True(export.Context.Originals.ContainsKey("rasa/" + relative), relative);
        }
    }

    [Theory]
    [InlineData("helpdesk-assistant")]
    [InlineData("financial-demo")]
    [InlineData("helpdesk-assistant-legacy-1x")]
    public async Task Sample_config_files_export_the_shared_samples_when_the_repository_sits_beside_shared(string name)
    {
        var config = Samples.ConfigAsInCi($"connectors/ExitKit.Connectors.Rasa/samples/shared-samples-{name}.config.json");
        if (config is null || Samples.Folder($"chatbot/rasa/{name}") is null)
        {
            Assert.Skip("shared/samples/chatbot/rasa is absent (set EXITKIT_SAMPLES).");
        }

        var export = await ExportedRows.RunAsync(Plugin, config);

        Assert.Equal($"rasa:{name}", export.Description.SourceSystem);
        Assert.NotEmpty(export["training_utterances"]);
    }
}
