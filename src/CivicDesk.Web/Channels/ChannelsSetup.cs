namespace CivicDesk.Web.Channels;

internal static class ChannelsSetup
{
    public static IServiceCollection AddChannels(this IServiceCollection services) => services.AddScoped<ChannelService>();
}
