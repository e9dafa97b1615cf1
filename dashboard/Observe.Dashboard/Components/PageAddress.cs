using Microsoft.AspNetCore.Components;

namespace Observe.Dashboard.Components;

/// <summary>
/// A page's parsed address (its filters are its state): parsed again only when the URI changed, because a render reads
/// it many times.
/// </summary>
internal sealed class PageAddress<TAddress>(Func<string, string, TAddress> parse)
    where TAddress : class
{
    private string? _uri;
    private TAddress? _address;

    public TAddress Read(NavigationManager navigation)
    {
        if (_address is null || _uri != navigation.Uri)
        {
            _uri = navigation.Uri;
            _address = parse(navigation.Uri, navigation.BaseUri);
        }

        return _address;
    }
}

/// <summary>
/// A model filtered by an address, computed again only when either changed (both are replaced, never mutated, so
/// reference equality is the test).
/// </summary>
internal sealed class AddressedView<TModel, TAddress, TView>(Func<TModel, TAddress, TView> apply)
    where TModel : class
    where TAddress : class
{
    private (TModel Model, TAddress Address, TView View)? _cached;

    public TView Get(TModel model, TAddress address)
    {
        if (_cached is not { } cached || !ReferenceEquals(cached.Model, model) || !ReferenceEquals(cached.Address, address))
        {
            _cached = (model, address, apply(model, address));
        }

        return _cached.Value.View;
    }
}

internal static class NavigationExtensions
{
    /// <summary>
    /// Goes to <paramref name="uri"/> replacing the current history entry, when it differs: typing in a filter box
    /// changes the address without adding a back-button step per pause.
    /// </summary>
    public static void ReplaceWith(this NavigationManager navigation, string uri)
    {
        if (navigation.ToAbsoluteUri(uri).ToString() != navigation.Uri)
        {
            navigation.NavigateTo(uri, replace: true);
        }
    }
}
