namespace CivicDesk.Bench.Ingest.Tests;

/// <summary>The command line's twin options: a second build, or the same build with other environment variables.</summary>
public sealed class OptionsTests
{
    /// <summary>Any file that exists stands for the app's built dll: only its existence is checked.</summary>
    private static readonly string App = typeof(OptionsTests).Assembly.Location;

    [Fact]
    public void Compare_env_without_compare_twins_the_same_build_with_its_variables_on_top_of_the_app_s()
    {
        var options = BenchOptions.Parse(
            ["--app", App, "--targets", "bare,sqlite", "--app-env", "A=1", "--compare-env", "DOTNET_EnableWriteXorExecute=0", "--compare-env", "A=2"], null);

        Assert.Equal(Path.GetFullPath(App), options.CompareDll);
        Assert.Equal(new Dictionary<string, string> { ["A"] = "1" }, options.AppEnvironment);
        Assert.Equal(new Dictionary<string, string> { ["DOTNET_EnableWriteXorExecute"] = "0", ["A"] = "2" }, options.CompareEnvironment);
    }

    [Fact]
    public void Without_compare_options_there_is_no_twin()
    {
        var options = BenchOptions.Parse(["--app", App, "--targets", "bare,sqlite"], null);

        Assert.Null(options.CompareDll);
        Assert.Empty(options.CompareEnvironment);
    }

    [Fact]
    public void A_compare_env_without_a_value_is_refused_with_the_option_named()
    {
        var error = Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--app", App, "--compare-env", "NOVALUE"], null));

        Assert.Contains("--compare-env", error.Message, StringComparison.Ordinal);
    }
}
