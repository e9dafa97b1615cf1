using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Observe.Collectors.Aws;

/// <summary>
/// Timestamps of the JSON protocols: CloudWatch, X-Ray and Lambda's typed dates travel as epoch seconds (a JSON
/// number, possibly fractional). Reading also accepts an ISO 8601 string, which some emulators send.
/// </summary>
internal sealed class EpochSecondsConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return FromEpochSeconds(reader.GetDouble());
        }

        if (reader.TokenType == JsonTokenType.String)
        {
            var text = reader.GetString();
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            {
                return FromEpochSeconds(seconds);
            }

            if (AwsTimestamps.TryParseIso(text, out var parsed))
            {
                return parsed;
            }
        }

        throw new JsonException($"expected a timestamp (epoch seconds), found {reader.TokenType}");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(Math.Round(value.ToUnixTimeMilliseconds() / 1000m, 3));

    private static DateTimeOffset FromEpochSeconds(double seconds) =>
        double.IsFinite(seconds) && Math.Abs(seconds) < 253402300799
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000))
            : throw new JsonException($"timestamp {seconds} is out of range");
}

internal static class AwsTimestamps
{
    /// <summary>
    /// Parses the ISO 8601 strings AWS uses outside the typed timestamp fields, such as Lambda's <c>LastModified</c>
    /// (<c>2024-10-10T13:34:07.448+0000</c>), tolerating an offset without colon and more than 7 fractional digits.
    /// </summary>
    public static bool TryParseIso(string? text, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 64)
        {
            return false;
        }

        Span<char> buffer = stackalloc char[72];
        var length = 0;
        var fractionDigits = 0;
        var inFraction = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '.' && !inFraction)
            {
                inFraction = true;
            }
            else if (inFraction && char.IsAsciiDigit(c))
            {
                // .NET parses at most 7 fractional digits; the rest is below 100 ns.
                if (++fractionDigits > 7)
                {
                    continue;
                }
            }
            else
            {
                inFraction = false;
            }

            buffer[length++] = c;
        }

        // "+0000" -> "+00:00"
        if (length >= 5 && buffer[length - 5] is '+' or '-' && char.IsAsciiDigit(buffer[length - 4]) && buffer[length - 3] != ':')
        {
            buffer[length] = buffer[length - 1];
            buffer[length - 1] = buffer[length - 2];
            buffer[length - 2] = ':';
            length++;
        }

        return DateTimeOffset.TryParse(buffer[..length], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
    }
}
