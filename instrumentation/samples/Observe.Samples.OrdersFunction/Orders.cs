using System.Text.Json.Serialization;

/// <summary>The event the sample function receives.</summary>
public sealed record OrderRequest(string OrderId, int Quantity);

/// <summary>The sample function's response.</summary>
public sealed record OrderReceipt(string OrderId, string Status);

/// <summary>Source-generated JSON metadata: Native AOT has no reflection-based serializer.</summary>
[JsonSerializable(typeof(OrderRequest))]
[JsonSerializable(typeof(OrderReceipt))]
internal sealed partial class SampleJson : JsonSerializerContext;
