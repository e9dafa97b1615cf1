namespace Observe.Store;

/// <summary>How far each collector got, so a stopped pass resumes with no gap and no double count.</summary>
public interface ICheckpointStore
{
    /// <summary>How far a collector got for a key (for example <c>metrics/123456789012/eu-west-1</c>), or null.</summary>
    Task<string?> GetCheckpointAsync(string key, CancellationToken cancellationToken);

    Task SetCheckpointAsync(string key, string value, CancellationToken cancellationToken);
}
