namespace Gatehouse.Identity;

public sealed partial class IdentityService
{
    private void MapGroupOperations()
    {
    }
}
