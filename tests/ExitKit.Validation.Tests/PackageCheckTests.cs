using System.Text;
using ExitKit.Schema;
using ExitKit.Validation.Checks;

namespace ExitKit.Validation.Tests;

public sealed class LocaleTests
{
    private static readonly string[] AllLocales = ["en-gb", "fr-fr", "de-de"];
    private static readonly string[] TwoArticles = ["a-1", "a-2"];

    private const string Obligation = """
          - id: "8.2"
            title: Knowledge base in every service language
            tables: [kb_articles]
            checks:
              - locales: { required: [en-gb, fr-fr, de-de] }
        """;

    [Fact]
    public async Task Locales_are_met_when_every_article_has_every_listed_locale()
    {
        using var package = new TestPackage();
        package.ReconciledTable(NeutralSchema.KbArticles,
            TwoArticles.SelectMany(article => AllLocales.Select(locale => Some.Article(article, locale))));

        var check = await Schedules.CheckAsync(package, Obligation);

        Assert.Equal(Outcome.Met, check.Outcome);
        Assert.Equal("every one of the 2 articles is present in en-gb, fr-fr and de-de.", check.Summary);
    }

    [Fact]
    public async Task Locales_name_the_articles_missing_a_translation()
    {
        using var package = new TestPackage();
        package.ReconciledTable(NeutralSchema.KbArticles,
        [
            Some.Article("a-1", "en-gb"), Some.Article("a-1", "fr-fr"), Some.Article("a-1", "de-de"),
            Some.Article("a-2", "en-gb"), Some.Article("a-2", "de-de"), Some.Article("a-3", "en-gb"), Some.Article("a-3", "de-de"),
        ]);

        var check = await Schedules.CheckAsync(package, Obligation);

        Assert.Equal(Outcome.NotMet, check.Outcome);
        Assert.Equal("2 of 3 articles lack fr-fr (e.g. 'a-2', 'a-3').", check.Summary);
    }
}

public sealed class OriginalsAndFormatTests
{
    private const string Originals = """
          - id: "9.1"
            title: Contact flows with their original definitions
            tables: [flows]
            checks:
              - originals: { family: routing, patterns: ["data/originals/connect/flows/*.json"] }
        """;

    [Fact]
    public async Task Routing_originals_are_met_when_every_flow_links_a_stored_definition()
    {
        using var package = new TestPackage();
        package.Original("connect/flows/f-1.json", "{}"u8.ToArray());
        package.ReconciledTable(NeutralSchema.Flows, [Some.Flow("f-1", "Main IVR", "data/originals/connect/flows/f-1.json")]);

        var check = await Schedules.CheckAsync(package, Originals);

        Assert.Equal(Outcome.Met, check.Outcome);
        Assert.Equal("routing originals: the 1 flow links its original definition in the package; 1 pattern matched 1 original file.", check.Summary);
    }

    [Fact]
    public async Task Routing_originals_name_the_flows_without_a_definition()
    {
        using var package = new TestPackage();
        package.ReconciledTable(NeutralSchema.Flows, [Some.Flow("f-1", "Main IVR", null), Some.Flow("f-2", "After hours", "data/originals/connect/flows/f-2.json")]);

        var check = await Schedules.CheckAsync(package, Originals);

        Assert.Equal(Outcome.NotMet, check.Outcome);
        Assert.Equal("routing originals: 1 of 2 flows link no original definition (e.g. 'f-1'); 1 original named by flows is not in the package, " +
            "e.g. data/originals/connect/flows/f-2.json (flow f-2); no original matches data/originals/connect/flows/*.json.", check.Summary);
    }

    private const string Onnx = """
          - id: "10.3"
            title: Models handed over as ONNX
            tables: [model_files]
            checks:
              - format: { format: onnx }
        """;

    [Fact]
    public async Task Model_files_that_are_ONNX_ModelProtos_are_met()
    {
        var model = Some.OnnxModel();
        using var package = new TestPackage();
        package.Artefact(model);
        package.ReconciledTable(NeutralSchema.ModelFiles, [Some.ModelFile("mf-1", "onnx", TestPackage.ArtefactPathOf(model), model.Length)]);

        var check = await Schedules.CheckAsync(package, Onnx);

        Assert.Equal(Outcome.Met, check.Outcome);
        Assert.Equal("the 1 model file is onnx, and each artefact starts like an ONNX ModelProto.", check.Summary);
    }

