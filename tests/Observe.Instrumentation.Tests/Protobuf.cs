using System.Text;

namespace Observe.Instrumentation.Tests;

/// <summary>
/// A minimal protobuf wire-format reader, enough to decode what the OTLP exporter sends (no generated code: the
/// OTLP proto packages are not in the registry here). Fields are returned in order with their raw bytes.
/// </summary>
internal static class Protobuf
{
    public static List<(int Field, int WireType, ulong Varint, byte[] Bytes)> Read(ReadOnlySpan<byte> data)
    {
        var fields = new List<(int, int, ulong, byte[])>();
        var i = 0;
        while (i < data.Length)
        {
            var key = ReadVarint(data, ref i);
            var field = (int)(key >> 3);
            var wire = (int)(key & 7);
            switch (wire)
            {
                case 0:
                    fields.Add((field, wire, ReadVarint(data, ref i), []));
                    break;
                case 1:
                    fields.Add((field, wire, BitConverter.ToUInt64(data.Slice(i, 8)), data.Slice(i, 8).ToArray()));
                    i += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(data, ref i);
                    fields.Add((field, wire, 0, data.Slice(i, length).ToArray()));
                    i += length;
                    break;
                case 5:
                    fields.Add((field, wire, BitConverter.ToUInt32(data.Slice(i, 4)), data.Slice(i, 4).ToArray()));
                    i += 4;
                    break;
                default:
                    throw new InvalidDataException($"Unsupported wire type {wire} at offset {i}.");
            }
        }

        return fields;
    }

    public static IEnumerable<byte[]> Messages(byte[] data, int field) => Read(data).Where(f => f.Field == field && f.WireType == 2).Select(f => f.Bytes);

    public static byte[]? Bytes(byte[] data, int field) => Read(data).Where(f => f.Field == field && f.WireType == 2).Select(f => f.Bytes).FirstOrDefault();

    public static string? String(byte[] data, int field) => Bytes(data, field) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;

    public static string Hex(byte[]? bytes) => bytes is null ? string.Empty : Convert.ToHexStringLower(bytes);

    /// <summary>OTLP KeyValue list (field <paramref name="field"/>) as key → string form of the AnyValue.</summary>
    public static Dictionary<string, string> Attributes(byte[] message, int field)
    {
        var result = new Dictionary<string, string>();
        foreach (var kv in Messages(message, field))
        {
            var key = String(kv, 1)!;
            var value = Bytes(kv, 2) ?? [];
            var any = Read(value).FirstOrDefault();
            result[key] = any.Field switch
            {
                1 => Encoding.UTF8.GetString(any.Bytes),
                2 => (any.Varint != 0).ToString(),
                3 => ((long)any.Varint).ToString(System.Globalization.CultureInfo.InvariantCulture),
                4 => BitConverter.Int64BitsToDouble((long)any.Varint).ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => "(other)",
            };
        }

        return result;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int i)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = data[i++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new InvalidDataException("Varint longer than 10 bytes.");
    }
}
