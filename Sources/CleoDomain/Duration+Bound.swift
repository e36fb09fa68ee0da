/// A duration back from now, as `--since`/`--until` and the console's date filters take it
/// (cli.md: `90m`, `6h`, `2d`). Whole numbers of seconds, minutes, hours, days or weeks; the
/// unit is required, so a bare `30` is never guessed at.
public enum DurationBound {
    /// Milliseconds in `text` (`90m` → 5,400,000); nil when it is not a duration.
    public static func milliseconds(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 2, bytes.count <= 12, let unit = bytes.last else { return nil }
        let digits = bytes.dropLast()
        guard digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let count = Int64(String(decoding: digits, as: UTF8.self)) else { return nil }
        let scale: Int64
        switch unit {
        case UInt8(ascii: "s"): scale = 1_000
        case UInt8(ascii: "m"): scale = 60_000
        case UInt8(ascii: "h"): scale = 3_600_000
        case UInt8(ascii: "d"): scale = 86_400_000
        case UInt8(ascii: "w"): scale = 604_800_000
        default: return nil
        }
        let (product, overflow) = count.multipliedReportingOverflow(by: scale)
        return overflow ? nil : product
    }

    /// `now` minus the duration in `text`; nil when `text` is not a duration.
    public static func before(_ now: Timestamp, _ text: String) -> Timestamp? {
        milliseconds(text).map { now.adding(milliseconds: -$0) }
    }
}
