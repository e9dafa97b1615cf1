using System.Globalization;

namespace Observe.Collectors.Collection;

/// <summary>A checkpoint that holds one instant (ISO 8601, round-trip format): how far a collector has read.</summary>
internal static class InstantCheckpoint
{
    public static string Format(DateTimeOffset at) => at.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>The instant <paramref name="value"/> holds; null when there is no checkpoint yet.</summary>
    /// <exception cref="InvalidOperationException">The checkpoint holds something else; the message names the key and the setting a fresh start reads from.</exception>
    public static DateTimeOffset? Parse(string? value, string key, string freshStartSetting) =>
        value is null ? null
        : DateTimeOffset.TryParseExact(value, "O", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at
        : throw new InvalidOperationException($"checkpoint {key} holds '{value}', not an ISO 8601 instant; delete it to start again from {freshStartSetting}");
}
