import CleoDomain
import Testing

/// cli.md: `--since`/`--until` take a duration back from now (`90m`, `6h`, `2d`).
@Suite struct DurationBoundTests {
    @Test(arguments: [("90m", 5_400_000), ("6h", 21_600_000), ("2d", 172_800_000), ("30s", 30_000), ("1w", 604_800_000), ("0m", 0)])
    func aNumberAndAUnit(text: String, milliseconds: Int64) {
        #expect(DurationBound.milliseconds(text) == milliseconds)
    }

    @Test(arguments: ["30", "m", "6H", "+5m", "-5m", "1.5h", " 6h", "6h ", "６h", "99999999999999d", ""])
    func anythingElseIsNoDuration(text: String) {
        #expect(DurationBound.milliseconds(text) == nil)
    }

    @Test func backFromNow() {
        #expect(DurationBound.before(Timestamp(millisecondsSince1970: 10_000_000), "90m") == Timestamp(millisecondsSince1970: 4_600_000))
    }
}
