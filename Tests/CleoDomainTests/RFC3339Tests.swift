import CleoDomain
import Testing

@Suite struct RFC3339Tests {
    @Test func parsesZuluOffsetsAndFractions() {
        #expect(RFC3339.parse("1970-01-01T00:00:00Z")?.millisecondsSince1970 == 0)
        #expect(RFC3339.parse("1970-01-01T00:00:01.5Z")?.millisecondsSince1970 == 1500)
        #expect(RFC3339.parse("1970-01-01T00:00:00.123456789Z")?.millisecondsSince1970 == 123)
        #expect(RFC3339.parse("2026-11-25T10:00:00-03:00") == RFC3339.parse("2026-11-25T13:00:00Z"))
        #expect(RFC3339.parse("2024-02-29T23:59:59+14:00") != nil)
        #expect(RFC3339.parse("2026-11-25t10:00:00z") != nil)
    }

    @Test(arguments: ["2026-11-25", "2026-11-25T10:00Z", "2026-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2026-11-25T24:00:00Z",
                      "2026-11-25T10:00:00+0300", "2026-11-25T10:00:00.Z", "2026-11-25T10:00:00Z ", " 2026-11-25T10:00:00Z"])
    func refusesWhatIsNotRFC3339(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test func formatsWithTheOperatorsOffset() {
        let t = RFC3339.parse("2026-11-25T13:00:00.250Z")!
        #expect(RFC3339.format(t, offsetSeconds: 0) == "2026-11-25T13:00:00.250Z")
        #expect(RFC3339.format(t, offsetSeconds: -3 * 3600) == "2026-11-25T10:00:00.250-03:00")
        #expect(RFC3339.formatShort(t, offsetSeconds: 5 * 3600 + 1800) == "2026-11-25 18:30:00")
        #expect(RFC3339.parseBound("2026-11-25", offsetSeconds: { _ in -10800 }) == RFC3339.parse("2026-11-25T03:00:00Z"))
    }

    /// The UTC form is written digit by digit (serve stamps each delivery with it): every
    /// instant reads back as itself, before 1970 and across leap days included.
    @Test func theUTCFormReadsBackAsTheSameInstant() {
        #expect(RFC3339.format(Timestamp(millisecondsSince1970: -1), offsetSeconds: 0) == "1969-12-31T23:59:59.999Z")
        #expect(RFC3339.format(Timestamp(millisecondsSince1970: 0), offsetSeconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(RFC3339.format(RFC3339.parse("2024-02-29T09:05:07.045Z")!, offsetSeconds: 0) == "2024-02-29T09:05:07.045Z")
        var instant: Int64 = -62_167_219_200_000  // 0000-01-01
        while instant < 253_402_300_799_999 {  // 9999-12-31T23:59:59.999
            let t = Timestamp(millisecondsSince1970: instant)
            let text = RFC3339.format(t, offsetSeconds: 0)
            #expect(text.utf8.count == 24 && RFC3339.parse(text) == t, "\(instant): \(text)")
            instant += 3_999_999_937  // about 46 days and an odd number of milliseconds
        }
    }

    /// Found by `make fuzz` (Fuzz/WebhookLineFuzz.swift): `0000-01-01T00:00:00+23:59` was
    /// accepted as an instant in year -1, which formats as `00-1-12-31T00:01:00.000Z` — a
    /// `receivedAt` that `tx list --json` would export and no parser reads back.
    @Test func anInstantAnOffsetCarriesOutOfTheFourDigitYearsIsRefused() {
        #expect(RFC3339.parse("0000-01-01T00:00:00+23:59") == nil)
        #expect(RFC3339.parse("0000-01-01T00:00:00.999+00:01") == nil)
        #expect(RFC3339.parse("9999-12-31T23:59:59.999-00:01") == nil)
        #expect(rejectionCode(line([("receivedAt", "\"0000-01-01T00:00:00+23:59\"")])) == .wrongType)
        for edge in ["0000-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z", "0000-01-01T23:59:00.000+23:59", "9999-12-31T00:00:00.000-23:59"] {
            let parsed = RFC3339.parse(edge)
            #expect(parsed != nil, "\(edge)")
            if let parsed { #expect(RFC3339.parse(RFC3339.format(parsed, offsetSeconds: 0)) == parsed, "\(edge)") }
        }
    }
}
