namespace Observe.Collectors;

/// <summary>An AWS account the collectors read, with the regions to cover.</summary>
public sealed class AwsAccount
{
    public string AccountId { get; set; } = "";
    public List<string> Regions { get; set; } = [];
}
