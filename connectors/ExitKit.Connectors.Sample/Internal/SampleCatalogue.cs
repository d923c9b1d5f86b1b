using System.Globalization;

namespace ExitKit.Connectors.Sample.Internal;

/// <summary>The centre's knowledge base, routing and bot: small, fixed tables.</summary>
internal static class SampleCatalogue
{
    private const string System = SampleCentre.System;
    private static readonly DateTimeOffset Created = new(2022, 11, 1, 9, 0, 0, TimeSpan.Zero);
    public static readonly string[] Locales = ["en-gb", "fr-fr"];

    private static readonly (string Id, string Parent, string Kind, string En, string Fr)[] Sections =
    [
        ("cat-orders", "", "category", "Orders and delivery", "Commandes et livraison"),
        ("cat-account", "", "category", "Account and billing", "Compte et facturation"),
        ("sec-tracking", "cat-orders", "section", "Tracking a parcel", "Suivre un colis"),
        ("sec-returns", "cat-orders", "section", "Returns and refunds", "Retours et remboursements"),
        ("sec-login", "cat-account", "section", "Signing in", "Connexion"),
        ("sec-payments", "cat-account", "section", "Payments and invoices", "Paiements et factures"),
    ];

    private static readonly string[] Topics =
    [
        "Where is my parcel", "Changing the delivery address", "Returning an item", "When will I get my refund", "Resetting your password",
        "Two-step verification", "Updating a payment card", "Downloading an invoice", "Cancelling a subscription", "Using a discount code",
    ];

    public static IEnumerable<object?[]> KbSections()
    {
        foreach (var (id, parent, kind, en, fr) in Sections)
        {
            foreach (var locale in Locales)
            {
                yield return
                [
                    System, $"{id}/{locale}", parent.Length == 0 ? null : $"{parent}/{locale}", kind, locale == "en-gb" ? en : fr,
                    null, locale, (long)Array.FindIndex(Sections, section => section.Id == id), Created, Created.AddDays(30), null,
                ];
            }
        }
    }

    public static int ArticleCount => Topics.Length * 4;

    public static IEnumerable<object?[]> KbArticles()
    {
        for (var article = 0; article < ArticleCount; article++)
        {
            var topic = Topics[article % Topics.Length];
            var section = Sections[2 + article % 4].Id;
            var versions = article % 3 == 0 ? 2 : 1;
            foreach (var locale in Locales)
            {
                for (var version = 1; version <= versions; version++)
                {
                    var id = "kb-" + article.ToString("D4", CultureInfo.InvariantCulture);
                    var updated = Created.AddDays(article * 7 + version * 20);
                    var title = locale == "en-gb" ? $"{topic} ({article / Topics.Length + 1})" : $"{topic} ({article / Topics.Length + 1}) [FR]";
                    var draft = version == versions && article % 9 == 0;
                    yield return
                    [
                        System, $"{id}/{locale}/{version}", id, locale, (long)version, title,
                        $"<h1>{title}</h1><p>Step-by-step help for customers. Version {version}.</p><ol><li>Open your account.</li><li>Choose Orders.</li><li>Follow the prompts.</li></ol>",
                        "html", $"{section}/{locale}", draft ? "draft" : "published", article % 2 == 0 ? new[] { "self-service", "top-10" } : new[] { "self-service" },
                        "author-" + (article % 5).ToString(CultureInfo.InvariantCulture), updated.AddDays(-2), updated, draft ? null : updated, null,
                    ];
                }
            }
        }
    }

    /// <summary>A 1×1 transparent PNG, the smallest image a help article can carry.</summary>
    public static readonly byte[] TinyPng = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

    public static IEnumerable<int> ArticlesWithImages() => Enumerable.Range(0, ArticleCount).Where(article => article % 4 == 0);

