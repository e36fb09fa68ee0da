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

    @Test func aTableCellSpellsTheSameAgeShort() {
        func compact(_ milliseconds: Int64) -> String { RelativeTime.compact(now.adding(milliseconds: -milliseconds), now: now) }
        #expect(compact(59_999) == "59s")
        #expect(compact(45 * 60_000) == "45m")
        #expect(compact(3_600_000) == "1h")
        #expect(compact(47 * 3_600_000 + 3_599_999) == "47h")
        #expect(compact(48 * 3_600_000) == "2d")
        #expect(compact(-5_000) == "in 5s")
        #expect(compact(-500) == "0s")
    }
}
