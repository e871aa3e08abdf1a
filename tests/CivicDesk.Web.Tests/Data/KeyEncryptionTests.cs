using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Data;

public sealed class KeyEncryptionTests
{
    [Fact]
    public async Task With_a_certificate_configured_the_keys_are_stored_encrypted_and_still_work()
    {
        var pfx = Path.Combine(Path.GetTempPath(), $"civicdesk-dp-{Guid.NewGuid():N}.pfx");
        using (var rsa = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=CivicDesk test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UnixEpoch, new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero));
            await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, "secret"));
        }

        await using var app = new SqliteApp();
        await app.InitializeAsync();
        app.Set("DataProtection:CertificatePath", pfx);
        app.Set("DataProtection:CertificatePassword", "secret");
        try
        {
            var protector = app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test");
            var roundTrip = protector.Unprotect(protector.Protect("platform token"));

            var xml = await app.WithDbAsync(db => db.DataProtectionKeys.Select(k => k.Xml).SingleAsync());
            Assert.Equal("platform token", roundTrip);
            Assert.Contains("encryptedSecret", xml);
            Assert.DoesNotContain("<masterKey", xml);
        }
        finally
        {
            File.Delete(pfx);
        }
    }

    [Fact]
    public async Task Without_a_certificate_the_key_is_stored_in_the_clear_which_is_why_production_sets_one()
    {
        await using var app = new SqliteApp();
        await app.InitializeAsync();

        var protector = app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test");
        protector.Protect("platform token");

        var xml = await app.WithDbAsync(db => db.DataProtectionKeys.Select(k => k.Xml).SingleAsync());
        Assert.Contains("<masterKey", xml);
        Assert.DoesNotContain("encryptedSecret", xml);
    }
}
