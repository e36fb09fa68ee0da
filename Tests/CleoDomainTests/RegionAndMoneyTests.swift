import CleoDomain
import Foundation
import Testing

@Suite struct RegionTests {
    @Test(arguments: [
        (Region.chile, "CL", Currency.clp, ConfigField.chileApiKey),
        (.peru, "PE", .pen, .peruApiKey),
        (.mexico, "MX", .mxn, .mexicoApiKey),
    ])
    func regionLinksCountryCurrencyAndKey(region: Region, country: String, currency: Currency, key: ConfigField) {
        #expect(region.countryCode == country)
        #expect(region.currency == currency)
        #expect(region.apiKeyField == key)
        #expect(Region(countryCode: country) == region)
        #expect(Region(currency: currency) == region)
        #expect(key.region == region)
    }

    @Test func unknownCountriesAndCurrenciesAreRefused() {
        #expect(Region(countryCode: "cl") == nil)
        #expect(Region(countryCode: "AR") == nil)
        #expect(Currency(code: "USD") == nil)
        #expect(Currency(code: "clp") == nil)
    }

    @Test func theRegionalKeyIsChosenFromTheCountryCode() {
        // Given a configuration with the three keys
        let config = CleoConfiguration(values: [.chileApiKey: "cl-key", .peruApiKey: "pe-key", .mexicoApiKey: "mx-key"])
        // Then each country code picks its own key
        #expect(config.apiKey(forCountryCode: "PE")?.field == .peruApiKey)
        #expect(config.apiKey(forCountryCode: "PE")?.value == "pe-key")
        #expect(config.apiKey(forCountryCode: "MX")?.value == "mx-key")
        #expect(config.apiKey(forCountryCode: "BR") == nil)
    }
}

@Suite struct AmountTests {
    @Test(arguments: ["0", "1", "10000", "10000.00", "12.5", "12.50", "0.01", "9999999999999999.99"])
    func plainDecimalsParse(literal: String) {
        #expect(Amount(literal: literal)?.literal == literal)
    }

    @Test(arguments: ["", "01", "-1", "+1", "1.", ".5", "12.345", "1e3", "1E3", " 1", "1 ", "1,000", "NaN", "12.3.4", "10000000000000000"])
    func otherTextIsRefused(literal: String) {
        #expect(Amount(literal: literal) == nil)
    }

    @Test func amountsCompareAsNumbers() {
        #expect(Amount(literal: "100") == Amount(literal: "100.00"))
        #expect(Amount(literal: "100.1") == Amount(literal: "100.10"))
        #expect(Amount(literal: "100.01") != Amount(literal: "100.1"))
        #expect(Amount(literal: "12.50")?.decimal == Decimal(string: "12.5"))
    }

    @Test func clpHasNoCentsButAcceptsAZeroFraction() {
        #expect(Amount(literal: "10000.00")!.problem(in: .clp) == nil)
        #expect(Amount(literal: "10000.50")!.problem(in: .clp) != nil)
        #expect(Amount(literal: "10000.50")!.problem(in: .pen) == nil)
        #expect(Amount(literal: "0")!.problem(in: .mxn) == "must be greater than zero")
        #expect(Amount(literal: "0.00")!.problem(in: nil) != nil)
    }

    @Test func humanFormattingNamesTheCurrency() {
        #expect(Amount(literal: "10000.00")!.formatted(currency: .clp) == "CLP 10,000")
        #expect(Amount(literal: "12.5")!.formatted(currency: .pen) == "PEN 12.50")
        #expect(Amount(literal: "1234567.05")!.formatted(currency: .mxn) == "MXN 1,234,567.05")
        #expect(Amount(literal: "999")!.formatted(currency: .clp) == "CLP 999")
        #expect(Amount(literal: "7")!.formatted(currency: nil) == "7.00")
    }
}
