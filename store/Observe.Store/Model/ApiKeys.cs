namespace Observe.Store.Model;

/// <summary>
/// A named API key for machine access, as readers see it: never its secrets, only whether an old one still works.
/// </summary>
/// <param name="Id">The key's public id, the part of the key before its secret; it identifies the key in every row and log.</param>
/// <param name="Name">What the key is for, unique among keys not revoked.</param>
/// <param name="Role">The dashboard role a request with the key has (Viewer, Responder or Admin).</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="CreatedBy">Who created it.</param>
public sealed record ApiKey(string Id, string Name, string Role, DateTimeOffset CreatedAt, string CreatedBy)
{
    /// <summary>When the current primary secret was made by a rotation; null when it is the one the key was created with.</summary>
    public DateTimeOffset? RotatedAt { get; init; }

    /// <summary>A rotation's old secret still works (until it is retired).</summary>
    public bool HasSecondary { get; init; }

    /// <summary>When a request last authenticated with the key (to the minute); null when never.</summary>
    public DateTimeOffset? LastUsedAt { get; init; }

    /// <summary>When the key was revoked; null while it works.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>Who revoked it.</summary>
    public string? RevokedBy { get; init; }
}

/// <summary>What checking a presented key needs: the key and the SHA-256 hashes (lower-case hex) of its secrets.</summary>
/// <param name="Key">The key.</param>
/// <param name="PrimaryHash">The current secret's hash; empty once revoked.</param>
/// <param name="SecondaryHash">The previous secret's hash while it still works; null otherwise.</param>
public sealed record ApiKeyCredential(ApiKey Key, string PrimaryHash, string? SecondaryHash);
