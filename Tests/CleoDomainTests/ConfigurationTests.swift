import CleoDomain
import Testing

@Suite struct ConfigurationTests {
    @Test func fieldsFollowTheProviderPageOrder() {
        #expect(ConfigField.allCases.map(\.rawValue) == [
            "chileApiKey", "peruApiKey", "mexicoApiKey", "customerExternalKeyForCleo", "webhookUrl", "isWebhookSecured",
        ])
        #expect(ConfigField.allCases.filter(\.isRequired).count == 5)
        #expect(ConfigField(name: "cleoApiKey.peruApiKey") == .peruApiKey)
        #expect(ConfigField(name: "cleoApiKey.webhookUrl") == nil)
        #expect(ConfigField(name: "apiKey") == nil)
    }

    // One test per row of the provider page's configuration table.
    @Test(arguments: [ConfigField.chileApiKey, .peruApiKey, .mexicoApiKey, .customerExternalKeyForCleo])
    func keysAreNonEmptyWithoutWhitespaceOrControlsAndAtMost256(field: ConfigField) throws {
        #expect(try ConfigRules.validate("sk_live_51Habc", for: field).get() == "sk_live_51Habc")
        #expect(try ConfigRules.validate(String(repeating: "k", count: 256), for: field).get().count == 256)
        for bad in ["", "with space", "tab\there", "new\nline", "esc\u{1B}[31m", "bidi\u{202E}x", String(repeating: "k", count: 257), "nbsp\u{00A0}x"] {
            guard case .failure(let violation) = ConfigRules.validate(bad, for: field) else {
                Issue.record("accepted \(bad.debugDescription) for \(field)")
                continue
            }
            #expect(violation.field == field)
            #expect(!violation.description.contains(bad) || bad.isEmpty)
        }
    }

    @Test func webhookUrlMustBeAbsoluteHttpsWithAHostAndNoUserInfo() {
        for good in ["https://merchant.example/webhooks/cleo", "HTTPS://merchant.example", "https://10.0.0.1:8443/x?y=1", "https://[::1]/hook"] {
            #expect((try? ConfigRules.validate(good, for: .webhookUrl).get()) == good, "\(good)")
        }
        let cases: [(String, String)] = [
            ("http://merchant.example/hook", "https"), ("merchant.example/hook", "absolute"), ("https:///path", "host"),
            ("https://user:pw@merchant.example/", "user-info"), ("ftp://merchant.example", "https"),
            ("https://merchant.example:99999/", "port"), ("https://exa mple.com", "whitespace"), ("", "empty"),
            ("https://" + String(repeating: "a", count: 2050), "2048"),
        ]
        for (bad, rule) in cases {
            guard case .failure(let violation) = ConfigRules.validate(bad, for: .webhookUrl) else {
                Issue.record("accepted \(bad)")
                continue
            }
            #expect(violation.rule.contains(rule), "\(bad): \(violation.rule)")
        }
    }

    @Test func isWebhookSecuredIsTrueOrFalseAndDefaultsToFalse() throws {
        #expect(try ConfigRules.validate("true", for: .isWebhookSecured).get() == "true")
        #expect(try ConfigRules.validate("false", for: .isWebhookSecured).get() == "false")
        for bad in ["yes", "TRUE", "1", ""] {
            #expect((try? ConfigRules.validate(bad, for: .isWebhookSecured).get()) == nil)
        }
        #expect(CleoConfiguration().isWebhookSecured == false)
    }

    @Test func completenessListsTheMissingRequiredFieldsInOrder() {
        var config = CleoConfiguration()
        #expect(config.missing == [.chileApiKey, .peruApiKey, .mexicoApiKey, .customerExternalKeyForCleo, .webhookUrl])
        config[.peruApiKey] = "pe"
        config[.webhookUrl] = "https://x.example"
        #expect(config.missing == [.chileApiKey, .mexicoApiKey, .customerExternalKeyForCleo])
        config[.chileApiKey] = "cl"
        config[.mexicoApiKey] = "mx"
        config[.customerExternalKeyForCleo] = "ext"
        #expect(config.isComplete)
    }

    @Test func secretsAreMaskedWithLastFourAndAFingerprint() {
        #expect(SecretMask.mask("sk_live_1a2b_3c4d") == "••••3c4d")
        #expect(SecretMask.mask("sk_live_1a2b") == "••••a2b")  // short keys never show more than a quarter
        #expect(SecretMask.mask("12345678") == "••••78")
        #expect(SecretMask.mask("abcdef") == "••••f")
        #expect(SecretMask.mask("abc") == "••••")
        let fingerprint = SecretMask.fingerprint("sk_live_1a2b")
        #expect(fingerprint.hasPrefix("sha256:"))
        #expect(fingerprint.count == "sha256:".count + 8)
        #expect(fingerprint == SecretMask.fingerprint("sk_live_1a2b"))
        #expect(fingerprint != SecretMask.fingerprint("sk_live_1a2c"))
        #expect(!SecretMask.display("sk_live_1a2b", for: .chileApiKey).contains("sk_live"))
        #expect(SecretMask.display("ext-42", for: .customerExternalKeyForCleo) == "ext-42")
        #expect(SecretMask.display(nil, for: .webhookUrl) == "(unset)")
    }
}
