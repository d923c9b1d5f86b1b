namespace ExitKit.Connectors.Sample.Internal;

/// <summary>Deterministic pseudo-randomness and text for the sample centre: the same index always gives the same values.</summary>
internal static class SampleText
{
    /// <summary>SplitMix64: a fast, well-mixed hash of an index, so any row can be generated on its own (resume, shards).</summary>
    public static ulong Mix(ulong value)
    {
        value += 0x9E3779B97F4A7C15UL;
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9UL;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EBUL;
        return value ^ (value >> 31);
    }

    public static int Pick(ulong seed, int salt, int count) => (int)(Mix(seed * 31UL + (ulong)salt) % (ulong)count);

    private static readonly string[] Openers =
    [
        "Hello, I am calling about my order", "Hi there, my parcel has not arrived", "Good morning, I need to change my delivery address",
        "Hello, I was charged twice for the same subscription", "Hi, the app keeps logging me out", "Good afternoon, I would like to return an item",
        "Hello, my discount code is not being accepted", "Hi, I cannot reset my password", "Hello, the invoice shows the wrong company name",
        "Hi, I want to cancel my plan before it renews", "Hello, the replacement part is the wrong size", "Good evening, my card was declined",
    ];

    private static readonly string[] Middles =
    [
        "I have checked the tracking page several times and it still says the shipment is waiting at the depot, which is odd because I was told it would be delivered on Tuesday.",
        "I followed the steps in the help article, cleared the cache, reinstalled the application and restarted the phone, but the same error message appears each time I sign in.",
        "The confirmation email lists two payments of the same amount on the same day, and my bank statement shows both of them as completed rather than pending.",
        "We moved offices last month and the new address is already on the account, yet the last two deliveries went to the old building and had to be collected by a colleague.",
        "The product arrived with a cracked cover and a missing cable; I kept the packaging and took photographs in case you need them for the claim.",
        "I was promised a call back within two working days when I first reported this, but nobody has contacted me and the case still shows as open in the portal.",
        "The checkout page accepted the code, showed the reduced price, and then charged the full amount once the order was confirmed, which is not what I expected.",
        "My colleague has the same problem on a different device, so it does not seem to be specific to my phone or my network connection at home.",
    ];

    private static readonly string[] Replies =
    [
        "Thank you for the details. I can see the order in our system and I have raised a priority request with the courier; you should receive an update within 24 hours.",
        "I am sorry for the trouble. I have refunded the duplicate payment; it can take three to five working days to appear on your statement depending on your bank.",
        "I have updated the delivery address on all open orders and added a note to the account so future shipments use the new building.",
        "I have reset the session tokens on your account. Please sign out on every device, wait five minutes, and then sign in again with your usual details.",
        "I have arranged a replacement and a prepaid return label; the courier will collect the damaged item when they deliver the new one.",
        "I have escalated this to the billing team with a request to correct the company name and reissue the invoice for the same period.",
        "I have applied the discount manually and the difference has been credited to the card you used for the order.",
        "I have cancelled the renewal and confirmed that no further payments will be taken; you keep access until the end of the current period.",
    ];

    private static readonly string[] Closers =
    [
        "Is there anything else I can help you with today?", "Thanks, that is everything for now.", "Great, thank you for sorting that out so quickly.",
        "Could you confirm that by email as well, please?", "I will keep an eye on it and get back to you if it happens again.", "Perfect, have a good day.",
    ];

    private static readonly string[] FirstNames = ["Alex", "Sam", "Priya", "Jonas", "Maria", "Chen", "Fatima", "Liam", "Sofia", "Noah", "Amara", "Lucas"];
    private static readonly string[] LastNames = ["Smith", "Okafor", "Novak", "Garcia", "Muller", "Kowalski", "Dubois", "Rossi", "Haddad", "Tanaka"];

    public static string CustomerName(ulong seed) => $"{FirstNames[Pick(seed, 91, FirstNames.Length)]} {LastNames[Pick(seed, 92, LastNames.Length)]}";

    public static string AgentName(int agent) => $"{FirstNames[agent % FirstNames.Length]} {LastNames[agent / FirstNames.Length % LastNames.Length]}";

    /// <summary>A message body of about 700 bytes: turn by turn, the customer explains and the agent resolves.</summary>
    public static string Body(ulong seed, int turn, bool fromCustomer)
    {
        if (fromCustomer)
        {
            return turn == 1
                ? string.Concat(Openers[Pick(seed, turn, Openers.Length)], ". ", Middles[Pick(seed, turn + 10, Middles.Length)], " ",
                    Middles[Pick(seed, turn + 20, Middles.Length)], " ", Middles[Pick(seed, turn + 30, Middles.Length)], " Reference ", seed.ToString("x8", System.Globalization.CultureInfo.InvariantCulture), ".")
                : string.Concat(Closers[Pick(seed, turn, Closers.Length)], " ", Middles[Pick(seed, turn + 40, Middles.Length)], " ",
                    Middles[Pick(seed, turn + 50, Middles.Length)], " ", Middles[Pick(seed, turn + 60, Middles.Length)]);
        }
        return string.Concat(Replies[Pick(seed, turn, Replies.Length)], " ", Replies[Pick(seed, turn + 70, Replies.Length)], " ",
            Replies[Pick(seed, turn + 80, Replies.Length)], " ", Replies[Pick(seed, turn + 90, Replies.Length)]);
    }
}
