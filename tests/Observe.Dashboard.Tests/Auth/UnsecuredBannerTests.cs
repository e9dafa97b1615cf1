using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observe.Dashboard.Auth;
using Observe.Dashboard.Components.Layout;
using Observe.Dashboard.Tests.Components;

namespace Observe.Dashboard.Tests.Auth;

public sealed class UnsecuredBannerTests : MudContext
{
    [Theory]
    [InlineData(AuthMode.Unsecured, true)]
    [InlineData(AuthMode.BrowserToken, false)]
    public void Banner_OnlyWhenUnsecured_SayingWhatItMeansAndHowToEndIt(AuthMode mode, bool shown)
    {
        Services.AddSingleton(Options.Create(new AuthOptions { Mode = mode }));

        var banner = Render<UnsecuredBanner>();

        var found = banner.FindAll("[data-testid=unsecured-banner]");
        Assert.Equal(shown ? 1 : 0, found.Count);
        if (shown)
        {
            Assert.Contains("Anyone who can reach this address can see the whole fleet and change anything here", found[0].TextContent, StringComparison.Ordinal);
            Assert.Contains("Observe:Auth:Mode=Unsecured", found[0].TextContent, StringComparison.Ordinal);
        }
    }
}
