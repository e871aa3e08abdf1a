namespace CivicDesk.Web.Units;

internal static class UnitsSetup
{
    public static IServiceCollection AddUnits(this IServiceCollection services) => services.AddScoped<UnitService>();
}