    public static object?[] KbAttachment(int article, string sha256, long size, string path) =>
    [
        System, "kb-" + article.ToString("D4", CultureInfo.InvariantCulture) + "-img1", "kb-" + article.ToString("D4", CultureInfo.InvariantCulture), null,
        "screenshot.png", "image/png", size, sha256, path, Created.AddDays(article * 7), null,
    ];

    public static IEnumerable<object?[]> BusinessHours()
    {
        yield return [System, "bh-uk", "UK office hours", "Europe/London",
            """{"monday":[["08:00","20:00"]],"tuesday":[["08:00","20:00"]],"wednesday":[["08:00","20:00"]],"thursday":[["08:00","20:00"]],"friday":[["08:00","18:00"]],"saturday":[["09:00","13:00"]]}""",
            """["2026-12-25","2026-12-26","2027-01-01"]""", null];
        yield return [System, "bh-fr", "Heures France", "Europe/Paris",
            """{"monday":[["09:00","18:00"]],"tuesday":[["09:00","18:00"]],"wednesday":[["09:00","18:00"]],"thursday":[["09:00","18:00"]],"friday":[["09:00","17:00"]]}""",
            """["2026-12-25","2027-01-01"]""", null];
    }

    public static readonly (string Id, string Name, string Channel)[] Queues =
    [
        ("q-billing", "Billing", "voice"), ("q-delivery", "Delivery", "chat"), ("q-technical", "Technical support", "chat"),
        ("q-returns", "Returns", "email"), ("q-vip", "VIP customers", "voice"), ("q-french", "Service client France", "voice"),
    ];

    public static IEnumerable<object?[]> QueueRows() => Queues.Select(queue => new object?[]
    {
        System, queue.Id, queue.Name, $"Work for the {queue.Name} team.", queue.Channel, queue.Id == "q-french" ? "bh-fr" : "bh-uk", Created, Created.AddDays(90), null,
    });

    public static IEnumerable<object?[]> Skills() => new[] { ("sk-english", "English", "language"), ("sk-french", "French", "language"),
        ("sk-billing", "Billing disputes", "skill"), ("sk-technical", "App troubleshooting", "skill"), ("sk-vip", "VIP handling", "proficiency") }
        .Select(skill => new object?[] { System, skill.Item1, skill.Item2, null, skill.Item3, null });

    public static IEnumerable<object?[]> RoutingRules()
    {
        var rules = new (string Id, string Name, string Type, string Conditions, string Actions, string? Queue)[]
        {
            ("rr-vip", "VIP customers first", "trigger", """{"all":[{"field":"customer.segment","operator":"is","value":"vip"}]}""", """[{"field":"queue","value":"q-vip"},{"field":"priority","value":"high"}]""", "q-vip"),
            ("rr-french", "French speakers", "trigger", """{"all":[{"field":"language","operator":"is","value":"fr-FR"}]}""", """[{"field":"queue","value":"q-french"}]""", "q-french"),
            ("rr-refund", "Refund keywords", "trigger", """{"any":[{"field":"subject","operator":"contains","value":"refund"},{"field":"subject","operator":"contains","value":"charged twice"}]}""", """[{"field":"queue","value":"q-billing"},{"field":"tags","value":"refund"}]""", "q-billing"),
            ("rr-returns", "Returns by email", "trigger", """{"all":[{"field":"channel","operator":"is","value":"email"},{"field":"subject","operator":"contains","value":"return"}]}""", """[{"field":"queue","value":"q-returns"}]""", "q-returns"),
            ("rr-stale", "Close solved after 4 days", "automation", """{"all":[{"field":"status","operator":"is","value":"solved"},{"field":"hours_since_solved","operator":"greater_than","value":96}]}""", """[{"field":"status","value":"closed"}]""", null),
            ("rr-sla-high", "High priority: reply in 1 hour", "sla_policy", """{"all":[{"field":"priority","operator":"is","value":"high"}]}""", """[{"metric":"first_reply_time","business_hours":true,"target_minutes":60}]""", null),
            ("rr-sla-normal", "Normal priority: reply in 8 hours", "sla_policy", """{"all":[{"field":"priority","operator":"is","value":"normal"}]}""", """[{"metric":"first_reply_time","business_hours":true,"target_minutes":480}]""", null),
            ("rr-profile-uk", "UK agents", "routing_profile", """{"queues":["q-billing","q-delivery","q-technical","q-returns","q-vip"]}""", """[{"concurrency":{"voice":1,"chat":3,"email":5}}]""", null),
        };
        var position = 0L;
        foreach (var rule in rules)
        {
            yield return [System, rule.Id, rule.Name, rule.Type, ++position, true, rule.Conditions, rule.Actions, rule.Queue, Created, Created.AddDays(position * 10), null];
        }
    }

