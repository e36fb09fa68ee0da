import CleoDomain
import Testing

@Suite struct GroupedTests {
    @Test func digitsAreGroupedInThreesWhateverTheSign() {
        #expect(0.grouped == "0")
        #expect(999.grouped == "999")
        #expect(1_000.grouped == "1,000")
        #expect(8_797_223.grouped == "8,797,223")
        #expect((-123).grouped == "-123")
        #expect((-1_234_567).grouped == "-1,234,567")
        #expect(Int64.max.grouped == "9,223,372,036,854,775,807")
        #expect(Int64.min.grouped == "-9,223,372,036,854,775,808")
    }
}
