namespace CivicDesk.Web.Jobs;

internal static class JobsSetup
{
    public static IServiceCollection AddJobs(this IServiceCollection services, Action<JobSchedule> configure)
    {
        var schedule = new JobSchedule();
        configure(schedule);
        services.AddSingleton(schedule);
        foreach (var job in schedule.Jobs)
        {
            services.AddScoped(job.JobType);
        }

        services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<JobScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<JobScheduler>());
        return services;
    }
}