    /// <summary>The IVR as the vendor's own designer exports it; kept byte-exact as an original, and parsed into the flow tables.</summary>
    public const string MainFlowJson = """
        {
          "flow": "Main IVR",
          "type": "inbound-voice",
          "start": "greeting",
          "blocks": [
            {"id": "greeting", "type": "play-prompt", "prompt": "welcome-en", "next": "hours"},
            {"id": "hours", "type": "check-hours", "hours": "bh-uk", "open": "menu", "closed": "closed-message", "error": "closed-message"},
            {"id": "menu", "type": "menu", "prompt": "main-menu", "choices": {"1": "to-billing", "2": "to-delivery", "3": "to-technical", "9": "to-french"}, "timeout": "to-delivery", "error": "to-delivery"},
            {"id": "to-billing", "type": "transfer-to-queue", "queue": "q-billing", "error": "queue-full"},
            {"id": "to-delivery", "type": "transfer-to-queue", "queue": "q-delivery", "error": "queue-full"},
            {"id": "to-technical", "type": "transfer-to-queue", "queue": "q-technical", "error": "queue-full"},
            {"id": "to-french", "type": "transfer-to-flow", "flow": "fr-ivr", "error": "queue-full"},
            {"id": "queue-full", "type": "play-prompt", "prompt": "busy", "next": "hang-up"},
            {"id": "closed-message", "type": "play-prompt", "prompt": "closed", "next": "hang-up"},
            {"id": "hang-up", "type": "disconnect"}
          ]
        }
        """;

    public const string FrenchFlowJson = """
        {
          "flow": "fr-ivr",
          "type": "inbound-voice",
          "start": "accueil",
          "blocks": [
            {"id": "accueil", "type": "play-prompt", "prompt": "welcome-fr", "next": "vers-file"},
            {"id": "vers-file", "type": "transfer-to-queue", "queue": "q-french", "error": "raccrocher"},
            {"id": "raccrocher", "type": "disconnect"}
          ]
        }
        """;

    public const string BotExportJson = """
        {
          "bot": "Northwind Helper",
          "locale": "en-GB",
          "intents": {
            "track_parcel": ["where is my parcel", "track my order", "has my order shipped", "my delivery is late", "parcel not arrived", "when will {order_number} arrive"],
            "request_refund": ["I want a refund", "refund my order", "I was charged twice", "money back please", "refund {order_number}"],
            "reset_password": ["I forgot my password", "reset password", "cannot sign in", "locked out of my account"],
            "change_address": ["change my delivery address", "I moved house", "update address on {order_number}", "wrong address"],
            "cancel_subscription": ["cancel my plan", "stop my subscription", "do not renew", "end membership"],
            "talk_to_agent": ["talk to a person", "agent please", "human", "speak to someone"],
            "greeting": ["hello", "hi", "good morning", "hey there"],
            "goodbye": ["bye", "thanks that is all", "goodbye", "see you"]
          },
          "entities": {
            "order_number": {"kind": "regex", "pattern": "[0-9]{6}"},
            "product": {"kind": "entity", "values": {"headphones": ["earphones", "headset"], "charger": ["power adapter", "plug"]}},
            "channel": {"kind": "slot", "values": {"email": [], "phone": ["call"]}}
          }
        }
        """;
}
