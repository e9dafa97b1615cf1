using System.Net;

namespace Observe.Collectors.Aws;

/// <summary>
/// An AWS call that failed after its retries: the service's error (code, message, request id), a network failure or
/// timeout (<see cref="StatusCode"/> null), or credentials that could not be obtained or were rejected
/// (<see cref="IsCredentialError"/>). The message always names the account, so a log line says whose setup to fix.
/// </summary>
internal sealed class AwsServiceException : Exception
{
    public AwsServiceException(string message, string accountId, string service, string operation, HttpStatusCode? statusCode, string errorCode, string? awsMessage, string? requestId, int attempts, bool isCredentialError, Exception? innerException = null)
        : base(message, innerException)
    {
        AccountId = accountId;
        Service = service;
        Operation = operation;
        StatusCode = statusCode;
        ErrorCode = errorCode;
        AwsMessage = awsMessage;
        RequestId = requestId;
        Attempts = attempts;
        IsCredentialError = isCredentialError;
    }

    public string AccountId { get; }
    public string Service { get; }
    public string Operation { get; }

    /// <summary>The HTTP status of the last attempt; null when no response came (connection failure, timeout).</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>AWS's error code (<c>ThrottlingException</c>, <c>ResourceNotFoundException</c>), or Observe's own for
    /// failures without one (<c>NetworkError</c>, <c>Timeout</c>, <c>CredentialsUnavailable</c>).</summary>
    public string ErrorCode { get; }

    /// <summary>The message AWS sent with the error, if any.</summary>
    public string? AwsMessage { get; }

    public string? RequestId { get; }

    /// <summary>HTTP attempts made, retries included.</summary>
    public int Attempts { get; }

    /// <summary>The account's credentials are missing, expired or rejected: retrying will not help until they are fixed.</summary>
    public bool IsCredentialError { get; }

    public bool IsThrottling => AwsErrorClassifier.IsThrottlingCode(ErrorCode) || StatusCode == HttpStatusCode.TooManyRequests;

    /// <summary>
    /// AWS refused the call for lack of permission (the role's policy, an SCP, a resource policy): the one case where
    /// naming the missing IAM action helps. Rejected credentials are <see cref="IsCredentialError"/> instead, and a 5xx,
    /// a 404 or an unknown operation is the endpoint's answer, not a permission.
    /// </summary>
    public bool IsAccessDenied => !IsCredentialError
        && (ErrorCode is "AccessDenied" or "AccessDeniedException" or "UnauthorizedOperation" or "UnauthorizedException" or "NotAuthorized"
            || (StatusCode == HttpStatusCode.Forbidden && AwsErrorClassifier.CredentialProblem(ErrorCode) is null));

    public bool IsNotFound => StatusCode == HttpStatusCode.NotFound || ErrorCode is "ResourceNotFoundException" or "ResourceNotFound";
}
