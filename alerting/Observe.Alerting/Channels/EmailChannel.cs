using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Observe.Alerting.Delivery;

namespace Observe.Alerting.Channels;

/// <summary>
/// E-mail through an SMTP server (MailKit): a text part and an HTML part saying the same, subject
/// <c>[FIRING:critical] title</c>. Every message of one group carries the same <c>References</c>, so mail clients
/// thread a group's firing, repeats and resolve. One connection per message: alerts are rare, and a held connection
/// would only time out between them.
/// </summary>
internal sealed class EmailChannel(string id, ChannelOptions options, TimeProvider time) : INotificationChannel
{
    private readonly SecureSocketOptions _security = Enum.Parse<SmtpSecurity>(options.Security, ignoreCase: true) switch
    {
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        SmtpSecurity.None => SecureSocketOptions.None,
        _ => SecureSocketOptions.StartTls,
    };

    public string Id => id;

    public string Kind => ChannelKinds.Email;

    public string Describe() =>
        $"e-mail via {options.Host}:{options.Port.ToString(CultureInfo.InvariantCulture)} ({_security}{(options.Username is null ? "" : $", user {options.Username}, password ****")}) to {string.Join(", ", options.To)}";

    public async Task<DeliveryResult> SendAsync(AlertMessage message, CancellationToken cancellationToken)
    {
        var mime = Build(message);
        using var deadline = new CancellationTokenSource(options.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        using var client = new SmtpClient { Timeout = (int)Math.Ceiling(options.Timeout.TotalMilliseconds) };
        try
        {
            await client.ConnectAsync(options.Host!, options.Port, _security, linked.Token).ConfigureAwait(false);
            if (options.Username is not null)
            {
                await client.AuthenticateAsync(options.Username, options.Password ?? "", linked.Token).ConfigureAwait(false);
            }

            await client.SendAsync(mime, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return Failed($"no answer within Observe:Alerting:Channels:{id}:Timeout ({options.Timeout})", null, permanent: false);
        }
        catch (SmtpCommandException e)
        {
            // 4xx replies are the server's "try later" (greylisting, a full queue); 5xx refuse the message or a recipient.
            var code = (int)e.StatusCode;
            var who = e.Mailbox is { } mailbox ? $" ({mailbox.Address})" : "";
            return Failed($"SMTP {code.ToString(CultureInfo.InvariantCulture)} {e.ErrorCode}{who}: {e.Message}", code, permanent: code >= 500);
        }
        catch (AuthenticationException e)
        {
            return Failed($"SMTP authentication as Observe:Alerting:Channels:{id}:Username failed (check Password): {e.Message}", null, permanent: true);
        }
        catch (NotSupportedException e)
        {
            // StartTls against a server that offers no STARTTLS, or no usable authentication mechanism.
            return Failed($"the SMTP server does not support what Observe:Alerting:Channels:{id} asks for: {e.Message}", null, permanent: true);
        }
        catch (Exception e) when (e is SmtpProtocolException or SslHandshakeException or IOException or SocketException or ServiceNotConnectedException)
        {
            return Failed($"{e.GetType().Name}: {e.Message}", null, permanent: false);
        }

        try
        {
            await client.DisconnectAsync(quit: true, linked.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SmtpProtocolException or IOException or SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // The server accepted the message before this; a failed QUIT does not undo that.
        }

        return DeliveryResult.Success(250);

        static DeliveryResult Failed(string error, int? status, bool permanent) => new(false, status, null, error, permanent);
    }

    internal MimeMessage Build(AlertMessage message)
    {
        var mime = new MimeMessage
        {
            Subject = AlertText.Subject(message),
            Date = time.GetUtcNow(),
            MessageId = $"{Guid.NewGuid():N}@observe",
        };
        mime.From.Add(MailboxAddress.Parse(options.From!));
        foreach (var to in options.To)
        {
            mime.To.Add(MailboxAddress.Parse(to));
        }

        var thread = $"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(message.DedupKey)))[..32]}@observe";
        mime.References.Add(thread);
        mime.InReplyTo = thread;

        var body = new BodyBuilder { TextBody = AlertText.PlainText(message, options.MaxListedAlerts), HtmlBody = Html(message, options.MaxListedAlerts) };
        mime.Body = body.ToMessageBody();
        return mime;
    }

    /// <summary>The HTML part. Every text that comes from a rule, a label or a summary is HTML-encoded.</summary>
    internal static string Html(AlertMessage message, int maxListed)
    {
        static string E(string text) => WebUtility.HtmlEncode(text);
        var color = message.Status == AlertMessageStatus.Resolved ? "#1a7f37" : message.Severity == Rules.AlertSeverity.Critical ? "#cf222e" : "#9a6700";
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html><body style=\"font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#1f2328\">");
        html.Append(CultureInfo.InvariantCulture, $"<h2 style=\"color:{color};margin:0 0 12px\">{E(AlertText.Subject(message))}</h2>");
        if (message.Description.Length > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>{E(message.Description)}</p>");
        }

        html.Append("<table cellpadding=\"4\" style=\"border-collapse:collapse\">");
        html.Append(CultureInfo.InvariantCulture, $"<tr><th align=\"left\">Severity</th><td>{E(AlertText.Severity(message.Severity))}</td></tr>");
        html.Append(CultureInfo.InvariantCulture, $"<tr><th align=\"left\">Since</th><td>{E(AlertText.Time(message.Since))}</td></tr>");
        html.Append(CultureInfo.InvariantCulture, $"<tr><th align=\"left\">Alerts</th><td>{message.Alerts.Count}</td></tr>");
        html.Append("</table><ul>");
        var (listed, more) = AlertText.Listed(message, maxListed);
        foreach (var item in listed)
        {
            var about = item.Link is { } link ? $"<a href=\"{E(link.AbsoluteUri)}\">{E(AlertText.About(item))}</a>" : E(AlertText.About(item));
            html.Append(CultureInfo.InvariantCulture, $"<li>{about}: {E(AlertText.ItemState(item))}. {E(item.Summary)}</li>");
        }

        if (more > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<li>{E(AlertText.AndMore(more))}</li>");
        }

        html.Append("</ul>");
        if (message.Link is { } groupLink)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p><a href=\"{E(groupLink.AbsoluteUri)}\">Open in Observe</a></p>");
        }

        html.Append("</body></html>");
        return html.ToString();
    }
}
