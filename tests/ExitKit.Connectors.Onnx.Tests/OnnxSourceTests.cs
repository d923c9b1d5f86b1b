using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using ExitKit.Connectors;

namespace ExitKit.Connectors.Onnx.Tests;

public sealed class OnnxSourceTests
{
    private static readonly OnnxPlugin Plugin = new();

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    [Fact]
    public async Task Export_keeps_the_model_as_an_artefact_and_records_its_signature_and_card()
    {
        using var folder = new TempFolder();
        var model = ProtoWriter.SmallModel();
        await File.WriteAllBytesAsync(Path.Combine(folder.Path, "router.onnx"), model, TestContext.Current.CancellationToken);
        folder.Write("README.md", "# Router\nRoutes support requests to queues.\n");

        var export = await ExportedRows.RunAsync(Plugin, folder.Path);

        var file = Assert.Single(export["model_files"]);
        Assert.Equal(Sha256(model), ExportedRows.Get("model_files", file, "sha256"));
        Assert.Equal((long)model.Length, ExportedRows.Get("model_files", file, "size_bytes"));
        Assert.Equal(model, export.Context.Artefacts[Sha256(model)]);
        Assert.Equal(17L, ExportedRows.Get("model_files", file, "opset"));
        Assert.Equal("exitkit-test 1.2.3", ExportedRows.Get("model_files", file, "producer"));
        Assert.Equal("""[{"name":"text","type":"tensor(string)","element_type":"string","shape":["batch",1]}]""", ExportedRows.Get("model_files", file, "inputs"));
        Assert.Equal("""[{"name":"label","type":"tensor(int64)","element_type":"int64","shape":[null]},{"name":"scores","type":"seq(map(string,tensor(float)))","element_type":null,"shape":null}]""",
            ExportedRows.Get("model_files", file, "outputs"));
        Assert.Contains("\"ai.onnx.ml\",\"version\":3", (string)ExportedRows.Get("model_files", file, "source_extra")!, StringComparison.Ordinal);

        var row = Assert.Single(export["models"]);
        Assert.Equal("router", ExportedRows.Get("models", row, "name"));
        Assert.Equal("42", ExportedRows.Get("models", row, "version"));
        Assert.Equal("Routes support requests.", ExportedRows.Get("models", row, "description"));
        Assert.StartsWith("# Router", (string)ExportedRows.Get("models", row, "model_card")!, StringComparison.Ordinal);
        using var extra = JsonDocument.Parse((string)ExportedRows.Get("models", row, "source_extra")!);
        Assert.Equal("support-team", extra.RootElement.GetProperty("metadata_props").GetProperty("author").GetString());
        Assert.Equal(1, extra.RootElement.GetProperty("node_count").GetInt32());
        Assert.Equal(1, extra.RootElement.GetProperty("initializer_count").GetInt32());
        Assert.Equal("intent_graph", extra.RootElement.GetProperty("graph_name").GetString());

        Assert.Empty(export.Context.Problems);
        Assert.Equal(model, export.Context.Originals["onnx/router.onnx"]);
        Assert.True(export.Context.Originals.ContainsKey("onnx/README.md"));
        Assert.Equal(1L, export.Description.Tables.Single(table => table.TableName == "model_files").ControlTotal);
    }

