import CleoDomain
import Testing

@Suite struct RelativeTimeTests {
    let now = Timestamp(millisecondsSince1970: 1_790_000_000_000)
    func ago(_ milliseconds: Int64) -> String { RelativeTime.ago(now.adding(milliseconds: -milliseconds), now: now) }

    @Test func wholeUnitsRoundedDown() {
        #expect(ago(0) == "0 s ago")
        #expect(ago(59_999) == "59 s ago")
        #expect(ago(60_000) == "1 min ago")
        #expect(ago(3 * 60_000 + 59_000) == "3 min ago")
        #expect(ago(3_600_000 - 1) == "59 min ago")
        #expect(ago(3_600_000) == "1 h ago")
        #expect(ago(47 * 3_600_000) == "47 h ago")
        #expect(ago(48 * 3_600_000) == "2 d ago")
        #expect(ago(400 * 86_400_000) == "400 d ago")
    }

    @Test func aTimeAheadOfTheClockIsNeverANegativeAge() {
        #expect(ago(-500) == "0 s ago")
        #expect(ago(-5_000) == "in 5 s")
        #expect(ago(-120_000) == "in 2 min")
    }
}
