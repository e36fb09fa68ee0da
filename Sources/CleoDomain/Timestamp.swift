/// An instant in milliseconds since 1970-01-01T00:00:00Z. Times are state in the core (no clock
/// is read here); the edges convert to and from `Date`.
public struct Timestamp: Sendable, Hashable, Comparable, Codable {
    public var millisecondsSince1970: Int64

    public init(millisecondsSince1970: Int64) { self.millisecondsSince1970 = millisecondsSince1970 }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.millisecondsSince1970 < rhs.millisecondsSince1970 }

    public func adding(milliseconds: Int64) -> Timestamp { Timestamp(millisecondsSince1970: millisecondsSince1970 + milliseconds) }
}

/// RFC 3339 timestamps: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (events-log.md `receivedAt`),
/// plus the date-only form `YYYY-MM-DD` that `--since`/`--until` accept.
public enum RFC3339 {
    /// Parses a full timestamp; nil when it is not RFC 3339 (a day that does not exist included).
    /// `t`/`z` in lower case are accepted, as RFC 3339 §5.6 allows; a leap second (`:60`) is
    /// clamped to `:59.999` so ordering stays monotonic. Fractions beyond milliseconds are truncated.
    public static func parse(_ text: String) -> Timestamp? {
        var text = text
        return text.withUTF8 { parse(bytes: $0) }
    }

