using CivicDesk.Web.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Infrastructure;

public static class TestJobs
{
    /// <summary>
    /// Puts <typeparamref name="TJob"/> on the app's schedule beside the jobs of Program.cs, through the schedule's own
    /// <see cref="JobSchedule.Add{TJob}"/>. Call it from ConfigureTestServices, so the job is there before any loop starts.
    /// </summary>
    public static IServiceCollection AddJobForTest<TJob>(this IServiceCollection services, string name, TimeSpan interval)
        where TJob : class, IJob
    {
        var schedule = services.Where(d => !d.IsKeyedService).Select(d => d.ImplementationInstance).OfType<JobSchedule>().Single();
        schedule.Add<TJob>(name, interval);
        services.AddScoped<TJob>();
        return services;
    }
}
