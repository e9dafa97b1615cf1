using Microsoft.AspNetCore.Diagnostics;

namespace Observe.Dashboard.Auth;

/// <summary>
/// An error status with no body gets one line saying what to do, never exception text. A 404 is left to the status
/// code pages, which show the app's own not-found page; any other status would otherwise be re-executed into that
/// page too, which says the address is wrong when it is not (a form without its anti-forgery token is a 400).
/// </summary>
internal static class StatusMessages
{
    public static IApplicationBuilder UseStatusMessages(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        await next(context);
        var response = context.Response;
        if (response.HasStarted || response.StatusCode < 400 || response.StatusCode == StatusCodes.Status404NotFound
            || response.ContentLength.HasValue || !string.IsNullOrEmpty(response.ContentType))
        {
            return;
        }

        context.Features.Get<IStatusCodePagesFeature>()?.Enabled = false;
        response.ContentType = "text/plain; charset=utf-8";
        await response.WriteAsync(Message(response.StatusCode), context.RequestAborted);
    });

    private static string Message(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "The dashboard could not read this request (a form older than the page, or from another site). Go back, reload the page and try again.",
        StatusCodes.Status405MethodNotAllowed => "This address does not take that kind of request. Open it in the browser instead.",
        StatusCodes.Status413PayloadTooLarge => "The request is too large for the dashboard.",
        >= 500 => "The dashboard failed to answer this request. Try again; if it keeps happening, the server log has the details.",
        _ => "The dashboard could not answer this request. Go back and try again.",
    };
}
