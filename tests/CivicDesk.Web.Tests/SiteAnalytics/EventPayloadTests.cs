using System.Text;
using CivicDesk.Web.SiteAnalytics.Ingestion;

namespace CivicDesk.Web.Tests.SiteAnalytics;

/// <summary>
/// Plausible's payload as <see cref="EventEndpoint.Parse"/> reads it in one pass: which of the long and short names
/// counts, repeated names, values of the wrong kind, and what is not JSON. The HTTP tests (IngestionTests,
/// BadInputFloodTests) cover the answers; these pin the reading down field by field.
/// </summary>
public sealed class EventPayloadTests
{
    private const int MaxUrl = 2048;

    private static EventEndpoint.Payload Accepted(string json)
    {
        var (payload, error) = EventEndpoint.Parse(Encoding.UTF8.GetBytes(json), MaxUrl);
        Assert.True(payload is not null, $"refused with {error}: {json}");
        return payload;
    }

    private static string Refused(string json) => Refused(Encoding.UTF8.GetBytes(json));

    private static string Refused(byte[] body)
    {
        var (payload, error) = EventEndpoint.Parse(body, MaxUrl);
        Assert.Null(payload);
        return error!;
    }

    [Fact]
    public void Long_names_win_over_short_ones_and_short_ones_stand_in_for_missing_long_ones()
    {
        var both = Accepted("""{"n":"short","name":"long","u":"https://a.gov.vn/short","url":"https://a.gov.vn/long","d":"b.gov.vn","domain":"a.gov.vn","r":"https://s/","referrer":"https://l/"}""");
        var shortOnly = Accepted("""{"n":"signup","u":"https://a.gov.vn/x","d":"a.gov.vn,B.gov.vn, ,","r":"https://zalo.me/"}""");

        Assert.Equal(("long", "/long", "https://l/"), (both.Name, both.Pathname, both.Referrer));
        Assert.Equal(["a.gov.vn"], both.Domains);
        Assert.Equal(("signup", "/x", "https://zalo.me/"), (shortOnly.Name, shortOnly.Pathname, shortOnly.Referrer));
        Assert.Equal(["a.gov.vn", "b.gov.vn"], shortOnly.Domains);
    }

    [Fact]
    public void The_last_of_a_repeated_name_counts_and_a_text_of_the_wrong_kind_is_absent()
    {
        var repeated = Accepted("""{"name":"first","url":"https://a.gov.vn/","domain":"a.gov.vn","name":"last"}""");
        var numberName = Accepted("""{"name":5,"n":"fallback","url":"https://a.gov.vn/","domain":"a.gov.vn"}""");

        Assert.Equal("last", repeated.Name);
        Assert.Equal("fallback", numberName.Name);
        Assert.Equal("Event.Name", Refused("""{"name":"x","url":"https://a.gov.vn/","domain":"a.gov.vn","name":null}"""));
        Assert.Equal("Event.Url", Refused("""{"name":"x","url":["https://a.gov.vn/"],"domain":"a.gov.vn"}"""));
        Assert.Equal("Event.Domain", Refused("""{"name":"x","url":"https://a.gov.vn/","domain":" , "}"""));
    }

    [Fact]
    public void Props_revenue_interactive_and_hash_mode_are_read_in_either_form()
    {
        const string Base = """ "name":"buy","url":"https://a.gov.vn/p#/cart","domain":"a.gov.vn" """;
        var object_ = Accepted($$$"""{{{{Base}}},"props":{"plan":"pro","seats":3,"ok":true,"gone":null,"nested":{"a":1}},"revenue":{"amount":"12.5","currency":"vnd"}}""");
        var text = Accepted($$$"""{{{{Base}}},"p":"{\"plan\":\"basic\"}","$":{"amount":3,"currency":"USD"},"i":false,"h":1}""");
        var longWins = Accepted($$$"""{{{{Base}}},"p":{"x":"short"},"props":null,"interactive":true,"i":false,"hashMode":true}""");

        Assert.Equal("""{"plan":"pro","seats":"3","ok":"true"}""", object_.Props);
        Assert.Equal((12.5m, "VND", true, "/p"), (object_.RevenueAmount, object_.RevenueCurrency, object_.Interactive, object_.Pathname));
        Assert.Equal("""{"plan":"basic"}""", text.Props);
        Assert.Equal((3m, "USD", false, "/p#/cart"), (text.RevenueAmount, text.RevenueCurrency, text.Interactive, text.Pathname));
        Assert.Equal(("{}", true, "/p#/cart"), (longWins.Props, longWins.Interactive, longWins.Pathname));
        Assert.Equal("Event.Props", Refused($$$"""{{{{Base}}},"props":[1]}"""));
        Assert.Equal("Event.Props", Refused($$$"""{{{{Base}}},"props":"not json"}"""));
        Assert.Equal("Event.Revenue", Refused($$$"""{{{{Base}}},"revenue":{"amount":"lots","currency":"VND"}}"""));
    }

    [Fact]
    public void What_is_not_one_json_object_is_malformed()
    {
        const string Event = """{"name":"pageview","url":"https://a.gov.vn/","domain":"a.gov.vn"}""";
        var deep = """{"name":"pageview","url":"https://a.gov.vn/","domain":"a.gov.vn","x":""" + new string('[', 8) + new string(']', 8) + "}";
        var invalidUtf8 = Encoding.UTF8.GetBytes(Event.Replace("pageview", "page\u00e9view", StringComparison.Ordinal));
        invalidUtf8[Array.IndexOf(invalidUtf8, (byte)0xA9)] = 0x28; // the second byte of é made invalid

        Assert.NotNull(Accepted(" \n" + Event + "\n "));
        Assert.Equal("Event.MalformedJson", Refused(""));
        Assert.Equal("Event.MalformedJson", Refused(Event + "{}"));
        Assert.Equal("Event.MalformedJson", Refused(Event + "x"));
        Assert.Equal("Event.MalformedJson", Refused(Event[..^1]));
        Assert.Equal("Event.MalformedJson", Refused("[" + Event + "]"));
        Assert.Equal("Event.MalformedJson", Refused("\"text\""));
        Assert.Equal("Event.MalformedJson", Refused(Event.Replace("}", ",}", StringComparison.Ordinal)));
        Assert.Equal("Event.MalformedJson", Refused(deep));
        Assert.Equal("Event.MalformedJson", Refused(invalidUtf8));
    }
}