    [Fact]
    public async Task A_model_specific_card_wins_over_the_folder_readme()
    {
        using var folder = new TempFolder();
        await File.WriteAllBytesAsync(Path.Combine(folder.Path, "a.onnx"), ProtoWriter.SmallModel(), TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(Path.Combine(folder.Path, "b.onnx"), ProtoWriter.SmallModel(), TestContext.Current.CancellationToken);
        folder.Write("a.modelcard.md", "card of a");
        folder.Write("README.md", "shared readme");

        var export = await ExportedRows.RunAsync(Plugin, folder.Path);

        Assert.Equal(["card of a", "shared readme"], export.Column("models", "model_card"));
        Assert.Empty(export.Context.Problems);
    }

    [Fact]
    public async Task Truncated_and_foreign_files_are_kept_and_reported_unparsed()
    {
        using var folder = new TempFolder();
        var model = ProtoWriter.SmallModel();
        await File.WriteAllBytesAsync(Path.Combine(folder.Path, "good.onnx"), model, TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(Path.Combine(folder.Path, "truncated.onnx"), model[..(model.Length / 2)], TestContext.Current.CancellationToken);
        folder.Write("pointer.onnx", "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12345\n");
        folder.Write("labels.txt", "billing\nshipping\n");

        var export = await ExportedRows.RunAsync(Plugin, folder.Path);

        Assert.Equal("good.onnx", ExportedRows.Get("model_files", Assert.Single(export["model_files"]), "file_name"));
        Assert.Equal(["labels.txt", "pointer.onnx", "truncated.onnx"], export.Context.Problems.Select(problem => problem.Subject).Order(StringComparer.Ordinal));
        Assert.All(export.Context.Problems, problem => Assert.Equal(ProblemKind.Unparsed, problem.Kind));
        Assert.Contains("not an ONNX ModelProto", export.Context.Problems.Single(problem => problem.Subject == "truncated.onnx").Reason, StringComparison.Ordinal);
        Assert.Equal(4, export.Context.Originals.Count);
    }

    [Fact]
    public async Task One_model_file_is_exported_with_the_card_beside_it_and_nothing_else()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "router.onnx");
        await File.WriteAllBytesAsync(path, ProtoWriter.SmallModel(), TestContext.Current.CancellationToken);
        folder.Write("router.md", "router card");
        folder.Write("other.txt", "unrelated");

        var export = await ExportedRows.RunAsync(Plugin, path);

        Assert.Equal("onnx:router", export.Description.SourceSystem);
        Assert.Equal("router card", ExportedRows.Get("models", Assert.Single(export["models"]), "model_card"));
        Assert.Equal(["onnx/router.md", "onnx/router.onnx"], export.Context.Originals.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(export.Context.Problems);
    }

    [Fact]
    public async Task Models_in_a_zip_are_read_and_hashed_like_files()
    {
        using var folder = new TempFolder();
        var model = ProtoWriter.SmallModel();
        using (var zip = ZipFile.Open(Path.Combine(folder.Path, "models.zip"), ZipArchiveMode.Create))
        {
            await using var entry = await zip.CreateEntry("intents/router.onnx").OpenAsync(TestContext.Current.CancellationToken);
            await entry.WriteAsync(model, TestContext.Current.CancellationToken);
        }

        var export = await ExportedRows.RunAsync(Plugin, Path.Combine(folder.Path, "models.zip"));

        var file = Assert.Single(export["model_files"]);
        Assert.Equal(Sha256(model), ExportedRows.Get("model_files", file, "sha256"));
        Assert.Equal(17L, ExportedRows.Get("model_files", file, "opset"));
        Assert.Equal("onnx/models.zip", Assert.Single(export.Context.Originals).Key);
    }

    [Fact]
    public async Task External_weights_are_kept_as_artefacts_and_a_missing_weights_file_is_reported()
    {
        using var folder = new TempFolder();
        var weights = new byte[4096];
        new Random(7).NextBytes(weights);
        await File.WriteAllBytesAsync(Path.Combine(folder.Path, "big.onnx"), ProtoWriter.SmallModel("big.onnx.data"), TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(Path.Combine(folder.Path, "big.onnx.data"), weights, TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(Path.Combine(folder.Path, "lost.onnx"), ProtoWriter.SmallModel("lost.bin"), TestContext.Current.CancellationToken);

        var export = await ExportedRows.RunAsync(Plugin, folder.Path);

        Assert.Equal(weights, export.Context.Artefacts[Sha256(weights)]);
        var big = export["model_files"].Single(row => (string)ExportedRows.Get("model_files", row, "file_name")! == "big.onnx");
        Assert.Contains($"\"sha256\":\"{Sha256(weights)}\"", (string)ExportedRows.Get("model_files", big, "source_extra")!, StringComparison.Ordinal);
        var missing = Assert.Single(export.Context.Problems);
        Assert.Equal(ProblemKind.Missing, missing.Kind);
        Assert.Equal("lost.bin", missing.Subject);
        Assert.Equal(2, export["model_files"].Count);

        var single = await ExportedRows.RunAsync(Plugin, Path.Combine(folder.Path, "big.onnx"));
        Assert.Equal(["onnx/big.onnx", "onnx/big.onnx.data"], single.Context.Originals.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(single.Context.Problems);
    }

    /// <summary>Values read by hand from the protobuf bytes of the shared samples (a separate varint/length walk in Python).</summary>
    [Theory]
    [InlineData("sklearn-onnx-logreg_iris.onnx", 7L, 9L, "skl2onnx 1.11.2",
        """[{"name":"X","type":"tensor(float)","element_type":"float","shape":[null,2]}]""",
        """[{"name":"output_label","type":"tensor(int64)","element_type":"int64","shape":[null]},{"name":"output_probability","type":"seq(map(int64,tensor(float)))","element_type":null,"shape":null}]""")]
    [InlineData("onnx-simple-test_strnorm_model_monday_casesensintive_lower.onnx", 5L, 10L, "backend-test",
        """[{"name":"x","type":"tensor(string)","element_type":"string","shape":[4]}]""",
        """[{"name":"y","type":"tensor(string)","element_type":"string","shape":[3]}]""")]
    [InlineData("sklearn-onnx-tests-treecl.onnx", 8L, 17L, null,
        """[{"name":"input","type":"tensor(float)","element_type":"float","shape":[null,null]}]""",
        """[{"name":"label_0","type":"tensor(int64)","element_type":"int64","shape":[null]},{"name":"proba_0","type":"tensor(float)","element_type":"float","shape":[null,null]}]""")]
    public async Task Shared_sample_signature_matches_values_read_independently_from_its_bytes(
        string fileName, long irVersion, long opset, string? producer, string inputs, string outputs)
    {
        var sample = Samples.Folder("chatbot/onnx/" + fileName);
        if (sample is null)
        {
            Assert.Skip($"shared/samples/chatbot/onnx/{fileName} is absent (set EXITKIT_SAMPLES).");
        }

        var export = await ExportedRows.RunAsync(Plugin, sample);

        var file = Assert.Single(export["model_files"]);
        Assert.Equal(opset, ExportedRows.Get("model_files", file, "opset"));
        Assert.Equal(producer, ExportedRows.Get("model_files", file, "producer"));
        Assert.Equal(inputs, ExportedRows.Get("model_files", file, "inputs"));
        Assert.Equal(outputs, ExportedRows.Get("model_files", file, "outputs"));
        Assert.Contains($"\"ir_version\":{irVersion}", (string)ExportedRows.Get("model_files", file, "source_extra")!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_shared_sample_model_is_read_and_its_artefact_hash_is_the_file_hash()
    {
        var sample = Samples.Folder("chatbot/onnx");
        if (sample is null)
        {
            Assert.Skip("shared/samples/chatbot/onnx is absent (set EXITKIT_SAMPLES).");
        }
        var files = Directory.GetFiles(sample);

        var export = await ExportedRows.RunAsync(Plugin, sample);

        var onnx = files.Where(file => file.EndsWith(".onnx", StringComparison.Ordinal)).ToList();
        Assert.Equal(onnx.Count, export["model_files"].Count);
        Assert.Equal(onnx.Count, export["models"].Count);
        foreach (var path in onnx)
        {
            var row = export["model_files"].Single(row => (string)ExportedRows.Get("model_files", row, "file_name")! == Path.GetFileName(path));
            var bytes = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
            Assert.Equal(Sha256(bytes), ExportedRows.Get("model_files", row, "sha256"));
            Assert.Equal((long)bytes.Length, ExportedRows.Get("model_files", row, "size_bytes"));
            Assert.NotNull(ExportedRows.Get("model_files", row, "opset"));
            Assert.NotEqual("[]", ExportedRows.Get("model_files", row, "inputs"));
            Assert.NotEqual("[]", ExportedRows.Get("model_files", row, "outputs"));
        }
        // The light squeezenet lists its 52 weights as graph inputs (IR version 3) besides the image: all are recorded.
        var squeezenet = export["model_files"].Single(row => (string)ExportedRows.Get("model_files", row, "file_name")! == "onnx-light_squeezenet.onnx");
        Assert.Equal(53, JsonDocument.Parse((string)ExportedRows.Get("model_files", squeezenet, "inputs")!).RootElement.GetArrayLength());
        Assert.Equal("onnx-caffe2", ExportedRows.Get("model_files", squeezenet, "producer"));
        Assert.Contains("\"shape\":[1,1000,1,1]", (string)ExportedRows.Get("model_files", squeezenet, "outputs")!, StringComparison.Ordinal);
        // Every file produced rows or was reported.
        var reported = export.Context.Problems.Select(problem => problem.Subject).ToHashSet(StringComparer.Ordinal);
        Assert.All(files, file => Assert.True(onnx.Contains(file) || reported.Contains(Path.GetFileName(file)), file));
        Assert.Equal(files.Length, export.Context.Originals.Count);
    }

    [Fact]
    public async Task Sample_config_file_exports_the_shared_samples_when_the_repository_sits_beside_shared()
    {
        var config = Samples.ConfigAsInCi("connectors/ExitKit.Connectors.Onnx/samples/shared-samples.config.json");
        if (config is null || Samples.Folder("chatbot/onnx") is null)
        {
            Assert.Skip("shared/samples/chatbot/onnx is absent (set EXITKIT_SAMPLES).");
        }

        var export = await ExportedRows.RunAsync(Plugin, config);

        Assert.Equal("onnx:onnx", export.Description.SourceSystem);
        Assert.NotEmpty(export["model_files"]);
    }

    [Fact]
    public void A_missing_path_setting_is_refused_with_the_setting_named()
    {
        var config = new ConnectorConfiguration(JsonDocument.Parse("{}").RootElement.Clone(), "models.config.json");
        Assert.Contains("'path'", Assert.Throws<ExitKitException>(() => Plugin.CreateSource(config)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shared_samples_exported_to_a_package_keep_every_model_byte_exact_at_its_artefact_path()
    {
        var sample = Samples.Folder("chatbot/onnx");
        if (sample is null)
        {
            Assert.Skip("shared/samples/chatbot/onnx is absent (set EXITKIT_SAMPLES).");
        }
        using var package = new TempFolder();

        var (result, exit) = await Pipeline.ExportAsync(Plugin, sample, package.Path, TestContext.Current.CancellationToken);

        var files = new List<object?[]>();
        await foreach (var row in exit.ReadRowsAsync("model_files", TestContext.Current.CancellationToken))
        {
            files.Add(row);
        }
        Assert.Equal(Directory.GetFiles(sample, "*.onnx").Length, files.Count);
        Assert.Equal(files.Count, result.Tables.Single(table => table.Table == "models").Rows);
        foreach (var row in files)
        {
            var original = await File.ReadAllBytesAsync(Path.Combine(sample, (string)ExportedRows.Get("model_files", row, "file_name")!), TestContext.Current.CancellationToken);
            var stored = await File.ReadAllBytesAsync(Path.Combine(package.Path, (string)ExportedRows.Get("model_files", row, "artefact_path")!), TestContext.Current.CancellationToken);
            Assert.Equal(Sha256(original), Sha256(stored));
            Assert.Equal(Sha256(original), ExportedRows.Get("model_files", row, "sha256"));
        }
        Assert.Empty(exit.Manifest.Problems);
    }
}