    [Fact]
    public async Task Model_files_in_another_format_or_not_starting_like_ONNX_are_named()
    {
        var pickle = new byte[] { 0x80, 0x04, 0x95, 0x10, 0x00 };
        var fakeOnnx = Encoding.UTF8.GetBytes("this is a zip of a proprietary model");
        using var package = new TestPackage();
        package.Artefact(pickle).Artefact(fakeOnnx);
        package.ReconciledTable(NeutralSchema.ModelFiles,
        [
            Some.ModelFile("mf-1", "pickle", TestPackage.ArtefactPathOf(pickle), pickle.Length),
            Some.ModelFile("mf-2", "onnx", TestPackage.ArtefactPathOf(fakeOnnx), fakeOnnx.Length),
        ]);

        var check = await Schedules.CheckAsync(package, Onnx);

        Assert.Equal(Outcome.NotMet, check.Outcome);
        Assert.Equal($"1 of 2 model files is not onnx: mf-1 (pickle); 2 artefacts do not start like an ONNX ModelProto, e.g. {TestPackage.ArtefactPathOf(pickle)} (row mf-1).", check.Summary);
    }

    [Fact]
    public void A_truncated_ModelProto_is_not_taken_for_ONNX()
    {
        var model = Some.OnnxModel();

        Assert.True(Engine.FileSignatures.LooksLikeModelProto(model, model.Length));
        Assert.False(Engine.FileSignatures.LooksLikeModelProto(model.AsSpan(0, 9), 9));
        Assert.False(Engine.FileSignatures.LooksLikeModelProto("PK\u0003\u0004"u8, 4));
    }
}

public sealed class DeadlineTests
{
    private const string Sealed = """
          - id: "5.1"
            title: Exit package delivered by the deadline
            checks:
              - sealedBy: delivery
        """;

    [Fact]
    public async Task A_package_sealed_on_the_deadline_is_met()
    {
        using var package = new TestPackage();
        package.ReconciledTable(NeutralSchema.Queues, [Some.Queue("q-1", "Billing")]);

        var check = await Schedules.CheckAsync(package, Sealed);

        Assert.Equal(Outcome.Met, check.Outcome);
        Assert.Equal("the package was sealed on 12 July 2024 (15:03 Europe/London), on the deadline of 12 July 2024 (delivery).", check.Summary);
    }

    [Fact]
    public async Task A_package_sealed_late_says_by_how_many_days()
    {
        using var package = new TestPackage { SealedAt = new DateTimeOffset(2024, 7, 15, 23, 30, 0, TimeSpan.Zero) };
        package.ReconciledTable(NeutralSchema.Queues, [Some.Queue("q-1", "Billing")]);

        var check = await Schedules.CheckAsync(package, Sealed);

        // 23:30 UTC is 00:30 on 16 July in London.
        Assert.Equal(Outcome.NotMet, check.Outcome);
        Assert.Equal("the package was sealed on 16 July 2024 (00:30 Europe/London), 4 days after the deadline of 12 July 2024 (delivery).", check.Summary);
    }

    private const string Dates = """
        dates:
          notice: 2024-04-02
          switchingStart: 2024-06-01
          transitionEnd: 2024-07-05
          retrievalEnd: 2024-08-05
          erasure: 2024-08-20
          infeasibilityNotice: null
        """;

    private const string Clocks = """
          - id: "DA-25.2(a)"
            title: Notice period of at most two months
            checks:
              - clock: { name: notice period, from: notice, to: switchingStart, atMost: 2 months }
          - id: "DA-25.2(d)"
            title: Transition period of at most 30 days
            checks:
              - clock: { name: transition period, from: switchingStart, to: transitionEnd, atMost: 30 days }
          - id: "DA-25.2(e)"
            title: Data retrievable for at least 30 days
            checks:
              - clock: { name: retrieval period, from: transitionEnd, to: retrievalEnd, atLeast: 30 days }
          - id: "DA-25.4"
            title: Infeasibility notified within 14 working days
            checks:
              - clock: { name: infeasibility notice, from: notice, to: infeasibilityNotice, atMost: 14 working days }
        """;

