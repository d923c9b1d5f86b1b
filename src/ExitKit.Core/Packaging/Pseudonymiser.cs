using System.Security.Cryptography;
using System.Text;

namespace ExitKit.Packaging;

/// <summary>Replaces personal values with a keyed hash (HMAC-SHA256), so the same customer maps to the same pseudonym
/// across tables and exports with the same key, and nobody without the key can reverse or re-derive it.</summary>
public sealed class Pseudonymiser
{
    private readonly byte[] _key;

    /// <summary>The method as the manifest records it.</summary>
    public const string Method = "HMAC-SHA256 of the UTF-8 value, lower-case hex, first 32 characters, prefixed 'ps_'";

    /// <summary>Creates a pseudonymiser from a secret key.</summary>
    public Pseudonymiser(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        _key = Encoding.UTF8.GetBytes(key);
    }

    /// <summary>The pseudonym of a value; null stays null.</summary>
    public string? Apply(string? value)
    {
        if (value is null)
        {
            return null;
        }
        Span<byte> hash = stackalloc byte[32];
        HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(value), hash);
        return "ps_" + Convert.ToHexStringLower(hash)[..32];
    }
}
