@testable import CleoDomain
import Testing

/// `webhookUrl` hosts must be hosts a connection can be made to (issue 11), and refused values
/// are recorded bounded and without user-info.
@Suite struct WebhookHostTests {
    func problem(_ url: String) -> String? {
        if case .failure(let violation) = ConfigRules.validate(url, for: .webhookUrl) { return violation.rule }
        return nil
    }

    @Test func realHostsAreAccepted() {
        for good in [
            "https://merchant.example/hooks", "https://merchant.example./hooks", "https://a-b.c-d.example:8443/x",
            "https://10.0.0.1/x", "https://255.255.255.255/", "https://[::1]/hook", "https://[2001:db8::8a2e:370:7334]:443/x",
            "https://[::ffff:192.0.2.1]/", "https://[1:2:3:4:5:6:7:8]/", "https://pagos.perú.example/", "https://localhost/",
            "https://xn--pr-zia.example/",
        ] {
            #expect(problem(good) == nil, "\(good): \(problem(good) ?? "")")
        }
    }

    @Test(arguments: [
        ("https://[zzz]/x", "IPv6"), ("https://[]/x", "host"), ("https://[::1::2]/", "IPv6"), ("https://[1:2:3:4:5:6:7:8:9]/", "IPv6"),
        ("https://[12345::]/", "IPv6"), ("https://[fe80::1%25eth0]/", "IPv6"), ("https://[v1.x]/", "IPv6"), ("https://[::1]x/", "port"),
        ("https://../", "empty label"), ("https://./", "empty label"), ("https://a..b/", "empty label"), ("https://.a/", "empty label"),
        ("https://-a.example/", "starts or ends"), ("https://a-.example/", "starts or ends"),
        ("https://a_b.example/", "letters, digits"), ("https://a!b.example/", "letters, digits"), ("https://%41.example/", "letters, digits"),
        ("https://999.1.1.1/", "IPv4"), ("https://1.2.3/", "IPv4"), ("https://01.2.3.4/", "IPv4"), ("https://1.2.3.4.5/", "IPv4"), ("https://123/", "IPv4"),
        ("https://merchant.example:0/", "port"),
    ])
    func fakeHostsAreRefused(url: String, rule: String) {
        let refused = problem(url)
        #expect(refused != nil, "\(url) was accepted")
        #expect(refused?.contains(rule) == true, "\(url): \(refused ?? "")")
    }

    @Test func labelsAndNamesAreBounded() {
        #expect(problem("https://" + String(repeating: "a", count: 63) + ".example/") == nil)
        #expect(problem("https://" + String(repeating: "a", count: 64) + ".example/")?.contains("63") == true)
        let long = Array(repeating: String(repeating: "a", count: 60), count: 5).joined(separator: ".")
        #expect(problem("https://" + long + "/")?.contains("253") == true)
    }
}

@Suite struct RefusedValueTests {
    @Test func userInfoIsReplacedWhereverTheLastAtIs() {
        #expect(RefusedValue.excerpt("https://ops:Hunter2@merchant.example/h", for: .webhookUrl) == "https://•••@merchant.example/h")
        #expect(RefusedValue.excerpt("https://ops:a/b?c#d@merchant.example/", for: .webhookUrl) == "https://•••@merchant.example/")
        #expect(RefusedValue.excerpt("ops:Hunter2@merchant.example", for: .webhookUrl) == "•••@merchant.example")
        #expect(RefusedValue.excerpt("//ops:Hunter2@merchant.example", for: .webhookUrl) == "//•••@merchant.example")
        #expect(RefusedValue.excerpt("http://merchant.example/x", for: .webhookUrl) == "http://merchant.example/x")
    }

    @Test func excerptsAreBoundedAndInert() {
        let huge = "https://merchant.example/" + String(repeating: "x", count: 50_000_000)
        let excerpt = RefusedValue.excerpt(huge, for: .webhookUrl)
        #expect(excerpt.unicodeScalars.count < RefusedValue.maximumExcerpt + 40)
        #expect(excerpt.hasSuffix("… (50000025 characters)"))
        #expect(RefusedValue.excerpt("has\u{1B}[31m\u{202E}x", for: .customerExternalKeyForCleo) == "has⟨U+001B⟩[31m⟨U+202E⟩x")
    }

    @Test func secretsAreNeverRecorded() {
        for field in ConfigField.allCases where field.isSecret {
            #expect(RefusedValue.excerpt("sk_live with space", for: field) == RefusedValue.secretNotRecorded)
        }
    }
}