    static func parse(bytes b: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        guard b.count >= 20 else { return nil }
        guard let year = digits(b, 0, 4), b[4] == 0x2D, let month = digits(b, 5, 2), b[7] == 0x2D,
              let day = digits(b, 8, 2), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
              let hour = digits(b, 11, 2), b[13] == 0x3A, let minute = digits(b, 14, 2), b[16] == 0x3A,
              let second = digits(b, 17, 2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 60 else { return nil }
        var i = 19
        var millis = 0
        if b[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                if i - start < 3 { millis = millis * 10 + Int(b[i] - 0x30) }
                i += 1
            }
            if i == start { return nil }
            for _ in 0..<max(0, 3 - (i - start)) { millis *= 10 }
        }
        guard i < b.count else { return nil }
        var offsetMinutes = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard i + 6 == b.count, let oh = digits(b, i + 1, 2), b[i + 3] == 0x3A, let om = digits(b, i + 4, 2),
                  oh <= 23, om <= 59 else { return nil }
            offsetMinutes = (oh * 60 + om) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let secondOfMinute = min(second, 59)
        if second == 60 { millis = 999 }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + secondOfMinute) - Int64(offsetMinutes * 60)
        let instant = seconds * 1000 + Int64(millis)
        // An offset can carry year 0000 or 9999 out of the 4-digit years (`0000-01-01T00:00:00+01:00`
        // is in year -1 in UTC): such an instant has no RFC 3339 form to show or export.
        guard representable.contains(instant) else { return nil }
        return Timestamp(millisecondsSince1970: instant)
    }

    /// The instants with a UTC form `0000-01-01T00:00:00.000Z` … `9999-12-31T23:59:59.999Z`.
    static let representable: ClosedRange<Int64> =
        Int64(daysFromCivil(year: 0, month: 1, day: 1)) * 86_400_000...(Int64(daysFromCivil(year: 9999, month: 12, day: 31)) + 1) * 86_400_000 - 1

    /// `YYYY-MM-DD` as midnight at `offsetSeconds` from UTC (the operator's zone), or a full
    /// RFC 3339 timestamp.
    public static func parseBound(_ text: String, offsetSeconds: (Timestamp) -> Int) -> Timestamp? {
        if let full = parse(text) { return full }
        guard let (year, month, day) = date(text) else { return nil }
        let utcMidnight = Timestamp(millisecondsSince1970: Int64(daysFromCivil(year: year, month: month, day: day)) * 86_400_000)
        let offset = offsetSeconds(utcMidnight)
        return utcMidnight.adding(milliseconds: -Int64(offset) * 1000)
    }

    /// A real calendar day written `YYYY-MM-DD` (a 30 February is not one).
    public static func date(_ text: String) -> (year: Int, month: Int, day: Int)? {
        let b = Array(text.utf8)
        guard b.count == 10, let year = digits(b, 0, 4), b[4] == 0x2D, let month = digits(b, 5, 2), b[7] == 0x2D,
              let day = digits(b, 8, 2), (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year)
        else { return nil }
        return (year, month, day)
    }

    /// Formats with the given offset from UTC: `2026-11-25T21:20:17.000-03:00` (`Z` for zero).
    public static func format(_ timestamp: Timestamp, offsetSeconds: Int) -> String {
        if offsetSeconds == 0, let text = formatUTC(timestamp) { return text }
        let (date, time, millis) = civil(timestamp, offsetSeconds: offsetSeconds)
        let offset: String
        if offsetSeconds == 0 {
            offset = "Z"
        } else {
            let minutes = abs(offsetSeconds) / 60
            offset = (offsetSeconds < 0 ? "-" : "+") + pad(minutes / 60, 2) + ":" + pad(minutes % 60, 2)
        }
        return date + "T" + time + "." + pad(millis, 3) + offset
    }

    /// The UTC form written digit by digit into one buffer (`serve` stamps every delivery with
    /// it, twice); nil outside the years 0000-9999, which the general path writes.
    static func formatUTC(_ timestamp: Timestamp) -> String? {
        let (year, month, day, secondOfDay, millis) = civilFields(timestamp, offsetSeconds: 0)
        guard (0...9999).contains(year) else { return nil }
        return String(unsafeUninitializedCapacity: 24) { out in
            func put(_ value: Int, _ width: Int, at start: Int) {
                var value = value
                for index in stride(from: start + width - 1, through: start, by: -1) {
                    out[index] = UInt8(0x30 + value % 10)
                    value /= 10
                }
            }
            put(year, 4, at: 0); out[4] = 0x2D; put(month, 2, at: 5); out[7] = 0x2D; put(day, 2, at: 8)
            out[10] = 0x54
            put(secondOfDay / 3600, 2, at: 11); out[13] = 0x3A; put(secondOfDay % 3600 / 60, 2, at: 14); out[16] = 0x3A
            put(secondOfDay % 60, 2, at: 17); out[19] = 0x2E; put(millis, 3, at: 20); out[23] = 0x5A
            return 24
        }
    }

    /// `2026-11-25 21:20:17` in the given offset, for tables.
    public static func formatShort(_ timestamp: Timestamp, offsetSeconds: Int) -> String {
        let (date, time, _) = civil(timestamp, offsetSeconds: offsetSeconds)
        return date + " " + time
    }

    static func civil(_ timestamp: Timestamp, offsetSeconds: Int) -> (date: String, time: String, millis: Int) {
        let (y, m, d, secondOfDay, millis) = civilFields(timestamp, offsetSeconds: offsetSeconds)
        let date = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
        let time = pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay % 3600 / 60, 2) + ":" + pad(secondOfDay % 60, 2)
        return (date, time, millis)
    }

    /// The calendar day, the second of that day and the millisecond, in the given offset.
    static func civilFields(_ timestamp: Timestamp, offsetSeconds: Int) -> (year: Int, month: Int, day: Int, secondOfDay: Int, millis: Int) {
        let local = timestamp.millisecondsSince1970 + Int64(offsetSeconds) * 1000
        let millis = Int(((local % 1000) + 1000) % 1000)
        let totalSeconds = (local - Int64(millis)) / 1000
        var days = totalSeconds / 86_400
        var secondOfDay = Int(totalSeconds % 86_400)
        if secondOfDay < 0 { secondOfDay += 86_400; days -= 1 }
        let (y, m, d) = civilFromDays(Int(days))
        return (y, m, d, secondOfDay, millis)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    private static func digits(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
        guard start + count <= b.count else { return nil }
        var value = 0
        for i in start..<(start + count) {
            let c = b[i]
            guard c >= 0x30, c <= 0x39 else { return nil }
            value = value * 10 + Int(c - 0x30)
        }
        return value
    }

    private static func digits(_ b: [UInt8], _ start: Int, _ count: Int) -> Int? {
        b.withUnsafeBufferPointer { digits($0, start, count) }
    }


    static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Howard Hinnant's days-from-civil: days since 1970-01-01 of a proleptic Gregorian date.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