    [Fact]
    public async Task Data_Act_clocks_are_computed_from_the_schedules_dates()
    {
        using var package = new TestPackage();
        package.ReconciledTable(NeutralSchema.Queues, [Some.Queue("q-1", "Billing")]);
        var sealedPackage = await package.SealAsync(TestContext.Current.CancellationToken);

        var report = await Schedules.ValidateAsync(sealedPackage, Clocks, Dates);

        var summaries = report.Obligations.Select(obligation => (obligation.Outcome, obligation.Checks[0].Summary)).ToList();
        Assert.Equal((Outcome.Met, "notice period: 2 April 2024 (notice) to 1 June 2024 (switchingStart) is 60 days; at most 2 months (by 2 June 2024)."), summaries[0]);
        Assert.Equal((Outcome.NotMet, "transition period: 1 June 2024 (switchingStart) to 5 July 2024 (transitionEnd) is 34 days; at most 30 days allowed, which ends 1 July 2024."), summaries[1]);
        Assert.Equal((Outcome.Met, "retrieval period: 5 July 2024 (transitionEnd) to 5 August 2024 (retrievalEnd) is 31 days; at least 30 days (not before 4 August 2024)."), summaries[2]);
        Assert.Equal((Outcome.NotCheckable, "infeasibility notice: the schedule gives no date for 'infeasibilityNotice' yet."), summaries[3]);
    }

    [Fact]
    public async Task Working_day_clocks_count_working_days()
    {
        using var package = new TestPackage();
        package.ReconciledTable(NeutralSchema.Queues, [Some.Queue("q-1", "Billing")]);
        var sealedPackage = await package.SealAsync(TestContext.Current.CancellationToken);

        var report = await Schedules.ValidateAsync(sealedPackage, """
              - id: "S10-1.3"
                title: Information requests answered within 15 Working Days
                checks:
                  - clock: { name: information request, from: request, to: answer, atMost: 15 working days }
            """, "dates:\n  request: 2024-05-01\n  answer: 2024-05-23");

        // May 2024 has the 6 May bank holiday: 1 May + 15 Working Days is 23 May.
        var check = report.Obligations[0].Checks[0];
        Assert.Equal(Outcome.Met, check.Outcome);
        Assert.Equal("information request: 1 May 2024 (request) to 23 May 2024 (answer) is 15 working days; at most 15 working days (by 23 May 2024).", check.Summary);
    }
}

public sealed class PresenceAndAttestationTests
{
    [Fact]
    public async Task Every_listed_table_must_be_in_the_package()
    {
        using var package = new TestPackage();
        package.ReconciledTable(NeutralSchema.Interactions, [Some.Interaction("i-1", Some.At(2024, 3, 10))]);
        package.ReconciledTable(NeutralSchema.Messages, []);
        var sealedPackage = await package.SealAsync(TestContext.Current.CancellationToken);

        var report = await Schedules.ValidateAsync(sealedPackage, """
              - id: "DA-26"
                title: Every data category listed is exported
                tables: [interactions, messages]
                checks:
                  - present: {}
              - id: "DA-26b"
                title: Every data category has data
                tables: [interactions, messages, surveys]
                checks:
                  - present: { minRows: 1 }
            """);

        Assert.Equal("all 2 listed tables are in the package.", report.Obligations[0].Checks[0].Summary);
        Assert.Equal(Outcome.NotMet, report.Obligations[1].Outcome);
        Assert.Equal("1 listed table missing from the package: surveys; 1 table with fewer than 1 row: messages (0).", report.Obligations[1].Checks[0].Summary);
    }

    private const string Erasure = """
          - id: "DA-25.2(h)"
            title: Erasure after the retrieval period, certified
            checks:
              - attestation: { document: Erasure certificate }
        """;

    [Fact]
    public async Task An_attestation_in_the_package_is_met_and_named()
    {
        using var package = new TestPackage();
        package.Original("attestations/erasure-certificate-2024-08.pdf", new byte[2048]);
        package.ReconciledTable(NeutralSchema.Queues, [Some.Queue("q-1", "Billing")]);

        var check = await Schedules.CheckAsync(package, Erasure);

        Assert.Equal(Outcome.Met, check.Outcome);
        Assert.Equal("Erasure certificate: data/originals/attestations/erasure-certificate-2024-08.pdf (2 KB) is in the package.", check.Summary);
        Assert.Equal(["data/originals/attestations/erasure-certificate-2024-08.pdf: 2 KB, listed with its SHA-256 in the manifest."], check.Details);
    }

    [Fact]
    public async Task A_missing_attestation_says_where_it_was_looked_for()
    {
        using var package = new TestPackage();
        package.Original("attestations/exit-plan.pdf", new byte[10]);
        package.ReconciledTable(NeutralSchema.Queues, [Some.Queue("q-1", "Billing")]);

        var check = await Schedules.CheckAsync(package, Erasure);

        Assert.Equal(Outcome.NotMet, check.Outcome);
        Assert.Equal("Erasure certificate: no file in the package matches data/originals/attestations/*erasure-certificate*.", check.Summary);
    }
}
