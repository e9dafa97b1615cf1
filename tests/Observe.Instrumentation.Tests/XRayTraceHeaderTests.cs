using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using Observe.Instrumentation.Internal;

namespace Observe.Instrumentation.Tests;

public class XRayTraceHeaderTests
{
    [Fact]
    public void TryParse_LambdaHeader_ReadsRootParentAndSampled()
    {
        Assert.True(XRayTraceHeader.TryParse("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", out var header));

        Assert.Equal("5759e988bd862e3fe1be46a994272793", header.TraceId.ToHexString());
        Assert.Equal("53995c3f42cd8ad8", header.ParentId.ToHexString());
        Assert.Equal(XRaySampling.Sampled, header.Sampling);
    }

    [Theory]
    [InlineData("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0;Lineage=a87bd80c:1|68fd508a:5", 0)]
    [InlineData(" Sampled=? ; Parent=53995C3F42CD8AD8 ;Root=1-5759E988-BD862E3FE1BE46A994272793;", 2)]
    [InlineData("Self=1-5759e988-aaaaaaaaaaaaaaaaaaaaaaaa;Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8", 2)]
    public void TryParse_ExtraFieldsCaseAndOrder_Tolerated(string value, int sampling)
    {
        Assert.True(XRayTraceHeader.TryParse(value, out var header));

        Assert.Equal("5759e988bd862e3fe1be46a994272793", header.TraceId.ToHexString());
        Assert.Equal("53995c3f42cd8ad8", header.ParentId.ToHexString());
        Assert.Equal(sampling == 0 ? XRaySampling.NotSampled : XRaySampling.Undecided, header.Sampling);
    }

    [Fact]
    public void TryParse_RootOnly_HasNoParent()
    {
        Assert.True(XRayTraceHeader.TryParse("Root=1-5759e988-bd862e3fe1be46a994272793", out var header));
        Assert.False(header.HasParent);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Parent=53995c3f42cd8ad8;Sampled=1")]
    [InlineData("Root=2-5759e988-bd862e3fe1be46a994272793")]
    [InlineData("Root=1-5759e988-bd862e3fe1be46a99427279")]
    [InlineData("Root=1-5759e98g-bd862e3fe1be46a994272793")]
    [InlineData("Root=1-00000000-000000000000000000000000")]
    [InlineData("Root=1-5759e988bd862e3fe1be46a9942727931")]
    [InlineData("Root")]
    [InlineData(";;;===;")]
    public void TryParse_Malformed_ReturnsFalse(string value) => Assert.False(XRayTraceHeader.TryParse(value, out _));

    [Fact]
    public void TryParse_MalformedParent_KeepsRootWithoutParent()
    {
        Assert.True(XRayTraceHeader.TryParse("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=xyz", out var header));
        Assert.False(header.HasParent);
    }

    [Fact]
    public void TryParse_RandomStrings_NeverThrows() =>
        Prop.ForAll<string>(s => XRayTraceHeader.TryParse(s ?? string.Empty, out _) || true).QuickCheckThrowOnFailure();

    [Fact]
    public void TryParse_MutatedValidHeaders_NeverThrowsAndRoundTripsWhenAccepted()
    {
        const string valid = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
        var alphabet = "0123456789abcdefABCDEF-;=RootParentSampled? \t".ToCharArray();
        var edit = from index in Gen.Choose(0, valid.Length - 1)
                   from c in Gen.Elements(alphabet)
                   from kind in Gen.Choose(0, 2)
                   select (index, c, kind);
        var mutations = Gen.ListOf(edit);
        Prop.ForAll(mutations.ToArbitrary(), edits =>
        {
            var chars = new List<char>(valid);
            foreach (var (index, c, kind) in edits)
            {
                var i = Math.Min(index, Math.Max(chars.Count - 1, 0));
                if (chars.Count == 0 || kind == 0) { chars.Insert(i, c); }
                else if (kind == 1) { chars[i] = c; }
                else { chars.RemoveAt(i); }
            }

            var text = new string(chars.ToArray());
            if (!XRayTraceHeader.TryParse(text, out var header))
            {
                return true;
            }

            // Whatever was accepted formats to a header that parses back to the same ids.
            return XRayTraceHeader.TryParse(header.ToString(), out var again)
                && again.TraceId == header.TraceId
                && (!header.HasParent || again.ParentId == header.ParentId);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Format_RandomIds_ParsesBack()
    {
        var ids = from guid in ArbMap.Default.GeneratorFor<Guid>()
                  from span in ArbMap.Default.GeneratorFor<ulong>()
                  from sampled in ArbMap.Default.GeneratorFor<bool>()
                  select (guid, span, sampled);
        Prop.ForAll(ids.ToArbitrary(), t =>
        {
            var (guid, span, sampled) = t;
            var traceId = ActivityTraceId.CreateFromBytes(guid.ToByteArray());
            var spanId = ActivitySpanId.CreateFromBytes(BitConverter.GetBytes(span | 1));
            if (traceId.ToHexString() == new string('0', 32))
            {
                return true;
            }

            Span<char> buffer = stackalloc char[80];
            var n = XRayTraceHeader.Format(traceId, spanId, sampled, buffer);
            return XRayTraceHeader.TryParse(buffer[..n], out var header)
                && header.TraceId == traceId
                && header.ParentId == spanId
                && header.Sampling == (sampled ? XRaySampling.Sampled : XRaySampling.NotSampled);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void XRayTraceId_Create_StartsWithEpochSecondsInHex()
    {
        var time = new ManualTimeProvider(DateTimeOffset.FromUnixTimeSeconds(0x5759e988));

        var first = XRayTraceId.Create(time);
        var second = XRayTraceId.Create(time);

        Assert.StartsWith("5759e988", first.ToHexString(), StringComparison.Ordinal);
        Assert.NotEqual(first, second);
    }
}
