namespace ExitKit.Schema;

/// <summary>The four data families an exit schedule names.</summary>
public enum DataFamily
{
    /// <summary>Contacts, tickets and conversations with their messages, participants, attachments and surveys.</summary>
    Interactions,
    /// <summary>Knowledge-base articles, sections and attachments.</summary>
    Knowledge,
    /// <summary>Queues, skills, routing rules, flows and business hours.</summary>
    Routing,
    /// <summary>Bots and models, intents, training utterances, entities and model files.</summary>
    Models,
}
