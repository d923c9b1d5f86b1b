using System.Globalization;
using ExitKit.Schema;

namespace ExitKit.Connectors.Sample.Internal;

/// <summary>The fictional centre's history: every interaction-family row is a pure function of the interaction's index.</summary>
internal sealed class SampleCentre(SampleOptions options)
{
    public const string System = "sample";
    private static readonly string[] Channels = ["voice", "chat", "email"];
    private static readonly string[] QueueIds = ["q-billing", "q-delivery", "q-technical", "q-returns", "q-vip", "q-french"];
    private static readonly string[] Statuses = ["solved", "closed", "solved", "solved", "abandoned"];
    private static readonly string[] Dispositions = ["resolved-first-contact", "refund-issued", "escalated", "replacement-sent", "information-given"];
    private static readonly string[] TagPool = ["delivery", "billing", "app", "refund", "vip", "complaint", "address-change", "login"];
    public const int Agents = 120;

    private readonly DateTimeOffset _start = new(options.FirstDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
    private readonly long _spanSeconds = (long)(options.LastDay.AddDays(1).ToDateTime(TimeOnly.MinValue) - options.FirstDay.ToDateTime(TimeOnly.MinValue)).TotalSeconds;
    private readonly HashSet<DateOnly> _lostDays = [.. options.LostDays];

    public int Count => options.Interactions;

    public bool IsLost(DateTimeOffset instant) => _lostDays.Count > 0 && _lostDays.Contains(DateOnly.FromDateTime(instant.UtcDateTime));

    public static ulong Seed(int index) => SampleText.Mix((ulong)index + 0x5EED);

    public DateTimeOffset StartedAt(int index)
    {
        var seconds = (long)((double)index * _spanSeconds / Math.Max(1, Count));
        return _start.AddSeconds(seconds + (long)(Seed(index) % 50));
    }

    public static string InteractionId(int index) => "int-" + index.ToString("D8", CultureInfo.InvariantCulture);

    public static int MessageCount(int index) => 3 + SampleText.Pick(Seed(index), 1, 5);

    public static string Channel(int index) => Channels[SampleText.Pick(Seed(index), 2, Channels.Length)];

    public static bool HasAttachment(int index) => SampleText.Pick(Seed(index), 3, 100) == 0;

    public static bool HasSurvey(int index) => SampleText.Pick(Seed(index), 4, 10) < 3;

    private static TimeSpan TurnGap(string channel) => channel switch
    {
        "voice" => TimeSpan.FromSeconds(40),
        "chat" => TimeSpan.FromSeconds(75),
        _ => TimeSpan.FromHours(3),
    };

    public DateTimeOffset MessageSentAt(int index, int turn) => StartedAt(index) + TurnGap(Channel(index)) * (turn - 1);

    public DateTimeOffset EndedAt(int index) => MessageSentAt(index, MessageCount(index)) + TimeSpan.FromSeconds(30);

    public DateTimeOffset SurveyAnsweredAt(int index) => EndedAt(index) + TimeSpan.FromMinutes(10);

    public DateTimeOffset AttachmentCreatedAt(int index) => MessageSentAt(index, 1);

    /// <summary>The wrap-up time the centre records beside each interaction (in source_extra: the neutral format has no column for it).</summary>
    public static int WrapUpSeconds(int index) => SampleText.Pick(Seed(index), 15, 120);

    public static int Agent(int index) => SampleText.Pick(Seed(index), 5, Agents);

    public object?[] Interaction(int index)
    {
        var seed = Seed(index);
        var channel = Channel(index);
        var started = StartedAt(index);
        var ended = EndedAt(index);
        var row = NeutralSchema.Interactions.NewRow();
        var tags = SampleText.Pick(seed, 6, 3) switch
        {
            0 => Array.Empty<string>(),
            1 => [TagPool[SampleText.Pick(seed, 7, TagPool.Length)]],
            _ => new[] { TagPool[SampleText.Pick(seed, 7, TagPool.Length)], TagPool[SampleText.Pick(seed, 8, TagPool.Length)] }.Distinct().ToArray(),
        };
        var values = new object?[]
        {
            System, InteractionId(index), channel, SampleText.Pick(seed, 9, 10) == 0 ? "outbound" : "inbound",
            Statuses[SampleText.Pick(seed, 10, Statuses.Length)],
            channel == "email" ? "Order " + (seed % 1_000_000).ToString("D6", CultureInfo.InvariantCulture) + ": " + Dispositions[SampleText.Pick(seed, 11, Dispositions.Length)] : null,
            started, ended, ended + TimeSpan.FromMinutes(1),
            QueueIds[SampleText.Pick(seed, 12, QueueIds.Length)],
            "agent-" + Agent(index).ToString("D3", CultureInfo.InvariantCulture),
            "cust-" + (seed % 400_000).ToString("D6", CultureInfo.InvariantCulture),
            SampleText.Pick(seed, 13, 6) == 0 ? "fr-FR" : "en-GB",
            SampleText.Pick(seed, 14, 4) == 0 ? "high" : "normal",
            Dispositions[SampleText.Pick(seed, 11, Dispositions.Length)],
            channel == "email" ? null : (long)(ended - started).TotalSeconds,
            tags,
            $$"""{"csat_requested":{{(HasSurvey(index) ? "true" : "false")}},"wrap_up_seconds":{{WrapUpSeconds(index)}}}""",
        };
        values.CopyTo(row, 0);
        return row;
    }

    public object?[] Message(int index, int turn)
    {
        var seed = Seed(index);
        var fromCustomer = turn % 2 == 1;
        var note = !fromCustomer && turn == MessageCount(index) && SampleText.Pick(seed, 16, 5) == 0;
        return
        [
            System, InteractionId(index) + "-m" + turn.ToString(CultureInfo.InvariantCulture), InteractionId(index), (long)turn,
            fromCustomer ? "customer" : "agent",
            fromCustomer ? "cust-" + (seed % 400_000).ToString("D6", CultureInfo.InvariantCulture) : "agent-" + Agent(index).ToString("D3", CultureInfo.InvariantCulture),
            note ? "note" : "turn", note ? "internal" : "public",
            SampleText.Body(seed, turn, fromCustomer), "text", MessageSentAt(index, turn),
            Channel(index) == "email" ? null : Math.Round(((double)SampleText.Pick(seed, 20 + turn, 201) - 100) / 100, 2),
            SampleText.Pick(seed, 13, 6) == 0 ? "fr-FR" : "en-GB",
            null,
        ];
    }

    public IEnumerable<object?[]> Participants(int index)
    {
        var seed = Seed(index);
        yield return
        [
            System, InteractionId(index) + "-p1", InteractionId(index), "customer", "cust-" + (seed % 400_000).ToString("D6", CultureInfo.InvariantCulture),
            SampleText.CustomerName(seed), StartedAt(index), EndedAt(index), null,
        ];
        yield return
        [
            System, InteractionId(index) + "-p2", InteractionId(index), "agent", "agent-" + Agent(index).ToString("D3", CultureInfo.InvariantCulture),
            SampleText.AgentName(Agent(index)), StartedAt(index), EndedAt(index), null,
        ];
    }

    public static int ParticipantCount => 2;

    public static byte[] AttachmentContent(int index) => global::System.Text.Encoding.UTF8.GetBytes(
        $"Receipt\nInteraction: {InteractionId(index)}\nOrder: {Seed(index) % 1_000_000:D6}\nAmount: {Seed(index) % 50_000 / 100.0:F2} GBP\n");

    public object?[] Attachment(int index, string sha256, long size, string path) =>
    [
        System, InteractionId(index) + "-a1", InteractionId(index), InteractionId(index) + "-m1", "attachment",
        "receipt-" + InteractionId(index) + ".txt", "text/plain", size, sha256, path, AttachmentCreatedAt(index), null,
    ];

    public object?[] Survey(int index)
    {
        var seed = Seed(index);
        var nps = SampleText.Pick(seed, 30, 4) == 0;
        var score = nps ? SampleText.Pick(seed, 31, 11) : 1 + SampleText.Pick(seed, 31, 5);
        return
        [
            System, InteractionId(index) + "-s1", InteractionId(index), nps ? "nps" : "csat", (double)score, nps ? 10.0 : 5.0,
            SampleText.Pick(seed, 32, 3) == 0 ? "The agent was " + (score >= (nps ? 8 : 4) ? "helpful and quick." : "polite but it took too long.") : null,
            SurveyAnsweredAt(index), null,
        ];
    }
}
